"""Identifiers in the shapes capcut-mate and the Jianying app use."""

from __future__ import annotations

import random
import re
import uuid
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from draftcut.errors import InvalidDraftUrl

__all__ = ["draft_id_from_url", "is_draft_id", "new_draft_id", "new_id"]

# capcut-mate's shape: local timestamp + 8 hex (22 chars). Keeping it means the
# desktop client and capcut-mate's render host, which find the id in a URL path
# as "the first segment matching ^\d{8,}", treat our drafts like theirs.
_DRAFT_ID = re.compile(r"^\d{14}[0-9a-f]{8}$")


def new_id() -> str:
    """A random 32-hex id for materials and segments (unique within a draft).

    Not a security token: `random` is reseeded in forked children, and an
    edit makes dozens of these, where uuid4's os.urandom call showed up.
    """
    return f"{random.getrandbits(128):032x}"


def new_draft_id(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:8]


def is_draft_id(value: str) -> bool:
    return bool(_DRAFT_ID.match(value))


def draft_id_from_url(draft_url: str, *, field: str = "draft_url") -> str:
    """The `draft_id` query parameter of any URL (host and path are not ours to judge).

    A bare id is accepted too: MCP agents and scripts often pass just that.
    """
    value = (draft_url or "").strip()
    if not value:
        raise InvalidDraftUrl("is required", field=field)
    if is_draft_id(value):
        return value
    ids = parse_qs(urlsplit(value).query).get("draft_id")
    if not ids or not ids[0]:
        raise InvalidDraftUrl("has no draft_id query parameter", field=field)
    draft_id = ids[0].strip()
    if not is_draft_id(draft_id):
        raise InvalidDraftUrl(f"malformed draft_id {draft_id[:40]!r} (expected 14 digits + 8 hex)", field=field)
    return draft_id
