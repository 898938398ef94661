"""Every vocabulary value is described where the vocabulary page reads it, and the page is right about ordering."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from stemimmune import vocabulary
from stemimmune.vocabulary import Vocabulary, _Ordered


SOURCE = Path(inspect.getfile(vocabulary))
PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "vocabulary.md"


def _vocabularies() -> list[type[Vocabulary]]:
    return [
        value
        for value in vars(vocabulary).values()
        if isinstance(value, type) and issubclass(value, Vocabulary) and value not in {Vocabulary, _Ordered}
    ]


def _described_members() -> dict[str, str]:
    """
    ``Class.MEMBER`` to its ``#:`` description, as Sphinx's autodoc reads them.

    A description is a ``#:`` comment on the lines right above a one-line assignment, or
    after the value on that line: a comment inside a wrapped value is not one.
    """
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    for node in ast.parse("\n".join(lines)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if not (isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name)):
                continue
            name = f"{node.name}.{statement.targets[0].id}"
            line = lines[statement.lineno - 1]
            after = re.search(r"#:\s*(.*)$", line) if statement.lineno == statement.end_lineno else None
            above: list[str] = []
            number = statement.lineno - 2
            while number >= 0 and lines[number].strip().startswith("#:"):
                above.insert(0, lines[number].strip().removeprefix("#:").strip())
                number -= 1
            text = " ".join(above) or (after[1].strip() if after else "")
            if text:
                found[name] = text
    return found


def test_every_vocabulary_value_has_a_description() -> None:
    described = _described_members()
    members = [f"{kind.__name__}.{member.name}" for kind in _vocabularies() for member in kind]
    assert len(members) > 150
    assert [m for m in members if not described.get(m)] == []


def test_sphinx_reads_the_same_descriptions() -> None:
    """What the vocabulary page renders: autodoc's attribute documentation of the module."""
    pycode = pytest.importorskip("sphinx.pycode")
    docs = pycode.ModuleAnalyzer.for_module("stemimmune.vocabulary").find_attr_docs()
    rendered = {f"{scope}.{name}": " ".join(text).strip() for (scope, name), text in docs.items()}
    members = [f"{kind.__name__}.{member.name}" for kind in _vocabularies() for member in kind]
    assert [m for m in members if not rendered.get(m)] == []


def test_the_page_counts_the_ordered_vocabularies() -> None:
    ordered = sorted(kind.__name__ for kind in _vocabularies() if issubclass(kind, _Ordered))
    text = PAGE.read_text(encoding="utf-8")
    numbers = {3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine"}
    sentence = next(line for line in text.splitlines() if "enums are ordered" in line)
    assert sentence.startswith(f"{numbers[len(ordered)]} enums are ordered")
    assert sorted(re.findall(r"`(\w+)` \(", sentence)) == ordered
