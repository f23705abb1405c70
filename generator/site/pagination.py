"""Splitting a list into pages: one rule for tag, year, venue and author index pages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple


class Slice(NamedTuple):
    number: int  # 1-based
    pages: int  # how many pages the list has
    papers: tuple[Any, ...]  # the papers (or people) on this page
    first: int  # 1-based position of this page's first item in the list


def paginate(listed: Sequence[Any], per_page: int) -> list[Slice]:
    """`per_page` items a page (at least 1); an empty list still has its one (empty) page."""
    per_page = max(1, per_page)
    count = max(1, math.ceil(len(listed) / per_page))
    return [Slice(number, count, tuple(listed[(number - 1) * per_page:number * per_page]),
                  (number - 1) * per_page + 1) for number in range(1, count + 1)]
