"""The notebook (issue #24, item 4): tables that tell rows apart, typed navigation, trial links, the evidence map."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

from stemimmune import KnowledgeBase, UnknownKeyError, WrongKindError, load
from stemimmune._display import record_html, trial_url
from stemimmune.model import RECORD_TYPES, Disorder, Indication, Product, Therapy, Trial

from .strategies import knowledge_bases
from .test_query import subtypes


@pytest.fixture(name="kb", scope="module")
def _kb() -> KnowledgeBase:
    return load()


def _headers(html: str) -> list[str]:
    head = html[html.index("<thead>") : html.index("</thead>")]
    return re.findall(r"<th>(.*?)</th>", head)


def _rows(html: str) -> list[list[str]]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


# ------------------------------------------------------------------ tables that tell rows apart


def test_recommendations_show_scheme_population_and_donor_column(kb: KnowledgeBase) -> None:
    """The rows of SCID's recommendations in force differ in their donor column; the table shows it, so no two rows look alike."""
    results = kb.recommendations_for("allogeneic-hsct-for-severe-combined-immunodeficiency", latest=True)
    html = results._repr_html_()
    headers = _headers(html)
    assert {"scheme", "population", "donor_type"} <= set(headers)
    rows = _rows(html)
    assert len(rows) == len(results) > 1
    assert len({tuple(row) for row in rows}) == len(rows)
    shown_donors = [row[headers.index("donor_type")] for row in rows]
    assert shown_donors == [r.donor_type or "" for r in results]


def test_trials_show_phase_status_its_date_and_enrolment_first(kb: KnowledgeBase) -> None:
    """A trial table leads with what tells trials apart, not with their synonyms or notes."""
    html = kb.find_trials(disorder="Crohn's disease")._repr_html_()
    headers = _headers(html)
    assert headers[:7] == ["id", "registry_ids", "title", "phase", "status", "status_as_of", "enrollment"]
    assert "phase_rank" not in headers  # in to_frame(), not on screen
    assert "note" not in headers
    assert "columns shown; <code>.to_frame()</code> has every column" in html


def test_a_notebook_frame_has_the_distinguishing_columns(kb: KnowledgeBase) -> None:
    pytest.importorskip("pandas")
    trials = kb.find_trials(disorder="MS").to_frame()
    assert {"phase", "status", "status_as_of", "enrollment"} <= set(trials.columns)
    recommendations = kb.recommendations_for("autologous-hsct-for-multiple-sclerosis").to_frame()
    assert {"scheme", "population", "donor_type"} <= set(recommendations.columns)


# ------------------------------------------------------------------ trial links


#: Each registry's prefix and the address its trials link to, as the docs of trial_url() say.
REGISTRY_PAGES = {
    "NCT": "https://clinicaltrials.gov/study/",
    "ISRCTN": "https://www.isrctn.com/",
    "EudraCT:": "https://www.clinicaltrialsregister.eu/ctr-search/search?query=",
    "CTIS:": "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT=",
    "ChiCTR": "https://www.chictr.org.cn/searchprojEN.html?regno=",
    "NL-OMON": "https://onderzoekmetmensen.nl/en/trial/",
    "jRCT": "https://jrct.mhlw.go.jp/latest-detail/",
}


def _expected_link(registry_id: str) -> str | None:
    for prefix, page in REGISTRY_PAGES.items():
        if registry_id.startswith(prefix):
            number = registry_id.removeprefix(prefix) if prefix.endswith(":") or prefix == "NL-OMON" else registry_id
            return page + number
    return None


def test_every_registry_id_links_to_its_own_registry(kb: KnowledgeBase) -> None:
    """NCT to ClinicalTrials.gov, ISRCTN to isrctn.com, EudraCT/CTIS to the EU registers, ChiCTR, NL-OMON to OMON."""
    seen: set[str] = set()
    for trial in kb.trials:
        html = record_html(trial)
        for registry_id in trial.registry_ids:
            expected = _expected_link(registry_id)
            if expected is None:  # a registry whose pages are not addressed by the number: no link
                assert f">{registry_id}</a>" not in html, registry_id
                continue
            assert f'<a href="{expected.replace("&", "&amp;")}">{registry_id}</a>' in html, registry_id
            seen.add(next(p for p in REGISTRY_PAGES if registry_id.startswith(p)))
    assert seen == set(REGISTRY_PAGES)  # the bundled data has a trial of each registry


def test_a_trial_record_id_links_as_its_main_registry_id(kb: KnowledgeBase) -> None:
    """An indication's trial_ids are trial record ids: each links where the trial's first registry id does."""
    for indication in kb.indications:
        html = record_html(indication)
        for trial_id in indication.trial_ids:
            trial = kb.get(trial_id, Trial)
            expected = _expected_link(trial.registry_ids[0])
            assert expected is not None
            assert f'<a href="{expected.replace("&", "&amp;")}">{trial_id}</a>' in html, trial_id


def test_no_trial_of_another_registry_links_to_clinicaltrials_gov(kb: KnowledgeBase) -> None:
    others = [r for t in kb.trials for r in t.registry_ids if not r.startswith("NCT")]
    assert others
    assert not [r for r in others if "clinicaltrials.gov" in (trial_url(r) or "")]


def test_an_id_of_no_known_form_has_no_link(kb: KnowledgeBase) -> None:
    assert trial_url("not-a-registry-id") is None
    assert trial_url("javascript:alert(1)") is None
    indication = attrs.evolve(kb.indications[0], trial_ids=("other-registry-0001",))
    html = record_html(indication)
    assert "<td>other-registry-0001</td>" in html


# ------------------------------------------------------------------ typed navigation


def test_an_empty_group_of_neighbours_is_an_empty_tuple(kb: KnowledgeBase) -> None:
    """Every collection is a key of neighbours(); one with no linked record holds an empty tuple."""
    found = kb.neighbours("MS")
    assert list(found) == list(RECORD_TYPES)
    assert found["therapies"] == ()
    assert found["indications"]


def _oracle_findings(kb: KnowledgeBase, record: Any) -> list[str]:
    """The docstring: an indication's findings (filed under it or also supporting it); a disorder's, of indications for it and its subtypes; a therapy's."""
    if isinstance(record, Indication):
        wanted = {record.id}
    elif isinstance(record, Disorder):
        under = subtypes(kb, record.id) | {record.id}
        wanted = {i.id for i in kb.indications if i.disorder_id in under}
    else:
        wanted = {i.id for i in kb.indications if i.therapy_id == record.id}
    return sorted(f.id for f in kb.findings if wanted & {f.indication_id, *f.also_supports})


def _oracle_trials(kb: KnowledgeBase, record: Any) -> list[str]:
    """The docstring: an indication's cited trials and its therapy's trials in its disorder (or a subtype); else find_trials."""
    if isinstance(record, Indication):
        under = subtypes(kb, record.disorder_id) | {record.disorder_id}
        found = {t.id for t in kb.trials if record.therapy_id in t.therapy_ids and under & set(t.disorder_ids)}
        return sorted(found | set(record.trial_ids))
    if isinstance(record, Disorder):
        return [t.id for t in kb.find_trials(disorder=record)]
    if isinstance(record, Therapy):
        return [t.id for t in kb.find_trials(therapy=record)]
    return [t.id for t in kb.find_trials(product=record)]


def _check_navigation(kb: KnowledgeBase) -> None:
    anchors: list[Indication | Disorder | Therapy] = [*kb.indications, *kb.disorders, *kb.therapies]
    for record in anchors:
        assert [f.id for f in kb.findings_for(record)] == _oracle_findings(kb, record), record.id
        assert [f.id for f in kb.findings_for(record.id)] == _oracle_findings(kb, record), record.id
        assert [t.id for t in kb.trials_for(record)] == _oracle_trials(kb, record), record.id
    for product in kb.products:
        assert [t.id for t in kb.trials_for(product.id)] == _oracle_trials(kb, product), product.id


def test_findings_and_trials_for_the_bundled_data(kb: KnowledgeBase) -> None:
    _check_navigation(kb)
    assert kb.findings_for("MS")  # by a synonym
    assert kb.trials_for("MS")


@settings(deadline=None, max_examples=30)
@given(knowledge_bases())
def test_findings_and_trials_for_any_knowledge_base(kb: KnowledgeBase) -> None:
    _check_navigation(kb)


def test_navigation_results_are_tables_even_when_empty(kb: KnowledgeBase) -> None:
    """None found is an empty result that still renders the table of its kind."""
    therapy = next(t for t in kb.therapies if not kb.findings_for(t))
    empty = kb.findings_for(therapy)
    assert len(empty) == 0
    assert "0 results" in empty._repr_html_()
    assert "design" in _headers(empty._repr_html_())


def test_navigation_refuses_another_kind(kb: KnowledgeBase) -> None:
    with pytest.raises(WrongKindError, match=r"key='MSC': names a CellType .*, not an Indication, Disorder or Therapy"):
        kb.findings_for("MSC")
    with pytest.raises(WrongKindError, match="not an Indication, Disorder, Therapy or Product"):
        kb.trials_for(kb.references[0])  # type: ignore[arg-type]  # the wrong kind, on purpose
    with pytest.raises(UnknownKeyError):
        kb.trials_for("no such record at all")
    assert isinstance(kb.get("Alofisel"), Product)
    assert kb.trials_for("Alofisel")  # a product's trials


# ------------------------------------------------------------------ the evidence map


class _BrokenError(RuntimeError):
    """A drawing step that fails."""


def test_a_failed_map_leaves_no_figure_open(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """A map that fails while drawing closes the figure it made; a bad trial_status makes none."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from stemimmune import plot

    before = set(plt.get_fignums())
    with pytest.raises(Exception, match="trial_status"):
        plot.evidence_map(kb, mark_trials=True, trial_status="nonsense")
    assert set(plt.get_fignums()) == before

    def broken(*_args: object, **_kwargs: object) -> None:
        raise _BrokenError

    monkeypatch.setattr(plot, "_legends", broken)
    with pytest.raises(_BrokenError):
        plot.evidence_map(kb)
    assert set(plt.get_fignums()) == before


def test_a_failed_map_on_the_caller_s_axes_leaves_their_figure_open(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from stemimmune import plot

    figure, ax = plt.subplots()
    try:

        def broken(*_args: object, **_kwargs: object) -> None:
            raise _BrokenError

        monkeypatch.setattr(plot, "_legends", broken)
        with pytest.raises(_BrokenError):
            plot.evidence_map(kb, ax=ax)
        assert figure.number in plt.get_fignums()
    finally:
        plt.close(figure)
