"""
Print Reference records, as dataset JSON, for entries of the shared evidence catalog.

Curation aid, not shipped: it reads ../shared/evidence/clinical-references.yaml (needs
PyYAML) and writes to standard output. Identifiers are copied only when the catalog
marks the entry ``verified: full`` and did not take them from someone else's
reference list; otherwise they are left out and a warning is printed, so that an
unverified DOI or PMID never enters the data by this route.

Usage: python scripts/catalog_reference.py KEY [KEY ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "evidence" / "clinical-references.yaml"
KINDS = {"preclinical": "preclinical-study", "other": "general-article"}


def reference(entry: dict[str, object]) -> dict[str, object]:
    """Map one catalog entry to a Reference record."""
    trusted = entry.get("verified") == "full" and "secondary" not in str(entry.get("id_source", ""))
    record: dict[str, object] = {
        "id": entry["key"],
        "kind": KINDS.get(str(entry["kind"]), entry["kind"]),
        "title": str(entry["title"]).rstrip("."),
    }
    if entry.get("first_author"):
        record["authors"] = [entry["first_author"]]
    if entry.get("organization"):
        record["organization"] = entry["organization"]
    for src, dst in (("year", "year"), ("journal", "venue"), ("url", "url")):
        if entry.get(src):
            record[dst] = entry[src]
    if entry.get("nct"):
        record["nct_ids"] = entry["nct"]
    for name in ("doi", "pmid", "pmcid"):
        if entry.get(name):
            if trusted:
                record[name] = str(entry[name])
            else:
                print(
                    f"warning: {entry['key']}: {name} {entry[name]} left out (catalog: verified={entry.get('verified')}, "
                    f"id_source={entry.get('id_source')}); verify it before adding",
                    file=sys.stderr,
                )
    return record


def main(keys: list[str]) -> int:
    """Print the records for *keys*."""
    catalog = {e["key"]: e for e in yaml.safe_load(CATALOG.read_text(encoding="utf-8"))}
    missing = [k for k in keys if k not in catalog]
    if missing:
        print(f"not in the catalog: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(json.dumps([reference(catalog[k]) for k in keys], indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
