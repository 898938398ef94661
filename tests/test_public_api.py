"""The public surface: names, errors and versions."""

from __future__ import annotations

from importlib.metadata import version

import pytest

import stemimmune


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted as ruff sorts it (constants, classes, functions), and every name in it exists."""

    def group(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert sorted(stemimmune.__all__, key=group) == stemimmune.__all__
    for name in stemimmune.__all__:
        assert hasattr(stemimmune, name)


def test_errors_are_also_builtins() -> None:
    """Every error is under StemImmuneError and the builtin a caller would catch for the same mistake."""
    for error, builtin in (
        (stemimmune.AmbiguousKeyError, LookupError),
        (stemimmune.WrongKindError, LookupError),
        (stemimmune.InvalidArgumentError, ValueError),
        (stemimmune.ArgumentTypeError, TypeError),
        (stemimmune.InvalidValueError, ValueError),
    ):
        assert issubclass(error, builtin)
        assert issubclass(error, stemimmune.StemImmuneError)
    assert issubclass(stemimmune.DatasetError, ValueError)
    assert issubclass(stemimmune.UnknownKeyError, LookupError)
    assert issubclass(stemimmune.DatasetError, stemimmune.StemImmuneError)
    assert issubclass(stemimmune.UnknownKeyError, stemimmune.StemImmuneError)


def test_versions() -> None:
    """__version__ matches the installed metadata; the dataset version is separate and matches the data."""
    assert version("stemimmune") == stemimmune.__version__
    assert stemimmune.load().version == stemimmune.DATASET_VERSION


def test_unknown_attribute() -> None:
    """Unknown module attributes raise AttributeError."""
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = stemimmune.no_such_name
