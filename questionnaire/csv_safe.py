"""The one CSV writer: formula-safe cells, streamed line by line (SECURITY.md 15-16).

A spreadsheet runs a cell that starts with = + - @ (or a tab or line break before one) as a
formula. Such text cells get a leading apostrophe: prefixed, never stripped, so "-5 days"
survives as text and nothing is lost. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def stream(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text for `rows` (the first is the header), UTF-8 BOM first so Excel reads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield BOM
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
