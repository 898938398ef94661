"""Flat tables: rows, DataFrames, CSV and JSON agree with the knowledge base they come from."""

from __future__ import annotations

import csv
import enum
import io
import json
import pickle
import sys
import typing
from collections import Counter
from importlib.util import find_spec
from typing import Any, Final

import attrs
import pytest
from hypothesis import given, settings

from stemimmune import ArgumentTypeError, InvalidArgumentError, KnowledgeBase, load
from stemimmune.export import (
    TABLES,
    column_types,
    columns,
    dataframe,
    follow_up_months,
    records,
    write_csv,
    write_json,
    write_tables,
)
from stemimmune.model import RECORD_TYPES, Disorder, Therapy
from stemimmune.query import Results
from stemimmune.vocabulary import AstctCategory, CredibilityTier, EbmtCategory, EvidenceLevel, Potency, TrialPhase

from .strategies import knowledge_bases


def expected_count(kb: KnowledgeBase, table: str) -> int:
    """How many rows *table* should have, counted straight from the records."""
    if table in RECORD_TYPES:
        return len(getattr(kb, table))
    if table == "recommendations":
        return sum(len(i.recommendations) for i in kb.indications)
    if table == "regulatory":
        return sum(len(p.events) for p in kb.products)
    if table == "evidence":
        return len(kb.indications)
    nested = {
        "markers": sum(len(c.markers) for c in kb.cell_types),
        "procedure_steps": sum(len(t.procedure) for t in kb.therapies),
        "conventional_treatments": sum(len(d.conventional_treatments) for d in kb.disorders),
        "product_holders": sum(len(p.holders) for p in kb.products),
    }
    if table in nested:
        return nested[table]
    assert table == "citations"
    top = sum(len(r.citations) for r in kb.records() if hasattr(r, "citations"))
    regulatory = sum(len(e.citations) for p in kb.products for e in p.events)
    treatments = sum(len(c.citations) for d in kb.disorders for c in d.conventional_treatments)
    return top + regulatory + treatments


def test_tables_are_the_collections_then_the_child_tables() -> None:
    """TABLES lists every collection, in canonical order, then the child tables, then the evidence join."""
    children = (
        "recommendations",
        "regulatory",
        "markers",
        "procedure_steps",
        "conventional_treatments",
        "product_holders",
        "citations",
    )
    assert (*RECORD_TYPES, *children, "evidence") == TABLES


class TestRecords:
    @given(knowledge_bases())
    def test_one_row_per_item(self, kb: KnowledgeBase) -> None:
        """Every table has one row per record, recommendation, regulatory decision or citation."""
        for table in TABLES:
            assert expected_count(kb, table) == len(records(kb, table)), table

    @given(knowledge_bases())
    def test_collection_rows_carry_their_record_ids_in_order(self, kb: KnowledgeBase) -> None:
        """Row i of a collection table is record i of the collection."""
        for table in RECORD_TYPES:
            assert [r.id for r in getattr(kb, table)] == [row["id"] for row in records(kb, table)]

    @given(knowledge_bases())
    def test_every_row_has_the_table_columns_in_order(self, kb: KnowledgeBase) -> None:
        """Every row's keys are columns(table), in that order."""
        for table in TABLES:
            for row in records(kb, table):
                assert columns(table) == tuple(row)

    @given(knowledge_bases())
    def test_cells_are_plain_values(self, kb: KnowledgeBase) -> None:
        """No enum member, tuple or nested record is left: cells are str, numbers, bools, None or lists of str."""
        for table in TABLES:
            for row in records(kb, table):
                for key, value in row.items():
                    assert not isinstance(value, enum.Enum), (table, key)
                    assert value is None or type(value) in {str, int, float, bool, list}, (table, key, value)
                    if isinstance(value, list):
                        assert all(type(item) is str for item in value), (table, key)

    @given(knowledge_bases())
    def test_reference_ids_resolve(self, kb: KnowledgeBase) -> None:
        """Every reference id in every table names a reference of the knowledge base."""
        known = {r.id for r in kb.references}
        for table in TABLES:
            for row in records(kb, table):
                cited = row.get("reference_ids", [])
                assert isinstance(cited, list)
                assert set(cited) <= known, table
                if "reference_id" in row:
                    assert row["reference_id"] in known, table

    @given(knowledge_bases())
    def test_reference_ids_are_the_citations(self, kb: KnowledgeBase) -> None:
        """A record's reference_ids are its citations' reference ids, in order."""
        for table in RECORD_TYPES:
            for record, row in zip(getattr(kb, table), records(kb, table), strict=True):
                if hasattr(record, "citations"):
                    assert [c.reference_id for c in record.citations] == row["reference_ids"]
                    assert "citations" not in row

    @given(knowledge_bases())
    def test_citations_table_lists_every_citation(self, kb: KnowledgeBase) -> None:
        """The citations table holds each (record, reference, locator), nested citations included."""
        expected: Counter[tuple[str, str, str | None]] = Counter()
        for record in kb.records():
            for citation in getattr(record, "citations", ()):
                expected[record.id, citation.reference_id, citation.locator] += 1
        for product in kb.products:
            for event in product.events:
                expected.update((product.id, c.reference_id, c.locator) for c in event.citations)
        for disorder in kb.disorders:
            for treatment in disorder.conventional_treatments:
                expected.update((disorder.id, c.reference_id, c.locator) for c in treatment.citations)
        rows = records(kb, "citations")
        assert expected == Counter((r["record_id"], r["reference_id"], r["locator"]) for r in rows)
        kinds = {r.id: kind for kind, items in kb.collections().items() for r in items}
        assert all(kinds[str(r["record_id"])] == r["record_kind"] for r in rows)

    @given(knowledge_bases())
    def test_findings_carry_their_indication_s_therapy_and_disorder(self, kb: KnowledgeBase) -> None:
        """The join columns of a finding are those of its indication."""
        indications = {i.id: i for i in kb.indications}
        for row in records(kb, "findings"):
            indication = indications[str(row["indication_id"])]
            assert (indication.therapy_id, indication.disorder_id) == (row["therapy_id"], row["disorder_id"])

    @given(knowledge_bases())
    def test_effect_is_flattened(self, kb: KnowledgeBase) -> None:
        """A finding's effect becomes effect_* columns, all None when there is no effect."""
        for finding, row in zip(kb.findings, records(kb, "findings"), strict=True):
            effect = finding.effect
            assert "effect" not in row
            if effect is None:
                assert all(v is None for k, v in row.items() if k.startswith("effect_"))
            else:
                assert effect.measure.value == row["effect_measure"]
                assert effect.value == row["effect_value"]
                assert (effect.ci_low, effect.ci_high) == (row["effect_ci_low"], row["effect_ci_high"])
                assert (effect.ci_level, effect.unit) == (row["effect_ci_level"], row["effect_unit"])

    @given(knowledge_bases())
    def test_references_carry_their_tier(self, kb: KnowledgeBase) -> None:
        """A reference row's tier is the credibility tier of its kind."""
        for reference, row in zip(kb.references, records(kb, "references"), strict=True):
            assert reference.tier.value == row["tier"]

    @given(knowledge_bases())
    def test_child_tables_join_back_to_their_parents(self, kb: KnowledgeBase) -> None:
        """Recommendation and regulatory rows name their parent and hold its items' values, in order."""
        expected = [
            (
                i.id,
                i.therapy_id,
                i.disorder_id,
                r.reference_id,
                [c.value for c in r.categories],
                None if r.population is None else r.population.value,
            )
            for i in kb.indications
            for r in i.recommendations
        ]
        keys = ("indication_id", "therapy_id", "disorder_id", "reference_id", "categories", "population")
        assert expected == [tuple(row[k] for k in keys) for row in records(kb, "recommendations")]
        regulatory = [(p.id, p.therapy_id, e.decision.value) for p in kb.products for e in p.events]
        assert regulatory == [(r["product_id"], r["therapy_id"], r["decision"]) for r in records(kb, "regulatory")]

    def test_child_fields_are_left_to_child_tables(self) -> None:
        """Parents hold no column for what a child table holds."""
        assert "events" not in columns("products")
        assert "holders" not in columns("products")
        assert "recommendations" not in columns("indications")
        assert "procedure" not in columns("therapies")
        assert "conventional_treatments" not in columns("disorders")
        assert "markers" not in columns("cell_types")

    @given(knowledge_bases())
    def test_nested_lists_are_child_tables(self, kb: KnowledgeBase) -> None:
        """Markers, procedure steps, conventional treatments and holders are rows naming their parent and position."""
        steps = [(t.id, n, s.kind.value, s.description) for t in kb.therapies for n, s in enumerate(t.procedure)]
        keys: tuple[str, ...] = ("therapy_id", "position", "kind", "description")
        assert steps == [tuple(row[k] for k in keys) for row in records(kb, "procedure_steps")]
        treatments = [
            (d.id, n, c.name, list(c.drawbacks), [r.reference_id for r in c.citations])
            for d in kb.disorders
            for n, c in enumerate(d.conventional_treatments)
        ]
        keys = ("disorder_id", "position", "name", "drawbacks", "reference_ids")
        assert treatments == [tuple(row[k] for k in keys) for row in records(kb, "conventional_treatments")]
        markers = [(c.id, n, list(m.names), m.expression.value) for c in kb.cell_types for n, m in enumerate(c.markers)]
        keys = ("cell_type_id", "position", "names", "expression")
        assert markers == [tuple(row[k] for k in keys) for row in records(kb, "markers")]
        holders = [(p.id, n, h.name, list(h.jurisdictions)) for p in kb.products for n, h in enumerate(p.holders)]
        keys = ("product_id", "position", "name", "jurisdictions")
        assert holders == [tuple(row[k] for k in keys) for row in records(kb, "product_holders")]

    def test_no_cell_holds_a_nested_record(self) -> None:
        """No collection table keeps a list of nested records: every one is a child table (citations are reference_ids)."""
        for kind, cls in RECORD_TYPES.items():
            attrs.resolve_types(cls)
            for field in attrs.fields(cls):
                item = typing.get_args(field.type)[0] if typing.get_args(field.type) else None
                if field.name != "citations" and isinstance(item, type) and attrs.has(item):
                    assert field.name not in columns(kind), (kind, field.name)
        for table in TABLES:
            for row in records(load(), table):
                for key, value in row.items():
                    items = value if isinstance(value, list) else [value]
                    assert not any(isinstance(v, str) and v.startswith('{"') for v in items), (table, key, value)

    def test_bundled_reference_row(self) -> None:
        """A known reference exports with its kind, tier and identifiers as strings."""
        row = next(r for r in records(load(), "references") if r["id"] == "burt2019-mist")
        assert ("randomized-trial", "authoritative", "10.1001/jama.2018.18743") == (
            row["kind"],
            row["tier"],
            row["doi"],
        )

    def test_unknown_table_is_an_invalid_argument_with_a_suggestion(self) -> None:
        """An unknown table raises InvalidArgumentError("table", ...), a ValueError, suggesting the closest table and listing them all."""
        with pytest.raises(ValueError, match=r"^table: ") as caught:
            records(load(), "finding")
        error = caught.value
        assert isinstance(error, InvalidArgumentError)
        assert "table" == error.argument
        assert "'finding' is not a table; did you mean 'findings'" in str(error)
        assert "no record matches" not in str(error)
        for table in TABLES:
            assert table in str(error)

    @pytest.mark.parametrize(
        "function",
        [columns, column_types, lambda t: records(load(), t), lambda t: write_csv(load(), t, io.StringIO())],
        ids=["columns", "column_types", "records", "write_csv"],
    )
    def test_every_entry_point_checks_the_table(self, function: Any) -> None:
        """columns(), column_types(), records() and the writers all reject an unknown table the same way."""
        with pytest.raises(InvalidArgumentError, match=r"^table: 'no-such-table' is not a table"):
            function("no-such-table")

    def test_a_table_name_must_be_text(self) -> None:
        """A table given as something other than a string is an ArgumentTypeError naming the argument."""
        with pytest.raises(ArgumentTypeError, match=r"^table: expected a table name"):
            columns(5)  # type: ignore[arg-type]

    def test_empty_knowledge_base_gives_empty_tables(self) -> None:
        """A knowledge base without records gives empty tables that still have columns."""
        kb = KnowledgeBase(version="0")
        for table in TABLES:
            assert [] == records(kb, table)
            assert columns(table)


needs_pandas = pytest.mark.skipif(find_spec("pandas") is None, reason='needs pip install "stemimmune[pandas]"')


class TestDataFrame:
    @needs_pandas
    @settings(deadline=None)  # the first example imports pandas
    @given(knowledge_bases())
    def test_columns_and_rows_match_records(self, kb: KnowledgeBase) -> None:
        """The DataFrame has the record keys as columns and one row per record."""
        for table in TABLES:
            frame = dataframe(kb, table)
            assert list(columns(table)) == list(frame.columns)
            assert len(records(kb, table)) == len(frame)

    @needs_pandas
    def test_list_columns_stay_lists(self) -> None:
        """reference_ids and xrefs hold Python lists, equal to those of the records."""
        kb = load()
        frame = dataframe(kb, "disorders")
        rows = records(kb, "disorders")
        assert [row["xrefs"] for row in rows] == list(frame["xrefs"])
        assert all(type(value) is list for value in frame["reference_ids"])

    @needs_pandas
    def test_empty_table_has_columns(self) -> None:
        """An empty table gives an empty DataFrame with the table's columns."""
        frame = dataframe(KnowledgeBase(version="0"), "findings")
        assert 0 == len(frame)
        assert list(columns("findings")) == list(frame.columns)

    def test_missing_pandas_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without pandas, dataframe() raises ImportError telling how to install the extra."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(ImportError, match=r'pip install "stemimmune\[pandas\]"'):
            dataframe(load(), "findings")

    def test_unknown_table_beats_missing_pandas(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An unknown table is reported even when pandas is missing."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(InvalidArgumentError):
            dataframe(load(), "no-such-table")


class TestCsv:
    @given(knowledge_bases())
    def test_round_trip_keeps_rows_and_ids(self, kb: KnowledgeBase) -> None:
        """Reading the CSV back gives the header, the row count and the ids of the records."""
        for table in TABLES:
            stream = io.StringIO(newline="")
            write_csv(kb, table, stream)
            stream.seek(0)
            reader = csv.DictReader(stream)
            back = list(reader)
            rows = records(kb, table)
            assert list(columns(table)) == reader.fieldnames
            assert len(rows) == len(back)
            key = "id" if table in RECORD_TYPES else columns(table)[0]
            assert [row[key] for row in rows] == [row[key] for row in back]

    @given(knowledge_bases())
    def test_lists_are_json_arrays_and_none_is_empty(self, kb: KnowledgeBase) -> None:
        """List cells are JSON arrays of the items (as the docstring says) and None cells are empty."""
        stream = io.StringIO(newline="")
        write_csv(kb, "disorders", stream)
        stream.seek(0)
        for row, back in zip(records(kb, "disorders"), csv.DictReader(stream), strict=True):
            synonyms = row["synonyms"]
            assert isinstance(synonyms, list)
            assert synonyms == json.loads(back["synonyms"])
            assert ("" if row["description"] is None else row["description"]) == back["description"]

    def test_writes_only_to_the_stream(self) -> None:
        """write_csv writes a header line first, to the stream it is given."""
        stream = io.StringIO(newline="")
        write_csv(load(), "citations", stream)
        assert stream.getvalue().startswith("record_kind,record_id,field,reference_id,locator\r\n")


class TestJson:
    @given(knowledge_bases())
    def test_round_trip_gives_the_records(self, kb: KnowledgeBase) -> None:
        """The JSON is a list of objects, with sorted keys, equal to the records."""
        for table in TABLES:
            stream = io.StringIO()
            write_json(kb, table, stream)
            text = stream.getvalue()
            back = json.loads(text)
            assert records(kb, table) == back
            assert all(list(item) == sorted(item) for item in back)
            assert text.endswith("\n")

    def test_two_space_indent(self) -> None:
        """Objects are indented by two spaces."""
        stream = io.StringIO()
        write_json(load(), "risks", stream)
        assert stream.getvalue().startswith('[\n  {\n    "description"')


ORDERED = {
    ("findings", "design"): EvidenceLevel,
    ("indications", "evidence_level"): EvidenceLevel,
    ("evidence", "evidence_level"): EvidenceLevel,
    ("evidence", "best_category"): EbmtCategory,
    ("references", "tier"): CredibilityTier,
    ("cell_types", "potency"): Potency,
    ("recommendations", "astct_category"): AstctCategory,
    ("trials", "phase"): TrialPhase,
}


class TestTypedDataFrame:
    @needs_pandas
    @pytest.mark.parametrize(("table", "column"), list(ORDERED))
    def test_ordered_vocabularies_are_ordered_categoricals(self, table: str, column: str) -> None:
        """Each ordered vocabulary column is an ordered Categorical in the enum's declaration order."""
        frame = dataframe(load(), table)
        assert frame[column].cat.ordered
        assert [m.value for m in ORDERED[table, column]] == list(frame[column].cat.categories)

    @needs_pandas
    def test_every_ordered_vocabulary_column_is_covered(self) -> None:
        """No column of an ordered vocabulary is left out of ORDERED (ConditioningIntensity sits in JSON steps)."""
        found = {
            (table, column)
            for table in TABLES
            for column, kind in column_types(table).items()
            if isinstance(kind, type) and issubclass(kind, enum.Enum) and hasattr(kind, "rank")
        }
        assert set(ORDERED) == found

    @needs_pandas
    def test_comparison_follows_the_evidence_not_the_alphabet(self) -> None:
        """evidence_level >= "observational" keeps non-randomised trials; sorting puts expert opinion first."""
        kb = load()
        frame = dataframe(kb, "indications")
        kept = set(frame[frame.evidence_level >= "observational"]["id"])
        assert {i.id for i in kb.indications if i.evidence_level >= EvidenceLevel.OBSERVATIONAL} == kept
        assert "nonrandomized-trial" in set(frame.loc[frame["id"].isin(kept), "evidence_level"])
        ordered = list(frame.sort_values("evidence_level")["evidence_level"])
        assert sorted((i.evidence_level for i in kb.indications), key=lambda e: e.rank) == ordered

    @needs_pandas
    def test_counts_and_years_are_nullable_integers(self) -> None:
        """n and year are Int64 with missing values as NA, never floats like 110.0."""
        kb = load()
        findings = dataframe(kb, "findings")
        references = dataframe(kb, "references")
        assert "Int64" == str(findings["n"].dtype)
        assert "Int64" == str(references["year"].dtype)
        assert [f.n for f in kb.findings] == [None if v is pd_na() else int(v) for v in findings["n"]]
        assert findings["n"].isna().any()

    @needs_pandas
    def test_follow_up_months_beside_the_text(self) -> None:
        """Findings with at least 2 years of follow-up are one comparison away."""
        kb = load()
        frame = dataframe(kb, "findings")
        columns_ = list(frame.columns)
        assert columns_.index("follow_up") + 1 == columns_.index("follow_up_months_low")
        long = set(frame[frame.follow_up_months_low >= 24]["id"])
        assert {f.id for f in kb.findings if (follow_up_months(f.follow_up)[0] or 0) >= 24} == long
        assert long

    @needs_pandas
    def test_evidence_table_answers_in_one_line(self) -> None:
        """Disorders with randomised evidence for a stem-cell therapy: one line on the evidence table."""
        kb = load()
        frame = dataframe(kb, "evidence")
        answer = set(frame[frame.stem_cell & (frame.evidence_level >= "randomized-trial")]["disorder_id"])
        expected = {
            i.disorder_id
            for i in kb.indications
            if i.evidence_level is EvidenceLevel.RANDOMIZED_TRIAL and kb.get(i.therapy_id, Therapy).is_stem_cell_therapy
        }
        assert expected == answer
        assert answer

    def test_evidence_rows_join_names_and_best_category(self) -> None:
        """Each evidence row names its therapy and disorder and carries the strongest guideline category in force."""
        kb = load()
        for row, indication in zip(records(kb, "evidence"), kb.indications, strict=True):
            therapy = kb.get(indication.therapy_id, Therapy)
            assert (indication.id, therapy.name, therapy.is_stem_cell_therapy) == (
                row["indication_id"],
                row["therapy_name"],
                row["stem_cell"],
            )
            assert kb.get(indication.disorder_id, Disorder).name == row["disorder_name"]
            categories = [c for r in kb.recommendations_for(indication, latest=True) for c in r.categories]
            assert (max(categories).value if categories else None) == row["best_category"]


def pd_na() -> Any:
    import pandas as pd

    return pd.NA


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 year", (12.0, 12.0)),
        ("24 weeks", (5.5, 5.5)),
        ("7-36 months (mean 18.8)", (7.0, 36.0)),
        ("3 months to 16.5 years", (3.0, 198.0)),
        ("median 6.7 years (range 3.9-12.7)", (46.8, 152.4)),
        ("median 2 years (mean 2.8)", (24.0, 24.0)),
        ("at least 12 months", (12.0, None)),
        ("up to 60 months", (None, 60.0)),
        ("day 28", (0.9, 0.9)),
        ("recruitment 2001-2009, followed to 31 October 2013", (None, None)),
        ("several years", (None, None)),
        (None, (None, None)),
    ],
)
def test_follow_up_months(text: str | None, expected: tuple[float | None, float | None]) -> None:
    """Follow-up text becomes months where it states them unambiguously, and nothing otherwise."""
    assert expected == follow_up_months(text)


@pytest.fixture(name="folder", scope="module")
def _folder(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("tables")
    write_tables(load(), folder)
    return folder


class TestWriteTables:
    def test_writes_every_table_as_csv_and_parquet(self, folder: Any) -> None:
        """Every table is written as CSV and Parquet, with datapackage.json beside them."""
        assert {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {"datapackage.json"} == {
            p.name for p in folder.iterdir()
        }

    def test_data_package_is_valid(self, folder: Any) -> None:
        """frictionless validates every file against its schema, keys included."""
        frictionless = pytest.importorskip("frictionless")
        report = frictionless.validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]

    def test_data_package_declares_keys(self, folder: Any) -> None:
        """Collection tables have id as primary key; link columns are foreign keys to their tables."""
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        resources = {r["name"]: r["schema"] for r in package["resources"]}
        assert ["id"] == resources["findings"]["primaryKey"]
        assert {"fields": ["therapy_id"], "reference": {"resource": "therapies", "fields": ["id"]}} in resources[
            "indications"
        ]["foreignKeys"]
        assert {"fields": ["reference_id"], "reference": {"resource": "references", "fields": ["id"]}} in resources[
            "citations"
        ]["foreignKeys"]
        parents = {
            "markers": ("cell_type_id", "cell-types"),
            "procedure-steps": ("therapy_id", "therapies"),
            "conventional-treatments": ("disorder_id", "disorders"),
            "product-holders": ("product_id", "products"),
        }
        for child, (key, parent) in parents.items():
            assert [key, "position"] == resources[child]["primaryKey"]
            assert {"fields": [key], "reference": {"resource": parent, "fields": ["id"]}} in resources[child][
                "foreignKeys"
            ]
        design = next(f for f in resources["findings"]["fields"] if f["name"] == "design")
        assert [m.value for m in EvidenceLevel] == design["constraints"]["enum"]
        n = next(f for f in resources["findings"]["fields"] if f["name"] == "n")
        assert "integer" == n["type"]
        assert load().version == package["version"]

    def test_a_broken_foreign_key_is_caught(self, folder: Any, tmp_path: Any) -> None:
        """The package's foreign keys are checked: a finding pointing at no indication fails validation."""
        frictionless = pytest.importorskip("frictionless")
        for path in folder.iterdir():
            (tmp_path / path.name).write_bytes(path.read_bytes())
        findings = tmp_path / "findings.csv"
        text = findings.read_text(encoding="utf-8")
        first = load().findings[0]
        findings.write_text(text.replace(f"{first.id},{first.indication_id}", f"{first.id},no-such-indication", 1))
        report = frictionless.validate(str(tmp_path / "datapackage.json"))
        assert not report.valid
        assert "foreign-key" in {row[0] for row in report.flatten(["type"])}

    def test_parquet_keeps_types(self, folder: Any) -> None:
        """Parquet columns are typed: integers, booleans and lists stay what they are."""
        parquet = pytest.importorskip("pyarrow.parquet")
        findings = parquet.read_table(folder / "findings.parquet")
        assert "int64" == str(findings.schema.field("n").type)
        assert "string" == str(findings.schema.field("reference_ids").type.value_type)
        assert records(load(), "findings") == findings.to_pylist()

    def test_a_child_row_without_its_parent_is_caught(self, folder: Any, tmp_path: Any) -> None:
        """A procedure step naming no therapy, or a repeated position, fails validation."""
        frictionless = pytest.importorskip("frictionless")
        for path in folder.iterdir():
            (tmp_path / path.name).write_bytes(path.read_bytes())
        steps = tmp_path / "procedure_steps.csv"
        text = steps.read_text(encoding="utf-8")
        first = text.splitlines()[1]
        steps.write_text(f"{text}{first}\nno-such-therapy,0,infusion,Cells are given.,,\n", encoding="utf-8")
        report = frictionless.validate(str(tmp_path / "datapackage.json"))
        assert {"foreign-key", "primary-key"} <= {row[0] for row in report.flatten(["type"])}

    def test_parquet_vocabularies_and_counts_are_typed(self, folder: Any) -> None:
        """Vocabulary columns are dictionaries of the vocabulary in order (ordered if it is); pandas and DuckDB read them."""
        parquet = pytest.importorskip("pyarrow.parquet")
        duckdb = pytest.importorskip("duckdb")
        evidence = parquet.read_table(folder / "evidence.parquet")
        level = evidence.schema.field("evidence_level").type
        assert "dictionary" == str(level).split("<")[0]
        assert level.ordered
        frame = evidence.to_pandas()
        assert [m.value for m in EvidenceLevel] == list(frame.evidence_level.cat.categories)
        assert frame.evidence_level.cat.ordered
        category = parquet.read_table(folder / "disorders.parquet").schema.field("category").type
        assert not category.ordered
        trials = parquet.read_table(folder / "trials.parquet")
        assert "int64" == str(trials.schema.field("enrollment").type)
        assert [m.value for m in TrialPhase] == list(trials.to_pandas().phase.cat.categories)
        steps = parquet.read_table(folder / "procedure_steps.parquet")
        assert "int64" == str(steps.schema.field("position").type)
        described = duckdb.sql(f"DESCRIBE SELECT * FROM '{folder / 'trials.parquet'}'").fetchall()  # noqa: S608 - a test path
        types = {row[0]: row[1] for row in described}
        assert ("BIGINT", "VARCHAR") == (types["enrollment"], types["phase"])
        recruiting = duckdb.sql(
            f"SELECT count(*) FROM '{folder / 'trials.parquet'}' WHERE status = 'recruiting'"  # noqa: S608 - a test path
        ).fetchall()
        assert [(len(load().find_trials(status="recruiting")),)] == recruiting

    def test_parquet_refused_without_pyarrow(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
        """parquet=True without pyarrow names the extra; the default writes CSV only."""
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        with pytest.raises(ImportError, match=r"stemimmune\[parquet\]"):
            write_tables(load(), tmp_path / "a", parquet=True)
        written = write_tables(load(), tmp_path / "b")
        assert not [p for p in written if p.suffix == ".parquet"]


# Every query that returns Results, with the table its documentation names, and the
# arguments to try it with: over the bundled data, some give no result, some one, some many.
_RESULT_QUERIES: Final[list[tuple[str, str | None, Any, Any]]] = [
    ("therapies_for", "evidence", lambda kb, d: kb.therapies_for(d), lambda kb: kb.disorders),
    ("find_indications", "indications", lambda kb, d: kb.find_indications(disorder=d), lambda kb: kb.disorders),
    ("find_therapies", "therapies", lambda kb, d: kb.find_therapies(disorder=d), lambda kb: kb.disorders),
    ("find_products", "products", lambda kb, d: kb.find_products(disorder=d), lambda kb: kb.disorders),
    ("find_trials", "trials", lambda kb, d: kb.find_trials(disorder=d), lambda kb: kb.disorders),
    ("recommendations_for", "recommendations", lambda kb, i: kb.recommendations_for(i), lambda kb: kb.indications),
    ("references_for", "references", lambda kb, r: kb.references_for(r), lambda kb: [*kb.risks, *kb.disorders]),
    ("ancestors", "cell_types", lambda kb, c: kb.ancestors(c), lambda kb: kb.cell_types),
    ("descendants", "cell_types", lambda kb, c: kb.descendants(c), lambda kb: kb.cell_types),
    (
        "search",
        None,
        lambda kb, a: kb.search(a[0], limit=a[1]),
        lambda _: [("zzzzqqqq", 5), ("lupus", 1), ("lupus", 5)],
    ),
]

#: The columns of search hits, as Results.to_frame() documents them.
_HIT_COLUMNS: Final = ("score", "kind", "id", "matched")


def _by_length(query: Any, arguments: Any) -> dict[str, Any]:
    """The first result of no, one and several items that *query* gives over *arguments*."""
    kb = load()
    found: dict[str, Any] = {}
    for argument in arguments(kb):
        result = query(kb, argument)
        found.setdefault("none" if not result else "one" if len(result) == 1 else "many", result)
    return found


class TestResultFrames:
    @needs_pandas
    @pytest.mark.parametrize(
        ("name", "table", "query", "arguments"), _RESULT_QUERIES, ids=[q[0] for q in _RESULT_QUERIES]
    )
    def test_columns_and_types_do_not_depend_on_the_length(
        self, name: str, table: str | None, query: Any, arguments: Any
    ) -> None:
        """to_frame() has its table's columns and types, whether the query found nothing, one result or many."""
        found = _by_length(query, arguments)
        assert {"none", "one", "many"} == set(found), f"{name}: the data should give every length"
        declared = _HIT_COLUMNS if table is None else columns(table)
        frames = {length: result.to_frame() for length, result in found.items()}
        for length, frame in frames.items():
            assert list(declared) == list(frame.columns), (name, length)
            assert len(found[length]) == len(frame)
        assert frames["none"].dtypes.to_dict() == frames["many"].dtypes.to_dict()
        assert frames["one"].dtypes.to_dict() == frames["many"].dtypes.to_dict()
        if table is not None:  # the same types as the table itself
            assert dataframe(load(), table).dtypes.to_dict() == frames["many"].dtypes.to_dict()

    @needs_pandas
    def test_an_empty_answer_has_the_columns_of_a_full_one(self) -> None:
        """A disorder without evidence gives the eleven evidence columns (ranks included), so notebook code written on MS runs on it."""
        kb = load()
        empty = kb.therapies_for("autoimmune haemolytic anaemia")
        assert 0 == len(empty)
        frame = empty.to_frame()
        assert list(kb.therapies_for("MS").to_frame().columns) == list(frame.columns)
        assert 11 == len(frame.columns)
        assert 0 == len(frame[frame.evidence_level >= "observational"])

    @needs_pandas
    def test_recommendations_keep_their_indication_s_ids(self) -> None:
        """The recommendations of an indication carry its id, therapy and disorder, as the recommendations table does."""
        kb = load()
        indication = next(i for i in kb.indications if len(i.recommendations) > 1)
        frame = kb.recommendations_for(indication).to_frame()
        assert {indication.id} == set(frame["indication_id"])
        assert {indication.therapy_id} == set(frame["therapy_id"])
        assert {indication.disorder_id} == set(frame["disorder_id"])
        table = [r for r in records(kb, "recommendations") if r["indication_id"] == indication.id]
        assert sorted(str(r["reference_id"]) for r in table) == sorted(frame["reference_id"])

    @needs_pandas
    def test_the_table_survives_pickling(self) -> None:
        """An empty result still has its columns after a pickle round trip."""
        kb = load()
        studied = {d for t in kb.trials for d in t.disorder_ids}
        leaf = next(d.id for d in kb.disorders if d.id not in studied and not kb.find_trials(disorder=d.id))
        empty = kb.find_trials(disorder=leaf)
        assert 0 == len(empty)
        back = pickle.loads(pickle.dumps(empty))  # noqa: S301 - our own bytes
        assert list(columns("trials")) == list(back.to_frame().columns)

    @needs_pandas
    def test_results_built_by_hand_take_the_table_of_their_items(self) -> None:
        """Results of records of one kind, built without saying so, have that collection's columns."""
        kb = load()
        assert list(columns("trials")) == list(Results(kb.trials[:2]).to_frame().columns)
        assert list(columns("recommendations")) == list(Results(kb.indications[0].recommendations).to_frame().columns)
        assert ["value"] == list(Results([1, 2]).to_frame().columns)
