"""`draftcut` command line: serve the API (HTTP, or MCP over stdio); render and preview drafts; run render
workers for a broker; Coze plugin file."""

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
    # Create the database (schema; SQLite's WAL mode) once, before workers race to do it.
    from draftcut.errors import BackendUnavailable
    from draftcut.store.backends import init_database

    try:
        init_database(settings)
    except BackendUnavailable as exc:  # a setting or a server to fix, not a bug: say which, no traceback
        print(f"draftcut serve: cannot start: {exc.describe()}. Start the database, or check "
              "DRAFTCUT_DATABASE_URL.", file=sys.stderr)
        return 1
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


def _worker(args: argparse.Namespace) -> int:
    from draftcut.config import Settings

    settings = Settings()
    if not settings.broker_url:
        print("draftcut worker: no broker configured. Set DRAFTCUT_BROKER_URL (e.g. redis://127.0.0.1:6379/0) "
              "to the same value as the API servers'; without it `draftcut serve` renders in process "
              "and no worker is needed.", file=sys.stderr)
        return 2
    try:
        from draftcut.jobs.celery_app import run_worker
    except ImportError as exc:
        print(f"draftcut worker needs the scale extra (pip install 'draftcut[scale]'): {exc}", file=sys.stderr)
        return 2
    concurrency = args.concurrency or settings.render_workers
    print(f"draftcut worker: {concurrency} render process(es), broker {settings.broker_url}, "
          f"data in {settings.data_dir.resolve()}", file=sys.stderr)
    return run_worker(settings, concurrency=concurrency, loglevel=args.loglevel)


def _mcp(args: argparse.Namespace) -> int:
    from draftcut.config import Settings
    from draftcut.mcp.stdio import run_stdio

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir is not None else {}))
    return run_stdio(settings, args.url, args.api_key)


def _coze_openapi(args: argparse.Namespace) -> int:
    from draftcut.coze import write_coze_openapi

    write_coze_openapi(args.server_url, args.output)
    print(f"wrote {args.output} (server {args.server_url})", file=sys.stderr)
    return 0


def _pull(args: argparse.Namespace) -> int:
    from draftcut.handoff.pull import run_cli

    return run_cli(args)


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
    worker = sub.add_parser("worker", help="render gen_video jobs from the Celery queue (DRAFTCUT_BROKER_URL); "
                            "settings from DRAFTCUT_* as for serve")
    worker.add_argument("--concurrency", type=int, help="render jobs at once (default DRAFTCUT_RENDER_WORKERS, 2)")
    worker.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error"],
                        help="default info")
    worker.set_defaults(func=_worker)
    mcp = sub.add_parser("mcp", help="serve the API's endpoints as MCP tools over stdio (for agents)")
    mcp.add_argument("--url", help="call a running server at this base URL instead of the data dir in process")
    mcp.add_argument("--data-dir", type=Path, help="drafts, media and renders (DRAFTCUT_DATA_DIR, default ./data)")
    mcp.add_argument("--api-key", help="API key sent with every call (when the server requires keys)")
    mcp.set_defaults(func=_mcp)
    coze = sub.add_parser("coze-openapi", help="write the OpenAPI file that imports this server as a Coze plugin")
    coze.add_argument("--server-url", required=True, help="public base URL of this server, e.g. https://cut.example.com")
    coze.add_argument("-o", "--output", type=Path, default=Path("openapi.yaml"), help="default openapi.yaml")
    coze.set_defaults(func=_coze_openapi)
    pull = sub.add_parser("pull", help="download a draft from a draftcut or capcut-mate server into the local "
                          "Jianying/CapCut drafts folder")
    pull.add_argument("draft_url", help="the draft_url a server handed out (.../get_draft?draft_id=...)")
    pull.add_argument("--to", type=Path, metavar="DRAFTS_ROOT", help="drafts folder to use (default: the app's)")
    pull.add_argument("--app", choices=["jianying", "capcut"], help="which app's drafts folder, when both exist")
    pull.add_argument("--os", choices=["windows", "macos", "linux"], help=argparse.SUPPRESS)
    pull.add_argument("--retries", type=int, default=4, help="retries per file on network errors (default 4)")
    pull.add_argument("--api-key", help="API key for a server that requires keys (sent only to the draft's host)")
    pull.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    pull.add_argument("--clean", action="store_true", help="remove what a failed pull of this draft left, then exit")
    pull.set_defaults(func=_pull)
    try:
        from draftcut.render.cli import add_render_parsers
    except ImportError:  # renderer not installed in this build
        pass
    else:
        add_render_parsers(sub)
    from draftcut.keys_cli import add_keys_parser

    add_keys_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
