"""The public API's types: the usage file type-checks and runs; each must-fail case is rejected by mypy."""

from __future__ import annotations

import re
from pathlib import Path

from mypy import api

from .typed import api_usage


HERE = Path(__file__).parent / "typed"


def _cases() -> list[tuple[str, str]]:
    text = (HERE / "must_fail.py").read_text(encoding="utf-8")
    prelude, *chunks = re.split(r"^# case: ", text, flags=re.MULTILINE)
    return [(chunk.splitlines()[0], f"{prelude}# case: {chunk}") for chunk in chunks]


def test_the_usage_file_runs(tmp_path: Path) -> None:
    """The typed usage file's calls succeed on the bundled data, so its types describe real results."""
    api_usage.run(tmp_path)


def test_the_usage_file_type_checks_without_ignores() -> None:
    """mypy --strict accepts every call in the usage file, which holds no type: ignore."""
    source = HERE / "api_usage.py"
    assert "type: ignore" not in source.read_text(encoding="utf-8")
    out, err, status = api.run(["--strict", "--no-incremental", str(source)])
    assert status == 0, out + err


def test_mypy_rejects_every_must_fail_case(tmp_path: Path) -> None:
    """Each case of must_fail.py, checked alone, is a mypy error (so the API's types forbid it)."""
    cases = _cases()
    assert len(cases) >= 8
    files = []
    for number, (_title, text) in enumerate(cases):
        path = tmp_path / f"case_{number}.py"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    out, _err, _status = api.run(["--strict", "--no-incremental", "--no-error-summary", *map(str, files)])
    for path, (title, _text) in zip(files, cases, strict=True):
        assert f"{path.name}:" in out, f"mypy accepted the case {title!r}"


def test_the_prelude_alone_type_checks(tmp_path: Path) -> None:
    """The code shared by every case is itself valid, so the error mypy reports for a case is the case's own."""
    prelude = re.split(r"^# case: ", (HERE / "must_fail.py").read_text(encoding="utf-8"), flags=re.MULTILINE)[0]
    path = tmp_path / "prelude.py"
    path.write_text(prelude, encoding="utf-8")
    out, err, status = api.run(["--strict", "--no-incremental", str(path)])
    assert status == 0, out + err
