"""
Validate the shared core data files together with one or more area files.

Curation aid, not shipped: lets a curator check an area file while other area
files are being edited. Core files are those whose names do not start with
``area-``.

Usage: python scripts/check_area.py area-neurology.json [area-...json ...]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import stemimmune


DATA = Path(__file__).resolve().parents[1] / "src" / "stemimmune" / "data"


def main(names: list[str]) -> int:
    """Load the core files plus *names* and print the result or every problem."""
    with tempfile.TemporaryDirectory() as tmp:
        for path in DATA.glob("*.json"):
            if not path.name.startswith("area-") or path.name in names:
                shutil.copy(path, tmp)
        try:
            kb = stemimmune.load(tmp)
        except stemimmune.DatasetError as exc:
            print(exc)
            return 1
    print(kb)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
