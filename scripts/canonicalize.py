"""
Rewrite dataset files in canonical form (validated, sorted keys, two-space indent).

Curation aid, not shipped. Each file is structured with the package's own converter
and written back, so a file that does not validate is reported and left untouched.

Usage: python scripts/canonicalize.py [FILE ...]   (default: every bundled data file)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from stemimmune import DatasetError
from stemimmune.model import RECORD_TYPES
from stemimmune.serialization import CONVERTER, VERSION_KEY, dumps, structure_document


DATA = Path(__file__).resolve().parents[1] / "src" / "stemimmune" / "data"


def canonical(path: Path) -> str:
    """Return the canonical text of one dataset document."""
    version, records = structure_document(json.loads(path.read_text(encoding="utf-8")), source=path.name)
    document: dict[str, object] = {} if version is None else {VERSION_KEY: version}
    for kind, items in records.items():
        document[kind] = CONVERTER.unstructure(items, tuple[RECORD_TYPES[kind], ...])  # type: ignore[name-defined]
    return dumps(document)


def main(args: list[str]) -> int:
    """Canonicalise the given files, or all bundled ones."""
    paths = [Path(a) for a in args] or sorted(DATA.glob("*.json"))
    status = 0
    for path in paths:
        try:
            text = canonical(path)
        except DatasetError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {path.name}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
