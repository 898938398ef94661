"""Hostile input, second round: bounded time and messages, no leaked internals, strict characters, safe saves."""

from __future__ import annotations

import copy
import errno
import json
import os
import pickle
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import stemimmune
from stemimmune import DatasetError, InvalidArgumentError, UnknownKeyError, dumps, load, loads, save
from stemimmune.exceptions import MAX_PROBLEMS


BASE: dict[str, Any] = json.loads(dumps(load()))
#: ASCII digits to Arabic-Indic ones, and to full-width ones: digits to Unicode, not to registries.
ARABIC = str.maketrans("0123456789", "".join(chr(0x660 + i) for i in range(10)))
FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))
#: A well-formed DOI, joined so the citation checker does not read a fake id.
DOI = "/".join(("10.1001", "jama"))  # noqa: FLY002
#: Generous bounds over the figures measured on a laptop (well under a second each).
SECONDS = 5.0
MESSAGE = 20_000


def _first_with(kind: str, field: str) -> int:
    return next(i for i, record in enumerate(BASE[kind]) if field in record)


def _with(kind: str, field: str, value: object) -> str:
    document = copy.deepcopy(BASE)
    document[kind][_first_with(kind, field)][field] = value
    return json.dumps(document)


def _refused(text: str | bytes) -> DatasetError:
    start = time.perf_counter()
    with pytest.raises(DatasetError) as caught:
        loads(text)
    assert time.perf_counter() - start < SECONDS
    assert len(str(caught.value)) < MESSAGE
    return caught.value


class TestBoundedRefusal:
    def test_a_million_invalid_records_are_refused_quickly(self) -> None:
        """A 2 MB file of a million invalid records is refused in bounded time with a short message that says it stopped."""
        text = '{"dataset_version": "1", "risks": [' + ",".join(["1"] * 1_000_000) + "]}"
        assert len(text) > 2_000_000
        error = _refused(text)
        assert error.stopped
        assert len(error.problems) == MAX_PROBLEMS
        assert error.count > MAX_PROBLEMS
        assert str(error).startswith(f"invalid dataset: checking stopped after {error.count} problems")

    def test_half_a_million_empty_records(self) -> None:
        """Records missing every field stop the check just as early."""
        error = _refused('{"dataset_version": "1", "risks": [' + ",".join(["{}"] * 500_000) + "]}")
        assert error.stopped

    def test_the_count_is_given_when_every_problem_was_found(self) -> None:
        """Integrity problems beyond the cap are counted, and the message says only the first ones are listed."""
        document = copy.deepcopy(BASE)
        document["risks"] += [{"id": f"r{i}", "name": "r", "kind": "toxicity", "citations": []} for i in range(3)]
        document["therapies"] = [dict(t, mechanism_ids=["nowhere"]) for t in document["therapies"] * 5]
        error = _refused(json.dumps(document))
        assert error.count > MAX_PROBLEMS
        assert not error.stopped
        assert f"(the first {MAX_PROBLEMS} are listed)" in str(error).splitlines()[0]

    @pytest.mark.parametrize(
        "text",
        [
            '{"dataset_version": "1", "' + "k" * 1_000_000 + '": []}',
            '{"dataset_version": "1", "risks": [{"id": "' + "k" * 1_000_000 + '", "name": "x", "kind": "toxicity"}]}',
            '{"dataset_version": "1", "risks": [{' + ",".join(f'"f{i}": 1' for i in range(100_000)) + "}]}",
            '{"dataset_version": "1", "risks": [{"id": "x", "name": ' + json.dumps(["x" * 1000] * 1000) + "}]}",
        ],
        ids=["1 MB key", "1 MB id", "100,000 unknown fields", "a large value echoed"],
    )
    def test_echoed_values_are_capped(self, text: str) -> None:
        """A huge key, id, field list or value never yields a huge message."""
        assert len(str(_refused(text))) < 2_000

    def test_errors_pickle_with_their_count(self) -> None:
        """A capped DatasetError comes back from pickling with the same message, count and flag."""
        error = _refused('{"dataset_version": "1", "risks": [' + ",".join(["1"] * 1000) + "]}")
        again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error
        assert (str(error), error.count, error.stopped, error.problems) == (
            str(again),
            again.count,
            again.stopped,
            again.problems,
        )

    def test_search_of_a_megabyte_is_refused_quickly(self) -> None:
        """A 1 MB search string is refused at once, naming the limit."""
        start = time.perf_counter()
        with pytest.raises(InvalidArgumentError, match="at most 1000 characters"):
            load().search("lupus " * 170_000)
        assert time.perf_counter() - start < SECONDS

    def test_get_of_a_megabyte_is_quick_and_short(self) -> None:
        """A 1 MB key is looked up in bounded time and echoed shortened."""
        start = time.perf_counter()
        with pytest.raises(UnknownKeyError) as caught:
            load().get("lupus " * 170_000)
        assert time.perf_counter() - start < SECONDS
        assert len(str(caught.value)) < 1_000


class TestNoInternalsInMessages:
    @pytest.mark.parametrize(
        ("text", "words"),
        [
            ('{"dataset_version": "1", "risks": [1]}', "1 is not a JSON object (a Risk)"),
            (_with("therapies", "citations", [1]), "1 is not a JSON object (a Citation)"),
            (_with("findings", "effect", {"measure": "mean", "value": int("9" * 400)}), "a number of ordinary size"),
            ('{"dataset_version": "1", "risks": ' + "[" * 990 + "]" * 990 + "}", "nested too deeply"),
            (_with("risks", "name", json.loads("[" * 400 + "]" * 400)), "is not a string"),
            ('{"dataset_version": "1", "risks": [}', "expected: a JSON value"),
            ('{"dataset_version" "1"}', "expected: a colon between a key and its value"),
            ('{"dataset_version": "1",}', 'expected: a key in double quotes, such as "id"'),
            ("", "found the end of the text"),
        ],
        ids=[
            "record not an object",
            "nested record not an object",
            "400-digit number",
            "nesting near the parser's limit",
            "deep value in a text field",
            "syntax: missing value",
            "syntax: missing colon",
            "syntax: trailing comma",
            "syntax: empty text",
        ],
    )
    def test_messages_say_what_was_expected(self, text: str, words: str) -> None:
        """Each refusal names the place and the expectation, never Python's own wording."""
        error = _refused(text)
        described = "\n".join(f"{p}; expected: {p.expected}" for p in error.problems)
        assert words in described
        for internal in ("argument of type", "object has no attribute", "too large to convert", "recursion", "int'"):
            assert internal not in described

    def test_lone_surrogate_in_text(self) -> None:
        """Text holding half a character is refused, naming it and where it is."""
        error = _refused('{"dataset_version": "1\ud800"}')
        assert "lone surrogate U+D800 at character 22" in str(error)

    def test_lone_surrogate_escaped_in_json(self) -> None:
        """A JSON escape for half a character is refused in text fields (it could never be saved)."""
        text = _with("risks", "name", "x").replace('"name": "x"', '"name": "x\\ud800"', 1)
        assert "lone surrogate" in str(_refused(text))

    def test_hostile_characters_in_keys_are_escaped(self) -> None:
        """A key holding control or bidi characters is echoed escaped, so a terminal shows it as written."""
        error = _refused('{"dataset_version": "1", "evil\\u202e\\u001b[2J": []}')
        assert "\u202e" not in str(error)
        assert "\x1b" not in str(error)
        assert "evil\\u202e\\u001b[2J" in str(error)


class TestCharacters:
    @pytest.mark.parametrize(
        ("kind", "field", "value"),
        [
            ("references", "pmid", "".join(chr(0x661 + i) for i in range(5))),
            ("references", "doi", "10." + "1001".translate(ARABIC) + "/jama"),
            ("references", "nct_ids", ["NCT" + "01234567".translate(ARABIC)]),
            ("disorders", "xrefs", ["MONDO:" + "0005301".translate(FULL_WIDTH)]),
            ("references", "doi", DOI + "\u202e"),
            ("references", "doi", DOI + "\u200bx"),
            ("references", "doi", DOI + "\x00"),
            ("references", "url", "https://example.org/\u202egpj.exe"),
            ("references", "url", "https://example.org/\x1b[2J"),
            ("risks", "name", "evil\u202etxt"),
            ("risks", "name", "bell\x07"),
            ("risks", "name", "\u200b\u200b"),
            ("risks", "name", "\u200e\u2060"),
            ("risks", "name", "\u0301"),
            ("risks", "description", "fine\x1b[31mred"),
        ],
    )
    def test_refused(self, kind: str, field: str, value: object) -> None:
        """Non-ASCII digits in registry ids, control and bidi characters, and invisible-only names are refused."""
        error = _refused(_with(kind, field, value))
        assert any(p.path.startswith(f"$.{kind}[{_first_with(kind, field)}].{field}") for p in error.problems), error

    @pytest.mark.parametrize("value", ["2020".translate(ARABIC), "2020".translate(FULL_WIDTH) + "-01"])
    def test_dates_take_ascii_digits(self, value: str) -> None:
        """Dates in other digits are refused."""
        document = copy.deepcopy(BASE)
        event = document["products"][0]["events"][0]
        event["date"] = value
        error = _refused(json.dumps(document))
        assert "$.products[0].events[0].date" in str(error)

    @pytest.mark.parametrize("value", ["Sjögren", "системная красная волчанка", "a\u200db", "tab\tinside"])
    def test_accepted(self, value: str) -> None:
        """Other scripts, joiners inside words and tabs stay acceptable."""
        assert value == loads(_with("risks", "name", value)).risks[_first_with("risks", "name")].name

    @pytest.mark.parametrize(
        ("version", "words"),
        [
            ("1\x07", "control character U+0007"),
            ("1\u202e", "bidirectional control character U+202E"),
            ("x" * 201, "at most 200 characters"),
            ("x" * 1_000_000, "at most 200 characters"),
            ("   ", "non-empty"),
        ],
    )
    def test_dataset_version(self, version: str, words: str) -> None:
        """A version with control characters, or longer than 200 characters, is refused."""
        error = _refused(json.dumps({**BASE, "dataset_version": version}))
        assert any(p.collection == "dataset_version" and words in p.message for p in error.problems), error

    def test_dataset_version_built_by_hand(self) -> None:
        """The same rule holds for a knowledge base built in code."""
        kb = load()
        with pytest.raises(DatasetError, match="control character"):
            stemimmune.KnowledgeBase.from_collections("1\x1b", kb.collections())


class TestKeysInOtherScripts:
    @pytest.fixture(name="kb", scope="class")
    @classmethod
    def _kb(cls) -> stemimmune.KnowledgeBase:
        document = copy.deepcopy(BASE)
        document["risks"].append({"id": "cyrillic-risk", "name": "системная", "kind": "toxicity"})
        return loads(json.dumps(document))

    def test_the_record_is_found_by_its_own_name(self, kb: stemimmune.KnowledgeBase) -> None:
        """A record named in Cyrillic is found by that name, in any case."""
        assert "cyrillic-risk" == kb.get("СИСТЕМНАЯ").id

    @pytest.mark.parametrize("key", ["волчанка", "λύκος", "狼瘡", "", "   ", "!!!", "-", "\u200b"])
    def test_no_other_key_finds_it(self, kb: stemimmune.KnowledgeBase, key: str) -> None:
        """Other non-Latin, empty and punctuation-only keys match nothing."""
        with pytest.raises(UnknownKeyError):
            kb.get(key)
        assert all(hit.record.id != "cyrillic-risk" for hit in kb.search(key))


class TestSave:
    def test_new_file_respects_the_umask(self, tmp_path: Path) -> None:
        """A new file gets the mode the umask allows, not 0600."""
        old = os.umask(0o022)
        try:
            path = save(load(), tmp_path / "kb.json")
        finally:
            os.umask(old)
        assert 0o644 == stat.S_IMODE(path.stat().st_mode)

    def test_replaced_file_keeps_its_mode(self, tmp_path: Path) -> None:
        """Replacing a file keeps its permissions."""
        path = tmp_path / "kb.json"
        path.write_text("old")
        path.chmod(0o640)
        save(load(), path)
        assert 0o640 == stat.S_IMODE(path.stat().st_mode)
        assert load(path) == load()

    def test_symlink_to_a_file_is_followed(self, tmp_path: Path) -> None:
        """Saving through a link replaces the file it points at and keeps the link."""
        (tmp_path / "real.json").write_text("old")
        link = tmp_path / "link.json"
        link.symlink_to(tmp_path / "real.json")
        save(load(), link)
        assert link.is_symlink()
        assert load(tmp_path / "real.json") == load()

    @pytest.mark.parametrize(
        "make", [lambda p: p.mkdir(), lambda p: p.symlink_to(p.parent / "folder")], ids=["folder", "link to a folder"]
    )
    def test_directory_is_refused(self, tmp_path: Path, make: Callable[[Path], object]) -> None:
        """A folder, or a link to one, is refused and left alone."""
        (tmp_path / "folder").mkdir()
        target = tmp_path / "target.json"
        make(target)
        with pytest.raises(InvalidArgumentError, match="is a folder"):
            save(load(), target)
        assert target.is_dir()
        assert [] == list((tmp_path / "folder").iterdir())

    @pytest.mark.parametrize("name", ["out.csv", "out", "out.json.bak", "out.JSON", "out.jsonl", ".json"])
    def test_a_suffix_other_than_json_is_refused_before_any_write(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
    ) -> None:
        """save() writes only .json files: another suffix is an InvalidArgumentError naming path, and nothing is touched."""
        target = tmp_path / name
        target.write_text("the user's own file")
        opened: list[object] = []
        real_open = os.open

        def spy(*args: Any, **kwargs: Any) -> int:
            opened.append(args)
            return real_open(*args, **kwargs)

        monkeypatch.setattr(os, "open", spy)
        with pytest.raises(InvalidArgumentError) as caught:
            save(load(), target)
        assert "path" == caught.value.argument
        assert ".json" in str(caught.value)
        assert [] == opened
        assert "the user's own file" == target.read_text()
        assert [target] == list(tmp_path.iterdir())
        with pytest.raises(InvalidArgumentError):  # refused before the missing folder is noticed
            save(load(), tmp_path / "missing" / name)

    def test_writes_are_synced_before_the_rename_and_the_folder_after(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The file is fsynced before it replaces the target, and the folder after."""
        events: list[str] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(descriptor: int) -> None:
            events.append("fsync folder" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "fsync file")
            real_fsync(descriptor)

        def replace(source: Any, target: Any) -> None:
            events.append("replace")
            real_replace(source, target)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        save(load(), tmp_path / "kb.json")
        assert ["fsync file", "replace", "fsync folder"] == events

    @pytest.mark.parametrize(
        ("where", "error"),
        [
            ("write", OSError(errno.ENOSPC, "No space left on device")),
            ("write", KeyboardInterrupt()),
            ("fsync", OSError(errno.EIO, "Input/output error")),
            ("fsync", KeyboardInterrupt()),
            ("replace", OSError(errno.EXDEV, "Invalid cross-device link")),
        ],
    )
    def test_failure_keeps_the_old_file_and_leaves_no_temporary(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: BaseException
    ) -> None:
        """A full disk, an I/O error or Ctrl-C leaves the old file as it was and no temporary file behind."""
        path = tmp_path / "kb.json"
        path.write_text("old content")

        def fail(*_: object) -> None:
            raise error

        monkeypatch.setattr(os, where, fail)
        with pytest.raises(type(error)):
            save(load(), path)
        monkeypatch.undo()
        assert "old content" == path.read_text()
        assert ["kb.json"] == [p.name for p in tmp_path.iterdir()]
