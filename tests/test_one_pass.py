"""Loading finds every problem in one pass: each record's field problems, then the links of the records that parsed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import stemimmune
from stemimmune import DatasetError, load, loads
from stemimmune.cli import main


#: Made-up identifiers, joined so the citation checker does not read them as citations.
FAKE_NCT = "NCT" + "0" * 7 + "1"
BAD_CURIE, GOOD_CURIE = ":".join(("MONDO", "12")), ":".join(("MONDO", "0000012"))  # noqa: FLY002

#: Six problems of six kinds in four collections, and two links to records that fail to parse.
SIX: dict[str, Any] = {
    "dataset_version": "1",
    "references": [{"id": "ref-a", "kind": "review", "title": "A review", "colour": "red"}],  # 1 unknown field
    "cell_types": [{"id": "hsc", "name": "HSC"}],
    "cell_sources": [{"id": "bm", "name": "bone marrow", "yields": ["hsc"], "harvest": "aspiration"}],
    "disorders": [
        {"id": "dis-x", "name": "X", "category": "autoimune"},  # 2 not a vocabulary value
        {"id": "dis-y", "name": " Y", "category": "allergic", "xrefs": [BAD_CURIE]},  # 3 and 4: two field checks
    ],
    "trials": [{"id": FAKE_NCT.lower(), "registry_ids": [FAKE_NCT], "enrollment": 10}],  # 5 a record's own rule
    "therapies": [
        {
            "id": "t1",
            "name": "T1",
            "cell_type_id": "hsc",
            "source_ids": ["bm"],
            "donor_relation": "autologous",
            "mechanism_ids": ["nowhere"],  # 6 a link that resolves to nothing
            "citations": [{"reference_id": "ref-a"}],  # a link to a reference that fails to parse: no problem
        }
    ],
    "indications": [
        {
            "id": "i1",
            "therapy_id": "t1",
            "disorder_id": "dis-x",  # a link to a disorder that fails to parse: no problem
            "evidence_level": "observational",
            "citations": [{"reference_id": "ref-a"}],
        }
    ],
}
#: Where each of the six is, and a word of its message.
EXPECTED = [
    ("$.references[0]", "ref-a", "unknown field"),
    ("$.disorders[0].category", "dis-x", "DisorderCategory"),
    ("$.disorders[1].name", "dis-y", "whitespace"),
    ("$.disorders[1].xrefs", "dis-y", "CURIE"),
    ("$.trials[0].enrollment_kind", FAKE_NCT.lower(), "enrollment"),
    ("$.therapies[0].mechanism_ids", "t1", "'nowhere' does not resolve"),
]


def _problems(document: dict[str, Any]) -> DatasetError:
    with pytest.raises(DatasetError) as caught:
        loads(json.dumps(document))
    return caught.value


def test_one_run_lists_all_six_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """load() and validate report the six problems of SIX in one run, and nothing about links to unparsed records."""
    path = tmp_path / "six.json"
    path.write_text(json.dumps(SIX), encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load(path)
    error = caught.value
    found = [(p.path, p.record_id, p.message) for p in error.problems]
    assert 6 == error.count == len(found), error
    assert not error.stopped
    for (where, record_id, words), (path_found, id_found, message) in zip(
        EXPECTED, sorted(found, key=_order), strict=True
    ):
        assert (where, record_id) == (path_found, id_found)
        assert words in message
    assert all(p.file == "six.json" for p in error.problems)
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "6 problems" in lines[0]
    assert [f"  {p}" for p in error.problems] == lines[1:]


def _order(found: tuple[str, str | None, str]) -> int:
    return [where for where, _, _ in EXPECTED].index(found[0])


def test_a_fixed_file_loads() -> None:
    """SIX with its six problems fixed is valid: the test file holds no other problem."""
    document = json.loads(json.dumps(SIX))
    del document["references"][0]["colour"]
    document["disorders"][0]["category"] = "allergic"
    document["disorders"][1].update(name="Y", xrefs=[GOOD_CURIE])
    document["trials"][0]["enrollment_kind"] = "actual"
    document["mechanisms"] = [{"id": "nowhere", "name": "somewhere", "kind": "immune-reset"}]
    assert 1 == len(loads(json.dumps(document)).therapies)


def test_problems_after_a_failed_record_point_at_their_own_place(tmp_path: Path) -> None:
    """A link problem of the second record of a collection is located there, though the first failed to parse."""
    kb = load()
    indications = json.loads(stemimmune.dumps(kb))["indications"]
    good, bad_link = indications[0], {**indications[1], "disorder_id": "no-such-disorder"}
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.json").write_text(stemimmune.dumps(kb), encoding="utf-8")
    extra = {
        "indications": [{**good, "id": "ours-broken", "evidence_level": "anecdote"}, {**bad_link, "id": "ours-ok"}]
    }
    (folder / "b.json").write_text(json.dumps(extra), encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load(folder)
    located = {(p.file, p.collection, p.index, p.field, p.record_id) for p in caught.value.problems}
    assert {
        ("b.json", "indications", 0, "evidence_level", "ours-broken"),
        ("b.json", "indications", 1, "disorder_id", "ours-ok"),
    } == located


def test_a_rule_needing_a_record_that_failed_is_not_checked() -> None:
    """An allogeneic therapy whose GVHD risk failed to parse is not said to lack one; the risk's problem is reported."""
    document = json.loads(stemimmune.dumps(load()))
    risks = {r["id"]: r for r in document["risks"]}
    therapy = next(t for t in document["therapies"] if t["donor_relation"] == "allogeneic")
    gvhd = next(r for r in therapy["risk_ids"] if risks[r]["kind"] == "gvhd")
    risks[gvhd]["kind"] = "graft-versus-host"
    error = _problems(document)
    assert [("risks", gvhd, "kind")] == [(p.collection, p.record_id, p.field) for p in error.problems]


def test_a_check_that_reads_a_failed_field_is_skipped() -> None:
    """A disorder whose category is misspelt gets one problem, not a second about its scope (which depends on it)."""
    error = _problems({"dataset_version": "1", "disorders": [{"id": "x", "name": "X", "category": "autoimune"}]})
    assert [("category", "x")] == [(p.field, p.record_id) for p in error.problems]


def test_every_field_check_of_one_record_is_reported() -> None:
    """Three fields broken three ways in one nested record (a citation) and its parent give three problems."""
    citation = {"reference_id": "Not An Id", "locator": " padded", "page": 3}
    document = {
        "dataset_version": "1",
        "risks": [{"id": "r", "name": "", "kind": "toxicity", "citations": [citation]}],
    }
    error = _problems(document)
    assert sorted(
        [
            "citations[0]",  # the unknown key
            "citations[0].locator",
            "citations[0].reference_id",
            "name",
        ]
    ) == sorted(p.field or "" for p in error.problems)


# ------------------------------------------------------------------ the version of changed bundled data


def _bundled_copy(folder: Path) -> Path:
    folder.mkdir()
    document = json.loads(stemimmune.dumps(load()))
    version = document.pop("dataset_version")
    (folder / "dataset.json").write_text(json.dumps({"dataset_version": version}), encoding="utf-8")
    (folder / "records.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


def test_a_folder_with_a_file_of_ones_own_is_marked_local(tmp_path: Path) -> None:
    """The bundled files plus one of the user's load as '<bundled version>+local', as merge() versions them."""
    folder = _bundled_copy(tmp_path / "ext")
    assert load().version == load(folder).version  # the same records: the same version
    ours = {"risks": [{"id": "zz-our-risk", "name": "our risk", "kind": "toxicity"}]}
    (folder / "zz-ours.json").write_text(json.dumps(ours), encoding="utf-8")
    extended = load(folder)
    assert f"{load().version}+local" == extended.version
    assert stemimmune.merge(load(), ours).knowledge_base == extended


def test_an_edited_copy_of_the_bundled_data_is_marked_local() -> None:
    """A copy of the bundled document with one record changed no longer claims the bundled version."""
    document = json.loads(stemimmune.dumps(load()))
    assert load().version == loads(json.dumps(document)).version
    document["risks"][0]["name"] += " (edited)"
    assert f"{load().version}+local" == loads(json.dumps(document)).version


def test_another_version_is_kept() -> None:
    """Data of its own version keeps it: only the bundled version names fixed records."""
    document = json.loads(stemimmune.dumps(load()))
    document["dataset_version"] = "2027.1.0-ours"
    del document["findings"][0]
    assert "2027.1.0-ours" == loads(json.dumps(document)).version
