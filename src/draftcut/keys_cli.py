"""`draftcut keys create|list|revoke`: API keys in the server's database (see store/api_keys.py).

Keys are required only with `DRAFTCUT_API_KEYS=true`. Changes apply to a
running server at once: it looks keys up on every request.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["add_keys_parser"]


def _store(args: argparse.Namespace) -> Any:
    from draftcut.config import Settings
    from draftcut.store.backends import open_stores

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir is not None else {}))
    return settings, open_stores(settings).api_keys


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else ""


def _create(args: argparse.Namespace) -> int:
    if args.rate < 0:
        print("--rate must be 0 (no limit) or more", file=sys.stderr)
        return 2
    settings, store = _store(args)
    record, key = store.create(args.name or "", args.rate)
    print(key)
    rate = f"{record.rate_per_minute:g} requests/minute" if record.rate_per_minute else "no rate limit"
    print(f"key {record.id} ({record.name or 'no name'}, {rate}) created; it is shown only this once",
          file=sys.stderr)
    if not settings.api_keys:
        print("note: keys are required only when DRAFTCUT_API_KEYS=true", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    _settings, store = _store(args)
    keys = store.list()
    if not keys:
        print("no API keys", file=sys.stderr)
        return 0
    print(f"{'id':<8}  {'key starts':<16}  {'rate/min':>8}  {'created':<19}  {'status':<27}  name")
    for k in keys:
        status = "active" if k.active else f"revoked {_when(k.revoked_at)}"
        rate = f"{k.rate_per_minute:g}" if k.rate_per_minute else "-"
        print(f"{k.id:<8}  {k.prefix + '…':<16}  {rate:>8}  {_when(k.created_at):<19}  {status:<27}  {k.name}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    _settings, store = _store(args)
    record = store.revoke(args.key_id)
    if record is None:
        print(f"no active key {args.key_id!r}", file=sys.stderr)
        return 1
    print(f"revoked key {record.id} ({record.name or 'no name'})", file=sys.stderr)
    return 0


def add_keys_parser(sub: Any) -> None:
    """Add `keys` and its subcommands to the `draftcut` parser's subparsers."""
    keys = sub.add_parser("keys", help="manage API keys (required with DRAFTCUT_API_KEYS=true)")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    data_dir: dict[str, Any] = {"type": Path, "help": "the server's data dir (DRAFTCUT_DATA_DIR, default ./data)"}

    create = actions.add_parser("create", help="create a key and print it (once)")
    create.add_argument("--name", help="a label for the list")
    create.add_argument("--rate", type=float, default=0.0, metavar="PER_MINUTE",
                        help="requests per minute, per server process (default 0: no limit)")
    create.add_argument("--data-dir", **data_dir)
    create.set_defaults(func=_create)

    listing = actions.add_parser("list", help="list keys (ids and first characters, never whole keys)")
    listing.add_argument("--data-dir", **data_dir)
    listing.set_defaults(func=_list)

    revoke = actions.add_parser("revoke", help="revoke a key; a running server refuses it from the next request")
    revoke.add_argument("key_id", metavar="KEY_ID", help="the id `keys list` shows (or the key itself)")
    revoke.add_argument("--data-dir", **data_dir)
    revoke.set_defaults(func=_revoke)
