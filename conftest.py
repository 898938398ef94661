"""Run the Python examples in README.md, docs/ and the package's docstrings as tests (Sybil)."""

import sys
from collections.abc import Iterator
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser
from sybil.parsers.rest import DocTestParser


FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

markdown = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=FLAGS)], patterns=["*.md"], excludes=["CHANGELOG.md"]
)
docstrings = Sybil(parsers=[DocTestParser(optionflags=FLAGS)], patterns=["src/stemimmune/*.py"])

pytest_collect_file = (markdown + docstrings).pytest()


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Close the pyplot figures a test or example made (the evidence map draws through pyplot)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
