"""
HTML rendering for notebooks: one record as a field table, or rows as a table.

Every value is HTML-escaped, so text from a dataset can never add markup. No
dependency beyond the standard library.
"""

from __future__ import annotations

import enum
import html
from typing import Final

import attrs


#: Longest text shown in one cell before it is cut with an ellipsis.
MAX_CELL_CHARS: Final = 300

_RECORD_CLASS: Final = "stemimmune-record"
_TABLE_CLASS: Final = "stemimmune-table"


def record_html(record: object) -> str:
    """
    Render *record* as an HTML table of its fields: one row per field, name then value.

    Enum members show as their values, lists as one item per line, nested records
    compactly (``field=value`` pairs joined by ``;``, empty fields left out), and
    nested records that have an id (as query results hold) as their id and name. An object that
    is not a record is shown as its escaped ``repr``.

    Args:
        record: A stemimmune record (any attrs instance).

    Returns:
        An HTML fragment: a ``<table>`` captioned with the record's kind and id.

    Example:
        >>> from stemimmune.model import Citation
        >>> print(record_html(Citation(reference_id="r1", locator="Table <2>")))
        <table class="stemimmune-record"><caption>Citation</caption>...<td>Table &lt;2&gt;</td>...</table>
    """
    kind = type(record)
    if not attrs.has(kind):
        return f"<pre>{_escape(repr(record))}</pre>"
    caption = _escape(kind.__name__)
    identifier = getattr(record, "id", None)
    if isinstance(identifier, str):
        caption += f" <code>{_escape(identifier)}</code>"
    rows = "".join(
        f"<tr><th>{_escape(field.name)}</th><td>{_value_html(getattr(record, field.name), limit=None)}</td></tr>"
        for field in attrs.fields(kind)
    )
    return (
        f'<table class="{_RECORD_CLASS}"><caption>{caption}</caption>'
        f"<thead><tr><th>field</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def table_html(rows: list[dict[str, object]], *, max_rows: int = 50) -> str:
    """
    Render *rows* (such as :func:`stemimmune.export.records` gives) as an HTML table.

    The columns are the keys of the rows, in the order they first appear. Lists
    show one item per line, None shows as an empty cell, and text longer than
    :data:`MAX_CELL_CHARS` is cut with an ellipsis.

    Args:
        rows: The rows, one dict each.
        max_rows: Most rows to show; a note under the table counts the rest.

    Returns:
        An HTML fragment: a ``<table>``, followed by a note when rows were left out.

    Raises:
        ValueError: *max_rows* is negative.

    Example:
        >>> print(table_html([{"id": "a", "n": 1}, {"id": "b&c", "n": None}]))
        <table class="stemimmune-table"><thead><tr><th>id</th><th>n</th></tr></thead><tbody><tr><td>a</td><td>1</td></tr><tr><td>b&amp;c</td><td></td></tr></tbody></table>
    """
    if max_rows < 0:
        msg = f"max_rows must be 0 or more, not {max_rows}"
        raise ValueError(msg)
    keys = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{_escape(key)}</th>" for key in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{_value_html(row.get(key), limit=MAX_CELL_CHARS)}</td>" for key in keys) + "</tr>"
        for row in rows[:max_rows]
    )
    table = f'<table class="{_TABLE_CLASS}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    hidden = len(rows) - max_rows
    if hidden > 0:
        table += f"<p>{max_rows} of {len(rows)} rows shown; {hidden} more not shown.</p>"
    return table


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _value_html(value: object, *, limit: int | None) -> str:
    """Escaped HTML for one value; lists one item per line."""
    if isinstance(value, list | tuple):
        return "<br>".join(_value_html(item, limit=limit) for item in value)
    text = _text(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return _escape(text)


def _text(value: object, *, nested: bool = False) -> str:
    """
    Plain text for one value.

    A record with an id (held by a query result, say) shows as its id and name; any
    other record compactly, as ``field=value`` pairs, in brackets inside another.
    """
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    kind = type(value)
    identifier = getattr(value, "id", None)
    if attrs.has(kind) and isinstance(identifier, str):  # a record of its own: name it, don't repeat it
        label = getattr(value, "name", None) or getattr(value, "title", None)
        return f"{identifier} ({label})" if isinstance(label, str) else identifier
    if attrs.has(kind):
        pairs = ((f.name, getattr(value, f.name)) for f in attrs.fields(kind))
        text = "; ".join(
            f"{name}={_text(item, nested=True)}" for name, item in pairs if item is not None and item != ()
        )
        return f"({text})" if nested else text
    if isinstance(value, list | tuple):
        return ", ".join(_text(item, nested=True) for item in value)
    return str(value)
