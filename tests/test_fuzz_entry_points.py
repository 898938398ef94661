"""Fuzzing every entry point: random bytes, random JSON and mutated datasets give only documented errors, quickly."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stemimmune import (
    AmbiguousKeyError,
    DatasetError,
    InvalidArgumentError,
    KnowledgeBase,
    UnknownKeyError,
    load,
    loads,
)
from stemimmune.model import RECORD_TYPES

from .strategies import FUZZ_STATS
from .test_fuzz import BASE, BASE_PATHS, corrupt_values
from .test_fuzz import _mutate as mutate


THOROUGH = settings().max_examples >= 100
EXAMPLES = 600 if THOROUGH else 200
DATASET_EXAMPLES = 100 if THOROUGH else 40
#: The issue's bound per input, with room for a slow, shared CI machine.
SECONDS = 2.0
MESSAGE = 20_000

#: Strings a careless user or an attacker would type.
nasty_text = st.one_of(
    st.text(max_size=50),
    st.text(st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Zs", "Mn", "Nd"]), max_size=20),
    st.sampled_from(["", " ", "!!!", "\ud800", "\u202e", "\u200b", "x" * 1_001, "lupus " * 200, "MONDO:", "10."]),
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | nasty_text
random_json = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(nasty_text, inner, max_size=5),
    max_leaves=30,
)


@st.composite
def dataset_shaped(draw: st.DrawFn) -> dict[str, Any]:
    """A document with real collection and field names, holding random values."""
    document: dict[str, Any] = {"dataset_version": draw(st.just("1") | json_scalars)}
    for kind in draw(st.lists(st.sampled_from(list(RECORD_TYPES)), max_size=3, unique=True)):
        fields = [field.name for field in attrs.fields(RECORD_TYPES[kind])]
        record = st.dictionaries(st.sampled_from(fields), random_json, max_size=6)
        document[kind] = draw(st.lists(record | random_json, max_size=4))
    return document


def _timed(call: Callable[[], object], documented: tuple[type[BaseException], ...]) -> None:
    """Run *call*: it must finish within the bound, and fail only with a documented error with a bounded message."""
    start = time.perf_counter()
    message = ""
    try:
        call()
    except documented as error:
        FUZZ_STATS["rejected"] += 1
        message = str(error)
    except Exception:
        FUZZ_STATS["escaped"] += 1
        raise
    else:
        FUZZ_STATS["accepted"] += 1
    assert time.perf_counter() - start < SECONDS
    assert len(message) < MESSAGE


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(raw=st.binary(max_size=2_000) | random_json.map(lambda v: json.dumps(v).encode()))
def test_loads_random_bytes(raw: bytes) -> None:
    """Random bytes and random JSON given to loads() raise only DatasetError."""
    _timed(lambda: loads(raw), (DatasetError,))


@FUZZ
@given(text=nasty_text | random_json.map(json.dumps) | dataset_shaped().map(json.dumps))
def test_loads_random_text(text: str) -> None:
    """Random text, random JSON and dataset-shaped JSON given to loads() raise only DatasetError."""
    _timed(lambda: loads(text), (DatasetError,))


@settings(max_examples=EXAMPLES // 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=2_000) | dataset_shaped().map(lambda d: json.dumps(d).encode()))
def test_load_random_files(tmp_path: Path, raw: bytes) -> None:
    """Random files given to load() raise only DatasetError."""
    path = tmp_path / "data.json"
    path.write_bytes(raw)
    _timed(lambda: load(path), (DatasetError,))


@FUZZ
@given(key=nasty_text)
def test_get_and_search_random_keys(key: str) -> None:
    """Random keys given to get() and search() raise only the documented lookup and argument errors."""
    kb = load()
    _timed(lambda: kb.get(key), (UnknownKeyError, AmbiguousKeyError))
    _timed(lambda: kb.search(key), (InvalidArgumentError,))


@settings(max_examples=DATASET_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(BASE_PATHS),
    action=st.sampled_from(["drop", "retype", "duplicate", "corrupt"]),
    value=corrupt_values,
    key=nasty_text,
)
def test_mutated_datasets_then_queries(path: tuple[str | int, ...], action: str, value: Any, key: str) -> None:
    """A mutated bundled dataset loads or raises DatasetError in time, and what loads answers get() and search()."""
    text = json.dumps(mutate(BASE, path, action, value))
    built: list[KnowledgeBase] = []
    _timed(lambda: built.append(loads(text)), (DatasetError,))
    for kb in built:
        _timed(lambda: kb.get(key), (UnknownKeyError, AmbiguousKeyError))  # noqa: B023 - run at once
        _timed(lambda: kb.search(key), (InvalidArgumentError,))  # noqa: B023 - run at once
