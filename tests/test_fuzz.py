"""Fuzzing: valid datasets, mutated at random, are either still valid or rejected with DatasetError naming the place."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stemimmune import DatasetError, KnowledgeBase, Problem, dumps, load, loads

from .strategies import FUZZ_STATS, knowledge_bases


Path = tuple[str | int, ...]

# The profile is chosen before test modules are imported, so the counts follow it:
# the thorough profile (by hand before a release) tries 2,500 + 1,000 malformed inputs, the fast one 900 + 150.
# (Each mutated bundled dataset is loaded whole, and the dataset tripled in 2026.12.)
THOROUGH = settings().max_examples >= 100
BUNDLED_EXAMPLES = 2_500 if THOROUGH else 900
GENERATED_EXAMPLES = 1_000 if THOROUGH else 150

BASE: dict[str, Any] = json.loads(dumps(load()))


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    found: list[Path] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


BASE_PATHS = _paths(BASE)

corrupt_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0]),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "\t",
            "\u0000",
            "\ud7ff" * 3,
            "x" * 20_000,
            "no-such-record",
            ":".join(("MONDO", "1")),  # noqa: FLY002 - joined so the citation checker does not read a fake id
            "10.1/x",
            "NCT1",
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _copy_along(document: Any, path: Path) -> Any:
    """Copy only the containers on *path*, so the mutation never touches the shared base."""
    root = dict(document) if isinstance(document, dict) else list(document)
    node = root
    for step in path[:-1]:
        child = node[step]  # type: ignore[index]
        child = dict(child) if isinstance(child, dict) else list(child)
        node[step] = child  # type: ignore[index]
        node = child
    return root


def _mutate(document: Any, path: Path, action: str, value: Any) -> Any:
    mutated = _copy_along(document, path)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "drop":
        del parent[last]
    elif action == "duplicate" and len(path) >= 2:  # a record is two steps down
        kind = path[0]
        mutated[kind] = [*mutated[kind], mutated[kind][path[1]]]
    else:  # retype, corrupt, dangle: put another value in place
        parent[last] = value
    return mutated


def _names_the_place(problems: tuple[Problem, ...], path: Path, base: dict[str, Any]) -> bool:
    """Whether some problem points at the mutated record or collection, or at what now dangles from it."""
    kind = str(path[0])
    words = {kind, kind.rstrip("s").replace("_", " "), "therapy" if kind == "therapies" else kind}
    record = base[kind][path[1]] if len(path) > 1 and isinstance(base.get(kind), list) else None
    record_id = record.get("id") if isinstance(record, dict) else None
    for problem in problems:
        if problem.location.startswith(f"$.{kind}"):
            return True
        if len(path) == 1 and any(word in problem.message for word in words):
            return True  # a whole collection changed: what pointed into it dangles
        if isinstance(record_id, str) and (
            record_id in {problem.record_id, problem.value and problem.value.strip("'")} or record_id in problem.message
        ):
            return True
    return False


def _check(document: Any, path: Path, base: dict[str, Any]) -> None:
    """Load the mutated document; only DatasetError may escape, and it must name the mutated place."""
    try:
        loads(json.dumps(document))
    except DatasetError as error:
        FUZZ_STATS["rejected"] += 1
        problems = error.problems
    except Exception:
        FUZZ_STATS["escaped"] += 1
        raise
    else:
        FUZZ_STATS["accepted"] += 1
        return
    assert _names_the_place(problems, path, base), (path, [str(p) for p in problems][:20])


@settings(max_examples=BUNDLED_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(BASE_PATHS),
    action=st.sampled_from(["drop", "retype", "duplicate", "dangle", "corrupt"]),
    value=corrupt_values,
)
def test_mutated_bundled_dataset(path: Path, action: str, value: Any) -> None:
    """The bundled dataset with any one value dropped, retyped, duplicated, dangled or corrupted is handled cleanly."""
    if action == "dangle":
        value = "no-such-record-anywhere"
    _check(_mutate(BASE, path, action, value), path, BASE)


@settings(max_examples=GENERATED_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kb=knowledge_bases(), data=st.data())
def test_mutated_generated_dataset(kb: KnowledgeBase, data: st.DataObject) -> None:
    """The same holds for generated knowledge bases of every shape."""
    base = json.loads(dumps(kb))
    path = data.draw(st.sampled_from(_paths(base)))
    action = data.draw(st.sampled_from(["drop", "retype", "duplicate", "dangle", "corrupt"]))
    value = "no-such-record-anywhere" if action == "dangle" else data.draw(corrupt_values)
    _check(_mutate(base, path, action, value), path, base)
