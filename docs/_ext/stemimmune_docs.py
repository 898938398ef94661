"""
Sphinx directives that document the dataset format from the code, so it cannot drift.

``.. stemimmune-fields:: Reference`` renders the JSON keys of one record class of
:mod:`stemimmune.model`: the key, its JSON type, whether it is required (and its
default), and its meaning from the class docstring's ``Attributes:`` section.
``.. stemimmune-curie-prefixes::`` lists the ontology prefixes cross-references may
use; ``.. stemimmune-jurisdictions::`` the jurisdiction codes with their names. Use them inside ``{eval-rst}`` blocks of MyST pages. The build warns (an error
under ``-W``) when a record class of the model is documented by no directive.

Two autodoc hooks tidy the API reference: attrs classes show their defaults as values
(``()``, ``None``) rather than ``NOTHING``, and the ``#:`` comments of vocabulary
members are kept as written rather than read by napoleon as "type: description".
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
from typing import Any, ClassVar

import attrs
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from stemimmune import _text, _validators, model, vocabulary


if typing.TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


logger = logging.getLogger(__name__)

_DOCUMENTED = "stemimmune_documented_records"
_BARE_ATTR = re.compile(r":attr:`(?P<name>\w+)`")


def record_classes() -> dict[str, type[Any]]:
    """Every record class of the model (collections and nested records), by name."""
    return {
        name: cls
        for name, cls in vars(model).items()
        if inspect.isclass(cls) and attrs.has(cls) and not name.startswith("_") and cls.__module__ == model.__name__
    }


def attribute_docs(cls: type[Any]) -> dict[str, str]:
    """Read the ``Attributes:`` section of a Google-style class docstring (the same reader as the JSON Schema's)."""
    return _text.attribute_docs(cls.__doc__)


def _validators_of(field: attrs.Attribute[Any]) -> list[Any]:
    """The checks of a field, with the parts of combined and optional checks."""
    pending = [field.validator]
    flat: list[Any] = []
    while pending:
        validator = pending.pop()
        if isinstance(validator, _validators.AllOf):
            pending.extend(validator.checks)
        elif isinstance(validator, _validators.Optional):
            pending.append(validator.inner)
        elif validator is not None:
            flat.append(validator)
    return flat


def json_type(annotation: Any, field: attrs.Attribute[Any] | None = None, *, plural: bool = False) -> str:  # noqa: PLR0911 - one return per kind of value
    """Describe a field's annotation as the JSON value it takes, in reST."""
    checks = _validators_of(field) if field is not None else []
    origin = typing.get_origin(annotation)
    if origin in {types.UnionType, typing.Union}:
        (inner,) = (arg for arg in typing.get_args(annotation) if arg is not type(None))
        return json_type(inner, field, plural=plural)
    if origin is tuple:
        if _validators.identifiers in checks:
            return "list of ids"
        if _validators.curies in checks:
            return "list of CURIEs"
        return f"list of {json_type(typing.get_args(annotation)[0], plural=True)}"
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        each = "strings, each" if plural else "string,"
        return f"{each} one of :class:`~{annotation.__module__}.{annotation.__qualname__}`"
    if inspect.isclass(annotation) and attrs.has(annotation):
        return f":ref:`{annotation.__name__} <schema-{annotation.__name__.lower()}>` object{'s' if plural else ''}"
    if annotation is str and _validators.identifier in checks:
        return "id"
    names = {str: "string", int: "integer", float: "number", bool: "true or false"}
    name = names.get(annotation, annotation.__name__)
    return f"{name}s" if plural and annotation is not bool else name


def required(field: attrs.Attribute[Any]) -> str:
    """Say whether a key must be present, and what an absent key means."""
    if field.default is attrs.NOTHING:
        return "yes, not empty" if _validators.not_empty in _validators_of(field) else "yes"
    default = field.default.factory() if isinstance(field.default, attrs.Factory) else field.default
    if default is None:
        shown = "null"
    elif isinstance(default, tuple):
        shown = "[]"
    elif isinstance(default, bool):
        shown = str(default).lower()
    elif isinstance(default, enum.Enum):
        shown = f'"{default.value}"'
    else:
        shown = repr(default)
    return f"no; default ``{shown}``"


class FieldsDirective(SphinxDirective):
    """Render the JSON keys of one record class as a table."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        """Build the table."""
        name = self.arguments[0]
        classes = record_classes()
        if name not in classes:
            msg = f"no record class {name!r} in stemimmune.model; expected one of: {', '.join(sorted(classes))}"
            raise self.error(msg)
        cls = classes[name]
        documented: set[str] = getattr(self.env, _DOCUMENTED, set())
        documented.add(name)
        setattr(self.env, _DOCUMENTED, documented)
        hints = typing.get_type_hints(cls)
        meaning = attribute_docs(cls)
        qualified = f"{cls.__module__}.{cls.__qualname__}"
        lines = [
            f"In Python: :class:`~{qualified}`.",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 18 24 16 42",
            "",
            "   * - Key",
            "     - JSON value",
            "     - Required",
            "     - Meaning",
        ]
        for field in attrs.fields(cls):
            text = meaning.get(field.name)
            if text is None:
                logger.warning("%s.%s has no entry in the class docstring's Attributes section", qualified, field.name)
                text = ""
            text = _BARE_ATTR.sub(lambda m: f":attr:`~{qualified}.{m['name']}`", text)
            lines += [
                f"   * - ``{field.name}``",
                f"     - {json_type(hints[field.name], field)}",
                f"     - {required(field)}",
                f"     - {text}",
            ]
        container = nodes.container()
        with_module = [f".. currentmodule:: {cls.__module__}", "", *lines]
        nested_parse_with_titles(self.state, StringList(with_module, source=self.get_source_info()[0]), container)
        return container.children


class CuriePrefixesDirective(SphinxDirective):
    """List the ontology prefixes a cross-reference (CURIE) may use."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the list."""
        paragraph = nodes.paragraph()
        for index, prefix in enumerate(_validators.CURIE_PATTERNS):
            if index:
                paragraph += nodes.Text(", ")
            paragraph += nodes.literal(text=prefix)
        return [paragraph]


class JurisdictionsDirective(SphinxDirective):
    """List the jurisdiction codes (ISO 3166-1 alpha-2 and EU), each with its name."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the list: ``EU`` European Union, ``US`` United States, ..."""
        paragraph = nodes.paragraph()
        for index, (code, name) in enumerate(vocabulary.JURISDICTIONS.items()):
            if index:
                paragraph += nodes.Text("; ")
            paragraph += nodes.literal(text=code)
            paragraph += nodes.Text(f" {name}")
        return [paragraph]


_kept_docstrings: dict[str, list[str]] = {}


def _keep_member_docstring(
    _app: Sphinx, what: str, name: str, _obj: object, _options: object, lines: list[str]
) -> None:
    """
    Set the docstrings of vocabulary members aside before napoleon reads them.

    Napoleon reads a one-line attribute docstring ``a: b`` as type ``a`` and
    description ``b``; the ``#:`` comments of enum members are plain prose.
    """
    if what == "attribute" and name.startswith("stemimmune.vocabulary."):
        _kept_docstrings[name] = list(lines)


def _restore_member_docstring(
    _app: Sphinx, what: str, name: str, _obj: object, _options: object, lines: list[str]
) -> None:
    """Put back what :func:`_keep_member_docstring` set aside, after napoleon ran."""
    kept = _kept_docstrings.pop(name, None)
    if what == "attribute" and kept is not None:
        lines[:] = kept


def _signature_defaults(
    _app: Sphinx, what: str, _name: str, obj: object, _options: object, signature: str | None, annotation: str | None
) -> tuple[str | None, str | None] | None:
    """
    Show an attrs class's defaults as values in its signature.

    The ``__init__`` attrs writes gives fields with a factory the default ``NOTHING``
    (and calls the factory inside), and its source names the other defaults as
    ``attr_dict['name'].default``; the reader wants the values: ``()``, ``None``.
    """
    if what not in {"class", "exception"} or signature is None or not (inspect.isclass(obj) and attrs.has(obj)):
        return None
    for field in attrs.fields(obj):
        default = field.default
        if isinstance(default, attrs.Factory) and not default.takes_self:
            pattern = rf"(\b{re.escape(field.alias or field.name)}\b[^,=()]*(?:\[[^\]]*\][^,=()]*)?=\s*)NOTHING"
            value = repr(default.factory())
            signature = re.sub(pattern, lambda m, value=value: m[1] + value, signature)
        elif default is not attrs.NOTHING:
            shown = f"{type(default).__name__}.{default.name}" if isinstance(default, enum.Enum) else repr(default)
            signature = signature.replace(f"attr_dict['{field.name}'].default", shown)
    return signature, annotation


def _check_coverage(app: Sphinx, env: BuildEnvironment) -> None:
    if app.builder.name not in {"html", "dirhtml", "singlehtml"}:
        return
    documented: set[str] = getattr(env, _DOCUMENTED, set())
    missing = sorted(set(record_classes()) - documented)
    if missing:
        logger.warning("record classes missing from the dataset schema page: %s", ", ".join(missing))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and the coverage check."""
    app.add_directive("stemimmune-fields", FieldsDirective)
    app.add_directive("stemimmune-curie-prefixes", CuriePrefixesDirective)
    app.add_directive("stemimmune-jurisdictions", JurisdictionsDirective)
    app.connect("env-check-consistency", _check_coverage)
    app.connect("autodoc-process-signature", _signature_defaults)
    app.connect("autodoc-process-docstring", _keep_member_docstring, priority=100)
    app.connect("autodoc-process-docstring", _restore_member_docstring, priority=900)
    return {"version": "1", "parallel_read_safe": False, "env_version": 1}
