"""Run the Python examples in README.md, docs/ and the package's docstrings as tests (Sybil)."""

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser
from sybil.parsers.rest import DocTestParser


FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

markdown = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=FLAGS)], patterns=["*.md"], excludes=["CHANGELOG.md"]
)
docstrings = Sybil(parsers=[DocTestParser(optionflags=FLAGS)], patterns=["src/stemimmune/*.py"])

pytest_collect_file = (markdown + docstrings).pytest()
