"""The command line answers questions, and fails in one line with exit status 2."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import stemimmune
from stemimmune._text import printable
from stemimmune.cli import main
from stemimmune.model import Trial
from stemimmune.vocabulary import (
    DisorderCategory,
    DonorRelation,
    EbmtCategory,
    EvidenceLevel,
    MechanismKind,
    RegulatoryDecision,
    TrialPhase,
    TrialStatus,
    Vocabulary,
)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_info_counts_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    """info --json reports the dataset version and the count of each kind."""
    status, out, _ = _run(capsys, "info", "--json")
    data = json.loads(out)
    kb = stemimmune.load()
    assert 0 == status
    assert kb.version == data["dataset_version"]
    assert {k: len(v) for k, v in kb.collections().items()} == data["counts"]


def test_get_prints_the_record(capsys: pytest.CaptureFixture[str]) -> None:
    """get --json prints the record found by a synonym."""
    status, out, _ = _run(capsys, "get", "MS", "--json")
    assert 0 == status
    assert "multiple-sclerosis" == json.loads(out)["id"]


def test_therapies_table_and_json_agree_with_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    """therapies lists what therapies_for returns, in the same order, as a table and as JSON."""
    expected = [o.therapy.id for o in stemimmune.load().therapies_for("multiple sclerosis")]
    status, out, _ = _run(capsys, "therapies", "multiple sclerosis", "--json")
    assert 0 == status
    assert expected == [row["therapy"] for row in json.loads(out)]
    status, out, _ = _run(capsys, "therapies", "multiple sclerosis")
    assert 0 == status
    assert expected[0] in out.splitlines()[3]


def test_a_flag_not_given_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """Without flags, therapies lists every option of the disorder and its subtypes; products and trials every record."""
    kb = stemimmune.load()
    under = {"multiple-sclerosis"}
    while grown := {d.id for d in kb.disorders if set(d.parent_ids) & under} - under:
        under |= grown
    rows = _json(capsys, "therapies", "MS", "--json")
    assert sorted(i.id for i in kb.indications if i.disorder_id in under) == sorted(r["indication"] for r in rows)
    assert sorted(p.id for p in kb.products) == [r["product"] for r in _json(capsys, "products", "--json")]
    assert sorted(t.id for t in kb.trials) == [r["trial"] for r in _json(capsys, "trials", "--json")]


def test_therapies_filters(capsys: pytest.CaptureFixture[str]) -> None:
    """Filters on the command line narrow the result as the library's filters do."""
    expected = [o.therapy.id for o in stemimmune.load().therapies_for("SLE", min_evidence="nonrandomized-trial")]
    _, out, _ = _run(capsys, "therapies", "SLE", "--min-evidence", "nonrandomized-trial", "--json")
    assert expected == [row["therapy"] for row in json.loads(out)]


def test_evidence_lists_findings_and_references(capsys: pytest.CaptureFixture[str]) -> None:
    """evidence shows the indication's findings and references."""
    status, out, _ = _run(capsys, "evidence", "autologous-hsct-for-multiple-sclerosis", "--json")
    data = json.loads(out)
    assert 0 == status
    assert "burt2019-mist" in {r["id"] for r in data["references"]}
    assert data["findings"]


def test_search(capsys: pytest.CaptureFixture[str]) -> None:
    """search finds a misspelt name."""
    _, out, _ = _run(capsys, "search", "multipel sclerosis", "--json")
    assert "multiple-sclerosis" == json.loads(out)[0]["id"]


def test_export_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """export writes one CSV row per finding."""
    path = tmp_path / "findings.csv"
    status, _, _ = _run(capsys, "export", "findings", "--output", str(path))
    assert 0 == status
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(stemimmune.load().findings) == len(rows)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["get", "multiple sclerosys"], "multiple sclerosis"),
        (["therapies", "lupus", "--min-evidence", "strong"], "expected one of"),
        (["therapies", "autologous-hsct"], "not a Disorder"),
        (["evidence", "bone-marrow"], "not an Indication"),
        (["frobnicate"], "invalid choice"),
        (["therapies"], "required"),
        (["export", "nonsense"], "nonsense"),
        (["export", "finding"], "table: 'finding' is not a table; did you mean 'findings'"),
        (["--data", "/no/such/file.json", "info"], "no dataset"),
        (["evidence", "autologous-hsct"], "name a disorder too"),
        (["evidence", "autologous-hsct", "SCID"], "no indication links"),
        (["evidence", "bone-marrow"], "not an Indication or a Disorder"),
        (["search", "ms", "--limit", "-1"], "expected 0 (no limit) or more"),
        (["search", "ms", "--limit", "x"], "whole number"),
        (["products", "--on", "2024-01-01"], "needs status="),
        (["export"], "name a TABLE"),
        (["therapies", "SLE", "--jurisdiction", "EU"], "needs regulatory="),
        (["trials", "--phase", "phase-9"], "'phase-9' is not a TrialPhase; expected one of"),
        (["trials", "--phase", "phase-3..phase-1"], "runs backwards"),
        (["trials", "--phase", "phase-1..phase-2..phase-3"], "a range FROM..TO"),
        (["trials", "--status", "open"], "'open' is not a TrialStatus"),
        (["trials", "lupus-nephritiss"], "lupus"),
        (["trials", "--therapy", "SLE"], "not a Therapy"),
    ],
)
def test_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    """Bad arguments and unknown names exit 2 with one line on stderr naming the problem, never a traceback."""
    try:
        status = main(argv)
    except SystemExit as exc:
        status = int(exc.code or 0)
    err = capsys.readouterr().err
    assert 2 == status
    assert 1 == len(err.strip().splitlines()), err
    assert expected in err
    assert "Traceback" not in err


def test_module_entry_point() -> None:
    """python -m stemimmune runs the same command line."""
    result = subprocess.run([sys.executable, "-m", "stemimmune", "info"], capture_output=True, text=True, check=True)
    assert stemimmune.load().version in result.stdout


# ---------------------------------------------------------------- issue 13 and 14


def _cli(*argv: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    """Run the installed command line in a child process, as a user's shell would."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "stemimmune", *argv],
        capture_output=True,
        env=environment,
        check=False,
        input=stdin.encode(),
    )


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    status, out, err = _run(capsys, *argv)
    assert 0 == status, err
    return json.loads(out)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version and the bundled dataset's version."""
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    out = capsys.readouterr().out
    assert 0 == exc.value.code
    assert f"stemimmune {stemimmune.__version__} (bundled dataset {stemimmune.DATASET_VERSION})" == out.strip()


@pytest.mark.parametrize(
    ("flag", "vocabulary"),
    [
        ("--min-evidence", EvidenceLevel),
        ("--donor-relation", DonorRelation),
        ("--mechanism-kind", MechanismKind),
        ("--category", DisorderCategory),
        ("--ebmt-category", EbmtCategory),
        ("--regulatory", RegulatoryDecision),
    ],
)
def test_enum_flags_list_their_values_in_help(
    capsys: pytest.CaptureFixture[str], flag: str, vocabulary: type[Vocabulary]
) -> None:
    """therapies --help names every valid value of each vocabulary flag."""
    with pytest.raises(SystemExit):
        main(["therapies", "--help"])
    out = capsys.readouterr().out
    after = " ".join(out[out.index(f"\n  {flag} ") :].split())
    assert all(f" {m.value}," in after[:600] or f" {m.value} " in after[:600] for m in vocabulary), after[:600]


@pytest.mark.parametrize("where", ["before", "after"])
def test_json_and_data_go_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    """--json and --data are accepted on either side of the subcommand's name."""
    path = tmp_path / "mine.json"
    stemimmune.save(stemimmune.load(), path)
    options = ["--json", "--data", str(path)]
    argv = [*options, "info"] if where == "before" else ["info", *options]
    assert stemimmune.load().version == _json(capsys, *argv)["dataset_version"]


def test_data_after_the_command_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    """--data after the subcommand is read, not ignored: a missing file is an error."""
    status, _, err = _run(capsys, "info", "--data", "/no/such/file.json")
    assert 2 == status
    assert "no dataset" in err


def test_therapies_show_indication_ids(capsys: pytest.CaptureFixture[str]) -> None:
    """The therapies table shows the indication id that evidence takes."""
    options = stemimmune.load().therapies_for("MS")
    _, out, _ = _run(capsys, "therapies", "MS")
    assert "indication" in out.splitlines()[1]
    assert all(o.indication.id in out for o in options)


@pytest.mark.parametrize(
    ("argv", "filters"),
    [
        (["--therapy", "autologous-hsct"], {"therapy": "autologous-hsct"}),
        (["--category", "immunodeficiency"], {"category": "immunodeficiency"}),
        (["--regulatory", "approved", "--jurisdiction", "EU"], {"regulatory": "approved", "jurisdiction": "EU"}),
        (["--mechanism-kind", "immunomodulation"], {"mechanism_kind": "immunomodulation"}),
        (["--no-subtypes"], {"include_subtypes": False}),
    ],
)
def test_therapies_takes_every_filter(
    capsys: pytest.CaptureFixture[str], argv: list[str], filters: dict[str, Any]
) -> None:
    """Each filter flag gives what the library's filter gives, for a disorder with several subtypes."""
    kb = stemimmune.load()
    for disorder in ("crohn-disease", "GVHD", "SCID", "multiple sclerosis"):
        expected = [o.indication.id for o in kb.therapies_for(disorder, **filters)]
        assert expected == [r["indication"] for r in _json(capsys, "therapies", disorder, "--json", *argv)]


def test_jurisdiction_narrows_the_regulatory_filter(capsys: pytest.CaptureFixture[str]) -> None:
    """--jurisdiction changes the answer of --regulatory somewhere in the data."""
    kb = stemimmune.load()
    changed = [
        d.id
        for d in kb.disorders
        if kb.therapies_for(d, regulatory="approved") != kb.therapies_for(d, regulatory="approved", jurisdiction="JP")
    ]
    assert changed
    rows = _json(capsys, "therapies", changed[0], "--regulatory", "approved", "--jurisdiction", "JP", "--json")
    assert [o.indication.id for o in kb.therapies_for(changed[0], regulatory="approved", jurisdiction="JP")] == [
        r["indication"] for r in rows
    ]


def test_regulatory_filter_concerns_the_disorder_asked_about(capsys: pytest.CaptureFixture[str]) -> None:
    """Lupus has no approved product, though bone-marrow MSCs are approved for GVHD."""
    assert [] == _json(capsys, "therapies", "SLE", "--regulatory", "approved", "--json")


def test_subtype_without_options_names_its_parent(capsys: pytest.CaptureFixture[str]) -> None:
    """therapies PPMS (a subtype with no options of its own) points to multiple sclerosis and its count of options."""
    assert () == stemimmune.load().therapies_for("PPMS")
    count = len(stemimmune.load().therapies_for("multiple-sclerosis"))
    _, out, _ = _run(capsys, "therapies", "PPMS")
    assert f"its parent multiple sclerosis has {count}" in out
    assert "stemimmune therapies multiple-sclerosis" in out


def test_evidence_takes_a_disorder(capsys: pytest.CaptureFixture[str]) -> None:
    """evidence MS summarises the disorder's options, with their indication ids."""
    summary = stemimmune.load().evidence_summary("MS")
    data = _json(capsys, "evidence", "MS", "--json")
    assert "multiple-sclerosis" == data["disorder"]
    assert summary.strongest_evidence == data["strongest_evidence"]
    assert [o.indication.id for o in summary.options] == [o["indication"] for o in data["options"]]
    assert len(summary.findings) == data["findings"]


def test_evidence_takes_a_therapy_and_a_disorder(capsys: pytest.CaptureFixture[str]) -> None:
    """evidence THERAPY DISORDER shows the indication linking them."""
    data = _json(capsys, "evidence", "autologous-hsct", "MS", "--json")
    expected = [o.indication.id for o in stemimmune.load().therapies_for("MS", therapy="autologous-hsct")]
    assert expected == [d["indication"]["id"] for d in data]
    assert "autologous-hsct-for-multiple-sclerosis" in expected


def test_search_scores_are_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    """search --json gives scores as JSON numbers, so jq can compare them."""
    rows = _json(capsys, "search", "multipel sclerosis", "--json")
    assert all(isinstance(r["score"], float) for r in rows)


def test_search_limit(capsys: pytest.CaptureFixture[str]) -> None:
    """--limit N shows the first N hits; --limit 0 shows every hit."""
    every = stemimmune.load().search("cell", limit=10_000)
    assert len(every) > 3
    assert [h.record.id for h in every[:3]] == [
        r["id"] for r in _json(capsys, "search", "cell", "--limit", "3", "--json")
    ]
    assert [h.record.id for h in every] == [r["id"] for r in _json(capsys, "search", "cell", "--limit", "0", "--json")]


def test_products(capsys: pytest.CaptureFixture[str]) -> None:
    """products filters as find_products does and shows each product's status."""
    kb = stemimmune.load()
    expected = kb.find_products(jurisdiction="EU", status="approved", on="2024-01-01")
    rows = _json(capsys, "products", "--jurisdiction", "EU", "--status", "approved", "--on", "2024-01-01", "--json")
    assert [p.id for p in expected] == [r["product"] for r in rows]
    assert all("EU approved" == r["status"] for r in rows)
    by_disorder = _json(capsys, "products", "GVHD", "--json")
    assert [p.id for p in kb.find_products(disorder="GVHD")] == [r["product"] for r in by_disorder]


def test_export_json_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """export --json writes JSON, like every other command's --json."""
    rows = _json(capsys, "export", "disorders", "--json")
    assert len(stemimmune.load().disorders) == len(rows)


@pytest.fixture(name="invalid")
def _invalid(tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"dataset_version": "1", "disorders": [{"id": "Bad Id"}, {"id": "ok", "name": 3}]}), encoding="utf-8"
    )
    return path


def test_validate_prints_every_problem(capsys: pytest.CaptureFixture[str], invalid: Path) -> None:
    """validate lists every problem, one per line, and exits 1."""
    with pytest.raises(stemimmune.DatasetError) as caught:
        stemimmune.load(invalid)
    problems = caught.value.problems
    assert len(problems) > 1
    status, out, _ = _run(capsys, "validate", str(invalid))
    assert 1 == status
    assert [f"  {p}" for p in problems] == out.splitlines()[1:]
    status, out, _ = _run(capsys, "validate", str(invalid), "--json")
    data = json.loads(out)
    assert 1 == status
    assert not data["valid"]
    assert [str(p) for p in problems] == [p["problem"] for p in data["problems"]]
    assert [p.field for p in problems] == [p["field"] for p in data["problems"]]


def test_validate_a_valid_dataset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """validate exits 0 and says so for a valid dataset."""
    path = tmp_path / "good.json"
    stemimmune.save(stemimmune.load(), path)
    status, out, _ = _run(capsys, "validate", str(path))
    assert 0 == status
    assert "valid" in out


@pytest.mark.parametrize("broken", [True, False], ids=["invalid", "valid"])
def test_validate_escapes_the_file_name(capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: bool) -> None:
    """A newline or terminal escape in PATH cannot forge an output line: the header shows it escaped."""
    folder = tmp_path / "a\n  forged.json: $.x: fine\x1b[2J"
    folder.mkdir()
    path = folder / "data.json"
    if broken:
        path.write_text(json.dumps({"dataset_version": "1", "risks": [{"id": "Bad Id"}]}), encoding="utf-8")
    else:
        stemimmune.save(stemimmune.load(), path)
    status, out, _ = _run(capsys, "validate", str(path))
    assert (1 if broken else 0) == status
    header = out.splitlines()[0]
    assert header.startswith(str(path).replace("\n", "\\u000a").replace("\x1b", "\\u001b") + ": ")
    assert not any("forged" in line for line in out.splitlines()[1:])
    assert "\x1b" not in out


def test_validate_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    """A dataset that cannot be read at all is an error (2), not an invalid dataset (1)."""
    status, _, err = _run(capsys, "validate", "/no/such/file.json")
    assert 2 == status
    assert "no dataset" in err


@pytest.mark.parametrize(
    "argv", [["schema"], ["info"], ["get", "MS"], ["evidence", "MS"], ["export", "findings"], ["search", "cell"]]
)
def test_closed_pipe_ends_quietly(argv: list[str]) -> None:
    """A reader that closes the pipe early (| head -1) gets no traceback and no error."""
    child = subprocess.Popen(
        [sys.executable, "-m", "stemimmune", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.readline()
    child.stdout.close()
    err = child.stderr.read()
    child.stderr.close()
    assert 0 == child.wait()
    assert b"" == err


def test_unencodable_output_is_escaped() -> None:
    """On an ASCII-only stdout, characters it cannot hold come out as backslash escapes."""
    result = _cli("get", "takeda2023-admire-cd2-topline", env={"PYTHONIOENCODING": "ascii"})
    assert 0 == result.returncode, result.stderr
    assert b"Alofisel\\xae" in result.stdout
    assert b"" == result.stderr


def test_control_characters_in_input_are_escaped() -> None:
    """A hostile key's control and bidi characters are echoed escaped, never raw."""
    result = _cli("get", "MS\x1b[2J\u202eevil", env={"PYTHONIOENCODING": "utf-8"})
    err = result.stderr.decode()
    assert 2 == result.returncode
    assert "\x1b" not in err
    assert "\u202e" not in err
    assert "Traceback" not in err
    assert 1 == len(err.splitlines())


def test_escape_controls() -> None:
    """The CLI's escape keeps newlines and tabs when asked, and escapes other control and bidi characters."""
    assert "a\n\tb\\u001b\\u202e" == printable("a\n\tb\x1b\u202e", keep="\n\t")
    assert "a\\u000ab" == printable("a\nb")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("to_file", [True, False])
def test_full_disk_is_one_line_exit_2(to_file: bool) -> None:
    """A full disk (stdout or --output on /dev/full) is one line on stderr and exit 2."""
    if to_file:
        result = _cli("export", "findings", "--output", "/dev/full")
    else:
        with Path("/dev/full").open("wb") as full:
            result = subprocess.run(
                [sys.executable, "-m", "stemimmune", "export", "findings"],
                stdout=full,
                stderr=subprocess.PIPE,
                check=False,
            )
    err = result.stderr.decode()
    assert 2 == result.returncode
    assert ["stemimmune: error: no space left on the device" + (": /dev/full" if to_file else "")] == err.splitlines()


def test_export_all_writes_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """export --all FOLDER writes every table and the Data Package descriptor."""
    status, out, _ = _run(capsys, "export", "--all", str(tmp_path / "tables"))
    assert 0 == status
    assert (tmp_path / "tables" / "datapackage.json").is_file()
    assert (tmp_path / "tables" / "evidence.csv").is_file()
    assert str(tmp_path / "tables") in out


def test_control_characters_in_echoed_paths_are_escaped(tmp_path: Path) -> None:
    """A file name with control characters is echoed escaped in the success message."""
    target = tmp_path / "a\x1b[31mred\u202e.csv"
    result = _cli("export", "risks", "--output", str(target), env={"PYTHONIOENCODING": "utf-8"})
    out = result.stdout.decode()
    assert 0 == result.returncode, result.stderr
    assert target.is_file()
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "a\\u001b[31mred\\u202e.csv" in out


@pytest.mark.parametrize("error", [ValueError, TypeError, KeyError, RuntimeError, ImportError])
def test_a_bug_is_an_internal_error_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: type[Exception]
) -> None:
    """A builtin error from a bug in a renderer exits 1 with its traceback, never as the user's mistake."""
    from stemimmune import cli

    def broken(*_args: object) -> str:
        message = "boom\x1b[2J\nsecond line"
        raise error(message)

    monkeypatch.setattr(cli, "_table", broken)
    status, out, err = _run(capsys, "therapies", "MS")
    lines = err.splitlines()
    assert 1 == status
    assert "" == out
    assert "Traceback (most recent call last):" == lines[0]
    assert any(line.strip() == "raise error(message)" for line in lines), err  # the frame of the bug
    assert f"stemimmune: internal error: {error.__name__}: " in lines[-1]
    assert lines[-1].endswith("(please report it)")
    assert "stemimmune: error:" not in err  # not presented as the user's mistake
    assert "\x1b" not in err  # the traceback is escaped like every other output


def test_a_missing_extra_is_a_user_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """An optional extra that is not installed is the user's to fix: one line naming it, exit 2."""
    from stemimmune import cli

    def without_matplotlib(*_args: object) -> str:
        message = 'stemimmune.plot needs matplotlib: pip install "stemimmune[plot]"'
        raise ImportError(message, name="matplotlib")

    monkeypatch.setitem(cli._COMMANDS, "info", without_matplotlib)
    status, _, err = _run(capsys, "info")
    assert 2 == status
    assert ['stemimmune: error: stemimmune.plot needs matplotlib: pip install "stemimmune[plot]"'] == err.splitlines()


def test_interrupt_exits_130_quietly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C ends the command with status 130 and no traceback."""
    from stemimmune import cli

    def interrupted(*_args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setitem(cli._COMMANDS, "info", interrupted)
    status, _, err = _run(capsys, "info")
    assert 130 == status
    assert "" == err


_TRIAL_FILTERS: list[tuple[list[str], dict[str, Any]]] = [
    (["SLE"], {"disorder": "SLE"}),
    (["--therapy", "umbilical-cord-msc-therapy"], {"therapy": "umbilical-cord-msc-therapy"}),
    (["--cell-type", "MSC"], {"cell_type": "MSC"}),
    (["--phase", "phase-3"], {"phase": "phase-3"}),
    (["--phase", "phase-1", "--phase", "phase-3"], {"phase": ["phase-1", "phase-3"]}),
    (["--phase", "phase-2..phase-3"], {"phase": ["phase-2", "phase-2-3", "phase-3"]}),
    (["--status", "recruiting"], {"status": "recruiting"}),
    (["--status", "recruiting", "--status", "completed"], {"status": ["recruiting", "completed"]}),
    (
        ["SLE", "--cell-type", "MSC", "--phase", "phase-2..phase-3", "--status", "recruiting"],
        {"disorder": "SLE", "cell_type": "MSC", "phase": ["phase-2", "phase-2-3", "phase-3"], "status": "recruiting"},
    ),
]


def _product_with_trials() -> str:
    return next(p for t in stemimmune.load().trials for p in t.product_ids)


@pytest.mark.parametrize(("argv", "filters"), _TRIAL_FILTERS)
def test_trials_answer_as_find_trials(
    capsys: pytest.CaptureFixture[str], argv: list[str], filters: dict[str, Any]
) -> None:
    """trials --json lists what kb.find_trials() returns for the same filters, in the same order."""
    expected = [t.id for t in stemimmune.load().find_trials(**filters)]
    assert expected
    assert expected == [r["trial"] for r in _json(capsys, "trials", *argv, "--json")]


def test_trials_product_filter(capsys: pytest.CaptureFixture[str]) -> None:
    """--product lists the trials testing that product, as find_trials(product=...) does."""
    product = _product_with_trials()
    expected = [t.id for t in stemimmune.load().find_trials(product=product)]
    assert expected
    assert expected == [r["trial"] for r in _json(capsys, "trials", "--product", product, "--json")]


@pytest.mark.parametrize("argv", [*(argv for argv, _ in _TRIAL_FILTERS), ["--product", "-"]])
def test_trials_filters_are_not_ignored(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Every filter narrows the list: the answer differs from the unfiltered one."""
    argv = [_product_with_trials() if a == "-" else a for a in argv]
    everything = [r["trial"] for r in _json(capsys, "trials", "--json")]
    # the command lists by id, whatever the order of the data files
    assert sorted(t.id for t in stemimmune.load().trials) == everything
    assert everything != [r["trial"] for r in _json(capsys, "trials", *argv, "--json")]


def test_trials_json_numbers_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    """Enrolment is a JSON number; the table shows registry id, phase, status with its date, enrolment and title."""
    rows = _json(capsys, "trials", "SLE", "--json")
    assert any(isinstance(r["enrollment"], int) for r in rows)
    assert all(r["enrollment"] is None or isinstance(r["enrollment"], int) for r in rows)
    status, out, _ = _run(capsys, "trials", "SLE")
    lines = out.splitlines()
    assert 0 == status
    assert ["registry", "id", "phase", "status", "(seen)", "enrolment", "title"] == lines[1].split()
    trial = stemimmune.load().get(rows[0]["trial"], Trial)
    first = lines[3]
    assert first.startswith(trial.registry_ids[0])
    assert f"{trial.status.value if trial.status else '-'} ({trial.status_as_of or 'date not given'})" in first
    assert len(rows) == len(lines) - 3


@pytest.mark.parametrize(("flag", "vocabulary"), [("--phase", TrialPhase), ("--status", TrialStatus)])
def test_trials_help_lists_values(capsys: pytest.CaptureFixture[str], flag: str, vocabulary: type[Vocabulary]) -> None:
    """trials --help names every valid phase and status."""
    with pytest.raises(SystemExit):
        main(["trials", "--help"])
    out = capsys.readouterr().out
    after = " ".join(out[out.index(f"\n  {flag} ") :].split())
    listed = after[after.index("one of:") :].replace(",", " ").split()
    assert {m.value for m in vocabulary} <= set(listed), after[:700]


def test_evidence_of_an_indication_lists_its_trials(capsys: pytest.CaptureFixture[str]) -> None:
    """evidence INDICATION lists the trials it cites and every registered trial of its therapy in its disorder."""
    kb = stemimmune.load()
    indication = next(i for i in kb.indications if i.trial_ids)
    expected = {t.id for t in kb.find_trials(disorder=indication.disorder_id, therapy=indication.therapy_id)}
    expected |= set(indication.trial_ids)
    data = _json(capsys, "evidence", indication.id, "--json")
    assert sorted(expected) == [t["id"] for t in data["trials"]]
    _, out, _ = _run(capsys, "evidence", indication.id)
    cited = kb.get(indication.trial_ids[0], Trial)
    assert f"  * {cited.registry_ids[0]} " in out
    assert f"Registered trials of {indication.therapy_id} in {indication.disorder_id} ({len(expected)};" in out


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("NCT03917797", "trials", "nct03917797"),
        ("darvadstrocel", "products", "alofisel"),
        ("Alofisel", "products", "alofisel"),
    ],
)
def test_search_finds_trials_and_products(
    capsys: pytest.CaptureFixture[str], text: str, kind: str, expected: str
) -> None:
    """search --kind trials or products finds a trial by registry id and a product by brand or generic name."""
    rows = _json(capsys, "search", text, "--kind", kind, "--json")
    assert {kind} == {r["kind"] for r in rows}
    assert expected == rows[0]["id"]
    assert expected in [h.record.id for h in stemimmune.load().search(text)[:3]]
