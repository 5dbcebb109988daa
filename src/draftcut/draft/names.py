"""Catalog names in requests: resolved, or ignored with a warning, or refused.

capcut-mate logs and ignores a transition, mask, animation or effect name
that its catalogs do not know (api reference §3.1–3.3), so workflows in the
wild carry names that never did anything. Refusing them would break those
workflows on the first call. By default we do as capcut-mate does, but say
so: every ignored name comes back in the response's ``warnings`` with the
closest catalog names. ``DRAFTCUT_STRICT_NAMES=true`` turns the same finding
into a 400 naming the field, with the same suggestions.

Every edit resolves names through one `NameResolver`, so endpoints added
later follow the same policy without restating it.
"""

from __future__ import annotations

from typing import Any

from draftcut.draft.catalog import CatalogEntry, get_catalog

__all__ = ["NameResolver"]


class NameResolver:
    """Resolves names for one edit and collects the warnings for its response."""

    __slots__ = ("app", "strict", "warnings")

    def __init__(self, *, strict: bool = False, app: str = "jianying") -> None:
        self.strict = strict
        self.app = app
        """The catalog set (an app profile's `catalogs`): a CapCut draft resolves against CapCut's names."""
        self.warnings: list[dict[str, Any]] = []

    def resolve(self, kinds: tuple[str, ...], name: str, field: str, *,
                substring: bool = False) -> CatalogEntry | None:
        """The entry of the first catalog of `kinds` that knows `name`.

        With `substring`, a name that no catalog knows exactly may still be the
        unique substring of one entry's name (capcut-mate's last resort for
        fonts: ``思源中`` → 思源中宋). An unknown name raises that kind's `NameNotFound` (at `field`) when
        strict; otherwise it is recorded as a warning and None is returned,
        and the caller leaves the feature out.
        """
        for kind in kinds:
            entry = get_catalog(kind, self.app).find(name)
            if entry is not None:
                return entry
        catalog = get_catalog(kinds[0], self.app)
        entry = catalog.unique_substring(name) if substring else None
        if entry is not None:
            return entry
        if self.strict:
            raise catalog.not_found(name).at(field)
        error = catalog.not_found(name)
        self.warnings.append({
            "field": field,
            "name": name,
            "message": f"{field}: {error.detail}; ignored, as capcut-mate ignores it",
            "suggestions": catalog.suggest(name),
        })
        return None
