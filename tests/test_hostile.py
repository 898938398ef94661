"""Hostile and broken input: one case per kind, each rejected with a clear, located error; and concurrency."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import stemimmune
from stemimmune import DatasetError, dumps, load, loads, merge


BASE: dict[str, Any] = json.loads(dumps(load()))


def _doc(change: Callable[[dict[str, Any]], object]) -> bytes:
    document = copy.deepcopy(BASE)
    change(document)
    return json.dumps(document).encode()


def _set(kind: str, index: int, field: str, value: object) -> Callable[[dict[str, Any]], object]:
    return lambda d: d[kind][index].__setitem__(field, value)


def _cycle(d: dict[str, Any]) -> None:
    d["cell_types"][0]["derives_from"] = [d["cell_types"][1]["id"]]
    d["cell_types"][1]["derives_from"] = [d["cell_types"][0]["id"]]


# (case, file content, the location the error must name, words the message must contain)
CASES: list[tuple[str, bytes, str, str]] = [
    ("malformed JSON", b'{"dataset_version": "1", "therapies": [', "data.json:1", "not valid JSON"),
    ("empty file", b"", "data.json:1:1", "not valid JSON"),
    ("not an object", b"[1, 2]", "$", "expected a JSON object"),
    ("wrong type of collection", _doc(lambda d: d.__setitem__("therapies", {})), "$.therapies", "not a list"),
    ("record not an object", _doc(lambda d: d["therapies"].__setitem__(0, "x")), "$.therapies[0]", ""),
    ("wrong field type", _doc(_set("findings", 0, "n", "12")), "$.findings[0].n", "not a whole number"),
    (
        "null where a list belongs",
        _doc(_set("therapies", 0, "source_ids", None)),
        "$.therapies[0].source_ids",
        "not a list",
    ),
    ("unknown top-level key", _doc(lambda d: d.__setitem__("diseases", [])), "$.diseases", "unknown key"),
    ("unknown field", _doc(_set("disorders", 0, "colour", "red")), "$.disorders[0]", "unknown field"),
    (
        "unknown enum value",
        _doc(_set("therapies", 0, "donor_relation", "syngeneic")),
        "$.therapies[0].donor_relation",
        "DonorRelation",
    ),
    ("empty id", _doc(_set("risks", 0, "id", "")), "$.risks[0].id", "not an identifier"),
    ("whitespace id", _doc(_set("risks", 0, "id", "   ")), "$.risks[0].id", "not an identifier"),
    ("duplicate id", _doc(lambda d: d["risks"].append(d["risks"][0])), "$.risks[", "duplicate id"),
    (
        "dangling reference",
        _doc(_set("therapies", 0, "mechanism_ids", ["no-such-mechanism"])),
        "$.therapies[0].mechanism_ids",
        "does not resolve",
    ),
    (
        "self reference",
        _doc(lambda d: d["disorders"][0].__setitem__("parent_ids", [d["disorders"][0]["id"]])),
        "$.disorders[0].parent_ids",
        "cycle",
    ),
    ("lineage cycle", _doc(_cycle), "$.cell_types[0].derives_from", "cycle"),
    ("invalid CURIE", _doc(_set("disorders", 0, "xrefs", ["MONDO:abc"])), "$.disorders[0].xrefs", "CURIE"),
    ("invalid DOI", _doc(_set("references", 0, "doi", "doi.org/10.1/x")), "$.references[0].doi", "DOI"),
    ("invalid PMID", _doc(_set("references", 0, "pmid", "PMID:123")), "$.references[0].pmid", "PubMed id"),
    (
        "invalid NCT id",
        _doc(_set("references", 0, "nct_ids", ["NCT123"])),
        "$.references[0].nct_ids",
        "ClinicalTrials.gov id",
    ),
    ("absurd year", _doc(_set("references", 0, "year", 30000)), "$.references[0].year", "a year from 1900 to 2100"),
    (
        "extremely long string",
        _doc(_set("disorders", 0, "description", "x" * 200_000)),
        "$.disorders[0].description",
        "at most 10000 characters",
    ),
    (
        "huge integer",
        b'{"dataset_version": "1", "findings": [{"n": ' + b"9" * 5000 + b"}]}",
        "data.json",
        "not valid JSON",
    ),
    (
        "not a number",
        _doc(lambda d: d["findings"][0].__setitem__("effect", {"measure": "mean", "value": float("nan")})),
        "$.findings[0].effect.value",
        "finite",
    ),
    ("very deep nesting", b"[" * 100_000 + b"]" * 100_000, "data.json", "nested too deeply"),
    (
        "deep nesting inside a record",
        _doc(_set("therapies", 0, "citations", json.loads("[" * 200 + "]" * 200))),
        "$.therapies[0].citations",
        "",
    ),
    ("non-UTF-8 bytes", b'{"dataset_version": "\xff\xfe"}', "data.json", "not UTF-8"),
    ("byte-order mark", b"\xef\xbb\xbf" + json.dumps(BASE).encode(), "data.json:1:1", "not valid JSON"),
    (
        "no version",
        _doc(lambda d: d.pop("dataset_version")),
        "data.json: $.dataset_version",
        "exactly one dataset version",
    ),
]


@pytest.mark.parametrize(("case", "content", "location", "words"), CASES, ids=[c[0] for c in CASES])
def test_hostile_file(tmp_path: Path, case: str, content: bytes, location: str, words: str) -> None:
    """Each kind of broken file raises DatasetError naming where and what, and leaves the bundled data intact."""
    path = tmp_path / "data.json"
    path.write_bytes(content)
    with pytest.raises(DatasetError) as caught:
        load(path)
    assert any(
        (p.location.startswith(location) or p.path.startswith(location)) and words in str(p)
        for p in caught.value.problems
    ), (case, caught.value)
    assert len(str(caught.value)) < 20_000  # long offending values are shortened in messages
    assert stemimmune.find_problems(load().collections()) == ()


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """A file over max_bytes is refused without being read whole."""
    path = tmp_path / "data.json"
    path.write_bytes(b" " * 2_000_000)
    with pytest.raises(DatasetError, match="larger than max_bytes=1000000"):
        load(path, max_bytes=1_000_000)


def test_missing_path_is_file_not_found(tmp_path: Path) -> None:
    """A missing file is the documented OSError (FileNotFoundError), naming the path."""
    with pytest.raises(FileNotFoundError, match="nope"):
        load(tmp_path / "nope")


def test_folder_without_datasets(tmp_path: Path) -> None:
    """A folder with no *.json files is a DatasetError naming the folder."""
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match=r"no \*\.json dataset files"):
        load(tmp_path)


def test_unreadable_file_is_permission_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that cannot be read raises the documented OSError (PermissionError), not a DatasetError."""
    path = tmp_path / "data.json"
    path.write_text("{}")

    real_open = os.open

    def refuse(name: str, *args: Any, **kwargs: Any) -> int:
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError):
        load(path)


def test_nothing_from_a_file_is_executed(tmp_path: Path) -> None:
    """Strings that look like code stay data: loading them runs nothing."""
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    path = tmp_path / "data.json"
    path.write_bytes(_doc(_set("disorders", 0, "description", payload)))
    assert payload == load(path).disorders[0].description
    assert not marker.exists()


class TestMerge:
    def test_adds_records_that_point_into_the_base(self) -> None:
        """Extra records may reference bundled ones; the bundled knowledge base is unchanged."""
        before = dumps(load())
        extra = {
            "indications": [
                {
                    "id": "lab-autologous-hsct-for-allergy",
                    "therapy_id": "autologous-hsct",
                    "disorder_id": "allergic-disease",
                    "evidence_level": "expert-opinion",
                    "citations": [{"reference_id": "snowden2012-ebmt-ad-guidelines"}],
                }
            ]
        }
        result = merge(load(), extra)
        assert ("lab-autologous-hsct-for-allergy",) == result.added
        assert () == result.replaced
        assert result.knowledge_base.get("lab-autologous-hsct-for-allergy")
        assert before == dumps(load())

    def test_id_clash_is_an_error_unless_overridden(self) -> None:
        """Reusing an id fails naming it; override=True replaces and reports the replacement."""
        risk = copy.deepcopy(next(r for r in BASE["risks"] if r["kind"] == "infection"))
        risk["description"] = "A lab's own wording."
        with pytest.raises(DatasetError, match=r"\$\.risks\[0\]\.id .*already used.*override=True"):
            merge(load(), {"risks": [risk]})
        result = merge(load(), {"risks": [risk]}, override=True)
        assert (risk["id"],) == result.replaced
        assert "A lab's own wording." == result.knowledge_base.get(risk["id"]).description  # type: ignore[union-attr]
        assert "A lab's own wording." != load().get(risk["id"]).description  # type: ignore[union-attr]

    def test_cannot_replace_across_kinds(self) -> None:
        """An override must keep the kind of the record it replaces."""
        clash = {"challenges": [{"id": "autologous-hsct", "name": "x", "kind": "evidence"}]}
        with pytest.raises(DatasetError, match="cannot replace a record of therapies"):
            merge(load(), clash, override=True)

    def test_two_replacements_of_one_id_are_refused_naming_both_places(self) -> None:
        """With override=True, two extra records replacing one base record is an error at the second, naming the first."""
        risk = next(r for r in BASE["risks"] if r["kind"] == "infection")
        first, second = ({**risk, "name": name} for name in ("first replacement", "second replacement"))
        extra = {"risks": [first, {"id": "lab-risk", "name": "lab risk", "kind": "toxicity"}, second]}
        with pytest.raises(DatasetError) as caught:
            merge(load(), extra, override=True)
        (problem,) = caught.value.problems
        assert ("risks", 2, "id", risk["id"]) == (problem.collection, problem.index, problem.field, problem.record_id)
        assert f"a second replacement for {risk['id']!r}; the first is risks[0]" == problem.message
        assert [risk["id"]] == list(merge(load(), {"risks": [first]}, override=True).replaced)  # one is still fine

    def test_two_replacements_in_two_files_name_each_file(self, tmp_path: Path) -> None:
        """Replacements from two files of a folder are located in their own files."""
        risk = next(r for r in BASE["risks"] if r["kind"] == "infection")
        (tmp_path / "a.json").write_text(json.dumps({"risks": [{**risk, "name": "from a"}]}))
        (tmp_path / "b.json").write_text(json.dumps({"risks": [{**risk, "name": "from b"}]}))
        with pytest.raises(DatasetError) as caught:
            merge(load(), tmp_path, override=True)
        (problem,) = caught.value.problems
        assert ("b.json", "risks", 0) == (problem.file, problem.collection, problem.index)
        assert problem.message.endswith("the first is risks[0] in a.json")

    def test_broken_extra_is_located_in_the_extra_file(self, tmp_path: Path) -> None:
        """Problems in a merged file are located in that file."""
        (tmp_path / "lab.json").write_text(
            json.dumps({"findings": [{**BASE["findings"][0], "id": "lab-finding", "indication_id": "nowhere"}]})
        )
        (tmp_path / "more.json").write_text(json.dumps({"risks": []}))
        with pytest.raises(DatasetError, match=r"lab\.json: \$\.findings\[0\]\.indication_id"):
            merge(load(), tmp_path)

    def test_round_trip_of_a_merge(self, tmp_path: Path) -> None:
        """save() then load() gives back the merged knowledge base."""
        result = merge(load(), {"risks": [{"id": "lab-risk", "name": "lab risk", "kind": "toxicity"}]})
        path = stemimmune.save(result.knowledge_base, tmp_path / "merged.json")
        assert result.knowledge_base == load(path)


def _fingerprint() -> str:
    return hashlib.sha256(dumps(load()).encode()).hexdigest()


def test_failed_loads_and_merges_leave_the_bundled_data_intact(tmp_path: Path) -> None:
    """After failed loads and merges, load() equals a fresh load in a new process."""
    path = tmp_path / "bad.json"
    for _, content, _, _ in CASES[:6]:
        path.write_bytes(content)
        with pytest.raises(DatasetError):
            load(path)
    with pytest.raises(DatasetError):
        merge(load(), {"risks": [BASE["risks"][0]]})
    code = "import hashlib, stemimmune; print(hashlib.sha256(stemimmune.dumps(stemimmune.load()).encode()).hexdigest())"
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert fresh == _fingerprint()


def test_threads_querying_a_fresh_knowledge_base_agree_with_one_thread() -> None:
    """Many threads racing to build the query indexes of a fresh knowledge base get the answers one thread gets."""
    kb = loads(dumps(load()))  # a fresh object: its indexes are not built yet

    def ask() -> tuple[object, ...]:
        return (
            tuple(o.indication.id for o in kb.therapies_for("MS")),
            tuple(h.record.id for h in kb.search("lupus")),
            tuple(i.id for i in kb.find_indications(min_evidence="randomized-trial")),
        )

    answers: list[tuple[object, ...]] = []
    barrier = threading.Barrier(8)

    def run() -> None:
        barrier.wait()
        answers.append(ask())

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [ask()] * 8 == answers


def test_traversable_is_the_only_way_in() -> None:
    """The bundled data is read through importlib.resources (a Traversable), never a __file__ path."""
    source = Path(stemimmune._loading.__file__).read_text(encoding="utf-8")
    assert "__file__" not in source
    assert 'files("stemimmune")' in source
