"""The command line answers, and fails in one line with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import stemimmune
from stemimmune.cli import main


def test_info_counts_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    """info --json reports the dataset version and the count of each kind."""
    assert 0 == main(["info", "--json"])
    data = json.loads(capsys.readouterr().out)
    kb = stemimmune.load()
    assert kb.version == data["dataset_version"]
    assert {k: len(v) for k, v in kb.collections().items()} == data["counts"]


def test_get_prints_the_record(capsys: pytest.CaptureFixture[str]) -> None:
    """get --json prints the record found by a synonym."""
    assert 0 == main(["get", "MS", "--json"])
    assert "multiple-sclerosis" == json.loads(capsys.readouterr().out)["id"]


def test_unknown_key_is_one_line_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown name exits 2 with one line naming close matches and no traceback."""
    assert 2 == main(["get", "multiple sclerosys"])
    err = capsys.readouterr().err
    assert 1 == len(err.strip().splitlines())
    assert "multiple sclerosis" in err


def test_module_entry_point() -> None:
    """python -m stemimmune runs the same command line."""
    result = subprocess.run([sys.executable, "-m", "stemimmune", "info"], capture_output=True, text=True, check=True)
    assert stemimmune.load().version in result.stdout
