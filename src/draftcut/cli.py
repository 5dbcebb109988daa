"""`draftcut` command line: serve the API; render and preview drafts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    # Deferred, like the server itself: pydantic settings cost ~0.15 s that `draftcut render` does not need.
    from draftcut.config import Settings

    overrides = {k: v for k, v in {
        "host": args.host, "port": args.port, "data_dir": args.data_dir,
        "public_url": args.public_url, "workers": args.workers,
    }.items() if v is not None}
    settings = Settings(**overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Create the database (schema, WAL mode) once, before workers race to do it.
    from draftcut.store._sqlite import Database

    Database(settings.db_path).close()
    # Worker processes re-read settings from the environment.
    settings.export_to_environ()
    print(f"draftcut serving on http://{settings.host}:{settings.port} (public URL {settings.base_url}, "
          f"data in {settings.data_dir.resolve()}, {settings.workers} worker(s))", file=sys.stderr)
    config: dict[str, Any] = {"app": "draftcut.api.app:app_from_env", "factory": True, "host": settings.host,
              "port": settings.port, "log_level": "info", "access_log": False}
    if settings.workers > 1:
        from draftcut.workers import reuseport_available, serve_workers

        if reuseport_available():
            return serve_workers(config, settings.workers)
    uvicorn.run(**config, workers=settings.workers)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="draftcut", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API (capcut-mate compatible)")
    serve.add_argument("--host", help="listen address (DRAFTCUT_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (DRAFTCUT_PORT, default 30000)")
    serve.add_argument("--data-dir", type=Path, help="drafts, media and renders (DRAFTCUT_DATA_DIR, default ./data)")
    serve.add_argument("--public-url", help="base URL clients use (DRAFTCUT_PUBLIC_URL, default http://host:port)")
    serve.add_argument("--workers", type=int, help="server processes (DRAFTCUT_WORKERS, default 1)")
    serve.set_defaults(func=_serve)
    try:
        from draftcut.render.cli import add_render_parsers
    except ImportError:  # renderer not installed in this build
        pass
    else:
        add_render_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
