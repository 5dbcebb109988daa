"""CapCut's names for effects the render tables know by their Jianying names.

The transition and animation tables are keyed by Jianying's display names
(plus a few English ones). CapCut writes its own English names (``Mix``,
``Black Fade``) but, for most shared effects, the same `resource_id`, which
both apps download the effect by. So a name the tables miss is looked up
again under the Jianying name of the material's resource id. That serves
drafts written for CapCut by draftcut and drafts made in CapCut alike.
"""

from __future__ import annotations

from draftcut.draft.catalog import get_catalog

__all__ = ["ANIMATION_KINDS", "jianying_name"]

ANIMATION_KINDS = ("video_intros", "video_outros", "video_group_animations", "text_intros", "text_outros",
                   "text_loops")


def jianying_name(kinds: tuple[str, ...], resource_id: object) -> str | None:
    """The Jianying catalog name of the entry with `resource_id` in the first of `kinds` that has one."""
    if not isinstance(resource_id, str) or not resource_id.strip():
        return None
    for kind in kinds:
        entry = get_catalog(kind).find(resource_id.strip())
        if entry is not None and entry.resource_id == resource_id.strip():
            return entry.name
    return None
