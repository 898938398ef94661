"""The evidence map: one row per disorder and one column per therapy with an indication."""

from __future__ import annotations

import math
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from stemimmune import InvalidArgumentError, KnowledgeBase, UnknownKeyError, load
from stemimmune.plot import NON_STEM_CELL_MARK, evidence_map, save_evidence_map
from stemimmune.vocabulary import DisorderCategory, EvidenceLevel

from .strategies import knowledge_bases


needs_matplotlib = pytest.mark.skipif(find_spec("matplotlib") is None, reason='needs pip install "stemimmune[plot]"')

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def shown(kb: KnowledgeBase) -> tuple[list[Any], list[Any]]:
    """The disorders (grouped by category, else in knowledge-base order) and therapies with at least one indication."""
    order = list(DisorderCategory)
    disorders = sorted(
        (d for d in kb.disorders if any(i.disorder_id == d.id for i in kb.indications)),
        key=lambda d: order.index(d.category),
    )
    therapies = [t for t in kb.therapies if any(i.therapy_id == t.id for i in kb.indications)]
    return disorders, therapies


def grid_of(figure: Any) -> Any:
    """The array of the map's image (a masked array: masked cells have no indication)."""
    return figure.axes[0].images[0].get_array()


def labels(texts: list[Any]) -> list[str]:
    """Tick label texts with line breaks undone."""
    return [t.get_text().replace("\n", " ") for t in texts]


@needs_matplotlib
class TestEvidenceMap:
    def test_one_row_per_disorder_and_one_column_per_therapy(self) -> None:
        """The bundled map has a row per disorder and a column per therapy that have an indication."""
        kb = load()
        disorders, therapies = shown(kb)
        figure = evidence_map(kb)
        ax = figure.axes[0]
        assert [d.name for d in disorders] == labels(ax.get_yticklabels())
        assert len(therapies) == len(ax.get_xticklabels())
        assert (len(disorders), len(therapies)) == grid_of(figure).shape

    def test_cells_hold_evidence_ranks_and_blanks(self) -> None:
        """A cell holds the rank of its indication's evidence level; cells without one are masked."""
        kb = load()
        disorders, therapies = shown(kb)
        grid = grid_of(evidence_map(kb))
        levels = {(i.disorder_id, i.therapy_id): i.evidence_level for i in kb.indications}
        for row, disorder in enumerate(disorders):
            for column, therapy in enumerate(therapies):
                level = levels.get((disorder.id, therapy.id))
                cell = grid[row, column]
                if level is None:
                    assert grid.mask[row, column] or math.isnan(cell)
                else:
                    assert level.rank == cell

    def test_cells_name_the_best_ebmt_category(self) -> None:
        """Exactly the indications with EBMT letters in force have text: their best one (S, CO, D, GNR order)."""
        kb = load()
        disorders, therapies = shown(kb)
        in_force = {i.id: kb.recommendations_for(i, latest=True) for i in kb.indications}
        expected = {
            (
                [d.id for d in disorders].index(i.disorder_id),
                [t.id for t in therapies].index(i.therapy_id),
            ): max(c for r in in_force[i.id] for c in r.categories).value
            for i in kb.indications
            if any(r.categories for r in in_force[i.id])
        }
        superseded = kb.get("autologous-hsct-for-multiple-sclerosis")
        assert any(r.categories for r in superseded.recommendations)  # type: ignore[union-attr]
        assert (
            [d.id for d in disorders].index("multiple-sclerosis"),
            [t.id for t in therapies].index("autologous-hsct"),
        ) not in expected
        ax = evidence_map(kb).axes[0]
        found = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
        assert expected == found
        assert expected  # the bundled data has EBMT recommendations to show

    def test_non_stem_cell_therapies_are_marked(self) -> None:
        """Only therapies that use no stem cells get the mark, in italics."""
        kb = load()
        _, therapies = shown(kb)
        ax = evidence_map(kb).axes[0]
        assert any(not t.is_stem_cell_therapy for t in therapies)
        for therapy, label in zip(therapies, ax.get_xticklabels(), strict=True):
            marked = label.get_text().endswith(NON_STEM_CELL_MARK)
            assert marked is not therapy.is_stem_cell_therapy
            assert ("italic" if marked else "normal") == label.get_fontstyle()

    def test_legend_names_every_evidence_level(self) -> None:
        """A legend names each evidence level; another explains the categories."""
        from matplotlib.legend import Legend

        ax = evidence_map(load()).axes[0]
        legends = [artist for artist in ax.findobj(Legend) if isinstance(artist, Legend)]
        assert 2 == len(legends)
        texts = {t.get_text() for legend in legends for t in legend.texts}
        assert {level.value for level in EvidenceLevel} <= texts
        assert any(t.startswith("GNR") for t in texts)

    def test_figure_uses_the_agg_canvas(self) -> None:
        """A new figure is drawn on the non-interactive Agg canvas, sized to the grid."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        kb = load()
        figure = evidence_map(kb)
        assert isinstance(figure.canvas, FigureCanvasAgg)
        small = evidence_map(KnowledgeBase(version="0", **_only_first_indication(kb)))
        assert small.get_size_inches()[1] < figure.get_size_inches()[1]

    def test_draws_on_given_axes(self) -> None:
        """With ax=, the map is drawn there and that axes' figure is returned."""
        from matplotlib.figure import Figure

        figure = Figure()
        ax = figure.add_subplot()
        assert figure is evidence_map(load(), ax=ax)
        assert 1 == len(ax.images)

    def test_empty_knowledge_base(self) -> None:
        """A knowledge base without indications gives a figure saying so, with no grid."""
        ax = evidence_map(KnowledgeBase(version="0")).axes[0]
        assert [] == list(ax.images)
        assert ["no indications to show"] == [t.get_text() for t in ax.texts]

    @settings(deadline=None, max_examples=10)
    @given(knowledge_bases())
    def test_grid_shape_for_any_knowledge_base(self, kb: KnowledgeBase) -> None:
        """For any knowledge base the grid is disorders-with-indications by therapies-with-indications."""
        disorders, therapies = shown(kb)
        figure = evidence_map(kb)
        ax = figure.axes[0]
        assert (len(disorders), len(therapies)) == grid_of(figure).shape
        assert len(disorders) == len(ax.get_yticklabels())
        assert len(therapies) == len(ax.get_xticklabels())

    def test_save_writes_a_png(self, tmp_path: Path) -> None:
        """save_evidence_map writes a PNG file to the path given."""
        target = tmp_path / "map.png"
        save_evidence_map(load(), target)
        assert PNG_MAGIC == target.read_bytes()[:8]


def _only_first_indication(kb: KnowledgeBase) -> dict[str, Any]:
    """The collections of *kb* with a single indication and no findings."""
    collections: dict[Any, Any] = {**kb.collections()}
    collections["indications"] = kb.indications[:1]
    collections["findings"] = ()
    return collections


class TestMissingMatplotlib:
    def test_evidence_map_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without matplotlib, evidence_map raises ImportError telling how to install the extra."""
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(ImportError, match=r'pip install "stemimmune\[plot\]"'):
            evidence_map(load())

    def test_save_names_the_extra(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """Without matplotlib, save_evidence_map raises the same error and writes nothing."""
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(ImportError, match=r"stemimmune\[plot\]"):
            save_evidence_map(load(), tmp_path / "map.png")
        assert [] == list(tmp_path.iterdir())


@needs_matplotlib
class TestNotebookAndFiles:
    def test_figure_is_made_through_pyplot(self) -> None:
        """A new map is a pyplot figure, so plt.show() and inline display find it."""
        import matplotlib.pyplot as plt

        figure = evidence_map(load())
        try:
            assert figure.number in plt.get_fignums()
        finally:
            plt.close(figure)

    def test_save_closes_its_figure(self, tmp_path: Path) -> None:
        """Saving leaves no figure open behind it."""
        import matplotlib.pyplot as plt

        before = set(plt.get_fignums())
        save_evidence_map(load(), tmp_path / "map.png")
        assert before == set(plt.get_fignums())

    @pytest.mark.parametrize(("name", "magic"), [("map.png", PNG_MAGIC), ("map.SVG", b"<?xml"), ("map.pdf", b"%PDF")])
    def test_format_follows_the_extension(self, tmp_path: Path, name: str, magic: bytes) -> None:
        """A .png, .svg or .pdf file holds that format, whatever the case of the extension."""
        target = tmp_path / name
        assert target == save_evidence_map(load(), target)
        assert target.read_bytes().startswith(magic)

    @pytest.mark.parametrize("name", ["map.jpg", "map", "map.png.txt"])
    def test_unknown_extension_is_refused(self, tmp_path: Path, name: str) -> None:
        """Any other extension is an InvalidArgumentError naming the formats, and nothing is written."""
        with pytest.raises(InvalidArgumentError, match=r"\.png, \.svg or \.pdf"):
            save_evidence_map(load(), tmp_path / name)
        assert [] == list(tmp_path.iterdir())

    def test_title_and_dataset_version(self) -> None:
        """The title names the map and the dataset version."""
        kb = load()
        ax = evidence_map(kb, title="Mine").axes[0]
        title = ax.get_title(loc="left")
        assert title.startswith("Mine\n")
        assert kb.version in title

    def test_rows_are_grouped_with_labels(self) -> None:
        """Each run of rows of one disorder category has a label naming the category."""
        kb = load()
        texts = {t.get_text() for t in evidence_map(kb).texts}
        disorders, _ = shown(kb)
        assert {d.category.value.replace("-", " ") for d in disorders} <= texts

    @pytest.mark.parametrize(
        "subset",
        [
            {"categories": ["immunodeficiency"]},
            {"disorders": ["MS", "SLE"]},
            {"therapies": ["autologous-hsct"]},
            {"min_evidence": "nonrandomized-trial"},
            {"categories": ["autoimmune"], "min_evidence": "observational"},
        ],
    )
    def test_subsets_match_find_indications(self, subset: dict[str, Any]) -> None:
        """A subset draws exactly the cells of the indications the query API finds for it."""
        kb = load()
        expected: set[str] | None = None
        for key, argument in (("categories", "category"), ("disorders", "disorder"), ("therapies", "therapy")):
            if key in subset:
                found = {i.id for value in subset[key] for i in kb.find_indications(**{argument: value})}
                expected = found if expected is None else expected & found
        if "min_evidence" in subset:
            found = {i.id for i in kb.find_indications(min_evidence=subset["min_evidence"])}
            expected = found if expected is None else expected & found
        assert expected is not None
        kept = [i for i in kb.indications if i.id in expected]
        grid = grid_of(evidence_map(kb, **subset))
        assert len({i.disorder_id for i in kept}) == grid.shape[0]
        assert len({i.therapy_id for i in kept}) == grid.shape[1]
        assert len({(i.disorder_id, i.therapy_id) for i in kept}) == int((~np_isnan(grid)).sum())

    def test_unknown_subset_key_is_refused(self) -> None:
        """A disorder that does not exist is an UnknownKeyError, not an empty map."""
        with pytest.raises(UnknownKeyError):
            evidence_map(load(), disorders=["no-such-disorder"])

    def test_cli_plot_writes_svg_and_refuses_jpg(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """stemimmune plot --output map.svg writes SVG; map.jpg is a one-line error."""
        from stemimmune.cli import main

        assert 0 == main(["plot", "--output", str(tmp_path / "map.svg"), "--category", "immunodeficiency"])
        assert (tmp_path / "map.svg").read_bytes().startswith(b"<?xml")
        assert 2 == main(["plot", "--output", str(tmp_path / "map.jpg")])
        assert ".png, .svg or .pdf" in capsys.readouterr().err

    def test_marks_the_cells_with_registered_trials(self) -> None:
        """mark_trials puts one triangle in each cell whose therapy has trials in its disorder, as find_trials() says."""
        kb = load()
        figure = evidence_map(kb, categories=["autoimmune"], mark_trials=True, trial_status="recruiting")
        ax = figure.axes[0]
        rows = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
        disorders = [next(d for d in kb.disorders if d.name == name) for name in rows]
        _, therapies = shown(kb)
        columns = [
            t
            for t in therapies
            if any(i.therapy_id == t.id and i.disorder_id in {d.id for d in disorders} for i in kb.indications)
        ]
        expected = {
            (column, row)
            for row, disorder in enumerate(disorders)
            for column, therapy in enumerate(columns)
            if kb.find_trials(disorder=disorder, therapy=therapy, status="recruiting")
        }
        offsets: Any = ax.collections[0].get_offsets()
        marks = {(round(float(x) - 0.3), round(float(y) + 0.3)) for x, y in offsets}
        assert expected
        assert expected == marks
        children: list[Any] = ax.get_children()
        legend_texts = [t.get_text() for c in children if type(c).__name__ == "Legend" for t in c.get_texts()]
        assert any("registered trials, recruiting" in text for text in legend_texts)

    def test_no_marks_unless_asked(self) -> None:
        """Without mark_trials nothing is scattered; trial_status alone is refused."""
        assert 0 == len(evidence_map(load()).axes[0].collections)
        with pytest.raises(InvalidArgumentError, match="mark_trials"):
            evidence_map(load(), trial_status="recruiting")

    def test_cli_plot_marks_trials(self, tmp_path: Path) -> None:
        """stemimmune plot --mark-trials --trial-status recruiting writes the map with the marks."""
        from stemimmune.cli import main

        path = tmp_path / "map.png"
        assert 0 == main(["plot", "--output", str(path), "--mark-trials", "--trial-status", "recruiting"])
        assert path.read_bytes().startswith(PNG_MAGIC)
        assert 2 == main(["plot", "--output", str(path), "--mark-trials", "--trial-status", "open"])


def np_isnan(grid: Any) -> Any:
    import numpy as np

    return np.ma.filled(np.isnan(grid), True)
