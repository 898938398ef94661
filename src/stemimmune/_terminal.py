"""
Text laid out for a terminal of a given width: tables that fit, wrapped paragraphs, records as indented lines.

The command line declares its tables as :class:`TextColumn` tuples: which columns may
be cut (ids and titles, with an ellipsis, down to a narrowest width) and which are
dropped first when the table cannot fit. A width of None means no limit: everything
is printed whole (``--wide``, or output that is not a terminal). Every value passes
through :func:`~stemimmune._text.printable` before it is measured, so escapes count.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import attrs

from ._text import clip, printable


#: Spaces between two columns of a table.
GAP: Final = 2
#: Narrowest a cut value may be: one character and the ellipsis.
_NARROWEST: Final = 4


@attrs.frozen
class TextColumn:
    """
    One column of a table for the terminal.

    Attributes:
        key: The row's key for this column's cells.
        header: The column's heading; the key when empty.
        shortest: The narrowest the column may be cut to, values ending in ``...``;
            None: its values are never cut.
        drop: When the table does not fit even with its values cut, columns are left
            out in increasing order of this number (1 first); 0: never left out.
    """

    key: str
    header: str = ""
    shortest: int | None = None
    drop: int = 0

    @property
    def heading(self) -> str:
        """The heading printed above the column."""
        return self.header or self.key


def table(rows: Sequence[Mapping[str, object]], columns: Sequence[TextColumn], width: int | None) -> list[str]:
    r"""
    Render *rows* as lines of a plain-text table under a header, each at most *width* characters.

    When the columns at their natural widths do not fit, the columns with a ``drop``
    number are left out, lowest first, until the narrowest the rest can be cut to
    fits; then the cuttable columns are cut, the one with the most room above its
    narrowest first, to fit exactly (below
    their narrowest only when nothing else fits, and a line is cut as a last resort). A last
    line then says what was left out or cut and that ``--wide`` shows all. None
    and missing cells are blank. With *width* None nothing is dropped or cut.

    Example:
        >>> rows = [{"id": "autologous-hsct", "note": "a long remark", "n": 3}]
        >>> cols = [TextColumn("id"), TextColumn("n", drop=1), TextColumn("note", shortest=6)]
        >>> print("\n".join(table(rows, cols, None)))
        id               n  note
        ---------------  -  -------------
        autologous-hsct  3  a long remark
        >>> print("\n".join(table(rows, cols, 24)))
        id               note
        ---------------  -------
        autologous-hsct  a lo...
        (n left out and values
          cut with ... to fit 24
          columns; --wide shows
          all)
    """
    cells = {c.key: [printable("" if row.get(c.key) is None else str(row.get(c.key))) for row in rows] for c in columns}
    natural = {c.key: max([len(c.heading), *(len(v) for v in cells[c.key])]) for c in columns}
    floor = {
        c.key: natural[c.key] if c.shortest is None else min(natural[c.key], max(c.shortest, _NARROWEST))
        for c in columns
    }
    shown = list(columns)
    if width is not None:
        for column in sorted((c for c in columns if c.drop), key=lambda c: c.drop):
            if _span(natural[c.key] for c in shown) <= width or _span(floor[c.key] for c in shown) <= width:
                break
            shown.remove(column)
    widths = {c.key: natural[c.key] for c in shown}
    if width is not None:
        _cut(widths, floor, width)  # to the columns' narrowest, then below it when even that is too wide
        _cut(widths, {c.key: widths[c.key] if c.shortest is None else _NARROWEST for c in shown}, width)
    lines = [_line((c.heading for c in shown), widths.values())]
    lines.append((" " * GAP).join("-" * w for w in widths.values()))
    lines += [_line((cells[c.key][i] for c in shown), widths.values()) for i in range(len(rows))]
    dropped = [c.heading for c in columns if c not in shown]
    cut = any(widths[c.key] < natural[c.key] for c in shown)
    if dropped or cut:
        changes = [f"{', '.join(dropped)} left out"] if dropped else []
        changes += ["values cut with ..."] if cut else []
        lines += paragraph(f"({' and '.join(changes)} to fit {width} columns; --wide shows all)", width)
    return lines if width is None else [_fit(line, width) for line in lines]


def _cut(widths: dict[str, int], floor: Mapping[str, int], width: int) -> None:
    """Narrow the column with the most room above its *floor* by one, again and again, until the table fits *width*."""
    excess = _span(widths.values()) - width
    while excess > 0:
        candidates = [key for key, size in widths.items() if size > floor[key]]
        if not candidates:
            return
        roomiest = max(candidates, key=lambda key: widths[key] - floor[key])
        widths[roomiest] -= 1
        excess -= 1


def _fit(line: str, width: int) -> str:
    """*line*, cut with ``...`` to *width* when longer: the last resort of a terminal too narrow for a table."""
    return clip(line, width) if width >= _NARROWEST else line[:width]


def _span(widths: Iterable[int]) -> int:
    """The width of a table whose columns are *widths* wide."""
    sizes = list(widths)
    return sum(sizes) + GAP * max(len(sizes) - 1, 0)


def _line(values: Iterable[str], widths: Iterable[int]) -> str:
    """One line of a table: each value cut to its column's width and padded to it."""
    parts = [clip(value, size).ljust(size) for value, size in zip(values, widths, strict=True)]
    return (" " * GAP).join(parts).rstrip()


def paragraph(text: str, width: int | None, *, indent: int = 0, hang: int | None = None) -> list[str]:
    """
    Wrap *text* to lines of at most *width* characters, the first indented *indent* spaces, the rest *hang*.

    *hang* defaults to *indent* plus two. Words are never broken at hyphens; a word
    longer than a whole line is. With *width* None the text is one line, indented.

    Example:
        >>> paragraph("a summary of the evidence", 12, indent=2)
        ['  a summary', '    of the', '    evidence']
    """
    text = printable(" ".join(text.split()))
    first = " " * indent
    if width is None:
        return [first + text]
    rest = " " * (indent + 2 if hang is None else hang)
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [
        first.rstrip()
    ]


def record_lines(data: Mapping[str, object], width: int | None, indent: int = 2) -> list[str]:
    r"""
    Render a record's fields (as :func:`~stemimmune.serialization.unstructure` gives them) as indented lines.

    A field is ``name: value``, its long text wrapped under it; a list of plain values
    is one comma-separated line (one ``- value`` line each when a value holds a comma);
    a nested record's fields go two spaces deeper, and each record of a list starts
    with ``- ``.

    Example:
        >>> data = {"name": "Ryoncil", "events": [{"jurisdiction": "US", "decision": "approved"}], "synonyms": ["a", "b"]}
        >>> print("\n".join(record_lines(data, 80)))
          name: Ryoncil
          events:
            - jurisdiction: US
              decision: approved
          synonyms: a, b
    """
    lines: list[str] = []
    for key, value in data.items():
        lines += _field_lines(key, value, width, indent)
    return lines


def _field_lines(key: str, value: object, width: int | None, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        return [f"{pad}{key}:", *record_lines(value, width, indent + 2)]
    if isinstance(value, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in value) and not any(
            "," in _scalar(item) for item in value
        ):
            return paragraph(f"{key}: {', '.join(_scalar(item) for item in value)}", width, indent=indent)
        lines = [f"{pad}{key}:"]
        for item in value:
            lines += _item_lines(item, width, indent + 2)
        return lines
    return paragraph(f"{key}: {_scalar(value)}", width, indent=indent)


def _item_lines(item: object, width: int | None, indent: int) -> list[str]:
    """One item of a list, its first line marked ``- ``."""
    if isinstance(item, Mapping):
        lines = record_lines(item, width, indent + 2)
        if lines:
            lines[0] = " " * indent + "- " + lines[0][indent + 2 :]
        return lines
    return paragraph(f"- {_scalar(item)}", width, indent=indent)


def _scalar(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
