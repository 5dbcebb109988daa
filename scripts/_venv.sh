# Shared by scripts/serve and scripts/test: make .venv and install draftcut with the given extras,
# skipping pip when pyproject.toml has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras=${1:-}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
# The web page's browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download cannot run everywhere); install it where apt-get can.
if [[ ",$extras," == *",test,"* ]] && [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the web page tests (apt-get)..." >&2
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
         { apt-get update -qq >/dev/null 2>&1 &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }; }
  then
    echo "could not install chromium with apt-get (not root, or no network?): tests/web will fail;" \
         "install it with: apt-get install -y chromium" >&2
  fi
fi
# The scale-out tests (tests/scale/) run a real Redis broker and a real PostgreSQL from Debian's packages
# (PostgreSQL 15 is usually preinstalled; redis-server is not).
if [[ ",$extras," == *",test,"* ]] && command -v apt-get >/dev/null; then
  need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing Debian's ${need[*]} for the scale-out tests (apt-get)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1; } ||
      echo "could not install ${need[*]} with apt-get: tests/scale will fail; install them with apt-get" >&2
  fi
fi
# Pillow's wheel shapes Arabic, Hebrew, Thai and Devanagari captions with libraqm, which loads the
# system's libfribidi at run time; without it those captions are drawn unjoined (and reported).
if ! .venv/bin/python -c "from PIL import features; raise SystemExit(not features.check('raqm'))" 2>/dev/null \
   && command -v apt-get >/dev/null; then
  echo "installing Debian's libfribidi0 for caption shaping (apt-get)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libfribidi0 >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libfribidi0 >/dev/null 2>&1; } ||
    echo "could not install libfribidi0 (not root, or no network?): right-to-left captions will be unshaped" >&2
fi
