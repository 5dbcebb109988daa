"""The store-level edit the DraftStore tests make: append a value to the record's `items`, return it."""

from __future__ import annotations

from collections.abc import Callable

from draftcut.draft.record import DraftRecord

__all__ = ["append"]


def append(value: str) -> Callable[[DraftRecord], str]:
    def mutate(record: DraftRecord) -> str:
        record.content["items"].append(value)
        return value
    return mutate
