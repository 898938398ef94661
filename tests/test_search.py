"""
Search returns exactly the best matches: compared with a brute-force scorer over every key of every record.

The oracle is written from the documentation of ``KnowledgeBase.search`` (which keys a
record is found by, how a key is scored, how hits are ordered and cut) and scores every
key of every record with ``oracle_score`` (the textbook LCS table); it reads nothing of
the engine's index or scorer.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stemimmune import KnowledgeBase, load, loads
from stemimmune._index import fold  # the documented folding (case, accents, punctuation, spelling), as test_query uses
from stemimmune.cli import main
from stemimmune.model import CellType, Disorder, Record, Reference

from .strategies import knowledge_bases
from .test_query import oracle_score


def documented_keys(record: Any) -> list[str]:
    """
    The texts a record is found by, as the search docstring lists them.

    Its id, name or title, a product's generic name, synonyms, CURIEs, a trial's registry
    ids, a reference's authors, DOI, PMID and PMCID (bare and prefixed ``doi:``, ``pmid:``, ``pmcid:``).
    """
    keys = [record.id, getattr(record, "name", None), getattr(record, "title", None)]
    keys.append(getattr(record, "generic_name", None))
    for attribute in ("synonyms", "xrefs", "registry_ids", "authors"):
        keys += list(getattr(record, attribute, ()))
    for prefix in ("doi", "pmid", "pmcid"):
        value = getattr(record, prefix, None)
        keys += [value, f"{prefix}:{value}"] if value else []
    return [k for k in keys if k]


def oracle_scores(kb: KnowledgeBase, text: str) -> dict[str, tuple[float, Record]]:
    """Each record's best key score (to four places) against *text*: every key of every record, scored one by one."""
    query = fold(text)
    found: dict[str, tuple[float, Record]] = {}
    if not query:
        return found
    for record in kb.records():
        scores = [round(oracle_score(query, fold(k)), 4) for k in documented_keys(record) if fold(k)]
        if scores:
            found[record.id] = (max(scores), record)
    return found


def oracle_search(
    kb: KnowledgeBase, scores: dict[str, tuple[float, Record]], *, kinds: Any, limit: int, min_score: float
) -> list[tuple[str, float]]:
    """
    "The limit best records (every one when limit is 0) scoring at least min_score, best first;
    ties by kind, in the order of collections(), then id."
    """
    kind_order = [type(records[0]) for records in kb.collections().values() if records]
    rank = {cls: n for n, cls in enumerate(kind_order)}
    hits = [
        (score, record)
        for score, record in scores.values()
        if score >= min_score and (kinds is None or type(record) in kinds)
    ]
    hits.sort(key=lambda h: (-h[0], rank[type(h[1])], h[1].id))
    return [(record.id, score) for score, record in (hits[:limit] if limit else hits)]


def check(kb: KnowledgeBase, text: str, scores: dict[str, tuple[float, Record]], **arguments: Any) -> None:
    """search() gives the oracle's hits, and each hit's matched text is a key of its record with that score."""
    hits = kb.search(text, **arguments)
    wanted = arguments.get("kinds")
    expected = oracle_search(kb, scores, kinds=None if wanted is None else set(wanted), limit=arguments["limit"],
                             min_score=arguments["min_score"])  # fmt: skip
    assert expected == [(h.record.id, h.score) for h in hits], (text, arguments)
    for hit in hits:
        assert fold(hit.matched) in {fold(k) for k in documented_keys(hit.record)}
        assert hit.score == round(oracle_score(fold(text), fold(hit.matched)), 4)


def near(key: str) -> st.SearchStrategy[str]:
    """A key as written, a slice of it, one of its words, or one typo away: deleted, doubled, swapped or changed letters."""
    size = max(len(key), 1)
    cut = st.integers(0, size)
    return st.one_of(
        st.just(key),
        st.tuples(cut, cut).map(lambda ab: key[min(ab) : max(ab)]),
        st.sampled_from(key.split() or [key]),
        cut.map(lambda i: key[:i] + key[i + 1 :]),
        cut.map(lambda i: key[:i] + key[i : i + 1] * 2 + key[i + 1 :]),
        cut.map(lambda i: key[:i] + key[i + 1 : i + 2] + key[i : i + 1] + key[i + 2 :]),
        st.tuples(cut, st.sampled_from("aeiosx -")).map(lambda ic: key[: ic[0]] + ic[1] + key[ic[0] + 1 :]),
        st.tuples(cut, cut).map(lambda ab: key[: min(ab)] + " " + key[max(ab) :]),
    )


def queries_of(kb: KnowledgeBase) -> st.SearchStrategy[str]:
    """Texts near a real key of a record of *kb*, and now and then any text."""
    keys = sorted({k for r in kb.records() for k in documented_keys(r)})
    return st.one_of(st.sampled_from(keys).flatmap(near), st.text(max_size=12))


LIMITS = st.sampled_from([0, 1, 5, 10, 10_000])
MIN_SCORES = st.sampled_from([0.0, 0.3, 0.5, 0.6, 0.8, 0.99, 1.0])


@given(st.data())
def test_search_is_the_oracle_on_generated_knowledge_bases(data: st.DataObject) -> None:
    """On generated data, search() is the top-k of the documented score over every key of the chosen kinds."""
    kb = data.draw(knowledge_bases())
    text = data.draw(queries_of(kb))
    scores = oracle_scores(kb, text)
    kinds_present = sorted({type(r) for r in kb.records()}, key=lambda c: c.__name__)
    for _ in range(3):
        kinds = data.draw(st.none() | st.lists(st.sampled_from(kinds_present), min_size=1, max_size=3))
        check(kb, text, scores, kinds=kinds, limit=data.draw(LIMITS), min_score=data.draw(MIN_SCORES))


@functools.cache
def bundled() -> KnowledgeBase:
    """The bundled data built again, so that the index (and search's tables) are built by the code under test."""
    return attrs.evolve(load())


@functools.cache
def bundled_scores(text: str) -> dict[str, tuple[float, Record]]:
    """The oracle's scores on the bundled data, once per text (a full scan by the textbook table is slow)."""
    return oracle_scores(bundled(), text)


def bundled_keys() -> list[str]:
    """Every documented key of the bundled records, to draw queries near."""
    return sorted({k for r in load().records() for k in documented_keys(r)})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(bundled_keys()).flatmap(near), st.data())
def test_search_is_the_oracle_on_the_bundled_data(text: str, data: st.DataObject) -> None:
    """On the bundled data, for queries near real keys, search() is the oracle's top-k for every limit, kind and cut."""
    kb = bundled()
    scores = bundled_scores(text)
    for limit in (0, 1, 5, 10_000):
        check(kb, text, scores, kinds=None, limit=limit, min_score=data.draw(MIN_SCORES))
    kinds = data.draw(st.lists(st.sampled_from([Disorder, CellType, Reference]), min_size=1, max_size=2))
    check(kb, text, scores, kinds=kinds, limit=data.draw(LIMITS), min_score=data.draw(MIN_SCORES))


@pytest.mark.parametrize(
    "text", ["cell", "sclerosis", "diabetes", "hsct", "multipel sclerosis", "crohns", "ms", "NCT00114530"]
)
def test_the_audit_queries_are_the_oracle(text: str) -> None:
    """The queries of the audit's probe: the top 10 and every hit at 0.5 are the full scan's."""
    kb, scores = bundled(), bundled_scores(text)
    check(kb, text, scores, kinds=None, limit=10, min_score=0.5)
    check(kb, text, scores, kinds=None, limit=0, min_score=0.5)


def test_a_large_limit_finds_every_multiple_sclerosis_subtype() -> None:
    """search("sclerosis", limit=1000) finds multiple sclerosis's subtypes, which share its name's last word."""
    kb = load()
    subtypes = {d.id for d in kb.disorders if "multiple-sclerosis" in d.parent_ids}
    assert len(subtypes) == 3
    assert subtypes <= {h.record.id for h in kb.search("sclerosis", limit=1000)}


def test_every_cell_type_scores_at_min_score_zero() -> None:
    """With min_score=0 every record of the kinds asked for is a hit: all the cell types for "cell"."""
    kb = load()
    hits = kb.search("cell", kinds=[CellType], limit=100, min_score=0)
    assert sorted(c.id for c in kb.cell_types) == sorted(h.record.id for h in hits)
    assert len(list(kb.records())) == len(kb.search("zzzz", limit=0, min_score=0))


def test_limit_zero_gives_every_hit() -> None:
    """limit=0 gives every hit at or above min_score, as many as a limit larger than the data."""
    kb = load()
    every = kb.search("ms", limit=0)
    assert len(every) > 10
    assert every == kb.search("ms", limit=len(list(kb.records())))
    assert all(h.score >= 0.5 for h in every)


def test_cli_limit_zero_prints_every_hit(capsys: pytest.CaptureFixture[str]) -> None:
    """`stemimmune search cell --limit 0` prints every record scoring at least the default 0.5: the oracle's list."""
    assert 0 == main(["search", "cell", "--limit", "0", "--json"])
    rows = json.loads(capsys.readouterr().out)
    expected = oracle_search(bundled(), bundled_scores("cell"), kinds=None, limit=0, min_score=0.5)
    assert len(expected) > 200
    assert expected == [(row["id"], row["score"]) for row in rows]


def test_an_empty_knowledge_base_finds_nothing_without_failing() -> None:
    """A knowledge base without records (or without records of the kinds asked for) has no hit, whatever the limit."""
    empty = loads('{"dataset_version": "empty-1"}')
    for limit in (0, 1, 10):
        assert empty.search("lupus", limit=limit, min_score=0) == ()
        assert empty.search("systemic lupus erythematosus", kinds=["disorders"], limit=limit) == ()
