"""Lookups people type: apostrophes, plurals, abbreviations and DOI URLs (issue #24, item 6)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stemimmune
from stemimmune import AmbiguousKeyError, KnowledgeBase
from stemimmune._index import fold, identity_problems
from stemimmune.model import CellType, Disorder, Reference, Therapy


@pytest.fixture(name="kb", scope="module")
def _kb() -> KnowledgeBase:
    return stemimmune.load()


@pytest.mark.parametrize(
    ("key", "kind", "record_id"),
    [
        ("Crohns disease", Disorder, "crohn-disease"),
        ("Crohn's disease", Disorder, "crohn-disease"),
        ("Crohn\N{RIGHT SINGLE QUOTATION MARK}s disease", Disorder, "crohn-disease"),
        ("crohn disease", Disorder, "crohn-disease"),
        ("MSCs", CellType, "mesenchymal-stromal-cell"),
        ("mesenchymal stromal cells", CellType, "mesenchymal-stromal-cell"),
        ("Tregs", CellType, "regulatory-t-cell"),
        ("auto-HSCT", Therapy, "autologous-hsct"),
        ("allo-SCT", Therapy, "allogeneic-hsct"),
    ],
)
def test_everyday_variants_resolve(kb: KnowledgeBase, key: str, kind: type, record_id: str) -> None:
    """Case, punctuation, apostrophes and a plural "s" do not matter; common abbreviations are synonyms."""
    found = kb.get(key)
    assert (type(found), found.id) == (kind, record_id)


def test_a_generic_transplant_term_is_ambiguous_between_the_two_hsct_therapies(kb: KnowledgeBase) -> None:
    """A "stem cell transplant" may be autologous or allogeneic: the error lists both rather than picking one."""
    for key in ("stem cell transplant", "stem cell transplants", "HSCT"):
        with pytest.raises(AmbiguousKeyError) as caught:
            kb.get(key)
        assert caught.value.candidates == ("allogeneic-hsct", "autologous-hsct")
    with pytest.raises(AmbiguousKeyError):
        kb.get("stem cell transplant", Therapy)  # both are therapies: the kind does not choose


def test_ipsc_has_no_record(kb: KnowledgeBase) -> None:
    """No record stands for induced pluripotent stem cells; the broader pluripotent stem cell is not one."""
    assert kb.get_or_none("iPSC") is None


@pytest.mark.parametrize("form", ["https://doi.org/{}", "http://dx.doi.org/{}", "doi:{}", "DOI:{}", "{}"])
def test_a_doi_in_any_usual_form_finds_its_reference(kb: KnowledgeBase, form: str) -> None:
    with_doi = [r for r in kb.references if r.doi]
    assert with_doi
    for reference in with_doi:
        assert kb.get(form.format(reference.doi), Reference) is reference, reference.id
    upper = with_doi[0]
    assert kb.get(form.format(upper.doi.upper())) is upper  # type: ignore[union-attr]


def test_fold_is_the_one_normalisation_of_keys_and_queries() -> None:
    assert fold("Crohn's disease") == fold("Crohns disease") == fold("crohn-disease")
    assert fold("MSCs") == fold("MSC")
    assert fold("class") == "class"  # a double s is not a plural
    assert fold("MS") == "ms"  # nor is the s of a short word
    assert fold("Crohns", loose=False) != fold("Crohn", loose=False)


def test_bundled_identity_keys_stay_distinct_and_names_fold_apart() -> None:
    """Loose folding (apostrophes, plurals) makes no two identity keys of the bundled data one."""
    kb = stemimmune.load()
    assert identity_problems(kb.collections()) == []
    strict = [fold(r.id, loose=False) for r in kb.records()]
    assert len(strict) == len(set(strict))


_BUNDLED = stemimmune.load()
_WORD = st.text("abcdefghijklmnopqrtuvwxyz", min_size=3, max_size=12)  # no "s": the plural is added below


@settings(deadline=None, max_examples=25)  # each example builds the bundled knowledge base's index
@given(word=_WORD, extra=st.sampled_from(["s", "'s"]))
def test_ids_differing_only_by_a_plural_never_clash(word: str, extra: str) -> None:
    """Two records whose ids differ only by a plural "s" both load, and each id names its own record."""
    kb = _BUNDLED
    template = kb.get("multiple-sclerosis", Disorder)
    first_id = f"zz-{word}"
    second_id = f"zz-{word}s"
    first = attrs.evolve(template, id=first_id, name=f"zz {word} one", synonyms=(), xrefs=(), parent_ids=())
    second = attrs.evolve(template, id=second_id, name=f"zz {word}{extra} two", synonyms=(), xrefs=(), parent_ids=())
    collections = dict(kb.collections())
    collections["disorders"] = (*collections["disorders"], first, second)
    assert identity_problems(collections) == []
    grown = KnowledgeBase.from_collections(kb.version, collections)
    assert grown.get(first_id) is first
    assert grown.get(second_id) is second
    assert grown.get(second_id.upper()) is second  # an id in any case names its owner, not the look-alike
