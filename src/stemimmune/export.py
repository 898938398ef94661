"""
Flat, join-ready tables of a knowledge base: rows of dicts, DataFrames, CSV and JSON.

Every collection of a :class:`~stemimmune.KnowledgeBase` is a table of the same name
(``references``, ``disorders``, ``therapies``, ...), with one row per record. More
tables unnest what records hold: ``recommendations`` (one row per guideline
recommendation of an indication), ``regulatory`` (one row per regulatory decision of
a product), ``markers``, ``procedure_steps``, ``conventional_treatments`` and
``product_holders`` (one row per item of a cell type's markers, a therapy's procedure,
a disorder's conventional treatments and a product's holders, with the parent's id and
the item's ``position``, from 0), and ``citations`` (one row per citation anywhere in
the knowledge base, its ``field`` saying where in the record it sits, e.g.
``events[0].citations``).

Rows are flat: enum members become their string values; lists of scalars (ids,
CURIEs, synonyms) become lists of strings; a nested record (a finding's ``effect``)
becomes prefixed columns (``effect_measure``, ``effect_value``, ...); ``citations``
become ``reference_ids``. Lists of nested records are left out of their parent's
table because they have tables of their own (above), joined on the parent's id:
``indication_id``, ``product_id``, ``cell_type_id``, ``therapy_id`` or ``disorder_id``. Join columns are added where useful: findings carry their
indication's ``therapy_id`` and ``disorder_id``, references their credibility
``tier``.

Beside each column of an ordered vocabulary (``evidence_level``, ``design``,
``phase``, ``tier``, ...) is its integer rank, weakest (or earliest) first from 0:
``evidence_rank``, ``design_rank``, ``phase_rank``, ``tier_rank``, ..., so an engine
that reads the vocabulary as plain text still sorts by strength.

:func:`write_csv` and :func:`write_json` write to an open text stream; only
:func:`write_tables` writes files, and it never leaves a half-written export behind.

Example:
    >>> import stemimmune
    >>> from stemimmune.export import records
    >>> kb = stemimmune.load()
    >>> row = records(kb, "findings")[0]
    >>> list(row)[:5]
    ['id', 'indication_id', 'therapy_id', 'disorder_id', 'design']
"""

from __future__ import annotations

import contextlib
import csv
import enum
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from . import _tables
from ._io import sync_folder, write_atomically
from ._results import Results
from ._tables import CHILD_TABLES, JOINED_TABLES, Table, Tables, follow_up_months, frame
from ._text import listing, shorten
from .exceptions import InvalidArgumentError, argument_type_error
from .vocabulary import TrialPhase, _Ordered


if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "CHILD_TABLES",
    "FORMULA_STARTS",
    "JOINED_TABLES",
    "TABLES",
    "column_types",
    "columns",
    "dataframe",
    "datapackage",
    "follow_up_months",
    "records",
    "result_frame",
    "write_csv",
    "write_json",
    "write_tables",
]

#: Every table name :func:`records` accepts: the collections, the child tables
#: (``CHILD_TABLES``), then the joined ones (``JOINED_TABLES``; ``evidence`` has
#: one row per indication with its therapy, disorder, stem-cell flag, evidence level and
#: best guideline category).
TABLES: Final[tuple[str, ...]] = tuple(_tables.TABLES)

#: First characters that make a spreadsheet read a text cell as a formula (OWASP's list);
#: ``write_csv(..., spreadsheet_safe=True)`` puts a single quote before them.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

#: The key of ``datapackage.json`` listing every file :func:`write_tables` wrote.
FILES_KEY: Final = "stemimmune_files"


# ------------------------------------------------------------------ public functions


def columns(table: str) -> tuple[str, ...]:
    """
    Return the column names of *table*, in the order :func:`records` gives its keys.

    The columns depend on the table only, so an empty table still has them.

    Args:
        table: One of :data:`TABLES`.

    Returns:
        The column names.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.

    Example:
        >>> columns("citations")
        ('record_kind', 'record_id', 'field', 'reference_id', 'locator')
    """
    return _tables.table(table).names


def records(kb: Tables, table: str) -> list[dict[str, object]]:
    """
    Return the rows of *table* as flat dicts, all with the keys of :func:`columns`.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.

    Returns:
        One dict per row, in the knowledge base's order: a collection table has one
        row per record, ``recommendations`` one per guideline recommendation,
        ``regulatory`` one per regulatory decision and ``citations`` one per citation.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> row = next(r for r in records(kb, "references") if r["id"] == "burt2019-mist")
        >>> row["kind"], row["tier"], row["doi"]
        ('randomized-trial', 'authoritative', '10.1001/jama.2018.18743')
    """
    declared = _tables.table(table)
    _check_kb(kb)
    return [dict(row) for row in declared.rows(kb)]


def dataframe(kb: Tables, table: str) -> pd.DataFrame:
    """
    Return *table* as a pandas DataFrame with typed columns, one per key of :func:`records`.

    pandas is an optional dependency: ``pip install "stemimmune[pandas]"``.
    Columns holding an ordered vocabulary (evidence level, study design, credibility
    tier, EBMT and ASTCT category, potency, conditioning intensity) are ordered
    ``Categorical`` whose order is the vocabulary's, weakest first, so comparisons and
    sorting follow the evidence, not the alphabet; other vocabularies are unordered
    ``Categorical``; counts and years are nullable ``Int64``; follow-up in months is a
    float; text is pandas' string type. List values (ids, synonyms, ``reference_ids``,
    ...) stay Python lists. An empty table has the same columns and types.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.
        ImportError: pandas is not installed; the message names the extra to install.

    Example:
        >>> import stemimmune
        >>> frame = dataframe(stemimmune.load(), "findings")
        >>> frame["design"].cat.ordered, str(frame["n"].dtype)
        (True, 'Int64')
        >>> bool((frame[frame["design"] >= "observational"]["design"] == "nonrandomized-trial").any())
        True
    """
    declared = _tables.table(table)
    _check_kb(kb)
    return frame(declared.names, declared.kinds, records(kb, table), "dataframe")


def result_frame(results: Iterable[object]) -> pd.DataFrame:
    """
    Return query results as a typed DataFrame, as :meth:`stemimmune.query.Results.to_frame` does.

    Raises:
        ImportError: pandas is not installed; the message names the extra to install.
    """
    return (results if isinstance(results, Results) else Results(results)).to_frame()


def column_types(table: str) -> dict[str, type]:
    """
    Return the type of each scalar column of *table*: a vocabulary, ``int``, ``float``, ``bool`` or ``str``.

    List columns (ids, synonyms, nested records) are left out.
    :func:`dataframe` and :func:`write_tables` read it to type their columns.

    Args:
        table: One of :data:`TABLES`.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.

    Example:
        >>> column_types("findings")["design"].__name__, column_types("findings")["n"].__name__
        ('EvidenceLevel', 'int')
    """
    return dict(_tables.table(table).kinds)


def write_csv(kb: Tables, table: str, stream: TextIO, *, spreadsheet_safe: bool = False) -> None:
    """
    Write *table* to *stream* as CSV with a header row.

    A list is written as a JSON array of strings (``["aHSCT","AHSCT"]``; ``[]`` when
    empty), so any character survives a round trip: read it back with
    :func:`json.loads`. None is an empty cell. Open a file for it with ``newline=""``,
    as for any :mod:`csv` writer.

    Text is written as it is, so a cell starting with ``=``, ``+``, ``-`` or ``@``
    (:data:`FORMULA_STARTS`) is a live formula when the file is opened in a
    spreadsheet. With *spreadsheet_safe* such a text cell gets a single quote in
    front (as OWASP advises), which a spreadsheet shows as text; the file is then
    for people, not for reading back. Numbers are never changed.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.
        stream: An open text stream; it is written to, never opened or closed.
        spreadsheet_safe: Quote text cells a spreadsheet would run as formulas.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.
        ArgumentTypeError: *kb* is not a knowledge base, *stream* not a text stream, or
            *spreadsheet_safe* not a bool. Nothing is written.

    Example:
        >>> import io, stemimmune
        >>> stream = io.StringIO(newline="")
        >>> write_csv(stemimmune.load(), "citations", stream)
        >>> stream.getvalue().splitlines()[0]
        'record_kind,record_id,field,reference_id,locator'
    """
    names = columns(table)
    _check_kb(kb)
    _check_stream(stream)
    _check_flag("spreadsheet_safe", spreadsheet_safe)
    writer = csv.DictWriter(stream, fieldnames=names)
    writer.writeheader()
    writer.writerows(
        {key: _csv_cell(value, spreadsheet_safe=spreadsheet_safe) for key, value in row.items()}
        for row in records(kb, table)
    )


def write_json(kb: Tables, table: str, stream: TextIO) -> None:
    """
    Write *table* to *stream* as a JSON list of objects (sorted keys, two-space indent).

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.
        stream: An open text stream; it is written to, never opened or closed.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.
        ArgumentTypeError: *kb* is not a knowledge base or *stream* not a text stream.
            Nothing is written.
    """
    columns(table)
    _check_kb(kb)
    _check_stream(stream)
    json.dump(records(kb, table), stream, indent=2, sort_keys=True, ensure_ascii=False)
    stream.write("\n")


def write_tables(
    kb: Tables, folder: str | os.PathLike[str], *, parquet: bool | None = None, spreadsheet_safe: bool = False
) -> list[Path]:
    """
    Write every table to *folder* as CSV (and Parquet) with a Frictionless ``datapackage.json``.

    Each table of :data:`TABLES` becomes ``<table>.csv`` (as :func:`write_csv` writes
    it) and, with *parquet*, ``<table>.parquet`` (typed columns; lists stay lists).
    ``datapackage.json`` describes the CSV files as a Frictionless Data Package: each
    field's type, the valid values of vocabulary columns, primary keys and foreign
    keys, so ``frictionless validate datapackage.json`` checks the whole folder. It
    also lists, under ``stemimmune_files`` (``FILES_KEY``), every file the export
    wrote: that list is how a later export knows which files are its own.

    The export never destroys. Every argument is checked before anything is
    written. The files are written to a new temporary folder beside *folder*, then
    moved in: into a new *folder* in one rename, or into an existing one file by
    file, the old export's files set aside first and put back if anything fails. So
    a failure (a full disk, Ctrl-C, a value a format cannot hold) leaves the old
    export as it was and no temporary folder behind. Files of the previous export
    that this one does not write (Parquet files, when this export writes none) are
    removed; other files in *folder* are never touched, and the export refuses to
    replace a file it did not write.

    Args:
        kb: The knowledge base to write.
        folder: Where to write; created (with its parents) if missing.
        parquet: Write Parquet too: True requires pyarrow, False never writes it, and
            None (the default) writes it when pyarrow is installed
            (``pip install "stemimmune[parquet]"``).
        spreadsheet_safe: Quote CSV text cells a spreadsheet would run as formulas,
            as :func:`write_csv` does.

    Returns:
        The paths written, ``datapackage.json`` last.

    Raises:
        InvalidArgumentError: *folder* is empty or names a file, or holds a file of a
            name the export writes that a previous export did not write.
        ArgumentTypeError: *kb* is not a knowledge base, *folder* not a path, or
            *parquet* or *spreadsheet_safe* not a bool.
        ImportError: *parquet* is True and pyarrow is not installed.
        OSError: The folder cannot be created or written (an existing export is unchanged).
    """
    _check_kb(kb)
    target = _folder(folder)
    _check_flag("parquet", parquet, optional=True)
    _check_flag("spreadsheet_safe", spreadsheet_safe)
    pyarrow = _pyarrow(required=parquet is True) if parquet is not False else None
    real = Path(os.path.realpath(target))
    if real.exists() and not real.is_dir():
        raise InvalidArgumentError("folder", f"{shorten(str(target))} is a file; expected a folder")
    contents: dict[str, bytes] = {}
    for table in TABLES:
        stream = io.StringIO(newline="")
        write_csv(kb, table, stream, spreadsheet_safe=spreadsheet_safe)
        contents[f"{table}.csv"] = stream.getvalue().encode("utf-8")
        if pyarrow is not None:
            contents[f"{table}.parquet"] = _parquet_bytes(kb, table)
    descriptor = datapackage(kb) | {FILES_KEY: [*contents, _DESCRIPTOR]}
    contents[_DESCRIPTOR] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    owned = _owned_files(real)
    foreign = [name for name in contents if _occupied(real / name) and (name not in owned or not _plain(real / name))]
    if foreign:
        shown = listing(repr(name) for name in foreign[:_SHOWN]) + (" and more" if len(foreign) > _SHOWN else "")
        raise InvalidArgumentError(
            "folder",
            f"{shorten(str(target))} holds {shown}, which no stemimmune export wrote there "
            "(no stemimmune datapackage.json there lists it); write to a new or empty folder, or move it first",
        )
    real.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent))
    try:
        for name, data in contents.items():
            write_atomically(staged / name, data, argument="folder", expected="a folder")
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    stale = [name for name in sorted(owned) if name not in contents and _plain(real / name)]
    _move_in(staged, real, list(contents), stale)
    return [target / name for name in contents]


def datapackage(kb: Tables) -> dict[str, Any]:
    """
    Return the Frictionless Data Package descriptor of the CSV files :func:`write_tables` writes.

    List columns are declared ``"type": "array"`` (a JSON array in each cell, as
    :func:`write_csv` writes them); each rank column is an ``integer`` whose
    description names its vocabulary column and says which way is stronger.

    Raises:
        ArgumentTypeError: *kb* is not a knowledge base.

    Example:
        >>> import stemimmune
        >>> package = datapackage(stemimmune.load())
        >>> findings = next(r for r in package["resources"] if r["name"] == "findings")
        >>> findings["schema"]["primaryKey"], findings["schema"]["foreignKeys"][0]["reference"]
        (['id'], {'resource': 'indications', 'fields': ['id']})
        >>> next(f for f in findings["schema"]["fields"] if f["name"] == "design_rank")["type"]
        'integer'
    """
    _check_kb(kb)
    return {
        "profile": "tabular-data-package",
        "name": "stemimmune",
        "title": "stemimmune: stem-cell therapy for immune disorders",
        "version": kb.version,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [_resource(declared) for declared in _tables.TABLES.values()],
    }


_FIELD_TYPES: Final = {int: "integer", float: "number", bool: "boolean", str: "string"}
_DESCRIPTOR: Final = "datapackage.json"
#: How many names of files in the way an error shows.
_SHOWN: Final = 5
#: The names of the files an export writes: a table's CSV or Parquet file, or the descriptor.
_EXPORT_FILE: Final = re.compile(r"[a-z0-9_]+\.(?:csv|parquet)|datapackage\.json")


def _resource(declared: Table) -> dict[str, Any]:
    fields = []
    kinds = declared.kinds
    for column in declared.columns:
        kind = column.kind
        field: dict[str, Any] = {"name": column.name, "type": _FIELD_TYPES.get(kind, "string") if kind else "array"}
        if column.ranks is not None:
            vocabulary: type[enum.Enum] = kinds[column.ranks]
            terms = [m.value for m in vocabulary]
            later = "later" if vocabulary is TrialPhase else "stronger"
            field["constraints"] = {"minimum": 0, "maximum": len(terms) - 1}
            field["description"] = (
                f"rank of {column.ranks} in {vocabulary.__name__} order, from 0 ({terms[0]}) to "
                f"{len(terms) - 1} ({terms[-1]}): higher is {later}; sort by it"
            )
        elif kind is not None and issubclass(kind, enum.Enum):
            field["constraints"] = {"enum": [m.value for m in kind]}
            order = "ordered weakest first: " if issubclass(kind, _Ordered) else ""
            field["description"] = f"{kind.__name__} ({order}{', '.join(m.value for m in kind)})"
        elif kind is None:
            field["description"] = "a JSON array of strings"
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if declared.primary_key:
        schema["primaryKey"] = list(declared.primary_key)
    foreign = [
        {"fields": [name], "reference": {"resource": target.replace("_", "-"), "fields": ["id"]}}
        for name, target in declared.foreign_keys
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": declared.name.replace("_", "-"),
        "path": f"{declared.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


# ------------------------------------------------------------------ arguments


def _check_kb(kb: object) -> None:
    if not callable(getattr(kb, "collections", None)) or not isinstance(getattr(kb, "version", None), str):
        raise argument_type_error("kb", "a KnowledgeBase", kb)


def _check_stream(stream: object) -> None:
    if not callable(getattr(stream, "write", None)) or isinstance(stream, io.RawIOBase | io.BufferedIOBase):
        raise argument_type_error("stream", "an open text stream (a binary one takes no text)", stream)


def _check_flag(argument: str, value: object, *, optional: bool = False) -> None:
    if not isinstance(value, bool) and not (optional and value is None):
        raise argument_type_error(argument, "True, False or None" if optional else "True or False", value)


def _folder(folder: object) -> Path:
    if not isinstance(folder, str | os.PathLike) or not isinstance(os.fspath(folder), str):
        raise argument_type_error("folder", "a path (str or os.PathLike)", folder)
    if not os.fspath(folder):
        raise InvalidArgumentError("folder", "an empty path; expected a folder (use '.' for the current one)")
    return Path(folder)


# ------------------------------------------------------------------ files


def _owned_files(folder: Path) -> set[str]:
    """
    The names of the files a previous export wrote in *folder*, as its ``datapackage.json`` lists them.

    Only a descriptor named ``stemimmune`` counts. It lists them under
    ``FILES_KEY``; one written before that list existed names its CSV files as
    resources, with a Parquet file of the same name beside each. Only plain file names
    an export writes count, so a descriptor can never point outside *folder*.
    """
    try:
        descriptor = json.loads((folder / _DESCRIPTOR).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none, unreadable or not JSON: not an export of ours
        return set()
    if not isinstance(descriptor, dict) or descriptor.get("name") != "stemimmune":
        return set()
    listed = descriptor.get(FILES_KEY)
    if not isinstance(listed, list):
        resources = descriptor.get("resources")
        paths = [r.get("path") for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []
        listed = [*paths, *(p.removesuffix(".csv") + ".parquet" for p in paths if isinstance(p, str))]
    names = {name for name in listed if isinstance(name, str) and _EXPORT_FILE.fullmatch(name)}
    return names | {_DESCRIPTOR}


def _occupied(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _plain(path: Path) -> bool:
    """Whether *path* is a regular file, not a link: the only kind an export writes."""
    return path.is_file() and not path.is_symlink()


def _move_in(staged: Path, folder: Path, names: list[str], stale: list[str]) -> None:
    """
    Move the files *names* from *staged* into *folder*, and take the *stale* files out of it.

    A missing *folder* is *staged* renamed. Otherwise the old files of those names and
    the stale ones are first moved aside into another temporary folder, then the new
    ones moved in, ``datapackage.json`` last; on any failure every file is put back
    where it was. Both temporary folders are removed at the end.
    """
    if not _occupied(folder):
        try:
            staged.rename(folder)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        sync_folder(folder.parent)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in [_DESCRIPTOR, *(n for n in [*names, *stale] if n != _DESCRIPTOR)]:
            if _plain(folder / name):
                (folder / name).replace(aside / name)
                moved_out.append(name)
        for name in names:  # the descriptor is the last of them
            (staged / name).replace(folder / name)
            moved_in.append(name)
    except BaseException:
        for name in reversed(moved_in):
            with contextlib.suppress(OSError):
                (folder / name).replace(staged / name)
        for name in moved_out:
            with contextlib.suppress(OSError):
                (aside / name).replace(folder / name)
        with contextlib.suppress(OSError):  # kept, with what it holds, only if a file could not go back
            aside.rmdir()
        raise
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    shutil.rmtree(aside, ignore_errors=True)
    sync_folder(folder)


def _pyarrow(*, required: bool) -> Any:
    try:
        import pyarrow as pa  # noqa: PLC0415 - an optional dependency, imported on use
        import pyarrow.parquet  # noqa: PLC0415 - loads pa.parquet
    except ImportError as exc:
        if not required:
            return None
        msg = 'writing Parquet needs pyarrow: pip install "stemimmune[parquet]"'
        raise ImportError(msg, name="pyarrow") from exc
    return pa


def _parquet_bytes(kb: Tables, table: str) -> bytes:
    """
    Return *table* as Parquet with typed columns.

    Vocabulary columns are dictionary-encoded with the vocabulary's values, in its
    order, as the dictionary (marked ordered for an ordered vocabulary), so pandas
    reads them back as the same ``Categorical`` that :func:`dataframe` gives; counts
    and ranks are 64-bit integers, lists are lists of strings.
    """
    pa = _pyarrow(required=True)
    kinds = column_types(table)
    rows = records(kb, table)
    arrow_types = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}
    arrays = []
    for name in columns(table):
        values = [row[name] for row in rows]
        kind = kinds.get(name)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            terms = [m.value for m in kind]
            rank = {term: position for position, term in enumerate(terms)}
            indices = pa.array([None if v is None else rank[v] for v in values], type=pa.int8())
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(terms), ordered=issubclass(kind, _Ordered)))
        else:
            arrays.append(pa.array(values, type=arrow_types[kind] if kind else pa.list_(pa.string())))
    sink = pa.BufferOutputStream()
    pa.parquet.write_table(pa.Table.from_arrays(arrays, names=list(columns(table))), sink)
    data: bytes = sink.getvalue().to_pybytes()
    return data


# ------------------------------------------------------------------ cells


def _csv_cell(value: object, *, spreadsheet_safe: bool) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if spreadsheet_safe and isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
