"""Reading, writing and combining datasets: ``load``, ``loads``, ``dumps``, ``save`` and ``merge``."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

import attrs

from ._integrity import check_records
from ._io import MAX_FILE_BYTES, Document, encode_text, parse_json, read_folder, read_path, write_atomically
from ._text import shorten
from .exceptions import MAX_PROBLEMS, DatasetError, InvalidArgumentError, Problem, argument_type_error
from .knowledge_base import KnowledgeBase
from .model import RECORD_TYPES, CollectionName, Record
from .serialization import VERSION_KEY, structure_parts, unstructure_records
from .serialization import dumps as _canonical


_bundled: KnowledgeBase | None = None
_bundled_lock: Final = threading.Lock()

PathLike = str | os.PathLike[str]


def load(path: PathLike | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> KnowledgeBase:
    """
    Load a knowledge base: the bundled one, or a user's dataset with the same checks.

    Args:
        path: None for the bundled dataset (read once, then cached: every call
            returns the same object, from any thread). Otherwise a dataset file, or a
            folder whose ``*.json`` files are read in name order and combined.
        max_bytes: Largest file accepted, in bytes (default 50 MiB).

    Returns:
        The validated, immutable knowledge base.

    Raises:
        DatasetError: The data is invalid; the error lists every problem with its
            file, JSON path, record id, offending value and what was expected.
        FileNotFoundError: *path* does not exist.
        PermissionError: *path* cannot be read.
        ArgumentTypeError: *path* is not a path; InvalidArgumentError: it is empty.

    Example:
        >>> import stemimmune
        >>> stemimmune.load() is stemimmune.load()
        True
    """
    global _bundled  # noqa: PLW0603 - the cache of the bundled knowledge base
    if path is None:
        if _bundled is None:
            with _bundled_lock:
                if _bundled is None:
                    _bundled = _build(
                        read_folder(files("stemimmune").joinpath("data"), max_bytes=max_bytes), bundled=True
                    )
        return _bundled
    return _build(read_path(_as_path(path, "path"), max_bytes=max_bytes))


def _as_path(path: object, argument: str) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise argument_type_error(argument, "a path (str or os.PathLike)", path)
    if not os.fspath(path):
        raise InvalidArgumentError(argument, "an empty path; pass None for the bundled dataset")
    return Path(path)


def loads(text: str | bytes) -> KnowledgeBase:
    """
    Build a knowledge base from the JSON text of one dataset document.

    Raises:
        DatasetError: The text is not a valid dataset; every problem is listed.
        ArgumentTypeError: *text* is neither str nor bytes.
    """
    if isinstance(text, str):
        raw = encode_text(text, file=None)
    elif isinstance(text, bytes | bytearray):
        raw = bytes(text)
    else:
        raise argument_type_error("text", "JSON text (str or bytes)", text)
    return _build([(None, parse_json(raw, file=None))])


def dumps(kb: KnowledgeBase) -> str:
    """
    Serialise *kb* as one canonical dataset document (JSON text).

    :func:`loads` of the text (or :func:`load` of a file holding it) gives a knowledge
    base equal to *kb*.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> stemimmune.loads(stemimmune.dumps(kb)) == kb
        True
    """
    if not isinstance(kb, KnowledgeBase):
        raise argument_type_error("kb", "a KnowledgeBase", kb)
    return _canonical(unstructure_records(kb.collections(), kb.version))


def save(kb: KnowledgeBase, path: PathLike) -> Path:
    """
    Write *kb* to *path* as one canonical dataset document, so ``load(path) == kb``.

    The save is atomic and durable: the text goes to a new temporary file in the
    target's folder, is flushed and synced to disk, and is then renamed over *path*,
    and the folder is synced so the rename survives a crash. On any failure (a full
    disk, a permission error, Ctrl-C) the temporary file is removed and the old file at
    *path*, if any, is left exactly as it was. A new file gets the permissions the
    umask allows (as the built-in ``open()`` would create it); a replaced file keeps its mode. A
    symbolic link to a file is followed: the file it points at is replaced, the link
    stays.

    Returns:
        The path written.

    Raises:
        InvalidArgumentError: *path* does not end in ``.json`` (checked before anything is
            written), or is a folder (or a link to one) or another non-regular file.
        ArgumentTypeError: *kb* is not a knowledge base, or *path* not a path.
        OSError: The file cannot be written (the old file is unchanged).

    Example:
        >>> import stemimmune, tempfile, pathlib
        >>> kb = stemimmune.load()
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = stemimmune.save(kb, pathlib.Path(folder) / "kb.json")
        ...     stemimmune.load(path) == kb
        True
    """
    if not isinstance(kb, KnowledgeBase):
        raise argument_type_error("kb", "a KnowledgeBase", kb)
    target = _as_path(path, "path")
    if target.suffix != ".json":  # before anything touches the file system
        raise InvalidArgumentError(
            "path",
            f"{shorten(str(target))} does not end in .json; expected the path of a dataset file ending in .json",
        )
    write_atomically(target, dumps(kb).encode("utf-8"), argument="path", expected="the path of a dataset file")
    return target


@attrs.frozen
class MergeResult:
    """
    What :func:`merge` built, and what it changed.

    Attributes:
        knowledge_base: The combined knowledge base (the inputs are unchanged).
        added: Ids of the records that were new.
        replaced: Ids of records of the base that the extra records replaced.
    """

    knowledge_base: KnowledgeBase
    added: tuple[str, ...]
    replaced: tuple[str, ...]


#: Where each record came from: (collection, position in the combined collection) -> (file, position in it).
_Origins = dict[tuple[CollectionName, int], tuple[str | None, int]]


def merge(
    base: KnowledgeBase,
    extra: KnowledgeBase | PathLike | Mapping[str, Any],
    *,
    override: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
) -> MergeResult:
    """
    Combine *base* with extra records into a new knowledge base, checked as a whole.

    The extra records may point at records of *base* (a lab's indications citing
    bundled therapies, say), so they need not form a valid dataset on their own.
    Neither input changes: knowledge bases are immutable.

    Args:
        base: The knowledge base to extend, e.g. ``stemimmune.load()``.
        extra: Another knowledge base, a dataset file or folder, or a parsed dataset
            document (a mapping with record lists; ``dataset_version`` optional).
        override: Let an extra record replace the base record with the same id (and
            kind). Without it, a clashing id is an error. Two replacements of one
            id are an error either way.
        max_bytes: Largest file accepted when *extra* is a path.

    Returns:
        The combined knowledge base, versioned ``"<base version>+<extra version>"``,
        with the ids added and replaced.

    Raises:
        DatasetError: Ids clash (without *override*), two extra records replace the
            same record, or the combination breaks a rule; every problem is listed,
            located in the extra records.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> lab = {"risks": [{"id": "lab-infusion-reaction", "name": "infusion reaction", "kind": "toxicity"}]}
        >>> result = stemimmune.merge(kb, lab)
        >>> result.added, result.knowledge_base.version == kb.version + "+local"
        (('lab-infusion-reaction',), True)
    """
    if not isinstance(base, KnowledgeBase):
        raise argument_type_error("base", "a KnowledgeBase", base)
    if isinstance(extra, KnowledgeBase):
        versions: dict[str | None, str] = {None: extra.version}
        records: dict[CollectionName, list[Record]] = {k: list(v) for k, v in extra.collections().items()}
        origin: _Origins = {(k, i): (None, i) for k, v in records.items() for i in range(len(v))}
    elif isinstance(extra, Mapping):
        versions, records, origin = _collect([(None, extra)])
    else:
        versions, records, origin = _collect(read_path(_as_path(extra, "extra"), max_bytes=max_bytes))
    if len(set(versions.values())) > 1:
        found = ", ".join(f"{n}: {v!r}" for n, v in versions.items())
        raise DatasetError(
            [Problem(collection=VERSION_KEY, message=f"the extra records disagree on their version: {found}")]
        )
    base_kinds = {record.id: kind for kind, items in base.collections().items() for record in items}
    problems: list[Problem] = []
    replacements: dict[str, Record] = {}
    replacing: dict[str, tuple[str | None, int]] = {}  # id -> where its replacement came from (file, position)
    added: list[str] = []
    kept: dict[CollectionName, list[Record]] = {kind: [] for kind in RECORD_TYPES}
    for kind, items in records.items():
        for index, record in enumerate(items):
            clash = base_kinds.get(record.id)
            if clash is None:
                added.append(record.id)
                kept[kind].append(record)
                continue
            refusal = _refusal(record.id, kind, clash, override=override, first=replacing.get(record.id))
            if refusal is None:
                replacements[record.id] = record
                replacing[record.id] = origin[kind, index]
                continue
            message, expected = refusal
            file, position = origin[kind, index]
            problems.append(
                Problem(
                    file=file,
                    collection=kind,
                    index=position,
                    field="id",
                    record_id=record.id,
                    message=message,
                    value=shorten(record.id),
                    expected=expected,
                )
            )
    if problems:
        raise DatasetError(problems)
    came_from = {record.id: origin[kind, i] for kind, items in records.items() for i, record in enumerate(items)}
    collections: dict[CollectionName, tuple[Record, ...]] = {}
    positions: _Origins = {}
    for kind, base_records in base.collections().items():
        combined_records = tuple(replacements.get(r.id, r) for r in base_records) + tuple(kept[kind])
        collections[kind] = combined_records
        positions.update({(kind, i): came_from[r.id] for i, r in enumerate(combined_records) if r.id in came_from})
    version = next(iter(versions.values()), "local")
    try:
        combined = KnowledgeBase.from_collections(f"{base.version}+{version}", collections)
    except DatasetError as exc:
        raise DatasetError(
            (_relocate(p, positions) for p in exc.problems), count=exc.count, stopped=exc.stopped
        ) from None
    return MergeResult(knowledge_base=combined, added=tuple(added), replaced=tuple(replacements))


def _refusal(
    record_id: str, kind: CollectionName, clash: CollectionName, *, override: bool, first: tuple[str | None, int] | None
) -> tuple[str, str] | None:
    """
    Why an extra record may not take the id of a base record of *clash*, and what would do; None when it may.

    *first* is where an earlier replacement of the same id came from (file, position), if any.
    """
    if not override:
        return (
            f"id already used by a record of {clash} in the base; pass override=True to replace it",
            "an id the base does not use, or override=True",
        )
    if clash != kind:
        return f"cannot replace a record of {clash} with a record of {kind}", f"a record of {clash}, or a new id"
    if first is not None:
        where = f"{kind}[{first[1]}]" + (f" in {first[0]}" if first[0] is not None else "")
        return f"a second replacement for {record_id!r}; the first is {where}", "one replacement per id"
    return None


# ------------------------------------------------------------------ building


@attrs.frozen
class _Gathered:
    """Every document structured: the versions, the records that parsed and where each came from, and the rest."""

    versions: dict[str | None, str]
    records: dict[CollectionName, list[Record]]
    origin: _Origins
    unparsed: dict[str, CollectionName]
    problems: tuple[Problem, ...]
    stopped: bool


def _gather(documents: list[Document]) -> _Gathered:
    """Structure every record of every document that can be; keep the problems of the others."""
    problems: list[Problem] = []
    stopped = False
    versions: dict[str | None, str] = {}
    merged: dict[CollectionName, list[Record]] = {kind: [] for kind in RECORD_TYPES}
    origin: _Origins = {}
    unparsed: dict[str, CollectionName] = {}
    for name, document in documents:
        if len(problems) > MAX_PROBLEMS:
            stopped = True
            break
        parts = structure_parts(document, file=name, limit=MAX_PROBLEMS - len(problems))
        problems.extend(parts.problems)
        unparsed.update({key: kind for key, kind in parts.unparsed.items() if key not in unparsed})
        if parts.version is not None:
            versions[name] = parts.version
        for kind, items in parts.records.items():
            for position, record in items:
                origin[kind, len(merged[kind])] = (name, position)
                merged[kind].append(record)
        if parts.stopped:
            stopped = True
            break
    return _Gathered(versions, merged, origin, unparsed, tuple(problems), stopped)


def _collect(documents: list[Document]) -> tuple[dict[str | None, str], dict[CollectionName, list[Record]], _Origins]:
    """Structure every document; return the versions, the records by kind, and where each came from."""
    gathered = _gather(documents)
    if gathered.problems:
        raise DatasetError(gathered.problems, stopped=gathered.stopped)
    return gathered.versions, gathered.records, gathered.origin


def _build(documents: list[Document], *, bundled: bool = False) -> KnowledgeBase:
    """
    Structure parsed documents, combine them, and build the knowledge base (*bundled*: the package's own data).

    Data that states the bundled version without being the bundled records (a folder of
    the bundled files and one of the user's, an edited copy) is versioned
    ``"<version>+local"``, as :func:`merge` versions such a combination: a version names
    one set of records.

    One pass finds every problem: the field problems of every record, then the
    cross-record rules over the records that parsed (see :func:`check_records` for
    links to the records that did not).
    """
    gathered = _gather(documents)
    problems = list(gathered.problems)
    versions = gathered.versions
    if len(set(versions.values())) != 1 and not any(p.collection == VERSION_KEY for p in problems):
        found = ", ".join(f"{n or '<string>'}: {v!r}" for n, v in versions.items()) or "none"
        problems.append(
            Problem(
                file=documents[0][0] if len(documents) == 1 else None,
                collection=VERSION_KEY,
                message=f"expected exactly one dataset version; found {found}",
                expected='one "dataset_version" string across the dataset',
            )
        )
    if not problems:
        version = next(iter(versions.values()))
        if not bundled and _changes_bundled(version, gathered.records):
            version += "+local"
        try:
            return KnowledgeBase.from_collections(version, gathered.records)
        except DatasetError as exc:
            raise DatasetError(
                (_relocate(p, gathered.origin) for p in exc.problems), count=exc.count, stopped=exc.stopped
            ) from None
    if not gathered.stopped:
        rules = check_records(gathered.records, gathered.unparsed)
        problems.extend(_relocate(p, gathered.origin) for p in rules)
    raise DatasetError(problems, stopped=gathered.stopped)


def _changes_bundled(version: str, records: Mapping[CollectionName, list[Record]]) -> bool:
    """Whether *records* claim the bundled dataset's *version* without being its records."""
    if version != load().version:
        return False
    return any(tuple(records.get(kind, ())) != items for kind, items in load().collections().items())


def _relocate(problem: Problem, origin: _Origins) -> Problem:
    """Point a problem found in the combined records at the file and position the record came from."""
    if problem.collection is None or problem.index is None:
        return problem
    found = origin.get((problem.collection, problem.index))  # type: ignore[arg-type]
    if found is None:
        return problem
    return attrs.evolve(problem, file=found[0], index=found[1])
