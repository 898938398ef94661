"""One error family: every rule, parse and argument check raises a StemImmuneError that is also the builtin."""

from __future__ import annotations

import inspect
import json
import pickle
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import stemimmune
from stemimmune import exceptions
from stemimmune._display import table_html
from stemimmune.exceptions import (
    AmbiguousKeyError,
    ArgumentTypeError,
    DatasetError,
    InvalidArgumentError,
    InvalidValueError,
    Problem,
    StemImmuneError,
    UnknownKeyError,
    WrongKindError,
)
from stemimmune.model import CellType, Disorder, Effect, Marker, ProcedureStep, Trial, collection_of
from stemimmune.serialization import from_json
from stemimmune.vocabulary import (
    AutoimmuneScope,
    ConditioningIntensity,
    DisorderCategory,
    EffectMeasure,
    EvidenceLevel,
    MarkerExpression,
    StepKind,
)


_LEVELS = "'expert-opinion', 'preclinical', 'case-series', 'observational', 'nonrandomized-trial', 'randomized-trial'"
_KINDS = (
    "Reference, ImmuneComponent, CellType, CellSource, Mechanism, Risk, Challenge, Disorder, Therapy, Product, "
    "Trial, Indication, Finding"
)

#: (what breaks the rule, the error class, the builtin a caller catches, the place named, the message word for word)
RULES: list[tuple[str, Callable[[], object], type[StemImmuneError], type[Exception], str, str]] = [
    (
        "an autoimmune disorder without scope",
        lambda: Disorder(id="d", name="D", category=DisorderCategory.AUTOIMMUNE),
        InvalidValueError,
        ValueError,
        "scope",
        "scope: an autoimmune disorder needs a scope (organ-specific or systemic)",
    ),
    (
        "a scope on a disorder that is not autoimmune",
        lambda: Disorder(id="d", name="D", category=DisorderCategory.IMMUNODEFICIENCY, scope=AutoimmuneScope.SYSTEMIC),
        InvalidValueError,
        ValueError,
        "scope",
        "scope: only autoimmune disorders have a scope, not immunodeficiency ones",
    ),
    (
        "an effect outside its interval",
        lambda: Effect(measure=EffectMeasure.HAZARD_RATIO, value=2.0, ci_low=0.5, ci_high=1.5),
        InvalidValueError,
        ValueError,
        "ci_high",
        "ci_high: the interval [0.5, 1.5] does not contain the value 2.0",
    ),
    (
        "an interval with one end",
        lambda: Effect(measure=EffectMeasure.HAZARD_RATIO, value=1.0, ci_low=0.5),
        InvalidValueError,
        ValueError,
        "ci_high",
        "ci_high: give both ends of the interval (ci_low and ci_high) or neither",
    ),
    (
        "intensities on a harvest step",
        lambda: ProcedureStep(
            kind=StepKind.HARVEST, description="d", intensities=(ConditioningIntensity.MYELOABLATIVE,)
        ),
        InvalidValueError,
        ValueError,
        "intensities",
        "intensities: only a conditioning step has intensities, not a harvest step",
    ),
    (
        "a cell deriving from itself",
        lambda: CellType(id="c", name="C", derives_from=("c",)),
        InvalidValueError,
        ValueError,
        "derives_from",
        "derives_from: a cell type cannot derive from itself ('c')",
    ),
    (
        "a term of no vocabulary member",
        lambda: EvidenceLevel.parse("anecdote"),
        InvalidValueError,
        ValueError,
        "EvidenceLevel",
        f"'anecdote' is not an EvidenceLevel; expected one of: {_LEVELS}",
    ),
    (
        "a vocabulary term that is not text",
        lambda: EvidenceLevel.parse(3),  # type: ignore[arg-type]  # the mistake under test
        ArgumentTypeError,
        TypeError,
        "value",
        "value: expected an EvidenceLevel or one of its values as a string, got int",
    ),
    (
        "the collection of something that is not a record",
        lambda: collection_of("multiple-sclerosis"),
        ArgumentTypeError,
        TypeError,
        "record",
        f"record: expected a record of a knowledge base ({_KINDS}), got str",
    ),
    (
        "a negative row count for an HTML table",
        lambda: table_html([{"id": "a"}], max_rows=-1),
        InvalidArgumentError,
        ValueError,
        "max_rows",
        "max_rows: expected 0 or more, got -1",
    ),
    (
        "a number outside its bound",
        lambda: Marker(names=("CD73",), expression=MarkerExpression.POSITIVE, threshold_percent=150),
        InvalidValueError,
        ValueError,
        "threshold_percent",
        "threshold_percent: 150 is not a number <= 100",
    ),
    (
        "a value of the wrong type in a typed field",
        lambda: Trial(id="made-up-trial", registry_ids=("NCT" + "0" * 8,), randomized="yes"),  # type: ignore[arg-type]
        ArgumentTypeError,
        TypeError,
        "randomized",
        "randomized: expected a bool, got str",
    ),
    (
        "a dataset error without problems",
        lambda: DatasetError([]),
        InvalidArgumentError,
        ValueError,
        "problems",
        "problems: expected at least one problem, got none",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "builtin", "place", "message"), [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES]
)
def test_every_rule_raises_the_family_error_that_is_also_the_builtin(
    call: Callable[[], object], error: type[StemImmuneError], builtin: type[Exception], place: str, message: str
) -> None:
    """Each rule raises its family error, which a caller catching the builtin also catches; it names the place."""
    with pytest.raises(builtin) as caught:
        call()
    assert type(caught.value) is error
    assert isinstance(caught.value, StemImmuneError)
    assert message == str(caught.value)
    assert place in str(caught.value)
    named = getattr(caught.value, "field", None) or getattr(caught.value, "argument", None)
    assert named == (None if place == "EvidenceLevel" else place)


def test_a_record_rule_keeps_its_data() -> None:
    """A rule that ties fields together keeps the field, the value shown and what was expected."""
    with pytest.raises(InvalidValueError) as caught:
        ProcedureStep(kind=StepKind.INFUSION, description="d", intensities=(ConditioningIntensity.MYELOABLATIVE,))
    assert ("intensities", "['myeloablative']") == (caught.value.field, caught.value.value)
    assert "no intensities: only a conditioning step has them" == caught.value.expected
    assert "intensities: only a conditioning step has intensities, not an infusion step" == str(caught.value)


def test_a_term_error_keeps_the_valid_terms() -> None:
    """An unknown term keeps what was given and the valid terms as data."""
    with pytest.raises(InvalidValueError) as caught:
        EvidenceLevel.parse("x" * 1_000)
    assert "'" + "x" * 76 + "..." == caught.value.value  # shortened to 80 characters, like every echoed value
    assert f"an EvidenceLevel, one of: {_LEVELS}" == caught.value.expected


def _problems_of(change: Callable[[dict[str, Any]], None]) -> list[Problem]:
    """Load the bundled dataset after *change* to its JSON document; return the problems."""
    document = json.loads(stemimmune.dumps(stemimmune.load()))
    change(document)
    with pytest.raises(DatasetError) as caught:
        stemimmune.loads(json.dumps(document))
    return list(caught.value.problems)


def _record(document: dict[str, Any], collection: str, record_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in document[collection] if r["id"] == record_id)
    return found


def _drop_scope(document: dict[str, Any]) -> None:
    del _record(document, "disorders", "type-1-diabetes")["scope"]


def _add_scope(document: dict[str, Any]) -> None:
    _record(document, "disorders", "inflammatory-bowel-disease")["scope"] = "systemic"


def _derive_from_itself(document: dict[str, Any]) -> None:
    _record(document, "cell_types", "stem-cell")["derives_from"] = ["stem-cell"]


def _harvest_intensities(document: dict[str, Any]) -> None:
    steps = _record(document, "therapies", "autologous-hsct")["procedure"]
    next(s for s in steps if s["kind"] == "harvest")["intensities"] = ["myeloablative"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _drop_scope,
            Problem(
                message="scope: an autoimmune disorder needs a scope (organ-specific or systemic)",
                collection="disorders",
                field="scope",
                record_id="type-1-diabetes",
                value="None",
                expected="a scope (organ-specific or systemic)",
            ),
        ),
        (
            _add_scope,
            Problem(
                message="scope: only autoimmune disorders have a scope, not immune-mediated ones",
                collection="disorders",
                field="scope",
                record_id="inflammatory-bowel-disease",
                value="'systemic'",
                expected="no scope (null): only autoimmune disorders have one",
            ),
        ),
        (
            _derive_from_itself,
            Problem(
                message="derives_from: a cell type cannot derive from itself ('stem-cell')",
                collection="cell_types",
                field="derives_from",
                record_id="stem-cell",
                value="('stem-cell',)",
                expected="ids of other cell types than 'stem-cell'",
            ),
        ),
        (
            _harvest_intensities,
            Problem(
                message="intensities: only a conditioning step has intensities, not a harvest step",
                collection="therapies",
                field="procedure[1].intensities",
                record_id="autologous-hsct",
                value="['myeloablative']",
                expected="no intensities: only a conditioning step has them",
            ),
        ),
    ],
    ids=["autoimmune without scope", "scope not autoimmune", "cell from itself", "harvest intensities"],
)
def test_a_model_rule_while_loading_is_a_located_problem(
    change: Callable[[dict[str, Any]], None], expected: Problem
) -> None:
    """Loading reports a broken model rule as one problem with its record id, field, value and expectation."""
    (problem,) = _problems_of(change)
    assert problem.index is not None  # the index depends on the order of the bundled data
    assert expected == attrs.evolve(problem, index=None)


def test_a_nested_rule_from_json_is_located_in_its_field() -> None:
    """An effect whose interval leaves out its value is refused, located at ci_high, with the expectation."""
    text = '{"measure": "hazard-ratio", "value": 2.0, "ci_low": 0.5, "ci_high": 1.5}'
    with pytest.raises(DatasetError) as caught:
        from_json(text, Effect)
    (problem,) = caught.value.problems
    assert ("ci_high", "1.5") == (problem.field, problem.value)
    assert "an interval [ci_low, ci_high] that contains the value 2.0" == problem.expected


def _raised(call: Callable[[], object]) -> StemImmuneError:
    try:
        call()
    except StemImmuneError as exc:
        return exc
    raise AssertionError(call)  # pragma: no cover - every call below raises


def _not_picklable() -> object:
    return lambda: None  # a value a validator may see: pickle refuses lambdas


ERRORS: list[StemImmuneError] = [
    DatasetError([Problem(message="bad", index=i, record_id=f"r{i}") for i in range(70)], stopped=True),
    DatasetError([Problem(message="one")], 3),
    InvalidValueError("reference_id", "Not An Id", "an identifier"),
    InvalidValueError(None, _not_picklable(), "a string"),
    InvalidValueError("scope", None, "a scope", reason="an autoimmune disorder needs a scope"),
    UnknownKeyError("x", ["a", "b"], argument="disorder"),
    UnknownKeyError("x"),
    AmbiguousKeyError("x", ["a", "b"], argument="disorder"),
    WrongKindError("x", "Disorder", [("Therapy", "x")], argument="disorder"),
    InvalidArgumentError("limit", "expected 0 or more"),
    ArgumentTypeError("text", "a string", "int"),
    _raised(lambda: stemimmune.loads('{"dataset_version": "1", "risks": [1, 2]}')),
    _raised(lambda: stemimmune.load().get("multiple sclerosys")),
]


def _check_pickles(error: StemImmuneError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)


def _check_rebuilds(error: StemImmuneError) -> None:
    again = type(error)(*error.args)
    assert str(again) == str(error)
    assert vars(again) == vars(error)


@pytest.mark.parametrize("error", ERRORS, ids=[f"{type(e).__name__}-{i}" for i, e in enumerate(ERRORS)])
def test_every_error_pickles_with_its_message_and_data(error: StemImmuneError) -> None:
    """Errors come back from pickle (worker processes) with the same type, message, args and data."""
    _check_pickles(error)


@pytest.mark.parametrize("error", ERRORS, ids=[f"{type(e).__name__}-{i}" for i, e in enumerate(ERRORS)])
def test_every_error_rebuilds_from_its_args(error: StemImmuneError) -> None:
    """An error's args are its constructor's arguments: calling the class with them gives the same error."""
    _check_rebuilds(error)


@pytest.mark.parametrize("call", [rule[1] for rule in RULES], ids=[rule[0] for rule in RULES])
def test_every_rule_error_pickles_and_rebuilds(call: Callable[[], object]) -> None:
    """The error each rule raises pickles, and rebuilds from its args, with its message and data."""
    error = _raised(call)
    _check_pickles(error)
    _check_rebuilds(error)


def test_no_error_writes_its_own_pickling() -> None:
    """Pickling goes through the constructor's arguments, with no hand-written __reduce__ or rebuild helper."""
    classes = [c for _, c in inspect.getmembers(exceptions, inspect.isclass) if issubclass(c, BaseException)]
    assert [] == [c.__name__ for c in classes if "__reduce__" in vars(c) or "__reduce_ex__" in vars(c)]
    assert [] == [name for name in vars(exceptions) if name.startswith("_rebuild")]
