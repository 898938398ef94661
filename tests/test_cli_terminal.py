"""
The command line at a terminal: text fits ``COLUMNS``, ``--wide`` shows everything, errors speak in flags.

The oracles are the documented behaviour (docs/how-to/find-therapies.md, "From a
terminal", and ``stemimmune --help``) and the library's own answers, never the
command's rendering code.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stemimmune
from stemimmune._terminal import TextColumn, paragraph, table
from stemimmune.cli import main
from stemimmune.model import Indication, Product
from stemimmune.serialization import unstructure


KB = stemimmune.load()
TRIALS = sorted(KB.trials, key=lambda t: t.id)  # the order `stemimmune trials` lists them in (find_trials: by id)
README = Path(__file__).resolve().parent.parent / "README.md"
#: The widths the tests fit text to: the classic terminal, and a wide one.
WIDTHS = (80, 200)


def _readme_commands() -> list[list[str]]:
    """The stemimmune commands of the README's main job, as argument lists."""
    text = README.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "bin/stemimmune " in line)
    return [shlex.split(part.split("bin/stemimmune ", 1)[1]) for part in line.split("&&") if "bin/stemimmune " in part]


def _lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int | None, *argv: str
) -> list[str]:
    """Run the command with ``COLUMNS`` set to *width* (unset for None); return its output lines."""
    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(width))
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert 0 == status, err
    return out.splitlines()


def _too_long(lines: list[str], width: int) -> list[str]:
    return [line for line in lines if len(line) > width]


def _words(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = int(exc.code or 0)
    err = capsys.readouterr().err
    assert 2 == status, err
    assert 1 == len(err.strip().splitlines()), err
    return err


# ------------------------------------------------------------------ fitting the width


def test_the_readme_runs_stemimmune() -> None:
    """The README's main job is a therapies table and an indication's evidence (the commands the next tests run)."""
    assert [argv[0] for argv in _readme_commands()] == ["therapies", "evidence"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("argv", _readme_commands(), ids=lambda argv: argv[0])
def test_the_readme_main_job_fits_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], width: int
) -> None:
    """Every line of the README's main job is at most COLUMNS wide."""
    lines = _lines(capsys, monkeypatch, width, *argv)
    assert len(lines) > 3
    assert [] == _too_long(lines, width)


@pytest.mark.parametrize("width", [40, *WIDTHS])
@pytest.mark.parametrize(
    "argv",
    [
        ["trials"],
        ["trials", "SLE"],
        ["therapies", "GVHD"],
        ["evidence", "MS"],
        ["get", "Ryoncil"],
        ["get", "MS"],
        ["search", "lupus"],
        ["products"],
        ["products", "--on", "2020-01-01"],
        ["info"],
    ],
    ids=" ".join,
)
def test_every_command_fits_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], width: int
) -> None:
    """Whatever the command, no line is wider than COLUMNS."""
    assert [] == _too_long(_lines(capsys, monkeypatch, width, *argv), width)


def _title_cells(lines: list[str]) -> list[str]:
    """The title cells of the trials table: the text under the ``title`` heading (the last column)."""
    start = lines[1].index("title")
    return [line[start:] for line in lines[3 : 3 + len(TRIALS)]]


def test_trials_at_80_columns_keep_ids_whole_and_cut_titles(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80 columns each trial's registry id is whole; a title too long is cut, ending in ..., and says so."""
    lines = _lines(capsys, monkeypatch, 80, "trials")
    assert [] == _too_long(lines, 80)
    assert ["registry", "id", "phase", "status", "title"] == lines[1].split()  # the docs: as of, enrolment left out
    rows = lines[3 : 3 + len(TRIALS)]
    assert [t.registry_ids[0] for t in TRIALS] == [row.split()[0] for row in rows]
    titles = _title_cells(lines)
    cut = [cell for cell in titles if cell.endswith("...")]
    assert cut
    for cell, trial in zip(titles, TRIALS, strict=True):
        shown = cell.removesuffix("...").rstrip()
        assert (trial.title or "-").startswith(shown), (cell, trial.title)
    assert "--wide" in lines[-1] or "--wide" in lines[-2]


@pytest.mark.parametrize("width", [None, 80])
def test_trials_wide_shows_every_title_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int | None
) -> None:
    """--wide (or output that is not a terminal) shows every column and every title whole."""
    argv = ("trials",) if width is None else ("trials", "--wide")
    lines = _lines(capsys, monkeypatch, width, *argv)
    assert ["registry", "id", "phase", "status", "as", "of", "enrolment", "title"] == lines[1].split()
    assert [(t.title or "-") for t in TRIALS] == [cell.rstrip() for cell in _title_cells(lines)]
    assert not any("--wide" in line for line in lines)


_THERAPY_COLUMNS = ["therapy", "disorder", "evidence", "ebmt", "stem_cell", "indication"]


def test_therapies_at_80_columns_leave_out_the_indication_then_the_stem_cell_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The docs: at 80 columns the therapies table leaves out the indication id, then the stem-cell flag, and says so."""
    lines = _lines(capsys, monkeypatch, 80, "therapies", "multiple sclerosis")
    options = KB.therapies_for("multiple sclerosis")
    assert ["therapy", "disorder", "evidence", "ebmt"] == lines[1].split()
    assert [o.therapy.id for o in options] == [line.split()[0] for line in lines[3 : 3 + len(options)]]
    note = " ".join(lines[3 + len(options) :])
    assert "stem_cell, indication left out" in note
    assert "--wide" in note
    wider = _lines(capsys, monkeypatch, 110, "therapies", "multiple sclerosis")
    assert _THERAPY_COLUMNS[:-1] == wider[1].split()


@pytest.mark.parametrize(("width", "argv"), [(200, ()), (80, ("--wide",))])
def test_therapies_wide_shows_every_column_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int, argv: tuple[str, ...]
) -> None:
    """At 200 columns, or with --wide, the table has every column and every id whole, and no note."""
    lines = _lines(capsys, monkeypatch, width, "therapies", "multiple sclerosis", *argv)
    options = KB.therapies_for("multiple sclerosis")
    assert _THERAPY_COLUMNS == lines[1].split()
    rows = lines[3:]
    assert len(options) == len(rows)
    for option, row in zip(options, rows, strict=True):
        assert [option.therapy.id, option.disorder.id, option.evidence_level.value] == row.split()[:3]
        assert row.split()[-1] == option.indication.id
    assert not any("..." in line for line in lines)


def test_a_narrow_terminal_cuts_ids_before_losing_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 40 columns the options of evidence DISORDER still show indication, evidence and category, ids cut."""
    lines = _lines(capsys, monkeypatch, 40, "evidence", "MS")
    header = next(i for i, line in enumerate(lines) if line.startswith("indication"))
    assert ["indication", "evidence", "ebmt"] == lines[header].split()
    options = KB.evidence_summary("MS").options
    rows = lines[header + 2 : header + 2 + len(options)]
    for option, row in zip(options, rows, strict=True):
        cell = row.split()[0]
        assert cell.endswith("...")
        assert option.indication.id.startswith(cell.removesuffix("..."))
        assert option.evidence_level.value == row.split()[1]


@pytest.mark.parametrize("text", ["multipel sclerosis", "lupus"])
def test_search_at_80_columns_keeps_record_ids_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """The docs: search's record ids always stay whole; the kind and the score go first."""
    lines = _lines(capsys, monkeypatch, 80, "search", text)
    assert [] == _too_long(lines, 80)
    hits = KB.search(text)
    rows = lines[2 : 2 + len(hits)]
    for hit, row in zip(hits, rows, strict=True):
        assert hit.record.id in row.split()


# ------------------------------------------------------------------ wrapped text


def _indication() -> Indication:
    return max(KB.indications, key=lambda i: len(i.summary or ""))


def test_evidence_wraps_its_text_to_the_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """evidence INDICATION wraps the summary, findings and references to COLUMNS, losing no word."""
    indication = _indication()
    assert len(indication.summary or "") > 200  # a text that cannot fit one line
    lines = _lines(capsys, monkeypatch, 80, "evidence", indication.id)
    assert [] == _too_long(lines, 80)
    text = _words(lines)
    assert " ".join((indication.summary or "").split()) in text
    for finding in (f for f in KB.findings if f.indication_id == indication.id):
        assert " ".join(finding.result.split()) in text
    for reference in KB.references_for(indication, deep=True):
        assert " ".join(reference.title.split()) in text


def test_evidence_without_a_width_keeps_the_summary_on_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Output that is not a terminal has no width: the summary is one line."""
    indication = _indication()
    lines = _lines(capsys, monkeypatch, None, "evidence", indication.id)
    assert f"  {' '.join((indication.summary or '').split())}" in lines


def test_get_prints_nested_records_as_indented_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """get: each regulatory event is its own ``- jurisdiction:`` item with one field a line, long text wrapped."""
    product = KB.get("Ryoncil", Product)
    lines = _lines(capsys, monkeypatch, 80, "get", "Ryoncil")
    assert [] == _too_long(lines, 80)
    assert f"Product {product.id}" == lines[0]
    assert "  events:" in lines
    items = [line.strip() for line in lines if line.strip().startswith("- jurisdiction: ")]
    assert [f"- jurisdiction: {e.jurisdiction}" for e in product.events] == items
    assert not any("[{" in line or '{"' in line for line in lines)  # no JSON
    for event in product.events:
        assert any(line.strip() == f"agency: {event.agency}" for line in lines if event.agency)
    assert " ".join((product.description or "").split()) in _words(lines)


def test_get_json_is_the_record(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """get --json is still the record's JSON, whatever the width."""
    lines = _lines(capsys, monkeypatch, 80, "get", "Ryoncil", "--json")
    assert unstructure(KB.get("Ryoncil", Product)) == json.loads("\n".join(lines))


# ------------------------------------------------------------------ errors in the user's words


@pytest.mark.parametrize(
    ("argv", "expected", "not_expected"),
    [
        (["therapies", "MS", "--on", "2020-01-01"], "error: --on: needs --regulatory", "on: needs regulatory="),
        (["therapies", "MS", "--jurisdiction", "EU"], "error: --jurisdiction: needs --regulatory", "regulatory="),
        (["search", "lupus", "--kind", "disorder"], "error: --kind: 'disorder'", "kinds:"),
        (["search", "lupus", "--kind", "disorder"], "did you mean 'disorders'?", "kinds:"),
        (["export", "finding"], "did you mean 'findings'", "no record matches"),
        (["therapy", "MS"], "unknown command 'therapy'; did you mean 'therapies'?", "invalid choice"),
        (["trials", "--therapy", "SLE"], "error: --therapy='SLE': names a Disorder", "error: therapy="),
        (
            ["trials", "--phase", "phase-2", "--therapy", "nothing-of-the-kind"],
            "--therapy='nothing-of-the-kind'",
            "error: therapy=",
        ),
        (
            ["plot", "--output", "x.png", "--trial-status", "recruiting"],
            "--trial-status: needs --mark-trials",
            "mark_trials",
        ),
        (["products", "--on", "2024-02-30"], "error: --on: expected a real day", "error: on:"),
    ],
)
def test_errors_name_the_flags_as_typed(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str, not_expected: str
) -> None:
    """An error names the flag the user typed and suggests the closest command, table or kind; exit status 2."""
    err = _error(capsys, *argv)
    assert expected in err
    assert not_expected not in err


def test_no_arguments_print_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    """The documented choice: with no arguments, the help (as --help prints it) on standard output, exit status 0."""
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert 0 == exited.value.code
    help_text = capsys.readouterr().out
    assert 0 == main([])
    out, err = capsys.readouterr()
    assert help_text == out
    assert "" == err
    assert "COMMAND" in out


# ------------------------------------------------------------------ products on a date


@pytest.mark.parametrize("day", ["2013-01-01", "2020-01-01", "2025-06-01"])
def test_products_on_a_date_lists_every_product_status(capsys: pytest.CaptureFixture[str], day: str) -> None:
    """products --on DATE without --status: every product, with its status in each of its jurisdictions that day."""
    main(["products", "--on", day, "--json"])
    rows = json.loads(capsys.readouterr().out)

    def expected(product: Product) -> str:
        places = sorted({e.jurisdiction for e in product.events})
        return "; ".join(f"{j} {s.value}" for j in places if (s := product.status(j, day)) is not None)

    assert [(p.id, expected(p)) for p in sorted(KB.products, key=lambda p: p.id)] == [
        (r["product"], r["status"]) for r in rows
    ]
    assert len({r["status"] for r in rows}) > 1


def test_products_on_a_date_in_one_jurisdiction(capsys: pytest.CaptureFixture[str]) -> None:
    """With --jurisdiction, the products with an event there, and their status there that day."""
    main(["products", "--jurisdiction", "EU", "--on", "2020-01-01", "--json"])
    rows = json.loads(capsys.readouterr().out)
    having = sorted(p.id for p in KB.products if any(e.jurisdiction == "EU" for e in p.events))
    assert having == [r["product"] for r in rows]
    for row in rows:
        status = KB.get(row["product"], Product).status("EU", "2020-01-01")
        assert ("" if status is None else f"EU {status.value}") == row["status"]


def test_products_on_a_date_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The table says which day its status column is for and lists every product."""
    lines = _lines(capsys, monkeypatch, 80, "products", "--on", "2020-01-01")
    assert "2020-01-01" in lines[0]
    assert sorted(p.id for p in KB.products) == [line.split()[0] for line in lines[3 : 3 + len(KB.products)]]


# ------------------------------------------------------------------ the layout itself


_CELL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


@given(
    rows=st.lists(st.fixed_dictionaries({"a": _CELL, "b": _CELL, "c": _CELL}), max_size=6),
    width=st.integers(min_value=1, max_value=120),
    shortest=st.sampled_from([None, 4, 10]),
)
def test_a_table_never_exceeds_its_width(rows: list[dict[str, str]], width: int, shortest: int | None) -> None:
    """Whatever the cells and the width, no line of a table is wider than the width."""
    columns = [TextColumn("a"), TextColumn("b", shortest=shortest, drop=1), TextColumn("c", shortest=shortest)]
    assert all(len(line) <= width for line in table(rows, columns, width))


@given(rows=st.lists(st.fixed_dictionaries({"a": _CELL, "b": _CELL}), min_size=1, max_size=6))
def test_a_table_without_width_shows_every_cell(rows: list[dict[str, str]]) -> None:
    """With no width, nothing is dropped or cut: each (printable) cell is in its row."""
    lines = table(rows, [TextColumn("a", shortest=4, drop=1), TextColumn("b", shortest=4)], None)
    assert 2 + len(rows) == len(lines)
    for row, line in zip(rows, lines[2:], strict=True):
        assert row["b"].strip() in line or not row["b"].isprintable()


@given(
    text=st.text(st.characters(codec="ascii", categories=["L", "N", "P", "Zs"]), max_size=400),
    width=st.integers(10, 100),
)
def test_a_paragraph_fits_and_keeps_every_word(text: str, width: int) -> None:
    """A wrapped paragraph fits the width and keeps the words (a word longer than a line is broken, not lost)."""
    lines = paragraph(text, width, indent=2)
    assert all(len(line) <= width for line in lines)
    assert "".join(text.split()) == "".join("".join(lines).split())
