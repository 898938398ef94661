"""Building and loading knowledge bases: every invariant is enforced, every problem reported."""

from __future__ import annotations

import contextlib
import copy
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stemimmune
from stemimmune import DatasetError, KnowledgeBase, Problem, UnknownKeyError, dumps, find_problems, load, loads
from stemimmune._index import fold
from stemimmune._text import shorten
from stemimmune.model import RECORD_TYPES, Citation, Reference, iter_links
from stemimmune.vocabulary import CredibilityTier, DonorRelation, DonorType, EvidenceLevel, ReferenceKind, RiskKind

from .strategies import MUTATIONS, knowledge_bases


def _document(kb: KnowledgeBase) -> dict[str, Any]:
    return json.loads(dumps(kb))  # type: ignore[no-any-return]


class TestInvalidDatasets:
    @given(knowledge_bases(), st.sampled_from(MUTATIONS))
    def test_every_broken_dataset_is_rejected_naming_the_problem(
        self, kb: KnowledgeBase, mutate: Callable[[dict[str, Any]], tuple[str, str]]
    ) -> None:
        """A dataset broken in any of the ways listed in MUTATIONS raises DatasetError naming the place and the problem."""
        document = _document(kb)
        location, word = mutate(document)
        with pytest.raises(DatasetError) as caught:
            loads(json.dumps(document))
        assert any(p.location.startswith(location) and word in str(p) for p in caught.value.problems), caught.value

    def test_all_problems_are_reported_at_once(self) -> None:
        """Several broken records give several problems in one error, each with its record id."""
        document = _document(load())
        document["therapies"][0]["citations"] = []
        document["therapies"][1]["donor_relation"] = "sideways"
        with pytest.raises(DatasetError) as caught:
            loads(json.dumps(document))
        assert 2 <= len(caught.value.problems)
        ids = {p.record_id for p in caught.value.problems}
        assert {document["therapies"][0]["id"], document["therapies"][1]["id"]} <= ids

    def test_promotional_sources_alone_cannot_carry_clinical_evidence(self) -> None:
        """An indication above preclinical citing only promotional material is rejected."""
        kb = load()
        promotional = next(r for r in kb.references if r.is_promotional)
        indication = next(i for i in kb.indications if i.evidence_level > EvidenceLevel.PRECLINICAL)
        broken = attrs.evolve(indication, citations=(stemimmune.model.Citation(reference_id=promotional.id),))
        with pytest.raises(DatasetError, match="promotional sources alone"):
            attrs.evolve(
                kb,
                indications=(broken, *kb.indications[1:])
                if kb.indications[0] is indication
                else (*kb.indications, broken),
            )

    def test_a_guideline_recommendation_must_cite_a_guideline(self) -> None:
        """A recommendation citing a promotional page (or any non-guideline) is a problem located at its reference_id."""
        kb = load()
        promotional = next(r for r in kb.references if r.kind is ReferenceKind.PROMOTIONAL_MATERIAL)
        index, indication = next((i, x) for i, x in enumerate(kb.indications) if len(x.recommendations) >= 2)
        forged = attrs.evolve(indication.recommendations[1], reference_id=promotional.id)
        broken = attrs.evolve(indication, recommendations=(indication.recommendations[0], forged))
        indications = (*kb.indications[:index], broken, *kb.indications[index + 1 :])
        with pytest.raises(DatasetError) as caught:
            attrs.evolve(kb, indications=indications)
        problems = caught.value.problems
        assert 1 == len(problems), caught.value
        (problem,) = problems
        assert ("indications", index, indication.id) == (problem.collection, problem.index, problem.record_id)
        assert "recommendations[1].reference_id" == problem.field
        assert repr(promotional.id) == problem.value
        assert "the id of a reference of kind 'guideline'" == problem.expected
        assert "'promotional-material'" in problem.message
        assert [] == [
            (i.id, r.reference_id)
            for i in kb.indications
            for r in i.recommendations
            if kb.get(r.reference_id, Reference).kind is not ReferenceKind.GUIDELINE
        ]  # the bundled data obeys the rule

    def test_autologous_therapies_must_not_list_gvhd(self) -> None:
        """An autologous therapy with a GVHD risk is rejected."""
        kb = load()
        gvhd = next(r for r in kb.risks if r.kind.value == "gvhd")
        index, therapy = next((i, t) for i, t in enumerate(kb.therapies) if t.donor_relation.value == "autologous")
        therapies = list(kb.therapies)
        therapies[index] = attrs.evolve(therapy, risk_ids=(*therapy.risk_ids, gvhd.id))
        with pytest.raises(
            DatasetError, match=rf"\$\.therapies\[{index}\]\.risk_ids \(id '{therapy.id}'\): an autologous therapy"
        ):
            attrs.evolve(kb, therapies=tuple(therapies))


class TestSameRules:
    @given(knowledge_bases())
    def test_generated_data_passes_the_rules_the_bundled_data_passes(self, kb: KnowledgeBase) -> None:
        """find_problems is the one rule set: it accepts every generated valid knowledge base, as it accepts the bundled one."""
        assert () == find_problems(kb.collections())
        assert () == find_problems(load().collections())

    def test_construction_runs_find_problems(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Building a knowledge base calls the same find_problems function users can call."""
        calls: list[object] = []
        real = stemimmune.find_problems

        def spy(collections: Any) -> tuple[stemimmune.Problem, ...]:
            calls.append(collections)
            return real(collections)

        monkeypatch.setattr(stemimmune.knowledge_base, "find_problems", spy)
        kb = attrs.evolve(load())
        assert [kb.collections()] == calls


class TestLoad:
    def test_bundled_load_is_cached(self) -> None:
        """load() twice returns the same object."""
        assert load() is load()

    def test_concurrent_first_loads_share_one_instance(self) -> None:
        """Threads racing to load in a fresh process all get the same object."""
        code = (
            "import threading, stemimmune\n"
            "out = []\n"
            "ts = [threading.Thread(target=lambda: out.append(stemimmune.load())) for _ in range(8)]\n"
            "[t.start() for t in ts]; [t.join() for t in ts]\n"
            "assert len(out) == 8 and len({id(k) for k in out}) == 1\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)

    def test_user_file_round_trip(self, tmp_path: Path) -> None:
        """A knowledge base written to a file loads back equal."""
        path = tmp_path / "kb.json"
        path.write_text(dumps(load()), encoding="utf-8")
        assert load() == load(path)
        assert load(path) is not load()

    def test_user_folder_locates_problems_by_file(self, tmp_path: Path) -> None:
        """In a folder of files, problems are located in the file that holds them."""
        document = _document(load())
        (tmp_path / "a.json").write_text(
            json.dumps({"dataset_version": "x", **{k: v for k, v in document.items() if k != "therapies"}})
        )
        broken = copy.deepcopy(document["therapies"])
        broken[1]["cell_type_id"] = "nowhere"
        (tmp_path / "b.json").write_text(json.dumps({"therapies": broken}))
        with pytest.raises(DatasetError, match=r"b\.json: \$\.therapies\[1\]\.cell_type_id .*does not resolve"):
            load(tmp_path)

    def test_missing_path(self, tmp_path: Path) -> None:
        """A missing file is a FileNotFoundError naming it."""
        with pytest.raises(FileNotFoundError, match=r"nope\.json"):
            load(tmp_path / "nope.json")

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"{", "not valid JSON"),
            (b"\xff\xfe", "not UTF-8"),
            (b"[]", "expected a JSON object"),
            (b"{}", "dataset version"),
            (b"[" * 100_000, "nested too deeply"),
        ],
    )
    def test_bad_files(self, tmp_path: Path, content: bytes, message: str) -> None:
        """Malformed files give a DatasetError, never another exception."""
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        with pytest.raises(DatasetError, match=message):
            load(path)

    def test_size_limit(self, tmp_path: Path) -> None:
        """Files over max_bytes are refused before parsing; the limit can be raised."""
        path = tmp_path / "kb.json"
        path.write_text(dumps(load()), encoding="utf-8")
        with pytest.raises(DatasetError, match="larger than max_bytes=100"):
            load(path, max_bytes=100)
        assert load() == load(path, max_bytes=10**9)

    def test_failed_load_leaves_the_bundled_data_intact(self, tmp_path: Path) -> None:
        """After a failed user load, load() still returns the cached, valid bundled knowledge base."""
        before = load()
        (tmp_path / "bad.json").write_text('{"dataset_version": "1", "therapies": [{}]}')
        with pytest.raises(DatasetError):
            load(tmp_path / "bad.json")
        assert before is load()
        assert () == find_problems(load().collections())


class TestGet:
    @given(st.data())
    def test_get_finds_every_record_by_id_and_by_each_curie(self, data: st.DataObject) -> None:
        """Every record is found by its id, and by every CURIE it alone carries."""
        kb = load()
        record = data.draw(st.sampled_from(list(kb.records())))
        assert record is kb.get(record.id)
        for xref in getattr(record, "xrefs", ()):
            owners = [r for r in kb.records() if xref in getattr(r, "xrefs", ())]
            if len(owners) == 1:
                assert record is kb.get(xref)

    def test_get_by_name_and_synonym_ignores_case_and_spelling(self) -> None:
        """Names and synonyms match whatever the case, punctuation or British/American spelling."""
        kb = load()
        assert "multiple-sclerosis" == kb.get("Multiple  Sclerosis").id
        assert "hematopoietic-stem-cell" == kb.get("Haematopoietic stem-cell").id
        assert "systemic-lupus-erythematosus" == kb.get("sle").id

    def test_unknown_key_is_a_lookup_error_with_suggestions(self) -> None:
        """An unknown key raises UnknownKeyError (a LookupError) naming close matches."""
        with pytest.raises(LookupError) as caught:
            load().get("multiple sclerosys")
        assert isinstance(caught.value, UnknownKeyError)
        assert "multiple sclerosis" in caught.value.suggestions

    def test_get_or_none(self) -> None:
        """The non-raising variant returns None."""
        assert load().get_or_none("no such record at all") is None

    @pytest.mark.parametrize(
        ("british", "american"),
        [
            ("Coeliac disease", "celiac disease"),
            ("oedema", "edema"),
            ("tumour", "tumor"),
            ("paediatric", "pediatric"),
            ("haematopoietic", "hematopoietic"),
        ],
    )
    def test_british_spellings_fold_to_american(self, british: str, american: str) -> None:
        """A British spelling of a medical word folds to the American one, so either finds a record."""
        assert fold(american) == fold(british)

    @given(st.text())
    def test_fold_is_idempotent(self, text: str) -> None:
        """Folding twice is folding once."""
        assert fold(text) == fold(fold(text))

    def test_threads_get_the_same_answers(self) -> None:
        """Lookups from many threads give the same answers as from one."""
        kb = load()
        keys = [r.id for r in kb.records()]
        expected = [kb.get(k) for k in keys]
        results: list[list[Any]] = []
        threads = [threading.Thread(target=lambda: results.append([kb.get(k) for k in keys])) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(r == expected for r in results)


class TestLoadPathRejects:
    @pytest.mark.parametrize(
        ("mutation", "kind", "field"),
        [
            ("cites nothing", "therapies", "citations"),
            ("dangling reference", "therapies", "cell_type_id"),
            ("duplicate id", "disorders", "id"),
            ("malformed CURIE", "disorders", "xrefs"),
            ("unknown enum value", "therapies", "donor_relation"),
        ],
    )
    def test_broken_file_names_record_and_field(self, tmp_path: Path, mutation: str, kind: str, field: str) -> None:
        """load(path) of a file with one broken record raises DatasetError naming that record's id and the field."""
        document = _document(load())
        record = document[kind][1]
        if mutation == "cites nothing":
            record["citations"] = []
        elif mutation == "dangling reference":
            record["cell_type_id"] = "no-such-cell"
        elif mutation == "duplicate id":
            record["id"] = document[kind][0]["id"]
        elif mutation == "malformed CURIE":
            record["xrefs"] = ["MONDO:x"]
        else:
            record["donor_relation"] = "sideways"
        path = tmp_path / "broken.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        with pytest.raises(DatasetError) as caught:
            load(path)
        assert any(
            p.record_id == record["id"] and p.path.startswith(f"$.{kind}[1]") and field in str(p)
            for p in caught.value.problems
        ), caught.value


class TestEveryRuleSaysWhatAndExpectsWhat:
    def test_each_rule_reports_value_and_expectation(self) -> None:
        """Each cross-record rule reports its record, field, offending value and what was expected."""
        kb = load()
        cols: dict[Any, list[Any]] = {k: list(v) for k, v in kb.collections().items()}
        first, second = cols["cell_types"][0], cols["cell_types"][1]
        cols["cell_types"][0] = attrs.evolve(first, derives_from=(second.id,))
        cols["cell_types"][1] = attrs.evolve(second, derives_from=(first.id,))
        gvhd = {r.id for r in kb.risks if r.kind.value == "gvhd"}
        allo = next(i for i, t in enumerate(cols["therapies"]) if t.donor_relation.value == "allogeneic")
        auto = next(i for i, t in enumerate(cols["therapies"]) if t.donor_relation.value == "autologous")
        cols["therapies"][allo] = attrs.evolve(
            cols["therapies"][allo], risk_ids=tuple(r for r in cols["therapies"][allo].risk_ids if r not in gvhd)
        )
        cols["therapies"][auto] = attrs.evolve(
            cols["therapies"][auto], risk_ids=(*cols["therapies"][auto].risk_ids, *sorted(gvhd)[:1])
        )
        promo = next(r.id for r in kb.references if r.is_promotional)
        from stemimmune.model import Citation

        strong = next(i for i, x in enumerate(cols["indications"]) if x.evidence_level.value == "randomized-trial")
        cols["indications"][strong] = attrs.evolve(
            cols["indications"][strong], citations=(Citation(reference_id=promo),)
        )
        clinical = next(i for i, f in enumerate(cols["findings"]) if f.design.value != "preclinical")
        cols["findings"][clinical] = attrs.evolve(cols["findings"][clinical], citations=(Citation(reference_id=promo),))
        auto_ind = next(
            i
            for i, x in enumerate(cols["indications"])
            if x.therapy_id == cols["therapies"][auto].id and any(r.donor_type for r in x.recommendations)
        )
        recs = cols["indications"][auto_ind].recommendations
        from stemimmune.vocabulary import DonorType

        wrong = attrs.evolve(next(r for r in recs if r.donor_type), donor_type=DonorType.SIBLING)
        cols["indications"][auto_ind] = attrs.evolve(cols["indications"][auto_ind], recommendations=(*recs, wrong))
        cols["disorders"][0] = attrs.evolve(cols["disorders"][0], component_ids=("no-such-component",))
        problems = find_problems(cols)
        assert sorted(oracle_problems(cols), key=repr) == sorted(problems, key=repr)
        by_rule = {
            "cycle": "links that never lead back to this record",
            "must list a GVHD risk": "a risk of kind 'gvhd' among the risk ids",
            "must not list a GVHD risk": "no risk of kind 'gvhd'",
            "rests on promotional sources alone": "at least one non-promotional source, or the level 'preclinical' or below",
            "a clinical finding rests on promotional sources alone": "at least one non-promotional source",
            "donors do not fit": "a donor column of a autologous therapy",
        }
        for words, expected in by_rule.items():
            found = [p for p in problems if words in p.message]
            assert found, words
            assert all(p.value is not None and p.record_id and p.collection and p.field for p in found), words
            assert expected in {p.expected for p in found}, words

    def test_a_partial_mapping_is_checked_as_it_is(self) -> None:
        """Collections left out of the mapping count as empty: no rule needs them present."""
        kb = load()
        unlinked = tuple(attrs.evolve(r, trial_ids=()) for r in kb.references)  # references link trials
        assert () == find_problems({"references": unlinked, "risks": kb.risks})
        assert () == find_problems({"references": unlinked, "findings": ()})
        assert find_problems({"references": kb.references})  # their trial links dangle without the trials
        assert find_problems({"risks": kb.risks})  # their citations dangle without the references


# ------------------------------------------------------------------ find_problems against an oracle


def oracle_problems(cols: Mapping[str, Sequence[Any]]) -> list[Problem]:  # noqa: PLR0915 - one flat list of rules, as in find_problems
    """
    Every problem the cross-record rules should report, written plainly from find_problems' documentation.

    Ids are unique across collections (a repeat names the collection that used the id first); every link
    resolves to a record of a collection the field allows; a lineage or disorder record that can reach
    itself through its links lies on a cycle; a therapy's cell type is one its (known) sources yield;
    allogeneic therapies list a GVHD risk and autologous ones do not; no evidence above preclinical rests
    on promotional sources alone; a recommendation's donor column fits the therapy's donor relation, and
    one restricted to some disorders names the indication's disorder or its subtypes; a recommendation
    cites a (known) reference of kind guideline. An identity key (an id, registry id, DOI, PMID, PMCID; a
    CURIE within its collection) claimed by a second record is reported on the later record, naming the
    first, once per field.
    """

    def problem(  # noqa: PLR0917 - a Problem has these parts
        kind: str, index: int, record: Any, field: str, message: str, value: object, expected: str
    ) -> Problem:
        return Problem(
            message=message,
            collection=kind,
            index=index,
            field=field,
            record_id=record.id,
            value=shorten(value),
            expected=expected,
        )

    def each(kind: str) -> list[tuple[int, Any]]:
        return list(enumerate(cols.get(kind, ())))

    found: list[Problem] = []
    first_kind: dict[str, str] = {}
    for kind in RECORD_TYPES:
        for index, record in each(kind):
            if record.id in first_kind:
                message = f"duplicate id; already used in {first_kind[record.id]}"
                found.append(problem(kind, index, record, "id", message, record.id, "an id no other record uses"))
            else:
                first_kind[record.id] = kind
    for kind in RECORD_TYPES:
        for index, record in each(kind):
            for field, targets, value in iter_links(record):
                if first_kind.get(value) not in targets:
                    wanted = " or ".join(targets)
                    message = f"{value!r} does not resolve to a record of {wanted}"
                    expected = f"the id of a record of {wanted} in this knowledge base"
                    found.append(problem(kind, index, record, field, message, value, expected))
    for kind, field in (("cell_types", "derives_from"), ("disorders", "parent_ids")):
        edges = {record.id: getattr(record, field) for _, record in each(kind)}  # a repeated id keeps its last links
        for index, record in each(kind):
            seen: set[str] = set()
            todo = list(edges[record.id])
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(edges.get(node, ()))
            if record.id in seen:
                links = list(getattr(record, field))
                found.append(
                    problem(
                        kind,
                        index,
                        record,
                        field,
                        f"{field} forms a cycle",
                        links,
                        "links that never lead back to this record",
                    )
                )
    found += _oracle_identity_problems(cols)
    sources = {s.id: s for s in cols.get("cell_sources", ())}
    risks = {r.id: r for r in cols.get("risks", ())}
    for index, therapy in each("therapies"):
        yielded = sorted({c for s in therapy.source_ids if s in sources for c in sources[s].yields})
        if yielded and therapy.cell_type_id not in yielded:
            message = (
                f"{therapy.cell_type_id!r} is not a cell type its sources ({', '.join(therapy.source_ids)}) yield "
                f"({', '.join(yielded)})"
            )
            found.append(
                problem(
                    "therapies",
                    index,
                    therapy,
                    "cell_type_id",
                    message,
                    therapy.cell_type_id,
                    f"one of {', '.join(yielded)}",
                )
            )
        gvhd = [r for r in therapy.risk_ids if r in risks and risks[r].kind is RiskKind.GVHD]
        risk_ids = list(therapy.risk_ids)
        if therapy.donor_relation is DonorRelation.ALLOGENEIC and not gvhd:
            message = "an allogeneic therapy must list a GVHD risk"
            found.append(
                problem(
                    "therapies",
                    index,
                    therapy,
                    "risk_ids",
                    message,
                    risk_ids,
                    "a risk of kind 'gvhd' among the risk ids",
                )
            )
        if therapy.donor_relation is DonorRelation.AUTOLOGOUS and gvhd:
            message = "an autologous therapy must not list a GVHD risk"
            found.append(problem("therapies", index, therapy, "risk_ids", message, risk_ids, "no risk of kind 'gvhd'"))
    references = {r.id: r for r in cols.get("references", ())}
    therapies = {t.id: t for t in cols.get("therapies", ())}
    parents = {d.id: d.parent_ids for d in cols.get("disorders", ())}

    def promotional_only(citations: Sequence[Citation]) -> bool:
        cited = [references[c.reference_id] for c in citations if c.reference_id in references]
        return len(cited) > 0 and all(r.is_promotional for r in cited)

    for index, indication in each("indications"):
        cited = [c.reference_id for c in indication.citations]
        if indication.evidence_level > EvidenceLevel.PRECLINICAL and promotional_only(indication.citations):
            message = f"evidence level {indication.evidence_level.value!r} rests on promotional sources alone"
            expected = "at least one non-promotional source, or the level 'preclinical' or below"
            found.append(problem("indications", index, indication, "citations", message, cited, expected))
        therapy = therapies.get(indication.therapy_id)
        for position, recommendation in enumerate(indication.recommendations):
            cited_reference = references.get(recommendation.reference_id)
            if cited_reference is not None and cited_reference.kind is not ReferenceKind.GUIDELINE:
                message = (
                    f"a guideline recommendation cites {recommendation.reference_id!r}, "
                    f"a reference of kind {cited_reference.kind.value!r}"
                )
                field = f"recommendations[{position}].reference_id"
                expected = "the id of a reference of kind 'guideline'"
                found.append(
                    problem("indications", index, indication, field, message, recommendation.reference_id, expected)
                )
            donor = recommendation.donor_type
            if therapy is not None and donor is not None and donor.relation is not therapy.donor_relation:
                relation = therapy.donor_relation.value
                message = f"{donor.value!r} donors do not fit a {relation} therapy"
                field = f"recommendations[{position}].donor_type"
                expected = f"a donor column of a {relation} therapy"
                found.append(problem("indications", index, indication, field, message, donor.value, expected))
            for target in recommendation.applies_to:
                if target in parents and indication.disorder_id not in _ancestors(target, parents):
                    message = f"{target!r} is not {indication.disorder_id!r} or one of its subtypes"
                    expected = f"{indication.disorder_id!r} or the id of one of its subtypes"
                    field = f"recommendations[{position}].applies_to"
                    found.append(problem("indications", index, indication, field, message, target, expected))
    for index, finding in each("findings"):
        if finding.design > EvidenceLevel.PRECLINICAL and promotional_only(finding.citations):
            cited = [c.reference_id for c in finding.citations]
            message = "a clinical finding rests on promotional sources alone"
            found.append(
                problem("findings", index, finding, "citations", message, cited, "at least one non-promotional source")
            )
    return found


def _ancestors(disorder_id: str, parents: Mapping[str, Sequence[str]]) -> set[str]:
    """The disorder and every disorder it is a form of, through parent links."""
    found, todo = {disorder_id}, [disorder_id]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def _oracle_identity_problems(cols: Mapping[str, Sequence[Any]]) -> list[Problem]:
    """Identity keys claimed twice, from the documentation of find_problems and identity_keys."""
    claims: list[tuple[str, str, Any, bool]] = []  # (folded key, kind, record, is a CURIE), in canonical order
    found: list[Problem] = []
    for kind in RECORD_TYPES:
        for index, record in enumerate(cols.get(kind, ())):
            keys = [("id", record.id)]
            keys += [("registry_ids", k) for k in getattr(record, "registry_ids", ())]
            keys += [("xrefs", k) for k in getattr(record, "xrefs", ())]
            for prefix in ("doi", "pmid", "pmcid"):
                value = getattr(record, prefix, None)
                keys += [(prefix, value), (prefix, f"{prefix}:{value}")] if value else []
            named: set[tuple[str, str]] = set()
            for field, key in keys:
                curie = field == "xrefs"
                other = next(
                    (
                        (k, r)
                        for folded, k, r, c in claims
                        if folded == fold(key) and r.id != record.id and not (curie and c and k != kind)
                    ),
                    None,
                )
                claims.append((fold(key), kind, record, curie))
                if other is not None and (field, other[1].id) not in named:
                    named.add((field, other[1].id))
                    found.append(
                        Problem(
                            message=f"identity key {key!r} is claimed by {record.id!r} ({kind}) "
                            f"and by {other[1].id!r} ({other[0]})",
                            collection=kind,
                            index=index,
                            field=field,
                            record_id=record.id,
                            value=shorten(key),
                            expected="an id, registry id, DOI, PMID or PMCID no other record claims, "
                            "or a CURIE no other record of its collection claims",
                        )
                    )
    return found


def _pick(draw: st.DrawFn, cols: dict[Any, list[Any]], kind: str) -> int | None:
    """The position of a record of *kind*, or None when there is none."""
    return draw(st.integers(0, len(cols[kind]) - 1)) if cols[kind] else None


def _replace(cols: dict[Any, list[Any]], kind: str, position: int, **changes: Any) -> None:
    """Change one record, leaving it as it was when the change breaks a rule of the record itself."""
    with contextlib.suppress(ValueError, TypeError):
        cols[kind][position] = attrs.evolve(cols[kind][position], **changes)


def _repeat_an_id(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    source, target = draw(st.sampled_from(list(RECORD_TYPES))), draw(st.sampled_from(list(RECORD_TYPES)))
    i, j = _pick(draw, cols, source), _pick(draw, cols, target)
    if i is not None and j is not None:
        _replace(cols, target, j, id=cols[source][i].id)


def _copy_a_record(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    kind = draw(st.sampled_from(list(RECORD_TYPES)))
    i = _pick(draw, cols, kind)
    if i is not None:
        cols[kind].append(cols[kind][i])


def _relink(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    """Point a link at nothing, or at a record of another collection, or of the right one."""
    every_id = [r.id for records in cols.values() for r in records]
    target = draw(st.sampled_from(["nowhere", *every_id]))
    kind, field, many = draw(
        st.sampled_from(
            [
                ("therapies", "cell_type_id", False),
                ("therapies", "source_ids", True),
                ("therapies", "risk_ids", True),
                ("indications", "disorder_id", False),
                ("mechanisms", "target_ids", True),
                ("findings", "indication_id", False),
                ("products", "therapy_id", False),
            ]
        )
    )
    i = _pick(draw, cols, kind)
    if i is not None:
        _replace(cols, kind, i, **{field: (*getattr(cols[kind][i], field), target) if many else target})


def _add_hierarchy_links(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    """Add a few links inside the lineage or the disorder hierarchy: cycles, self-links, shortcuts."""
    kind, field = draw(st.sampled_from([("cell_types", "derives_from"), ("disorders", "parent_ids")]))
    for _ in range(draw(st.integers(1, 4))):
        i, j = _pick(draw, cols, kind), _pick(draw, cols, kind)
        if i is not None and j is not None:
            record = cols[kind][i]
            _replace(cols, kind, i, **{field: (*getattr(record, field), cols[kind][j].id)})


def _change_therapy(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    """Give a therapy another cell type, donor relation or risks."""
    i = _pick(draw, cols, "therapies")
    if i is None:
        return
    cell_type = draw(st.sampled_from([c.id for c in cols["cell_types"]]))
    risk_ids = tuple(draw(st.lists(st.sampled_from([r.id for r in cols["risks"]]), max_size=2, unique=True)))
    relation = draw(st.sampled_from(DonorRelation))
    _replace(cols, "therapies", i, cell_type_id=cell_type, risk_ids=risk_ids, donor_relation=relation)


def _cite_promotion(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    """Add a promotional source and make an indication or a finding cite it, alone or with others."""
    promo = f"promo-{len(cols['references'])}"
    kind = draw(st.sampled_from([k for k in ReferenceKind if k.tier is CredibilityTier.PROMOTIONAL]))
    cols["references"].append(Reference(id=promo, kind=kind, title="An advert"))
    collection = draw(st.sampled_from(["indications", "findings"]))
    i = _pick(draw, cols, collection)
    if i is not None:
        kept = cols[collection][i].citations if draw(st.booleans()) else ()
        level = draw(st.sampled_from(EvidenceLevel))
        level_field = "evidence_level" if collection == "indications" else "design"
        citations = (*kept, Citation(reference_id=promo))
        _replace(cols, collection, i, citations=citations, **{level_field: level})


def _change_donor_column(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    i = _pick(draw, cols, "indications")
    if i is None or not cols["indications"][i].recommendations:
        return
    indication = cols["indications"][i]
    position = draw(st.integers(0, len(indication.recommendations) - 1))
    recommendations = list(indication.recommendations)
    try:
        recommendations[position] = attrs.evolve(recommendations[position], donor_type=draw(st.sampled_from(DonorType)))
    except (ValueError, TypeError):
        return
    _replace(cols, "indications", i, recommendations=tuple(recommendations))


def _claim_an_identity_key(draw: st.DrawFn, cols: dict[Any, list[Any]]) -> None:
    """Give a record another record's CURIE (of its own collection or another), or a reference another's DOI."""
    kinds = [k for k in cols if cols[k] and "xrefs" in attrs.fields_dict(RECORD_TYPES[k])]
    curies = [(k, x) for k in kinds for r in cols[k] for x in r.xrefs]
    use_curie: bool = draw(st.booleans())
    if curies and use_curie:
        _, curie = draw(st.sampled_from(curies))
        kind = draw(st.sampled_from(kinds))
        i = _pick(draw, cols, kind)
        if i is not None:
            _replace(cols, kind, i, xrefs=(*cols[kind][i].xrefs, curie))
    else:
        dois = [r.doi for r in cols["references"] if r.doi]
        i = _pick(draw, cols, "references")
        if dois and i is not None:
            _replace(cols, "references", i, doi=draw(st.sampled_from(dois)))


BREAKS = (
    _claim_an_identity_key,
    _repeat_an_id,
    _copy_a_record,
    _relink,
    _add_hierarchy_links,
    _change_therapy,
    _cite_promotion,
    _change_donor_column,
)


@st.composite
def broken_collections(draw: st.DrawFn) -> dict[Any, list[Any]]:
    """The records of a generated valid knowledge base, with a few of them changed to break cross-record rules."""
    kb = draw(knowledge_bases())
    cols: dict[Any, list[Any]] = {kind: list(records) for kind, records in kb.collections().items()}
    for _ in range(draw(st.integers(1, 4))):
        draw(st.sampled_from(BREAKS))(draw, cols)
    return cols


class TestFindProblemsAgainstTheOracle:
    @given(broken_collections())
    def test_problems_are_the_oracles(self, cols: dict[Any, list[Any]]) -> None:
        """find_problems reports exactly the problems the oracle finds: each record, field, message, value and expectation."""
        assert sorted(oracle_problems(cols), key=repr) == sorted(find_problems(cols), key=repr)

    def test_a_record_on_two_cycles_is_reported(self) -> None:
        """Every record that can reach itself is on a cycle, even one reached again through a record already checked."""
        kb = load()
        cols: dict[Any, list[Any]] = {k: list(v) for k, v in kb.collections().items()}
        a, b, c, d = (cols["cell_types"][i] for i in range(4))
        # a -> b -> c -> a, and a -> d -> b: d lies on the cycle a -> d -> b -> c -> a.
        cols["cell_types"][0] = attrs.evolve(a, derives_from=(b.id, d.id))
        cols["cell_types"][1] = attrs.evolve(b, derives_from=(c.id,))
        cols["cell_types"][2] = attrs.evolve(c, derives_from=(a.id,))
        cols["cell_types"][3] = attrs.evolve(d, derives_from=(b.id,))
        cycles = [p for p in find_problems(cols) if p.message == "derives_from forms a cycle"]
        assert {a.id, b.id, c.id, d.id} == {p.record_id for p in cycles}
        assert sorted(oracle_problems(cols), key=repr) == sorted(find_problems(cols), key=repr)


def _bundled_with(kind: str, position: int, **changes: object) -> tuple[dict[str, list[object]], object]:
    """The bundled collections, with one record of *kind* changed; the changed record too."""
    collections: dict[str, list[object]] = {k: list(v) for k, v in load().collections().items()}
    changed = attrs.evolve(collections[kind][position], **changes)  # type: ignore[misc]
    collections[kind][position] = changed
    return collections, changed


def test_rule_problems_name_their_record_field_and_value() -> None:
    """
    A therapy giving a cell type its sources do not yield, and a withdrawal dated before the authorisation it ends,
    are reported at the record's collection, position and field, with the offending value.
    """
    kb = load()
    therapy_at = next(i for i, t in enumerate(kb.therapies) if t.source_ids)
    collections, _ = _bundled_with("therapies", therapy_at, cell_type_id="t-cell")
    [problem] = [p for p in find_problems(collections) if p.field == "cell_type_id"]  # type: ignore[arg-type]
    assert (problem.collection, problem.index, problem.value) == ("therapies", therapy_at, "'t-cell'")
    product_at = next(i for i, p in enumerate(kb.products) if p.id == "alofisel")
    events = kb.products[product_at].events
    withdrawal = next(i for i, e in enumerate(events) if e.decision.value == "withdrawn")
    early = (*events[:withdrawal], attrs.evolve(events[withdrawal], date="2010-01-05"), *events[withdrawal + 1 :])
    collections, _ = _bundled_with("products", product_at, events=early)
    [problem] = [p for p in find_problems(collections) if p.collection == "products"]  # type: ignore[arg-type]
    assert (problem.index, problem.field, problem.value) == (product_at, f"events[{withdrawal}].date", "'2010-01-05'")


def test_promotional_sources_alone_support_nothing_above_preclinical() -> None:
    """Preclinical evidence may rest on a promotional page alone; a case series may not."""
    kb = load()
    at = 0
    promotional = (Citation(reference_id="seed-stemedix-autoimmune"),)
    for level, problems in (("preclinical", 0), ("case-series", 1)):
        collections, _ = _bundled_with(
            "indications", at, evidence_level=EvidenceLevel(level), citations=promotional, recommendations=()
        )
        found = [p for p in find_problems(collections) if p.collection == "indications" and p.index == at]  # type: ignore[arg-type]
        assert len(found) == problems, (level, found)
    assert kb.indications[at].citations != promotional
