"""The command line answers questions, and fails in one line with exit status 2."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import stemimmune
from stemimmune.cli import main


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
        (["evidence", "MS"], "not an Indication"),
        (["frobnicate"], "invalid choice"),
        (["therapies"], "required"),
        (["export", "nonsense"], "nonsense"),
        (["--data", "/no/such/file.json", "info"], "no dataset"),
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
