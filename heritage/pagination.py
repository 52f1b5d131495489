"""One page of results, shared by the visitor list and the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def clamp_page(raw: str | int | None) -> int:
    """A page number from the query string; anything odd means page 1."""
    try:
        return max(1, min(int(raw or 1), 100_000))
    except (TypeError, ValueError):
        return 1
