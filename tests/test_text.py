"""The text helpers every message and the command line share: one terminal-safe escape, articles, docstring reading."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from stemimmune._text import attribute_docs, printable, with_article


@given(st.text(alphabet=st.characters(exclude_characters='"\\')))
def test_printable_output_is_printable_and_reads_back_as_json(text: str) -> None:
    """Whatever *text* holds, the escape is printable, and as a JSON string it reads back as *text*."""
    escaped = printable(text)
    assert escaped.isprintable()
    assert text == json.loads(f'"{escaped}"')


@given(st.text(alphabet=st.characters(exclude_characters='"\\')))
def test_printable_keeps_what_it_is_told_and_only_that(text: str) -> None:
    """Characters in *keep* stay as they are; every other non-printable one is escaped."""
    escaped = printable(text, keep="\n\t")
    assert {c for c in escaped if not c.isprintable()} <= set("\n\t")
    assert escaped.count("\n") == text.count("\n")
    assert text == json.loads('"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"')


def test_printable_escapes_what_a_terminal_acts_on() -> None:
    """Controls, bidi overrides and marks, zero-width characters and astral format characters are written as escapes."""
    assert "\\u001b[2J\\u202e\\u200f\\u200b\\udb40\\udc01x" == printable("\x1b[2J\u202e\u200f\u200b\U000e0001x")
    assert "Sjögren\u2019s \U0001f9ec" == printable("Sjögren\u2019s \U0001f9ec")


def test_with_article() -> None:
    """'an' before a vowel, whatever its case, 'a' otherwise."""
    assert ["an Indication", "an indication", "a Disorder", "a CellType"] == [
        with_article(noun) for noun in ("Indication", "indication", "Disorder", "CellType")
    ]


def test_attribute_docs_reads_every_model_field() -> None:
    """Every field of every record class has a description in its class docstring's Attributes section."""
    import attrs

    from stemimmune import model

    classes = [
        c for c in vars(model).values() if isinstance(c, type) and attrs.has(c) and c.__module__ == model.__name__
    ]
    assert len(classes) > 13
    for cls in classes:
        docs = attribute_docs(cls.__doc__)
        assert {f.name for f in attrs.fields(cls)} <= set(docs), cls.__name__
        assert all(text and "\n" not in text and "  " not in text for text in docs.values()), cls.__name__
