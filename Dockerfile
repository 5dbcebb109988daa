# draftcut on its embedded default: SQLite, media and renders under /data, render workers in process.
#   docker build -t draftcut .
#   docker run -p 30000:30000 -v draftcut-data:/data draftcut
# Settings are the README's DRAFTCUT_* variables (`-e DRAFTCUT_PUBLIC_URL=...`).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# What scripts/serve does (scripts/_venv.sh: a venv, then pip install of the checkout), without -e: the
# image keeps the installed package, not the source tree. The `scale` extra (Celery, psycopg, boto3) lets
# the same image run `draftcut worker` against Redis, PostgreSQL and S3 (compose's scale-out profile).
RUN /opt/venv/bin/python -m pip install --upgrade pip \
 && /opt/venv/bin/python -m pip install ".[scale]"

FROM python:3.11-slim
# libfribidi: Pillow's wheel loads libraqm, which needs it at run time to shape Arabic, Hebrew, Thai and
# Devanagari captions (without it they are drawn unjoined, and the render says so).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libfribidi0 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /home/draftcut draftcut \
 && mkdir /data \
 && chown draftcut:draftcut /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DRAFTCUT_HOST=0.0.0.0 \
    DRAFTCUT_DATA_DIR=/data
USER draftcut
WORKDIR /home/draftcut
VOLUME /data
EXPOSE 30000
# No curl in the slim image; /openapi.json answers without an API key even with DRAFTCUT_API_KEYS=true.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/openapi.json' % os.environ.get('DRAFTCUT_PORT', '30000'), timeout=4)"]
CMD ["draftcut", "serve"]
