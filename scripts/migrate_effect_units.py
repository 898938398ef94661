"""
Move free-text effect units into the unit vocabulary, a count's denominator and an annotation.

Curation aid, not shipped. Before dataset 2027.1 a finding's ``effect.unit`` was free text that
mixed a unit with words about the number ("of 14 patients", "CDAI points (decrease, MSC arm)",
"percent (5-year overall survival)"), and a few counts held a sample size ("randomised"). Now
``unit`` is one of :class:`stemimmune.vocabulary.EffectUnit`, a count's "of N" is ``denominator``
and the words go in ``annotation``. This script rewrites ``findings[*].effect`` of the JSON files
it is given (default: every bundled data file) in place:

- a unit that is already a vocabulary value is kept (so the script can run again on migrated
  files, and on files where some records are migrated and others are not);
- a unit it recognises is split into unit, denominator and annotation;
- a count whose unit says it is a sample size ("randomised", "enrolled") and whose value equals
  the finding's ``n`` loses its effect: the number is already ``n``;
- anything else is left as it was and printed, with the file and finding id, for a curator.

It prints each change and exits 1 when something could not be mapped (the loader will then
refuse the file). Run ``scripts/canonicalize.py`` afterwards to restore the canonical layout.

Usage: python scripts/migrate_effect_units.py [--dry-run] [FILE ...]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any


DATA = Path(__file__).resolve().parents[1] / "src" / "stemimmune" / "data"

#: Values of stemimmune.vocabulary.EffectUnit (kept literal so the script runs without the package).
UNITS = (
    "percent",
    "percentage-points",
    "patients",
    "events",
    "points",
    "percent-change",
    "mg-per-day",
    "days",
    "weeks",
    "months",
    "years",
)
SAMPLE_SIZE = re.compile(r"^(randomi[sz]ed|enrolled|included|treated)$", re.IGNORECASE)
OF_N = re.compile(r"^of (\d+)(?: patients| participants| children| subjects)?(?: (.+))?$", re.IGNORECASE)
PERCENT_POINTS = re.compile(r"^percent(?:age)?[ -]points?$", re.IGNORECASE)
PERCENT_CHANGE = re.compile(r"^percent change (?:in )?(.+)$", re.IGNORECASE)
PERCENT_NOTE = re.compile(r"^(?:percent|%)(?: \((.+)\)| (.+))$", re.IGNORECASE)
SCALE_POINTS = re.compile(r"^(\S+) points?(?: \((.+)\)| (.+))?$", re.IGNORECASE)
MG_PER_DAY = re.compile(r"^mg ?(?:/|per) ?day(?: \((.+)\))?$", re.IGNORECASE)
TIME = re.compile(r"^(days|weeks|months|years)(?: \((.+)\))?$", re.IGNORECASE)
COUNT_WORDS = re.compile(r"^(responders|with .+|deaths? .+|in .+|who .+)$", re.IGNORECASE)


class UnmappedUnitError(ValueError):
    """A unit the rules cannot map, with the reason."""


def _tidy(note: str | None) -> str | None:
    """An annotation in the curators' order: 'decrease, MSC arm' reads 'decrease in the MSC arm'."""
    if not note:
        return None
    return note.strip().replace(", MSC arm", " in the MSC arm")


def migrate_effect(effect: dict[str, Any], n: int | None) -> tuple[dict[str, Any] | None, str | None]:
    """
    The effect with its unit migrated (None: drop the effect), and what was done (None: nothing to do).

    Raises UnmappedUnitError with a reason when the unit cannot be mapped.
    """
    unit = effect.get("unit")
    measure = effect.get("measure")
    if unit is None or unit in UNITS:
        return effect, None
    if not isinstance(unit, str):
        raise UnmappedUnitError(f"unit {unit!r} is not text")
    text = " ".join(unit.split())
    new = {k: v for k, v in effect.items() if k != "unit"}
    annotation: str | None = None
    if measure == "count" and SAMPLE_SIZE.match(text):
        if n is not None and effect.get("value") == n:
            return None, f"dropped the effect: its count {n} is the sample size, already n"
        raise UnmappedUnitError(
            f"count {effect.get('value')!r} labelled {text!r} is a sample size that differs from n={n}"
        )
    if match := OF_N.match(text):
        new["unit"], new["denominator"], annotation = "patients", int(match[1]), match[2]
    elif PERCENT_POINTS.match(text):
        new["unit"] = "percentage-points"
    elif match := PERCENT_CHANGE.match(text):
        new["unit"], annotation = "percent-change", match[1]
    elif match := PERCENT_NOTE.match(text):
        new["unit"], annotation = "percent", match[1] or match[2]
    elif match := MG_PER_DAY.match(text):
        new["unit"], annotation = "mg-per-day", match[1]
    elif match := TIME.match(text):
        new["unit"], annotation = match[1].lower(), match[2]
    elif match := SCALE_POINTS.match(text):
        new["unit"] = "points"
        annotation = match[1] + (f", {match[2] or match[3]}" if match[2] or match[3] else "")
    elif measure == "count" and COUNT_WORDS.match(text):
        new["unit"], annotation = "patients", text
    else:
        raise UnmappedUnitError(f"unit {unit!r} of a {measure} matches no rule")
    note = _tidy(annotation)
    if note is not None:
        if new.get("annotation") not in (None, note):
            raise UnmappedUnitError(
                f"unit {unit!r} would annotate {note!r}, but the effect already says {new['annotation']!r}"
            )
        new["annotation"] = note
    return new, f"unit {unit!r} -> " + ", ".join(
        f"{k}={new[k]!r}" for k in ("unit", "denominator", "annotation") if k in new
    )


def migrate_document(document: Any, file: str) -> tuple[list[str], list[str]]:
    """Migrate every finding's effect in *document* in place; the changes made and the problems left."""
    changes: list[str] = []
    problems: list[str] = []
    findings = document.get("findings") if isinstance(document, dict) else None
    for position, finding in enumerate(findings if isinstance(findings, list) else ()):
        where = f"{file}: findings[{position}] {finding.get('id', '?')!r}" if isinstance(finding, dict) else file
        if not isinstance(finding, dict) or not isinstance(finding.get("effect"), dict):
            continue
        try:
            effect, change = migrate_effect(finding["effect"], finding.get("n"))
        except UnmappedUnitError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if change is None:
            continue
        if effect is None:
            del finding["effect"]
        else:
            finding["effect"] = effect
        changes.append(f"{where}: {change}")
    return changes, problems


def main(args: list[str]) -> int:
    """Migrate the given files (default: every bundled data file); 1 when something could not be mapped."""
    dry_run = "--dry-run" in args
    paths = [Path(a) for a in args if a != "--dry-run"] or sorted(DATA.glob("*.json"))
    unmapped = 0
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            unmapped += 1
            continue
        changes, problems = migrate_document(document, path.name)
        for line in changes:
            print(line)
        for line in problems:
            print(f"NOT MAPPED {line}", file=sys.stderr)
        unmapped += len(problems)
        if changes and not dry_run:
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{unmapped} effect unit(s) not mapped", file=sys.stderr)
    return 1 if unmapped else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
