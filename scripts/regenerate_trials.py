"""
Regenerate the bundled trials that are on ClinicalTrials.gov from the registry's own records.

Maintainers' pipeline, not shipped. On a machine with network, save each study's API v2
answer (``GET https://clinicaltrials.gov/api/v2/studies/NCT01541579``) as
``NCT01541579.json`` in one folder (``--save`` does it), then run this script on that folder,
anywhere, offline. The fields the registry holds (:data:`stemimmune.registry.REGISTRY_FIELDS`)
are taken from the saved answers through :func:`stemimmune.registry.refresh`, so the mapping is
the library's own (:func:`stemimmune.registry.trial_fields`) and no field the registry has is
typed by hand. Everything the registry lacks stays as curated: ids, synonyms, intervention,
disorder/therapy/product/reference links, ``extends`` and ``note``. The ``url`` becomes the
study's ClinicalTrials.gov page and ``seen_on`` the day the answers were saved.

Trials without an NCT id (EU CTR/CTIS, ISRCTN, ChiCTR, the Dutch register...) are hand-mapped
from their pages and left alone; so is a trial whose answer is missing, or whose new values
would break a rule of the data model (each is listed).

Each data file holding trials is rewritten in canonical form, and every field that moved is
printed as ``trial-id  field: old -> new  (as of DATE)``.

Usage:
    python scripts/regenerate_trials.py RESPONSES --seen-on 2026-12-06 [--dry-run] [--data DIR]
    python scripts/regenerate_trials.py RESPONSES --fetch [--data DIR]    # needs the network;
        saves each answer into RESPONSES first, then regenerates from the folder
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

import stemimmune
from stemimmune.registry import REGISTRY_FIELDS, ClinicalTrialsGov, Refresh, refresh
from stemimmune.serialization import canonical_document, dumps


DATA = Path(__file__).resolve().parents[1] / "src" / "stemimmune" / "data"
#: Fields this pipeline writes into a record: the registry's, and where and when they were read.
WRITTEN = (*REGISTRY_FIELDS, "url", "seen_on")


def saved_answers(folder: Path) -> httpx.MockTransport:
    """A transport that answers ``/studies/NCTxxxxxxxx`` from ``folder/NCTxxxxxxxx.json`` (404 when absent)."""

    def answer(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        path = folder / f"{name}.json"
        if not path.is_file():
            return httpx.Response(404, json={"message": f"no saved answer {path.name}"})
        return httpx.Response(200, content=path.read_bytes(), headers={"Content-Type": "application/json"})

    return httpx.MockTransport(answer)


def nct_of(record: dict[str, Any]) -> str | None:
    """The first NCT id of a trial record, as the registry writes it."""
    return next((r for r in record.get("registry_ids", ()) if str(r).upper().startswith("NCT")), None)


def fetch(folder: Path, ncts: Sequence[str]) -> list[tuple[str, str]]:
    """Save the registry's answer for each NCT id into *folder*; return ``(id, reason)`` for each failure."""
    folder.mkdir(parents=True, exist_ok=True)
    failed = []
    with ClinicalTrialsGov() as client:
        for nct in ncts:
            try:
                study = client.study(nct)
            except stemimmune.RegistryError as exc:
                failed.append((nct, str(exc)))
                continue
            (folder / f"{nct}.json").write_text(dumps(study), encoding="utf-8")
    return failed


def regenerate(data: Path, responses: Path, seen_on: str, *, write: bool = True) -> Refresh:
    """
    Refresh every NCT trial of the data files in *data* from the answers saved in *responses*.

    Rewrites (when *write*) each file holding a refreshed trial, changing only the
    fields in :data:`WRITTEN`, and returns what :func:`refresh` found.
    """
    kb = stemimmune.load(data)
    with ClinicalTrialsGov(transport=saved_answers(responses), min_interval=0, retries=0) as client:
        result = refresh(kb, client=client, seen_on=seen_on)
    fresh = {record["id"]: record for record in result.overlay["trials"]}
    for path in sorted(data.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        trials = document.get("trials") if isinstance(document, dict) else None
        if not isinstance(trials, list) or not any(t.get("id") in fresh for t in trials):
            continue
        for record in trials:
            new = fresh.get(record.get("id"))
            if new is None:
                continue
            for field in WRITTEN:
                if new.get(field) in (None, [], ()):
                    record.pop(field, None)
                else:
                    record[field] = new[field]
        if write:
            path.write_text(canonical_document(json.dumps(document), file=path.name), encoding="utf-8")
    return result


def report(result: Refresh, kb: stemimmune.KnowledgeBase) -> list[str]:
    """The change list, one line per field that moved, then what was left alone and why."""
    lines = [
        f"{c.trial_id}  {c.field}: {json.dumps(c.old)} -> {json.dumps(c.new)}"
        + ("" if c.as_of is None else f"  (as of {c.as_of})")
        for c in result.changes
    ]
    lines.extend(f"{trial_id}  left as it was: {why}" for trial_id, why in result.failed)
    hand = sorted(t.id for t in kb.trials if not any(r.upper().startswith("NCT") for r in t.registry_ids))
    lines.extend(f"{trial_id}  hand-mapped (no NCT id): left alone" for trial_id in hand)
    moved = len({c.trial_id for c in result.changes})
    lines.append(f"{len(result.changes)} field(s) moved in {moved} trial(s); seen on {result.seen_on}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, regenerate, print the change list."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("responses", type=Path, help="folder of saved API v2 answers, NCTxxxxxxxx.json")
    parser.add_argument("--seen-on", help="the day the answers were saved (YYYY-MM-DD; default today with --fetch)")
    parser.add_argument("--fetch", action="store_true", help="first save every bundled NCT trial's answer")
    parser.add_argument("--dry-run", action="store_true", help="print the change list, write nothing")
    parser.add_argument("--data", type=Path, default=DATA, help="the data folder (default: the bundled one)")
    args = parser.parse_args(argv)
    if args.fetch:
        kb = stemimmune.load(args.data)
        ncts = sorted({n for t in kb.trials for n in t.registry_ids if n.upper().startswith("NCT")})
        for nct, why in fetch(args.responses, ncts):
            print(f"{nct}  not saved: {why}", file=sys.stderr)
        seen_on = args.seen_on or dt.datetime.now(dt.UTC).date().isoformat()
    elif args.seen_on is None:
        parser.error("--seen-on is required: the day the saved answers were read from the registry")
    else:
        seen_on = args.seen_on
    if not args.responses.is_dir():
        parser.error(f"{args.responses} is not a folder of saved answers")
    result = regenerate(args.data, args.responses, seen_on, write=not args.dry_run)
    for line in report(result, stemimmune.load(args.data)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
