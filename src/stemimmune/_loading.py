"""Reading, writing and combining datasets: ``load``, ``loads``, ``dumps``, ``save`` and ``merge``."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

import attrs

from ._validators import shorten
from .exceptions import DatasetError, Problem
from .knowledge_base import KnowledgeBase, Record
from .model import RECORD_TYPES
from .serialization import VERSION_KEY, structure_document, unstructure_records
from .serialization import dumps as _canonical


#: Largest dataset file read, in bytes; pass *max_bytes* to :func:`load` to raise it.
MAX_FILE_BYTES: Final = 50 * 1024 * 1024

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
                    documents = _read_folder(files("stemimmune").joinpath("data"), max_bytes=max_bytes)
                    _bundled = _build(documents)
        return _bundled
    return _build(_read_path(Path(path), max_bytes=max_bytes))


def loads(text: str | bytes) -> KnowledgeBase:
    """
    Build a knowledge base from the JSON text of one dataset document.

    Raises:
        DatasetError: The text is not a valid dataset; every problem is listed.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return _build([("<string>", _parse(raw, "<string>"))])


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
    return _canonical(unstructure_records(kb.collections(), kb.version))


def save(kb: KnowledgeBase, path: PathLike) -> Path:
    """
    Write *kb* to *path* as one canonical dataset document, so ``load(path) == kb``.

    The file is written to a temporary name beside *path* and then moved into place,
    so a failed write never leaves a half-written dataset.

    Returns:
        The path written.

    Example:
        >>> import stemimmune, tempfile, pathlib
        >>> kb = stemimmune.load()
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = stemimmune.save(kb, pathlib.Path(folder) / "kb.json")
        ...     stemimmune.load(path) == kb
        True
    """
    target = Path(path)
    text = dumps(kb)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
    ) as stream:
        stream.write(text)
    try:
        Path(stream.name).replace(target)
    except OSError:
        Path(stream.name).unlink(missing_ok=True)
        raise
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
            kind). Without it, a clashing id is an error.
        max_bytes: Largest file accepted when *extra* is a path.

    Returns:
        The combined knowledge base, versioned ``"<base version>+<extra version>"``,
        with the ids added and replaced.

    Raises:
        DatasetError: Ids clash (without *override*), or the combination breaks a
            rule; every problem is listed, located in the extra records.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> lab = {"risks": [{"id": "lab-infusion-reaction", "name": "infusion reaction", "kind": "toxicity"}]}
        >>> result = stemimmune.merge(kb, lab)
        >>> result.added, result.knowledge_base.version == kb.version + "+local"
        (('lab-infusion-reaction',), True)
    """
    documents = _extra_documents(extra, max_bytes=max_bytes)
    extra_version, records, origin = _collect(documents)
    if len(set(extra_version.values())) > 1:
        found = ", ".join(f"{n}: {v!r}" for n, v in extra_version.items())
        raise DatasetError(
            [Problem(location=f"$.{VERSION_KEY}", message=f"the extra records disagree on their version: {found}")]
        )
    base_kinds = {record.id: kind for kind, items in base.collections().items() for record in items}
    problems: list[Problem] = []
    replacements: dict[str, Record] = {}
    added: list[str] = []
    kept: dict[str, list[Record]] = {kind: [] for kind in RECORD_TYPES}
    for kind, items in records.items():
        for index, record in enumerate(items):
            where = origin[kind, index]
            clash = base_kinds.get(record.id)
            if clash is None:
                added.append(record.id)
                kept[kind].append(record)
            elif not override:
                problems.append(
                    Problem(
                        location=f"{where}.id",
                        message=f"id already used by a record of {clash} in the base; pass override=True to replace it",
                        record_id=record.id,
                        value=shorten(record.id),
                        expected="an id the base does not use, or override=True",
                    )
                )
            elif clash != kind:
                problems.append(
                    Problem(
                        location=f"{where}.id",
                        message=f"cannot replace a record of {clash} with a record of {kind}",
                        record_id=record.id,
                        value=shorten(record.id),
                        expected=f"a record of {clash}, or a new id",
                    )
                )
            else:
                replacements[record.id] = record
    if problems:
        raise DatasetError(problems)
    collections = {
        kind: tuple(replacements.get(r.id, r) for r in items) + tuple(kept[kind])
        for kind, items in base.collections().items()
    }
    version = next(iter(extra_version.values()), "local")
    came_from = {
        record.id: origin[kind, index] for kind, items in records.items() for index, record in enumerate(items)
    }
    positions: dict[tuple[str, int], str] = {}
    for kind, base_records in base.collections().items():
        positions.update({(kind, i): came_from[r.id] for i, r in enumerate(base_records) if r.id in replacements})
        positions.update({(kind, len(base_records) + j): came_from[r.id] for j, r in enumerate(kept[kind])})
    try:
        combined = KnowledgeBase.from_collections(f"{base.version}+{version}", collections)
    except DatasetError as exc:
        raise DatasetError(_relocate(p, positions) for p in exc.problems) from None
    return MergeResult(knowledge_base=combined, added=tuple(added), replaced=tuple(replacements))


# ------------------------------------------------------------------ reading


def _read_path(target: Path, *, max_bytes: int) -> list[tuple[str, object]]:
    if target.is_dir():
        return _read_folder(target, max_bytes=max_bytes)
    if not target.exists():
        msg = f"no dataset at {str(target)!r}"
        raise FileNotFoundError(msg)
    return [(target.name, _read_document(target, target.name, max_bytes))]


def _extra_documents(
    extra: KnowledgeBase | PathLike | Mapping[str, Any], *, max_bytes: int
) -> list[tuple[str, object]]:
    if isinstance(extra, KnowledgeBase):
        return [("<knowledge base>", json.loads(dumps(extra)))]
    if isinstance(extra, Mapping):
        return [("<document>", extra)]
    return _read_path(Path(extra), max_bytes=max_bytes)


def _read_folder(folder: Traversable, *, max_bytes: int) -> list[tuple[str, object]]:
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".json") and e.is_file()), key=lambda e: e.name)
    if not entries:
        raise DatasetError(
            [Problem(location=str(folder), message="the folder holds no *.json dataset files", expected="*.json files")]
        )
    documents: list[tuple[str, object]] = []
    problems: list[Problem] = []
    for entry in entries:
        try:
            documents.append((entry.name, _read_document(entry, entry.name, max_bytes)))
        except DatasetError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DatasetError(problems)
    return documents


def _read_document(entry: Traversable, name: str, max_bytes: int) -> object:
    with entry.open("rb") as stream:
        raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise DatasetError(
            [
                Problem(
                    location=name,
                    message=f"file is larger than max_bytes={max_bytes}",
                    expected=f"at most {max_bytes} bytes (pass a larger max_bytes to load() to accept it)",
                )
            ]
        )
    return _parse(raw, name)


def _parse(raw: bytes, name: str) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text: {exc.reason} at byte {exc.start}"
        raise DatasetError([Problem(location=name, message=message, expected="UTF-8 encoded JSON")]) from None
    except json.JSONDecodeError as exc:
        location = f"{name}:{exc.lineno}:{exc.colno}"
        raise DatasetError(
            [Problem(location=location, message=f"not valid JSON: {exc.msg}", expected="JSON")]
        ) from None
    except RecursionError:
        raise DatasetError(
            [Problem(location=name, message="JSON nested too deeply", expected="JSON nested less deeply")]
        ) from None
    except ValueError as exc:  # e.g. an integer literal longer than Python accepts
        raise DatasetError([Problem(location=name, message=f"not valid JSON: {exc}", expected="JSON")]) from None


# ------------------------------------------------------------------ building


def _collect(
    documents: list[tuple[str, object]],
) -> tuple[dict[str, str], dict[str, list[Record]], dict[tuple[str, int], str]]:
    """Structure every document; return the versions, the records by kind, and where each came from."""
    problems: list[Problem] = []
    versions: dict[str, str] = {}
    merged: dict[str, list[Record]] = {kind: [] for kind in RECORD_TYPES}
    origin: dict[tuple[str, int], str] = {}  # (kind, merged index) -> "file: $.kind[i]"
    single = len(documents) == 1
    for name, document in documents:
        try:
            version, records = structure_document(document, source="" if single else name)
        except DatasetError as exc:
            problems.extend(exc.problems)
            continue
        if version is not None:
            versions[name] = version
        for kind, items in records.items():
            for index, record in enumerate(items):
                prefix = "" if single else f"{name}: "
                origin[kind, len(merged[kind])] = f"{prefix}$.{kind}[{index}]"
                merged[kind].append(record)
    if problems:
        raise DatasetError(problems)
    return versions, merged, origin


def _build(documents: list[tuple[str, object]]) -> KnowledgeBase:
    """Structure parsed documents, combine them, and build the knowledge base."""
    with _gc_paused():
        return _build_records(documents)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """
    Pause the cyclic garbage collector while building records.

    Building creates many objects and no reference cycles, so the collector's passes
    only cost time (they made load time grow faster than the data); it is restored
    afterwards, whatever happens.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_records(documents: list[tuple[str, object]]) -> KnowledgeBase:
    versions, merged, origin = _collect(documents)
    if len(set(versions.values())) != 1:
        found = ", ".join(f"{n}: {v!r}" for n, v in versions.items()) or "none"
        where = documents[0][0] if len(documents) == 1 else "dataset"
        raise DatasetError(
            [
                Problem(
                    location=f"{where}: $.{VERSION_KEY}",
                    message=f"expected exactly one dataset version; found {found}",
                    expected='one "dataset_version" string across the dataset',
                )
            ]
        )
    try:
        return KnowledgeBase.from_collections(next(iter(versions.values())), merged)
    except DatasetError as exc:
        raise DatasetError(_relocate(p, origin) for p in exc.problems) from None


_LOCATION: Final = re.compile(r"^\$\.(\w+)\[(\d+)\](.*)$")


def _relocate(problem: Problem, origin: Mapping[tuple[str, int], str]) -> Problem:
    match = _LOCATION.match(problem.location)
    if match is None or (match[1], int(match[2])) not in origin:
        return problem
    return attrs.evolve(problem, location=origin[match[1], int(match[2])] + match[3])
