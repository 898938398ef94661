"""The maintainers' pipeline scripts/regenerate_trials.py, offline, from answers saved in the API v2 shape."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from stemimmune import Trial, load
from stemimmune.registry import REGISTRY_FIELDS

from .test_registry import nct_trials, study_from


DATA = Path(__file__).resolve().parents[1] / "src" / "stemimmune" / "data"
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "regenerate_trials.py"
# Curated fields the registry does not hold: the pipeline must never touch them.
CURATED = (
    "registry_ids",
    "synonyms",
    "intervention",
    "disorder_ids",
    "therapy_ids",
    "product_ids",
    "reference_ids",
    "extends",
    "note",
)


def script() -> ModuleType:
    """The script, imported from its file (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("regenerate_trials", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def records(folder: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every trial record of the data files in *folder*, by id, with the file's name."""
    found = {}
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        for record in document.get("trials", []) if isinstance(document, dict) else []:
            found[record["id"]] = (path.name, record)
    return found


def expected_lines(old: dict[str, Any], changed: str, gone: dict[str, Any], withdrawn: str) -> set[str]:
    """The change lines the two altered answers of the first test must produce, written from the documented format."""

    def line(trial_id: str, field: str, old: object, new: object, as_of: str) -> str:
        return f"{trial_id}  {field}: {json.dumps(old)} -> {json.dumps(new)}  (as of {as_of})"

    expected = {
        line(changed, "status", old.get("status"), "terminated", "2026-10"),
        line(changed, "status_as_of", old.get("status_as_of"), "2026-10", "2026-10"),
        line(changed, "enrollment", old.get("enrollment"), 7, "2026-10"),
        line(withdrawn, "status", gone.get("status"), "withdrawn", "2026-09-15"),
        line(withdrawn, "status_as_of", gone.get("status_as_of"), "2026-09-15", "2026-09-15"),
    }
    if old.get("enrollment_kind") != "actual":
        expected.add(line(changed, "enrollment_kind", old.get("enrollment_kind"), "actual", "2026-10"))
    return expected


def test_saved_answers_regenerate_the_files_and_the_change_list_names_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A status change and a withdrawal are written into the data file; curated fields and other registries stay."""
    data, saved = tmp_path / "data", tmp_path / "saved"
    shutil.copytree(DATA, data)
    saved.mkdir()
    kb = load(data)
    trials = nct_trials(kb, 20)
    for field in CURATED:  # at least one trial with each curated kind of field, whatever the data files hold
        trials += [t for t in nct_trials(kb, len(kb.trials)) if getattr(t, field) and t not in trials][:1]
    changed, withdrawn = trials[0], trials[1]
    for trial in trials:  # the others: answers that state exactly what the record holds
        study = study_from(trial)
        if trial is changed:
            study = study_from(trial, overallStatus="TERMINATED", statusVerifiedDate="2026-10")
            study["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 7, "type": "ACTUAL"}
        elif trial is withdrawn:
            study = study_from(trial, overallStatus="WITHDRAWN", statusVerifiedDate="2026-09-15")
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        (saved / f"{nct}.json").write_text(json.dumps(study), "utf-8")
    before = records(data)
    # trials with curated fields of each kind: they must survive the rewrite
    assert all(any(before[t.id][1].get(field) for t in trials) for field in CURATED)
    assert script().main([str(saved), "--seen-on", "2026-12-06", "--data", str(data)]) == 0
    printed = capsys.readouterr().out.splitlines()
    after = records(data)

    assert after[changed.id][1]["status"] == "terminated"
    assert after[changed.id][1]["status_as_of"] == "2026-10"
    assert (after[changed.id][1]["enrollment"], after[changed.id][1]["enrollment_kind"]) == (7, "actual")
    assert after[withdrawn.id][1]["status"] == "withdrawn"
    assert after[withdrawn.id][1]["status_as_of"] == "2026-09-15"
    for trial in trials:
        file, record = after[trial.id]
        assert file == before[trial.id][0]
        assert record["url"] == f"https://clinicaltrials.gov/study/{record['registry_ids'][0]}"
        assert record["seen_on"] == "2026-12-06"
        for field in CURATED:
            assert record.get(field) == before[trial.id][1].get(field), (trial.id, field)
        if trial not in (changed, withdrawn):
            for field in REGISTRY_FIELDS:
                assert record.get(field) == before[trial.id][1].get(field), (trial.id, field)
    for trial_id, (file, record) in before.items():  # trials not refreshed, of any registry, stay as they were
        if trial_id not in {t.id for t in trials}:
            assert after[trial_id] == (file, record), trial_id

    # the change list: one line per moved field of the two trials, with the old and new values and the date
    expected = expected_lines(before[changed.id][1], changed.id, before[withdrawn.id][1], withdrawn.id)
    moved = {p for p in printed if ": " in p and "->" in p and " url: " not in p}
    assert moved == expected
    hand = {t.id for t in kb.trials if not any(r.startswith("NCT") for r in t.registry_ids)}
    assert hand
    assert {p.split()[0] for p in printed if "hand-mapped" in p} == hand
    left = {p.split()[0] for p in printed if "left as it was" in p}
    assert left == {t.id for t in kb.trials if t not in trials} - hand  # no saved answer for them
    # the rewritten files load, and a second run on the same answers moves nothing
    assert load(data).get(withdrawn.id, Trial).status is not None
    assert script().main([str(saved), "--seen-on", "2026-12-06", "--data", str(data)]) == 0
    assert not [p for p in capsys.readouterr().out.splitlines() if "->" in p]
    assert records(data) == after


def test_a_dry_run_writes_nothing_and_the_day_of_reading_is_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run prints the changes and leaves the files; without --seen-on (or --fetch) the script refuses."""
    data, saved = tmp_path / "data", tmp_path / "saved"
    shutil.copytree(DATA, data)
    saved.mkdir()
    trial = nct_trials(load(data), 1)[0]
    study = study_from(trial, overallStatus="WITHDRAWN", statusVerifiedDate="2026-09")
    (saved / f"{trial.registry_ids[0]}.json").write_text(json.dumps(study), "utf-8")
    before = {p.name: p.read_bytes() for p in data.glob("*.json")}
    assert script().main([str(saved), "--seen-on", "2026-12-06", "--data", str(data), "--dry-run"]) == 0
    assert f"{trial.id}  status: " in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in data.glob("*.json")} == before
    with pytest.raises(SystemExit):
        script().main([str(saved), "--data", str(data)])
    assert "--seen-on" in capsys.readouterr().err
