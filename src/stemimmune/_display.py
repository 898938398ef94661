"""HTML rendering for notebooks (placeholder replaced by the display module)."""

from __future__ import annotations

import html


def record_html(record: object) -> str:
    """Render *record* as a small HTML block."""
    return f"<pre>{html.escape(repr(record))}</pre>"
