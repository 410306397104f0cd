"""A staff list read one page at a time: the rows matching, counted, and the page asked for
(kept within 1 and the last page), for the submissions list, the audit log and the alerts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.interfaces import ORMOption

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: Sequence[T]
    number: int  # from 1
    pages: int  # at least 1, so an empty list is "page 1 of 1"
    total: int  # rows matching, on every page


def read(
    db: Session,
    model: type[T],
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    size: int,
    asked: int | None,
    *,
    ids: InstrumentedAttribute[Any] | None = None,
    options: Sequence[ORMOption] = (),
) -> Page[T]:
    """Page `asked` (None or out of range: the nearest page there is) of `model`'s rows
    matching `where`, in `order_by`, `size` to a page.

    `ids`: the model's key column. The page's keys are then found first, skipped over in an
    index alone, and only those rows read: a deep page (500 of the submissions list at
    100,000) otherwise reads every row it skips (docs/performance.md)."""
    total = db.scalar(select(func.count()).select_from(model).where(*where)) or 0
    pages = max(1, -(-total // size))
    number = min(max(asked or 1, 1), pages)
    offset = (number - 1) * size
    if ids is None:
        query = select(model).where(*where).order_by(*order_by).limit(size).offset(offset)
    else:
        keys = select(ids).where(*where).order_by(*order_by).limit(size).offset(offset)
        query = select(model).where(ids.in_(keys.scalar_subquery())).order_by(*order_by)
    rows = db.scalars(query.options(*options)).all()
    return Page(rows, number, pages, total)
