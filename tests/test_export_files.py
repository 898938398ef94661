"""Exports written to files: they never destroy, lists and formulas survive as documented, ranks sort."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import pathlib
from pathlib import Path
from typing import Any

import attrs
import pytest

import stemimmune
from stemimmune import ArgumentTypeError, DatasetError, InvalidArgumentError, KnowledgeBase, export, load
from stemimmune.cli import main
from stemimmune.model import Disorder
from stemimmune.vocabulary import EvidenceLevel, TrialPhase, Vocabulary


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under *folder* (relative name: content)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _with_disorder(kb: KnowledgeBase, **changes: Any) -> tuple[KnowledgeBase, Disorder]:
    """*kb* with its first disorder changed by *changes*; the changed disorder."""
    changed = attrs.evolve(kb.disorders[0], **changes)
    return attrs.evolve(kb, disorders=(changed, *kb.disorders[1:])), changed


def _csv_rows(kb: KnowledgeBase, table: str, **options: Any) -> list[dict[str, str]]:
    stream = io.StringIO(newline="")
    export.write_csv(kb, table, stream, **options)
    return list(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))


# ------------------------------------------------------------------ arguments first


class TestArgumentsFirst:
    def test_a_mistyped_table_leaves_the_output_file_alone(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`export product-holders --output holders.csv` (a typo) exits 2 and keeps the user's file as it was."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "holders.csv").write_text("my own data\n", encoding="utf-8")
        assert 2 == main(["export", "product-holders", "--output", "holders.csv"])
        assert "product_holders" in capsys.readouterr().err
        assert {"holders.csv": b"my own data\n"} == _snapshot(tmp_path)

    def test_a_failing_single_table_export_keeps_the_old_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A failure while the table is written (a full disk) leaves the old file and no temporary file."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "findings.csv").write_text("old export\n", encoding="utf-8")

        def full(*_: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(export, "records", full)
        assert 2 == main(["export", "findings", "--output", "findings.csv"])
        assert "no space left" in capsys.readouterr().err
        assert {"findings.csv": b"old export\n"} == _snapshot(tmp_path)

    def test_a_single_table_export_replaces_the_file_and_leaves_nothing_else(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--output replaces the file with the table, and no temporary file stays beside it."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "citations.csv").write_text("old export\n", encoding="utf-8")
        assert 0 == main(["export", "citations", "--output", "citations.csv"])
        capsys.readouterr()
        expected = io.StringIO(newline="")
        export.write_csv(load(), "citations", expected)
        assert {"citations.csv": expected.getvalue().encode("utf-8")} == _snapshot(tmp_path)

    def test_an_empty_folder_is_refused(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """write_tables(kb, "") and `export --all ""` refuse, and write nothing to the current folder."""
        monkeypatch.chdir(tmp_path)
        with pytest.raises(InvalidArgumentError) as caught:
            export.write_tables(load(), "")
        assert "folder" == caught.value.argument
        assert 2 == main(["export", "--all", ""])
        assert "--all" in capsys.readouterr().err
        assert [] == list(tmp_path.iterdir())

    def test_a_file_is_not_a_folder(self, tmp_path: Path) -> None:
        """write_tables() refuses a path that is a file, and leaves the file as it was."""
        (tmp_path / "tables").write_text("mine", encoding="utf-8")
        with pytest.raises(InvalidArgumentError, match="is a file"):
            export.write_tables(load(), tmp_path / "tables", parquet=False)
        assert {"tables": b"mine"} == _snapshot(tmp_path)

    @pytest.mark.parametrize(
        ("argument", "call"),
        [
            pytest.param(
                "parquet",
                lambda kb, folder: export.write_tables(kb, folder, parquet="no"),  # type: ignore[arg-type]
                id="parquet-text",
            ),
            pytest.param("parquet", lambda kb, folder: export.write_tables(kb, folder, parquet=0), id="parquet-int"),  # type: ignore[arg-type]
            pytest.param(
                "spreadsheet_safe",
                lambda kb, folder: export.write_tables(kb, folder, spreadsheet_safe="yes"),  # type: ignore[arg-type]
                id="spreadsheet-safe-text",
            ),
            pytest.param("kb", lambda _, folder: export.write_tables(None, folder), id="kb-none"),  # type: ignore[arg-type]
            pytest.param("folder", lambda kb, _: export.write_tables(kb, 5), id="folder-int"),  # type: ignore[arg-type]
            pytest.param("folder", lambda kb, _: export.write_tables(kb, b"tables"), id="folder-bytes"),  # type: ignore[arg-type]
            pytest.param("stream", lambda kb, _: export.write_csv(kb, "findings", io.BytesIO()), id="stream-binary"),  # type: ignore[arg-type]
            pytest.param("stream", lambda kb, _: export.write_json(kb, "findings", None), id="stream-none"),  # type: ignore[arg-type]
            pytest.param(
                "kb",
                lambda _, __: export.write_csv({"findings": []}, "findings", io.StringIO()),  # type: ignore[arg-type]
                id="kb-mapping",
            ),
            pytest.param(
                "spreadsheet_safe",
                lambda kb, _: export.write_csv(kb, "findings", io.StringIO(), spreadsheet_safe=1),  # type: ignore[arg-type]
                id="spreadsheet-safe-int",
            ),
            pytest.param("kb", lambda _, __: export.records("kb", "findings"), id="records-kb"),  # type: ignore[arg-type]
            pytest.param("kb", lambda _, __: export.datapackage(None), id="datapackage-kb"),  # type: ignore[arg-type]
        ],
    )
    def test_wrong_types_are_argument_type_errors(
        self, argument: str, call: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An argument of the wrong type is an ArgumentTypeError naming it, and nothing is written."""
        monkeypatch.chdir(tmp_path)
        with pytest.raises(ArgumentTypeError) as caught:
            call(load(), tmp_path / "tables")
        assert argument == caught.value.argument
        assert [] == list(tmp_path.iterdir())


# ------------------------------------------------------------------ swapping a whole export in


class TestWholeExport:
    def test_a_rerun_without_parquet_leaves_no_parquet_file(self, tmp_path: Path) -> None:
        """Re-exporting without Parquet removes the Parquet files the first export wrote, and only those."""
        pytest.importorskip("pyarrow")
        folder = tmp_path / "tables"
        export.write_tables(load(), folder, parquet=True)
        (folder / "notes.txt").write_text("mine", encoding="utf-8")
        (folder / "mine.parquet").write_bytes(b"mine")
        written = export.write_tables(load(), folder, parquet=False)
        assert {p.name for p in written} | {"notes.txt", "mine.parquet"} == {p.name for p in folder.iterdir()}
        assert {f"{t}.csv" for t in export.TABLES} | {"datapackage.json"} == {p.name for p in written}
        assert [folder] == list(tmp_path.iterdir())

    def test_an_export_of_an_earlier_version_is_recognised(self, tmp_path: Path) -> None:
        """A descriptor without the file list (as earlier versions wrote) still owns its CSV and Parquet files."""
        pytest.importorskip("pyarrow")
        folder = tmp_path / "tables"
        export.write_tables(load(), folder, parquet=True)
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        del descriptor[export.FILES_KEY]
        (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        export.write_tables(load(), folder, parquet=False)
        assert not list(folder.glob("*.parquet"))

    def test_a_failure_midway_leaves_the_old_export(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A failure while the tables are written leaves the old export byte for byte, and no temporary folder."""
        parquet = pytest.importorskip("pyarrow.parquet")
        folder = tmp_path / "tables"
        export.write_tables(load(), folder, parquet=True)
        before = _snapshot(folder)
        real, calls = parquet.write_table, []

        def fail_on_the_fifteenth(*args: Any, **kwargs: Any) -> None:
            calls.append(1)
            if len(calls) == 15:  # after disorders, the table that changes
                raise OSError(errno.ENOSPC, "No space left on device")
            real(*args, **kwargs)

        monkeypatch.setattr(parquet, "write_table", fail_on_the_fifteenth)
        kb, _ = _with_disorder(load(), name="Changed name")
        with pytest.raises(OSError, match="No space"):
            export.write_tables(kb, folder, parquet=True)
        assert before == _snapshot(folder)
        assert [folder] == list(tmp_path.iterdir())

    def test_a_failure_while_moving_in_puts_the_old_files_back(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failure while the new files replace the old ones puts every old file back, and removes the rest."""
        folder = tmp_path / "tables"
        export.write_tables(load(), folder, parquet=False)
        (folder / "notes.txt").write_text("mine", encoding="utf-8")
        before = _snapshot(folder)
        real, moved = pathlib.Path.replace, []

        def fail_on_the_tenth_into_the_folder(self: Path, target: Any) -> Path:
            if Path(target).parent == folder:
                moved.append(target)
                if len(moved) == 10:
                    raise OSError(errno.EIO, "I/O error")
            return real(self, target)

        monkeypatch.setattr(pathlib.Path, "replace", fail_on_the_tenth_into_the_folder)
        kb, _ = _with_disorder(load(), name="Changed name")
        with pytest.raises(OSError, match="I/O error"):
            export.write_tables(kb, folder, parquet=False)
        assert before == _snapshot(folder)
        assert [folder] == list(tmp_path.iterdir())

    def test_a_new_export_replaces_the_old_one(self, tmp_path: Path) -> None:
        """Written over an old export, the folder holds the new tables."""
        folder = tmp_path / "tables"
        export.write_tables(load(), folder, parquet=False)
        kb, changed = _with_disorder(load(), name="Changed name")
        export.write_tables(kb, folder, parquet=False)
        with (folder / "disorders.csv").open(encoding="utf-8", newline="") as stream:
            names = {row["id"]: row["name"] for row in csv.DictReader(stream)}
        assert "Changed name" == names[changed.id]
        assert [folder] == list(tmp_path.iterdir())

    @pytest.mark.parametrize(
        "theirs",
        [
            {"findings.csv": b"their own findings"},
            {"datapackage.json": b'{"name": "their-package", "resources": []}'},
            {"datapackage.json": b"not json"},
        ],
    )
    def test_files_the_export_did_not_write_are_never_replaced(self, tmp_path: Path, theirs: dict[str, bytes]) -> None:
        """A file of a name the export writes, not listed by a stemimmune datapackage.json, makes it refuse."""
        folder = tmp_path / "tables"
        folder.mkdir()
        for name, data in theirs.items():
            (folder / name).write_bytes(data)
        with pytest.raises(InvalidArgumentError, match="no stemimmune export wrote"):
            export.write_tables(load(), folder, parquet=False)
        assert theirs == _snapshot(folder)
        assert [folder] == list(tmp_path.iterdir())

    def test_the_cli_refuses_a_folder_of_someone_else_s_files(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`export --all DIR` over a file the export did not write exits 2 naming --all, and leaves it."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "tables").mkdir()
        (tmp_path / "tables" / "findings.csv").write_text("mine", encoding="utf-8")
        assert 2 == main(["export", "--all", "tables"])
        assert "--all: " in capsys.readouterr().err
        assert {"tables/findings.csv": b"mine"} == _snapshot(tmp_path)

    def test_a_descriptor_names_only_export_files(self, tmp_path: Path) -> None:
        """Names in a doctored datapackage.json other than the export's own kinds of file are never removed."""
        folder = tmp_path / "tables"
        export.write_tables(load(), folder, parquet=False)
        (tmp_path / "victim.csv").write_text("keep me", encoding="utf-8")
        (folder / "sub").mkdir()
        theirs = {"notes.txt": b"mine", "mine.json": b"{}", "sub/mine.csv": b"mine"}
        for name, data in theirs.items():
            (folder / name).write_bytes(data)
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        descriptor[export.FILES_KEY] += [*theirs, "../victim.csv", str(tmp_path / "victim.csv")]
        (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        export.write_tables(load(), folder, parquet=False)
        assert theirs.items() <= _snapshot(folder).items()
        assert "keep me" == (tmp_path / "victim.csv").read_text(encoding="utf-8")


# ------------------------------------------------------------------ lists and formulas in CSV


class TestCsvCells:
    def test_lists_with_the_old_separator_survive_a_round_trip(self) -> None:
        """Items holding '|', commas, quotes or brackets come back as the same list (a JSON array per cell)."""
        items = ("a|b", 'say "c", d', "[e]", "|")
        kb, changed = _with_disorder(load(), synonyms=items)
        back = next(row for row in _csv_rows(kb, "disorders") if row["id"] == changed.id)
        assert list(items) == json.loads(back["synonyms"])

    def test_frictionless_reads_list_columns_as_lists(self, tmp_path: Path) -> None:
        """datapackage.json declares list columns as arrays, so frictionless reads back the items themselves."""
        frictionless = pytest.importorskip("frictionless")
        items = ("a|b", "c")
        kb, changed = _with_disorder(load(), synonyms=items)
        export.write_tables(kb, tmp_path / "tables", parquet=False)
        package = frictionless.Package(str(tmp_path / "tables" / "datapackage.json"))
        rows = package.get_resource("disorders").read_rows()
        assert list(items) == next(row["synonyms"] for row in rows if row["id"] == changed.id)

    def test_formulas_are_written_as_they_are_by_default(self) -> None:
        """By default a text cell is written unchanged, even when it starts like a formula."""
        kb, changed = _with_disorder(load(), description="=HYPERLINK(1)", synonyms=("+ve",))
        back = next(row for row in _csv_rows(kb, "disorders") if row["id"] == changed.id)
        assert "=HYPERLINK(1)" == back["description"]

    def test_spreadsheet_safe_quotes_every_formula_and_no_number(self) -> None:
        """With spreadsheet_safe, exactly the text cells starting with =, +, -, @, tab or CR get a leading quote."""
        kb, changed = _with_disorder(load(), description="@SUM(A1)", name="-not a number", synonyms=("+ve",))
        safe, plain = _csv_rows(kb, "disorders", spreadsheet_safe=True), _csv_rows(kb, "disorders")
        for row, plain_row, record in zip(safe, plain, export.records(kb, "disorders"), strict=True):
            for key, value in record.items():
                risky = isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
                assert (f"'{plain_row[key]}" if risky else plain_row[key]) == row[key], key
        assert "'@SUM(A1)" == next(r["description"] for r in safe if r["id"] == changed.id)
        findings = _csv_rows(load(), "findings", spreadsheet_safe=True)
        values = {row["id"]: row["effect_value"] for row in findings}
        assert "-1.7" == values["mist-edss-change-year-1"]

    def test_the_cli_writes_spreadsheet_safe_csv(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`export --spreadsheet-safe` writes what write_csv(..., spreadsheet_safe=True) writes; not with --json."""
        monkeypatch.chdir(tmp_path)
        assert 0 == main(["export", "findings", "--spreadsheet-safe"])
        expected = io.StringIO(newline="")
        export.write_csv(load(), "findings", expected, spreadsheet_safe=True)
        assert expected.getvalue().replace("\r\n", "\n") == capsys.readouterr().out.replace("\r\n", "\n")
        assert 2 == main(["export", "findings", "--json", "--spreadsheet-safe"])


# ------------------------------------------------------------------ every loaded value exports


class TestBounds:
    @pytest.mark.parametrize(("collection", "field"), [("findings", "n"), ("trials", "enrollment"), ("trials", "arms")])
    def test_a_count_beyond_a_billion_is_refused(self, collection: str, field: str) -> None:
        """A count of 10**20 is a dataset problem naming the field, not a crash when exported."""
        document = json.loads(stemimmune.dumps(load()))
        document[collection][0][field] = 10**20
        with pytest.raises(DatasetError, match=field):
            stemimmune.loads(json.dumps(document))

    def test_the_largest_counts_accepted_export(self, tmp_path: Path) -> None:
        """Counts at the bound load, and every table exports as CSV, Parquet and DataFrame."""
        pytest.importorskip("pyarrow")
        pytest.importorskip("pandas")
        largest = 999_999_999
        document = json.loads(stemimmune.dumps(load()))
        document["findings"][0]["n"] = largest
        trial = next(t for t in document["trials"] if t.get("enrollment_kind"))  # an enrolment needs its kind
        trial["enrollment"] = largest
        trial["arms"] = largest
        kb = stemimmune.loads(json.dumps(document))
        export.write_tables(kb, tmp_path / "tables", parquet=True)
        for table in export.TABLES:
            export.dataframe(kb, table)
        assert largest == export.dataframe(kb, "trials")["enrollment"].max()


# ------------------------------------------------------------------ ranks


def _ordered_columns() -> list[tuple[str, str, type[Vocabulary]]]:
    """(table, column, vocabulary) for every column holding an ordered vocabulary, from column_types()."""
    return [
        (table, name, kind)
        for table in export.TABLES
        for name, kind in export.column_types(table).items()
        if isinstance(kind, type) and issubclass(kind, Vocabulary) and hasattr(kind, "rank")
    ]


class TestRanks:
    def test_every_ordered_vocabulary_has_its_rank_beside_it(self) -> None:
        """Each ordered vocabulary column is followed by an integer rank: its position in the vocabulary, from 0."""
        found = _ordered_columns()
        assert {("trials", "phase"), ("evidence", "evidence_level"), ("references", "tier")} <= {
            (t, c) for t, c, _ in found
        }
        kb = load()
        for table, column, vocabulary in found:
            names = export.columns(table)
            rank = names[names.index(column) + 1]
            assert rank.endswith("_rank"), (table, column)
            assert int is export.column_types(table)[rank]
            terms = [member.value for member in vocabulary]
            for row in export.records(kb, table):
                assert (None if row[column] is None else terms.index(str(row[column]))) == row[rank]
        assert "evidence_rank" in export.columns("evidence")
        assert "phase_rank" in export.columns("trials")

    def test_the_data_package_declares_the_ranks(self) -> None:
        """In datapackage.json each rank column is an integer from 0 whose description says higher is stronger or later."""
        resources = {r["path"]: r["schema"]["fields"] for r in export.datapackage(load())["resources"]}
        for table, column, vocabulary in _ordered_columns():
            fields = resources[f"{table}.csv"]
            position = [f["name"] for f in fields].index(column)
            rank = fields[position + 1]
            assert "integer" == rank["type"]
            assert {"minimum": 0, "maximum": len(vocabulary) - 1} == rank["constraints"]
            assert column in rank["description"]
            assert ("later" if vocabulary is TrialPhase else "stronger") in rank["description"]

    def test_duckdb_orders_by_strength(self, tmp_path: Path) -> None:
        """ORDER BY evidence_rank in DuckDB follows EvidenceLevel's order, where ORDER BY evidence_level does not."""
        duckdb = pytest.importorskip("duckdb")
        export.write_tables(load(), tmp_path, parquet=False)
        path = str(tmp_path / "evidence.csv")
        by_rank_sql = f"SELECT evidence_level FROM read_csv('{path}') ORDER BY evidence_rank"  # noqa: S608 - a test path
        by_rank = [row[0] for row in duckdb.sql(by_rank_sql).fetchall()]
        assert sorted(by_rank, key=EvidenceLevel) == by_rank
        by_text_sql = f"SELECT evidence_level FROM read_csv('{path}') ORDER BY evidence_level"  # noqa: S608 - a test path
        by_text = [row[0] for row in duckdb.sql(by_text_sql).fetchall()]
        assert sorted(by_text, key=EvidenceLevel) != by_text


def test_no_rank_column_without_an_ordered_vocabulary() -> None:
    """Only ordered vocabularies get a rank: the unordered ones (disorder category, trial status) do not."""
    assert "category_rank" not in export.columns("disorders")
    assert "status_rank" not in export.columns("trials")
    assert os.sep not in export.FILES_KEY
