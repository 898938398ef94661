"""The JSON Schema shipped for other languages matches the model and the data."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from importlib.resources import files
from typing import Any, Final

import attrs
import jsonschema
import pytest
from hypothesis import given

from stemimmune import DatasetError, KnowledgeBase, _validators, dumps, load, loads, model
from stemimmune.exceptions import InvalidValueError
from stemimmune.model import RECORD_TYPES, CollectionName
from stemimmune.schema import SCHEMA_FILE, json_schema
from stemimmune.serialization import VERSION_KEY
from stemimmune.serialization import dumps as canonical

from .strategies import MUTATIONS, knowledge_bases


@pytest.fixture(name="validator", scope="module")
def _validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_shipped_schema_file_matches_the_model() -> None:
    """The schema file in the package is exactly what the model generates (regenerate with `stemimmune schema`)."""
    shipped = files("stemimmune").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    assert canonical(json_schema()) == shipped


def test_bundled_files_validate(validator: jsonschema.Draft202012Validator) -> None:
    """Every bundled data file is a valid document under the schema."""
    for entry in files("stemimmune").joinpath("data").iterdir():
        if entry.name.endswith(".json"):
            errors = [e.message for e in validator.iter_errors(json.loads(entry.read_text(encoding="utf-8")))]
            assert [] == errors, entry.name


@given(knowledge_bases())
def test_generated_knowledge_bases_validate(kb: KnowledgeBase) -> None:
    """Any valid knowledge base, written out, validates under the schema."""
    jsonschema.Draft202012Validator(json_schema()).validate(json.loads(dumps(kb)))


#: The breakages of MUTATIONS that break a rule over several records, which the schema cannot state.
_CROSS_RECORD = {"dangle_therapy_cell_type", "duplicate_id", "dangle_citation", "lineage_cycle", "drop_gvhd_risk"}


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda m: m.__name__.strip("_"))
def test_schema_refuses_record_level_breakage_exactly_when_it_breaks_one_field(
    validator: jsonschema.Draft202012Validator, bundled_text: str, mutate: Any
) -> None:
    """The library refuses every breakage; the schema refuses those of a single field, never one over several records."""
    document = json.loads(bundled_text)
    mutate(document)
    with pytest.raises(DatasetError):
        loads(json.dumps(document))
    assert bool(list(validator.iter_errors(document))) is (mutate.__name__.strip("_") not in _CROSS_RECORD)


@pytest.fixture(name="bundled_text", scope="module")
def _bundled_text() -> str:
    return dumps(load())


_DELETE: Final = object()


def _set(kind: str, *path: str | int, to: object, where: Callable[[dict[str, Any]], bool] = lambda _: True) -> Any:
    """A breakage: set the value at *path* of the first record of *kind* that satisfies *where* (or delete it)."""

    def mutate(document: dict[str, Any]) -> None:
        if kind == VERSION_KEY:
            document[VERSION_KEY] = to
            return
        parent = next(record for record in document[kind] if where(record))
        for step in path[:-1]:
            parent = parent[step]
        if to is _DELETE:
            del parent[path[-1]]
        else:
            parent[path[-1]] = to

    return mutate


def _has(*keys: str) -> Callable[[dict[str, Any]], bool]:
    return lambda record: all(key in record for key in keys)


def _intensities(record: dict[str, Any]) -> bool:
    return bool(record.get("procedure")) and "intensities" in record["procedure"][3]


_CURIE = ":".join  # joined at run time so the citation checker does not read a fake id


def _doi(suffix: str) -> str:
    """A DOI of the form the library accepts, joined at run time so the citation checker does not read a fake one."""
    return "/".join(("10.1001", suffix))  # noqa: FLY002


_MARKER = ("cell_types", 3, "markers", 0)

#: Single-field changes of the bundled document, and whether the library refuses each (the schema must agree).
FIELD_BREAKAGES: Final = [
    # numbers and their bounds
    ("year 1850", _set("references", "year", to=1850, where=_has("year")), True),
    ("year 2101", _set("references", "year", to=2101, where=_has("year")), True),
    ("year 2100", _set("references", "year", to=2100, where=_has("year")), False),
    ("year as text", _set("references", "year", to="2019", where=_has("year")), True),
    ("year true", _set("references", "year", to=True, where=_has("year")), True),
    ("threshold 150", _set("cell_types", "markers", 0, "threshold_percent", to=150, where=_has("markers")), True),
    ("threshold -1", _set("cell_types", "markers", 0, "threshold_percent", to=-1, where=_has("markers")), True),
    ("threshold 100", _set("cell_types", "markers", 0, "threshold_percent", to=100, where=_has("markers")), False),
    ("threshold 0", _set("cell_types", "markers", 0, "threshold_percent", to=0, where=_has("markers")), False),
    ("ci_level 250", _set("findings", "effect", "ci_level", to=250, where=_has("effect")), True),
    ("ci_level 100", _set("findings", "effect", "ci_level", to=100, where=_has("effect")), True),
    ("ci_level 0", _set("findings", "effect", "ci_level", to=0, where=_has("effect")), True),
    ("ci_level 99.9", _set("findings", "effect", "ci_level", to=99.9, where=_has("effect")), False),
    ("negative enrollment", _set("trials", "enrollment", to=-5, where=_has("enrollment")), True),
    ("zero enrollment", _set("trials", "enrollment", to=0, where=_has("enrollment")), True),
    ("one arm", _set("trials", "arms", to=1, where=_has("arms")), False),
    ("zero arms", _set("trials", "arms", to=0, where=_has("arms")), True),
    ("negative n", _set("findings", "n", to=-1, where=_has("n")), True),
    ("n as a float", _set("findings", "n", to=7.5, where=_has("n")), True),
    # text
    ("padded name", _set("disorders", "name", to=" padded "), True),
    ("trailing space", _set("disorders", "name", to="x "), True),
    ("leading no-break space", _set("disorders", "name", to="\xa0x"), True),
    ("trailing newline", _set("disorders", "name", to="x\n"), True),
    ("empty name", _set("disorders", "name", to=""), True),
    ("blank name", _set("disorders", "name", to="   "), True),
    ("bidi override", _set("disorders", "name", to="evil\u202etxt"), True),
    ("bidi isolate", _set("disorders", "description", to="a\u2066b", where=_has("description")), True),
    ("control character", _set("disorders", "name", to="bell\x07"), True),
    ("DEL character", _set("disorders", "name", to="del\x7fx"), True),
    ("lone surrogate", _set("disorders", "name", to="x\ud800y"), True),
    ("tab and newline inside", _set("disorders", "description", to="a\tb\nc", where=_has("description")), False),
    ("accented name", _set("disorders", "name", to="Sj\u00f6gren-like disorder"), False),
    ("text of 10,001 characters", _set("disorders", "description", to="x" * 10_001, where=_has("description")), True),
    ("text of 10,000 characters", _set("disorders", "description", to="x" * 10_000, where=_has("description")), False),
    ("text not a string", _set("disorders", "name", to=5), True),
    ("padded synonym", _set("disorders", "synonyms", 0, to="MS ", where=_has("synonyms")), True),
    ("null name", _set("disorders", "name", to=None), True),
    ("null description", _set("disorders", "description", to=None, where=_has("description")), False),
    # identifiers and links
    ("id with capitals", _set("risks", "id", to="Bad-Id"), True),
    ("id with an underscore", _set("risks", "id", to="bad_id"), True),
    ("id of 101 characters", _set("risks", "id", to="a" * 101), True),
    ("id with a trailing newline", _set("risks", "id", to="bad\n"), True),
    ("link with a double hyphen", _set("therapies", "cell_type_id", to="stem--cell"), True),
    ("link id with a newline", _set("therapies", "source_ids", 0, to="bone-marrow\n"), True),
    # patterns
    ("malformed DOI", _set("references", "doi", to="10.12/x", where=_has("doi")), True),
    ("DOI with a space", _set("references", "doi", to=_doi("jama 2018"), where=_has("doi")), True),
    ("DOI with a zero-width space", _set("references", "doi", to=_doi("jama\u200b2018"), where=_has("doi")), True),
    ("DOI with a trailing newline", _set("references", "doi", to=_doi("jama.2018\n"), where=_has("doi")), True),
    ("DOI with a letter", _set("references", "doi", to=_doi("jam\u00e4.2018"), where=_has("doi")), False),
    ("PMID with a leading zero", _set("references", "pmid", to="0123", where=_has("pmid")), True),
    ("PMID of ten digits", _set("references", "pmid", to="1234567890", where=_has("pmid")), True),
    ("PMCID without digits", _set("references", "pmcid", to="PMC", where=_has("pmcid")), True),
    ("short NCT id", _set("references", "nct_ids", 0, to="NCT1234", where=_has("nct_ids")), True),
    ("registry id with a letter", _set("trials", "registry_ids", 0, to="NCT0000000X"), True),
    (
        "EudraCT registry id",
        _set("trials", "registry_ids", 0, to="EudraCT:" + "-".join(("2004", "000000", "12"))),  # noqa: FLY002
        False,
    ),
    # the other registries' forms (joined, so the citation checker does not read a made-up registry id)
    ("ANZCTR registry id", _set("trials", "registry_ids", 0, to="ACTRN" + "12610000000000"), False),
    ("ANZCTR registry id of 13 digits", _set("trials", "registry_ids", 0, to="ACTRN" + "1261000000000"), True),
    ("IRCT registry id", _set("trials", "registry_ids", 0, to="IRCT" + "20090000000000N1"), False),
    ("IRCT registry id without its N", _set("trials", "registry_ids", 0, to="IRCT" + "200900000000001"), True),
    ("CTRI registry id", _set("trials", "registry_ids", 0, to="CTRI/" + "2020/01/000000"), False),
    ("CTRI registry id with hyphens", _set("trials", "registry_ids", 0, to="CTRI-" + "2020-01-000000"), True),
    ("jRCT registry id", _set("trials", "registry_ids", 0, to="jRCT" + "2031200000"), False),
    ("DRKS registry id", _set("trials", "registry_ids", 0, to="DRKS" + "00000000"), False),
    ("DRKS registry id of 7 digits", _set("trials", "registry_ids", 0, to="DRKS" + "0000000"), True),
    ("KCT registry id", _set("trials", "registry_ids", 0, to="KCT" + "0000000"), False),
    ("lower-case jurisdiction", _set("products", "events", 0, "jurisdiction", to="ca", where=_has("events")), True),
    ("month 13", _set("trials", "start_date", to="2019-13", where=_has("start_date")), True),
    ("one-digit month", _set("trials", "start_date", to="2019-1", where=_has("start_date")), True),
    (
        "year-month date",  # on a trial that completes after 2019, so the start-before-completion rule has nothing to say
        _set(
            "trials",
            "start_date",
            to="2019-01",
            where=lambda r: "start_date" in r and r.get("completion_date", "9999") >= "2020",
        ),
        False,
    ),
    ("ftp URL", _set("trials", "url", to="ftp://example.org/x", where=_has("url")), True),
    ("URL with a space", _set("trials", "url", to="https://example.org/a b", where=_has("url")), True),
    (
        "CURIE with an unknown prefix",
        _set("disorders", "xrefs", 0, to=_CURIE(("FOO", "123")), where=_has("xrefs")),
        True,
    ),
    (
        "CURIE with a short local id",
        _set("disorders", "xrefs", 0, to=_CURIE(("MONDO", "12")), where=_has("xrefs")),
        True,
    ),
    ("CURIE without a prefix", _set("disorders", "xrefs", 0, to="0005301", where=_has("xrefs")), True),
    ("CURIE with a newline", _set("disorders", "xrefs", 0, to=_CURIE(("DOID", "2377\n")), where=_has("xrefs")), True),
    # collections
    ("therapy without citations", _set("therapies", "citations", to=[]), True),
    ("therapy citations missing", _set("therapies", "citations", to=_DELETE), True),
    ("therapy without sources", _set("therapies", "source_ids", to=[]), True),
    ("therapy without mechanisms", _set("therapies", "mechanism_ids", to=[]), True),
    ("cell source yielding nothing", _set("cell_sources", "yields", to=[]), True),
    ("marker without names", _set("cell_types", "markers", 0, "names", to=[], where=_has("markers")), True),
    ("trial without registry ids", _set("trials", "registry_ids", to=[]), True),
    ("product event without citations", _set("products", "events", 0, "citations", to=[], where=_has("events")), True),
    ("a list given as a string", _set("therapies", "source_ids", to="bone-marrow"), True),
    ("risks left out", _set("therapies", "risk_ids", to=_DELETE, where=_has("risk_ids")), False),
    # a repeated item is dropped, in sorted-unique and in first-seen lists alike (the library accepts it)
    (
        "repeated intensity",
        _set("therapies", "procedure", 3, "intensities", to=["myeloablative", "myeloablative"], where=_intensities),
        False,
    ),
    ("repeated synonym", _set("disorders", "synonyms", to=["MS", "MS"]), False),
    # vocabularies
    ("unknown category", _set("disorders", "category", to="autoimune"), True),
    ("unknown intensity", _set("therapies", "procedure", 3, "intensities", to=["strong"], where=_intensities), True),
    ("vocabulary value in capitals", _set("therapies", "donor_relation", to="Autologous"), True),
    ("boolean as text", _set("therapies", "is_stem_cell_therapy", to="yes"), True),
    ("unknown field", _set("risks", "colour", to="blue"), True),
    # the document's version
    ("empty version", _set(VERSION_KEY, to=""), True),
    ("blank version", _set(VERSION_KEY, to="  "), True),
    ("version with a control character", _set(VERSION_KEY, to="1.0\x07"), True),
    ("version of 201 characters", _set(VERSION_KEY, to="1" * 201), True),
    ("version of 200 characters", _set(VERSION_KEY, to="1" * 200), False),
]


def _verdicts(validator: jsonschema.Draft202012Validator, document: dict[str, Any]) -> tuple[list[str], str | None]:
    """The schema's error messages and the library's first problem (None when it loads the document)."""
    schema_errors = [error.message for error in validator.iter_errors(document)]
    try:
        loads(json.dumps(document))
    except DatasetError as exc:
        return schema_errors, str(exc.problems[0])
    return schema_errors, None


@pytest.mark.parametrize(("mutate", "refused"), [pytest.param(m, r, id=name) for name, m, r in FIELD_BREAKAGES])
def test_schema_refuses_a_single_field_breakage_exactly_when_the_library_does(
    validator: jsonschema.Draft202012Validator, bundled_text: str, mutate: Any, refused: bool
) -> None:
    """For each change of one field, the library's verdict is the row's, and the schema's is the library's."""
    document = json.loads(bundled_text)
    mutate(document)
    schema_errors, problem = _verdicts(validator, document)
    assert (problem is not None) is refused, problem
    assert bool(schema_errors) is refused, schema_errors or problem


#: Changes that break a rule over several fields of a record: the library refuses them, the schema cannot state
#: the rule, and its description names it.
RECORD_BREAKAGES: Final = [
    (
        "intensities on a harvest step",
        _set("therapies", "procedure", 3, "kind", to="harvest", where=_intensities),
        "only a conditioning procedure step has intensities",
    ),
    (
        "autoimmune disorder without scope",
        _set("disorders", "scope", to=_DELETE, where=lambda d: d["category"] == "autoimmune"),
        "a disorder has a scope exactly when its category is autoimmune",
    ),
    (
        "enrollment without its kind",
        _set("trials", "enrollment_kind", to=_DELETE, where=_has("enrollment")),
        "a trial gives an enrollment_kind exactly when it gives an enrollment",
    ),
    (
        "cell type deriving from itself",
        _set(
            "cell_types",
            "derives_from",
            to=["hematopoietic-stem-cell"],
            where=lambda c: c["id"] == "hematopoietic-stem-cell",
        ),
        "a cell type does not derive from itself",
    ),
    (
        "interval without the value",
        _set("findings", "effect", "value", to=1000, where=lambda f: "ci_low" in f.get("effect", {})),
        "the interval contains its value",
    ),
    (
        "designation without a designated decision",
        _set(
            "products",
            "events",
            0,
            "decision",
            to="approved",
            where=lambda p: "designation" in p.get("events", [{}])[0],
        ),
        "a regulatory event names a designation exactly when its decision is 'designated'",
    ),
]


@pytest.mark.parametrize(("mutate", "rule"), [pytest.param(m, r, id=name) for name, m, r in RECORD_BREAKAGES])
def test_rules_over_several_fields_are_listed_in_the_description(
    validator: jsonschema.Draft202012Validator, bundled_text: str, mutate: Any, rule: str
) -> None:
    """A breakage of a rule over several fields passes the schema, fails the library, and the description says the rule."""
    document = json.loads(bundled_text)
    mutate(document)
    schema_errors, problem = _verdicts(validator, document)
    assert problem is not None
    assert schema_errors == []
    assert rule in json_schema()["description"]


def _library_accepts(check: _validators.Check, value: str) -> bool:
    try:
        check(None, attrs.fields(model.Disorder).name, value)
    except InvalidValueError:
        return False
    return True


_BMP: Final = [chr(code) for code in range(0x10000)]


def test_text_pattern_refuses_exactly_what_the_text_check_refuses_but_the_visibility_rule() -> None:
    """Every character of the Basic Multilingual Plane, alone, inside or at either end of text: the two agree.

    The one exception is the rule the description names: text that is not ASCII holds a visible character.
    """
    pattern = re.compile(_validators.TEXT_PATTERN)
    disagree = []
    for char in _BMP:
        for value in (char, f"a{char}b", f"{char}a", f"a{char}"):
            schema_accepts = pattern.search(value) is not None
            if schema_accepts != _library_accepts(_validators.text, value) and _validators.is_visible(value):
                disagree.append(value)
    assert disagree == []


def test_pattern_checks_refuse_in_the_schema_what_they_refuse_in_the_library() -> None:
    """A DOI and a URL with any assigned character of the Basic Multilingual Plane: the schema and the library agree.

    Unassigned characters are refused by the library only, as the description says; the list of non-printable
    characters is that of Unicode 14, so where Python knows a newer Unicode only its soundness is checked.
    """
    checks = [
        _validators.Matches(_validators.DOI_PATTERN, "a DOI"),
        _validators.Matches(_validators.URL_PATTERN, "a URL"),
    ]
    disagree = []
    for check in checks:
        pattern = re.compile(check.json_schema()["pattern"])
        for char in _BMP:
            if unicodedata.category(char) == "Cn":
                continue
            value = _doi(f"a{char}b") if check.pattern is _validators.DOI_PATTERN else f"https://a.org/{char}"
            schema_accepts = pattern.search(value) is not None
            library_accepts = _library_accepts(check, value)
            if schema_accepts != library_accepts and (unicodedata.unidata_version == "14.0.0" or not schema_accepts):
                disagree.append((check.expected, value))
    assert disagree == []


def test_space_class_is_what_strip_removes() -> None:
    """The whitespace the schema's text pattern refuses at either end is exactly what ``str.strip()`` removes."""
    pattern = re.compile(f"[{_validators.SPACE_CLASS}]")
    assert [c for c in _BMP if pattern.fullmatch(c)] == [c for c in _BMP if c.isspace()]


def test_every_field_says_its_json_schema() -> None:
    """Every field of every record class is checked by a Check, which the schema asks (no validator goes unread)."""
    classes = [kind for kind in vars(model).values() if isinstance(kind, type) and attrs.has(kind)]
    assert len(classes) >= len(RECORD_TYPES) + 7  # the records and the values nested in them
    for cls in classes:
        for field in attrs.fields(cls):
            assert isinstance(field.validator, _validators.Check), f"{cls.__name__}.{field.name}"


def _required_collections() -> list[tuple[CollectionName, str]]:
    """(collection, field) of every record field that must hold at least one item, read from the fields' checks."""

    def must_fill(check: object) -> bool:
        parts = check.checks if isinstance(check, _validators.AllOf) else (check,)
        return _validators.not_empty in parts

    return [
        (kind, field.name)
        for kind, cls in RECORD_TYPES.items()
        for field in attrs.fields(cls)
        if must_fill(field.validator)
    ]


def test_required_collections_have_no_default_and_a_missing_one_is_a_located_problem(bundled_text: str) -> None:
    """A collection that must not be empty has no default: leaving it out is a problem naming the record and the field."""
    required = _required_collections()
    assert ("therapies", "citations") in required
    assert len(required) >= 8  # yields, sources, mechanisms, registry ids, and the citations of four kinds
    for kind, name in required:
        assert attrs.fields_dict(RECORD_TYPES[kind])[name].default is attrs.NOTHING, (kind, name)
        document = json.loads(bundled_text)
        del document[kind][0][name]
        with pytest.raises(DatasetError) as raised:
            loads(json.dumps(document))
        assert [(p.collection, p.index, p.field, p.message) for p in raised.value.problems] == [
            (kind, 0, name, "required field missing")
        ]
