"""
Rewrite dataset files in canonical form (validated, sorted keys, two-space indent).

Curation aid, not shipped. Each file is validated with the package's own converter and
written back, so a file that does not validate is reported and left untouched.

Usage: python scripts/canonicalize.py [FILE ...]   (default: every bundled data file)
"""

from __future__ import annotations

import sys
from pathlib import Path

from stemimmune import DatasetError
from stemimmune.serialization import canonical_document


DATA = Path(__file__).resolve().parents[1] / "src" / "stemimmune" / "data"


def main(args: list[str]) -> int:
    """Canonicalise the given files, or all bundled ones."""
    paths = [Path(a) for a in args] or sorted(DATA.glob("*.json"))
    status = 0
    for path in paths:
        original = path.read_text(encoding="utf-8")
        try:
            text = canonical_document(original, file=path.name)
        except DatasetError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        if text != original:
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {path.name}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
