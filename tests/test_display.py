"""HTML for notebooks: records and rows render as tables, with every value escaped."""

from __future__ import annotations

import string
from html.parser import HTMLParser
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from stemimmune import KnowledgeBase, load
from stemimmune._display import LEADING, MAX_CELL_CHARS, record_html, table_html
from stemimmune._tables import TABLES
from stemimmune.export import columns, records
from stemimmune.model import Citation, Effect, Finding
from stemimmune.vocabulary import EffectMeasure, EvidenceLevel

from .strategies import knowledge_bases


ALLOWED_TAGS = {"table", "caption", "code", "thead", "tbody", "tr", "th", "td", "br", "p", "pre", "a"}

#: Text with the characters HTML cares about.
risky_texts = st.text(alphabet=string.ascii_letters + " <>&\"'/=;", min_size=1, max_size=40).map(str.strip).filter(bool)


class Parsed(HTMLParser):
    """The tags, the text, and the text of each cell of an HTML fragment."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.cells: list[str] = []
        self.headers: list[str] = []
        self._cell: list[str] | None = None
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        self.tags.append(tag)
        if tag in {"td", "th"}:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.cells.append("".join(self._cell))
            if tag == "th":
                self.headers.append(self.cells[-1])
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


class TestRecordHtml:
    def test_escapes_markup(self) -> None:
        """< and & in a value are escaped, so no tag from the data reaches the page."""
        html = record_html(Citation(reference_id="r1", locator="Table <b>2</b> & <script>x</script>"))
        assert "Table &lt;b&gt;2&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html
        assert "<script>" not in html
        assert "<b>" not in html

    @given(risky_texts)
    @example("a <b>bold</b> & c")
    @example("&amp; &lt;")
    def test_any_text_comes_back_unchanged(self, text: str) -> None:
        """Whatever the text, the HTML parses to the allowed tags, with the text intact in its cell."""
        parsed = Parsed(record_html(Citation(reference_id="r1", locator=text)))
        assert set(parsed.tags) <= ALLOWED_TAGS
        assert ["field", "value", "reference_id", "r1", "locator", text] == parsed.cells

    @given(knowledge_bases())
    def test_every_record_renders_every_filled_field(self, kb: KnowledgeBase) -> None:
        """Each record gives a row per non-empty field, what matters first, then declaration order; no other tags."""
        for record in kb.records():
            parsed = Parsed(record_html(record))
            assert set(parsed.tags) <= ALLOWED_TAGS
            names = [f.name for f in attrs.fields(type(record))]
            shown = [*(n for n in LEADING if n not in names and hasattr(type(record), n)), *names]
            filled = [n for n in shown if getattr(record, n) not in (None, (), "")]
            leading = [n for n in LEADING if n in filled]
            assert ["field", "value"] == parsed.cells[:2]
            assert [*leading, *(n for n in filled if n not in leading)] == parsed.cells[2::2]

    def test_caption_names_kind_and_id(self) -> None:
        """The caption holds the record's class and id."""
        parsed = Parsed(record_html(load().get("MS")))
        assert "Disorder multiple-sclerosis" in "".join(parsed.text)

    def test_values_are_readable(self) -> None:
        """Enums show as values, lists one item per line, nested records as field=value pairs."""
        finding = Finding(
            id="f1",
            indication_id="i1",
            design=EvidenceLevel.RANDOMIZED_TRIAL,
            population="adults",
            endpoint="progression",
            result="HR 0.07",
            citations=(Citation(reference_id="a"), Citation(reference_id="b", locator="p. 3")),
            effect=Effect(measure=EffectMeasure.HAZARD_RATIO, value=0.07, ci_low=0.02, ci_high=0.24),
        )
        cells = dict(zip(*[iter(Parsed(record_html(finding)).cells[2:])] * 2, strict=True))
        assert "randomized-trial" == cells["design"]
        assert "reference_id=a\nreference_id=b; locator=p. 3" == cells["citations"]
        assert "measure=hazard-ratio; value=0.07; ci_low=0.02; ci_high=0.24" == cells["effect"]
        assert "comparator" not in cells  # empty fields are hidden

    def test_nested_records_inside_nested_records_are_bracketed(self) -> None:
        """A conventional treatment's citations are shown in brackets within the treatment."""
        disorder = load().get("MS")
        cells = dict(zip(*[iter(Parsed(record_html(disorder)).cells[2:])] * 2, strict=True))
        assert "citations=(reference_id=" in cells["conventional_treatments"]

    def test_held_records_show_as_id_and_name(self) -> None:
        """A record held by another object (a query result, say) shows as its id and name, not all its fields."""
        therapy = load().therapies[0]
        cells = dict(zip(*[iter(Parsed(record_html(_Holder(therapy=therapy))).cells[2:])] * 2, strict=True))
        assert f"{therapy.id} ({therapy.name})" == cells["therapy"]

    def test_repr_html_hook(self) -> None:
        """Records render in notebooks through _repr_html_."""
        record = load().get("aHSCT")
        assert record_html(record) == record._repr_html_()

    def test_non_records_fall_back_to_repr(self) -> None:
        """Anything else is shown as its escaped repr."""
        assert "<pre>&lt;1 &amp; 2&gt;</pre>" == record_html(_Shown())


@attrs.frozen
class _Holder:
    therapy: object


class _Shown:
    def __repr__(self) -> str:
        return "<1 & 2>"


class TestTableHtml:
    def test_escapes_keys_and_values(self) -> None:
        """Column names and values are escaped."""
        html = table_html([{"a<b": "x & y", "c": ["<i>", "j"]}])
        assert "<th>a&lt;b</th>" in html
        assert "<td>x &amp; y</td>" in html
        assert "<td>&lt;i&gt;<br>j</td>" in html
        assert "<i>" not in html

    def test_columns_in_order_of_first_appearance(self) -> None:
        """Columns are the union of the keys, first seen first; a missing or None value is an empty cell."""
        parsed = Parsed(table_html([{"b": 1, "a": None}, {"c": True, "b": 2}]))
        assert ["b", "a", "c", "1", "", "", "2", "", "True"] == parsed.cells

    def test_max_rows_limits_rows_and_says_how_many_are_left(self) -> None:
        """Only max_rows rows are shown; a note counts the rest."""
        rows: list[dict[str, object]] = [{"n": n} for n in range(7)]
        parsed = Parsed(table_html(rows, max_rows=3))
        assert 4 == parsed.tags.count("tr")  # the header and three rows
        assert "3 of 7 rows shown; 4 more not shown." in "".join(parsed.text)
        assert "more not shown" not in table_html(rows, max_rows=7)

    def test_negative_max_rows_is_an_error(self) -> None:
        """max_rows below zero is rejected."""
        with pytest.raises(ValueError, match="max_rows"):
            table_html([], max_rows=-1)

    def test_long_text_is_cut(self) -> None:
        """Text longer than MAX_CELL_CHARS is cut with an ellipsis."""
        parsed = Parsed(table_html([{"t": "x" * (MAX_CELL_CHARS + 10)}]))
        assert MAX_CELL_CHARS == len(parsed.cells[1])
        assert parsed.cells[1].endswith("\N{HORIZONTAL ELLIPSIS}")

    @given(knowledge_bases())
    def test_renders_export_rows(self, kb: KnowledgeBase) -> None:
        """Rows from the export module render with one header row plus one row per record (up to max_rows)."""
        rows = records(kb, "therapies")
        parsed = Parsed(table_html(rows, max_rows=2))
        assert set(parsed.tags) <= ALLOWED_TAGS
        assert 1 + min(len(rows), 2) == parsed.tags.count("tr")


class TestNotebookViews:
    def test_option_shows_evidence_and_category_first(self) -> None:
        """A therapy option's HTML starts with its evidence level and EBMT category."""
        option = next(o for o in load().therapies_for("Crohn's disease") if o.ebmt_category is not None)
        cells = Parsed(option._repr_html_()).cells
        assert ["evidence_level", option.evidence_level.value, "ebmt_category", "CO"] == cells[2:6]

    def test_empty_fields_are_hidden(self) -> None:
        """A field holding None or nothing has no row."""
        finding = Finding(
            id="f1",
            indication_id="i1",
            design=EvidenceLevel.CASE_SERIES,
            population="p",
            endpoint="e",
            result="r",
            citations=(Citation(reference_id="a"),),
        )
        cells = Parsed(record_html(finding)).cells
        assert "comparator" not in cells
        assert "effect" not in cells
        assert "design" == cells[2]

    @pytest.mark.parametrize(
        ("key", "field", "href"),
        [
            ("burt2019-mist", "doi", "https://doi.org/10.1001/jama.2018.18743"),
            ("burt2019-mist", "pmid", "https://pubmed.ncbi.nlm.nih.gov/30644983/"),
            ("MS", "xrefs", "http://purl.obolibrary.org/obo/MONDO_0005301"),
            ("MS", "xrefs", "https://bioregistry.io/MESH:D009103"),
        ],
    )
    def test_identifiers_link_to_resolvers(self, key: str, field: str, href: str) -> None:
        """DOIs, PMIDs and CURIEs are links to doi.org, PubMed and the ontology's page."""
        html = load().get(key)._repr_html_()
        row = html[html.index(f"<th>{field}</th>") :]
        assert f'<a href="{href}">' in row[: row.index("</tr>")]

    def test_trial_ids_link_to_clinicaltrials_gov(self) -> None:
        """NCT ids link to ClinicalTrials.gov, as registered (upper case)."""
        indication = next(i for i in load().indications if any(t.startswith("nct") for t in i.trial_ids))
        nct = next(t for t in indication.trial_ids if t.startswith("nct")).upper()
        assert f'<a href="https://clinicaltrials.gov/study/{nct}">' in indication._repr_html_()

    def test_only_http_urls_are_links(self) -> None:
        """A url that is not http(s) stays text, so no script reaches an href."""
        from stemimmune._display import _link

        assert _link("url", "javascript:alert(1)") is None
        assert "https://example.org/a" == _link("url", "https://example.org/a")

    def test_results_are_tuples_with_html_and_frames(self) -> None:
        """Query results equal tuples, render as an HTML table and become a typed DataFrame."""
        kb = load()
        options = kb.therapies_for("MS")
        assert tuple(options) == options
        html = options._repr_html_()
        assert set(Parsed(html).tags) <= ALLOWED_TAGS
        assert all(o.indication.id in html for o in options)
        frame = options.to_frame()
        assert [o.indication.id for o in options] == list(frame["indication_id"])
        assert frame["evidence_level"].cat.ordered
        assert [h.record.id for h in kb.search("lupus")] == list(kb.search("lupus").to_frame()["id"])
        assert [r.id for r in kb.references_for("MS")] == list(kb.references_for("MS").to_frame()["id"])
        assert "Int64" == str(kb.references_for("MS").to_frame()["year"].dtype)

    def test_empty_results(self) -> None:
        """No results give an empty frame and a table that still has its header."""
        empty = load().search("zzzzzzzz")
        assert 0 == len(empty.to_frame())
        html = empty._repr_html_()
        assert "0 results" in html
        assert ["kind", "score", "id", "matched"] == Parsed(html).headers  # the kind leads, as in every result
        assert () == empty

    @pytest.mark.parametrize(
        ("query", "table"),
        [
            (lambda kb: kb.therapies_for("MS"), "evidence"),
            (lambda kb: kb.therapies_for("autoimmune haemolytic anaemia"), "evidence"),
            (lambda kb: kb.find_trials(disorder="MS"), "trials"),
            (lambda kb: kb.find_trials(disorder="autoimmune haemolytic anaemia"), "trials"),
            (lambda kb: kb.recommendations_for(kb.indications[0]), "recommendations"),
            (lambda kb: kb.references_for("MS"), "references"),
        ],
        ids=["options", "no-options", "trials", "no-trials", "recommendations", "references"],
    )
    def test_results_show_their_table_s_columns(self, query: Any, table: str) -> None:
        """A result's notebook table has the columns its table shows, in that order, even with no rows."""
        kb = load()
        results = query(kb)
        html = results._repr_html_()
        headers = Parsed(html).headers
        assert list(TABLES[table].shown) == headers
        assert set(headers) <= set(columns(table))
        assert f"{len(headers)} of {len(columns(table))} columns shown" in html
        assert list(results.to_frame().columns) == list(columns(table))  # the frame keeps every column

    def test_results_of_a_table_that_declares_no_shown_columns_show_every_column(self) -> None:
        """Without declared columns, every column shows, evidence and status first."""
        kb = load()
        results = kb.ancestors("regulatory T cell")
        headers = Parsed(results._repr_html_()).headers
        assert not TABLES["cell_types"].shown
        assert sorted(columns("cell_types")) == sorted(headers)
        leading = [h for h in headers if h in LEADING and h not in {"name", "title"}]
        assert leading == headers[: len(leading)]
        assert [h for h in headers if h not in leading] == [c for c in columns("cell_types") if c not in leading]

    def test_knowledge_base_summary(self) -> None:
        """The knowledge base renders as a summary with its version and every collection's size."""
        kb = load()
        cells = Parsed(kb._repr_html_()).cells
        assert kb.version in kb._repr_html_()
        for kind, records_ in kb.collections().items():
            assert str(len(records_)) == cells[cells.index(kind) + 1]
