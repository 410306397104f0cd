"""The one CSV writer: formula-safe cells, streamed line by line (docs/security.md 16-17).

A spreadsheet may run a text cell as a formula or a command when it starts with one of the
characters on OWASP's CSV-injection list: = + - @ | %, their full-width forms (some
spreadsheets read those as the ASCII ones), or a tab or line break before one. Such cells get
a leading apostrophe, header cells as much as any other: prefixed, never stripped, so "-5 days"
survives as text and nothing is lost. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

BOM = "\ufeff"
FORMULA_CHARACTERS = "=+-@|%"
# Unicode's full-width forms sit at a fixed offset from ASCII: ＝＋－＠｜％.
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in FORMULA_CHARACTERS)
FORMULA_STARTS = frozenset(FORMULA_CHARACTERS + FULL_WIDTH + "\t\r\n")
ROWS_PER_CHUNK = 200


def safe_cell(value: Any) -> Any:
    # Called for every cell of a million-row export: the common case first, one set lookup.
    if type(value) is str:
        return "'" + value if value[:1] in FORMULA_STARTS else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return safe_cell(str(value))


def stream(rows: Iterable[Any], typed: Sequence[int] | None = None) -> Iterator[str]:
    """CSV text for `rows` (the first is the header), UTF-8 BOM first so Excel reads it,
    in chunks of a few hundred rows. Every cell goes through safe_cell, unless `typed` is
    given: then the header's cells and, in the rows after it (lists), only the cells at those
    positions. A caller passes `typed` only when every other cell is a str, an int or None
    that cannot start with a formula character (its own codes, ids and numbers): the check
    is then a loop over a few cells instead of a call per cell."""
    buffer = io.StringIO()
    writerow = csv.writer(buffer, lineterminator="\r\n").writerow
    yield BOM
    pending = 0
    rows = iter(rows)
    if typed is not None:
        rows = _checked(rows, typed)
    else:
        rows = (map(safe_cell, row) for row in rows)
    for row in rows:
        writerow(row)
        pending += 1
        if pending == ROWS_PER_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _checked(rows: Iterator[list[Any]], typed: Sequence[int]) -> Iterator[Iterable[Any]]:
    for header in rows:
        yield map(safe_cell, header)
        break
    for row in rows:
        for n in typed:
            row[n] = safe_cell(row[n])
        yield row
