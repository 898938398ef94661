"""
Files, folders and bytes to parsed JSON documents: the first step of loading.

Nothing here knows about records; it reads, enforces the size limit, and parses with
one JSON decoder, turning every failure into a :class:`~stemimmune.DatasetError` (or
the :class:`OSError` the file system raised).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._text import shorten
from .exceptions import MAX_PROBLEMS, DatasetError, InvalidArgumentError, Problem


if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


#: Largest dataset file read, in bytes; pass *max_bytes* to :func:`stemimmune.load` to raise it.
MAX_FILE_BYTES: Final = 50 * 1024 * 1024

#: Deepest nesting of arrays and objects accepted (a dataset needs fewer than ten; deeper risks Python's recursion limit).
MAX_DEPTH: Final = 500

#: A parsed document and the name of the file it came from (None for a string or mapping).
Document = tuple[str | None, object]


def read_path(target: Path, *, max_bytes: int) -> list[Document]:
    """
    Read a dataset file, or every ``*.json`` file of a folder in name order.

    Raises:
        DatasetError: A file is too large, not UTF-8, not JSON, or not a regular file.
        FileNotFoundError: *target* does not exist.
    """
    if target.is_dir():
        return read_folder(target, max_bytes=max_bytes)
    if not target.exists():
        kind = "dangling symbolic link" if target.is_symlink() else "dataset"
        msg = f"no {kind} at {str(target)!r}"
        raise FileNotFoundError(msg)
    return [(target.name, read_document(target, target.name, max_bytes))]


def read_folder(folder: Traversable, *, max_bytes: int) -> list[Document]:
    """Read every ``*.json`` entry of *folder*, in name order, reporting every bad file at once."""
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".json")), key=lambda e: e.name)
    if not entries:
        raise DatasetError(
            [Problem(file=str(folder), message="the folder holds no *.json dataset files", expected="*.json files")]
        )
    documents: list[Document] = []
    problems: list[Problem] = []
    for entry in entries:
        try:
            documents.append((entry.name, read_document(entry, entry.name, max_bytes)))
        except DatasetError as exc:
            problems.extend(exc.problems)
            if len(problems) > MAX_PROBLEMS:
                raise DatasetError(problems, stopped=True) from None
    if problems:
        raise DatasetError(problems)
    return documents


def read_document(entry: Traversable, name: str, max_bytes: int) -> object:
    """Read and parse one file; refuse what is not a regular file (a FIFO would block forever)."""
    if isinstance(entry, Path):
        try:
            mode = entry.stat().st_mode
        except FileNotFoundError:
            raise DatasetError(
                [Problem(file=name, message="a dangling symbolic link", expected="a readable JSON file")]
            ) from None
        if not stat.S_ISREG(mode):
            raise DatasetError([Problem(file=name, message="not a regular file", expected="a JSON file")])
        with open(entry, "rb", opener=_nonblocking) as stream:
            raw = stream.read(max_bytes + 1)
    else:
        with entry.open("rb") as stream:
            raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise DatasetError(
            [
                Problem(
                    file=name,
                    message=f"file is larger than max_bytes={max_bytes}",
                    expected=f"at most {max_bytes} bytes (pass a larger max_bytes to load() to accept it)",
                )
            ]
        )
    return parse_json(raw, file=name)


def _nonblocking(path: str, flags: int) -> int:
    """Open without blocking, so a file swapped for a FIFO after the check cannot hang the read."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def encode_text(text: str, *, file: str | None) -> bytes:
    """
    Encode JSON text as UTF-8, refusing a lone surrogate (half of a character, which no file can hold).

    Raises:
        DatasetError: The text holds a lone surrogate.
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        message = f"the text holds a lone surrogate U+{ord(text[exc.start]):04X} at character {exc.start}"
        raise DatasetError([Problem(file=file, message=message, expected="valid Unicode text")]) from None


def parse_json(raw: bytes, *, file: str | None) -> object:
    """
    Parse UTF-8 JSON bytes, refusing duplicate keys (JSON would keep only the last one).

    Raises:
        DatasetError: The bytes are not UTF-8, not JSON, nested too deeply, or repeat a key.
    """
    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text: {exc.reason} at byte {exc.start}"
        raise DatasetError([Problem(file=file, message=message, expected="UTF-8 encoded JSON")]) from None
    except json.JSONDecodeError as exc:
        found = _describe_position(raw, exc.pos)
        raise DatasetError(
            [
                Problem(
                    file=file,
                    line=exc.lineno,
                    column=exc.colno,
                    message=f"not valid JSON: {exc.msg}, found {found}",
                    expected=_EXPECTED.get(exc.msg, "JSON text"),
                )
            ]
        ) from None
    except _DuplicateKeyError as exc:
        raise DatasetError(
            [
                Problem(
                    file=file,
                    message=f"the key {exc.key!r} appears more than once in one object",
                    expected="each key once per object",
                )
            ]
        ) from None
    except ValueError:  # e.g. an integer literal longer than Python accepts
        message = "not valid JSON: a number too long to read (more than 4300 digits)"
        raise DatasetError([Problem(file=file, message=message, expected="numbers of ordinary size")]) from None
    except RecursionError:
        document = None
        depth = MAX_DEPTH + 1
    else:
        depth = _depth(raw)
    if depth > MAX_DEPTH:
        raise DatasetError(
            [
                Problem(
                    file=file,
                    message=f"JSON nested too deeply (more than {MAX_DEPTH} levels of arrays and objects)",
                    expected=f"JSON nested at most {MAX_DEPTH} levels deep",
                )
            ]
        )
    return document


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key if len(key) <= _MAX_KEY_SHOWN else key[:_MAX_KEY_SHOWN] + "..."
        super().__init__(key)


_MAX_KEY_SHOWN: Final = 80


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return result


def _depth(raw: bytes) -> int:
    """
    How deeply arrays and objects nest in valid JSON *raw*, counted up to ``MAX_DEPTH + 1``.

    Works on the text, in C: drop the escaped backslashes and quotes, keep only brackets
    and quotes, drop what lies between quotes (the strings), make every bracket square
    (valid JSON nests them properly, so their kind does not change the depth), and
    remove the innermost empty pairs once per level (no recursion, no Python loop per value).
    """
    if b"\\" in raw:  # an escape: drop the escaped backslashes first, then the escaped quotes
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = b"".join(raw.translate(_SQUARE, _NOT_BRACKET_OR_QUOTE).split(b'"')[::2])
    depth = 0
    while skeleton and depth <= MAX_DEPTH:
        skeleton = skeleton.replace(b"[]", b"")
        depth += 1
    return depth


_NOT_BRACKET_OR_QUOTE: Final = bytes(set(range(256)) - set(b'[]{}"'))
_SQUARE: Final = bytes.maketrans(b"{}", b"[]")


#: What each of the JSON decoder's complaints was expecting, in words.
_EXPECTED: Final = {
    "Expecting value": "a JSON value: an object {...}, an array [...], a string, a number, true, false or null",
    "Expecting property name enclosed in double quotes": 'a key in double quotes, such as "id"',
    "Expecting ':' delimiter": "a colon between a key and its value",
    "Expecting ',' delimiter": "a comma between items, or the closing bracket",
    "Extra data": "the end of the text after one JSON value",
    "Unterminated string starting at": "a closing double quote",
    "Invalid control character at": r"no raw control characters in a string (write them as \n, \t, \u0000)",
    "Invalid \\escape": r"a valid escape: \", \\, \/, \b, \f, \n, \r, \t or \u and four hex digits",
    "Illegal trailing comma before end of object": "no comma before the closing brace",
    "Illegal trailing comma before end of array": "no comma before the closing bracket",
}


def _describe_position(raw: bytes, position: int) -> str:
    """Name what the decoder found at a character position: the end of the text, or the next few characters."""
    text = raw.decode("utf-8", "replace")
    if position >= len(text):
        return "the end of the text"
    return repr(text[position : position + 10]) + ("..." if position + 10 < len(text) else "")


# ------------------------------------------------------------------ writing


def write_atomically(target: Path, data: bytes, *, argument: str, expected: str) -> None:
    """
    Replace the file *target* with *data* atomically and durably, or leave it as it was.

    The bytes go to a new temporary file in the target's folder, are flushed and synced
    to disk, and the file is then renamed over *target*, and the folder is synced so the
    rename survives a crash. On any failure (a full disk, a permission error, Ctrl-C)
    the temporary file is removed and the old file, if any, is left exactly as it was.
    A new file gets the permissions the umask allows (as the built-in ``open()`` would
    create it); a replaced file keeps its mode. A symbolic link to a file is followed:
    the file it points at is replaced, the link stays.

    Raises:
        InvalidArgumentError: *target* is a folder (or a link to one) or another
            non-regular file; the error names *argument* and says it expects *expected*.
        OSError: The file cannot be written (the old file is unchanged).
    """
    real = Path(os.path.realpath(target))
    try:
        mode: int | None = real.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise InvalidArgumentError(argument, f"{shorten(str(target))} is {what}; expected {expected}")
    temporary, descriptor = _create_beside(real)
    try:
        if mode is not None and hasattr(os, "fchmod"):  # keep the replaced file's permissions
            os.fchmod(descriptor, stat.S_IMODE(mode))
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
        os.close(descriptor)
        descriptor = -1
        temporary.replace(real)
    except BaseException:  # a full disk, Ctrl-C: leave no temporary file, keep the old one
        if descriptor >= 0:
            os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(real.parent)


def _create_beside(target: Path) -> tuple[Path, int]:
    """Create a new, empty temporary file in *target*'s folder; the OS applies the umask to its mode."""
    import secrets  # noqa: PLC0415 - only writing needs it (it imports hashlib and hmac)

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    msg = f"could not create a temporary file beside {str(target)!r}"
    raise FileExistsError(msg)


def sync_folder(folder: Path) -> None:
    """Sync *folder* so a rename in it survives a crash (a no-op where folders cannot be opened, as on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a folder; the file is synced
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
