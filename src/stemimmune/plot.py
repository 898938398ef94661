"""
Figures of a knowledge base, drawn with matplotlib (an optional dependency).

Install the extra with ``pip install "stemimmune[plot]"``. Figures are built on the
non-interactive Agg canvas, so nothing opens a window and no display is needed.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from .vocabulary import EbmtCategory, EvidenceLevel


if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .knowledge_base import KnowledgeBase
    from .model import Disorder, Indication, Therapy


#: Matplotlib colour map the evidence levels are drawn from, weakest level lightest.
EVIDENCE_COLORMAP: Final = "YlGnBu"

#: Mark after the label of a therapy that uses no stem cells (a comparator such as CAR-T).
NON_STEM_CELL_MARK: Final = "\N{DAGGER}"

_EMPTY_COLOR: Final = "#f4f4f4"
_CELL_INCHES: Final = 0.42
_LABEL_WIDTH: Final = 34  # characters per line of a row or column label
_DARK_BACKGROUND: Final = 0.5  # relative luminance below which a cell's text is white


def evidence_map(kb: KnowledgeBase, *, ax: Axes | None = None) -> Figure:
    """
    Draw the evidence map: disorders (rows) by therapies (columns).

    Each cell of a disorder and a therapy with an indication is coloured by the
    indication's evidence level (darker is stronger; the legend names the levels).
    If the indication has guideline recommendations, the best EBMT category among
    them (S, CO, D or GNR, best first) is written in the cell. Cells without an
    indication stay blank. Only disorders and therapies with at least one
    indication are shown, in the knowledge base's order; therapies that use no
    stem cells are marked with a dagger and drawn in italics.

    Args:
        kb: The knowledge base to draw.
        ax: Axes to draw on; by default a new figure, sized to the grid, is made on
            the non-interactive Agg canvas.

    Returns:
        The figure holding the map (the figure of *ax* when *ax* is given).

    Raises:
        ImportError: matplotlib is not installed; the message names the extra.
    """
    _require_matplotlib()
    import numpy as np  # noqa: PLC0415 - matplotlib depends on it
    from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: PLC0415

    disorders = [d for d in kb.disorders if any(i.disorder_id == d.id for i in kb.indications)]
    therapies = [t for t in kb.therapies if any(i.therapy_id == t.id for i in kb.indications)]
    row_of = {d.id: row for row, d in enumerate(disorders)}
    column_of = {t.id: column for column, t in enumerate(therapies)}
    cells: dict[tuple[int, int], list[Indication]] = {}
    for indication in kb.indications:
        cells.setdefault((row_of[indication.disorder_id], column_of[indication.therapy_id]), []).append(indication)

    if ax is None:
        ax = _new_axes(len(disorders), len(therapies))
    figure = _root_figure(ax)
    if not cells:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no indications to show", ha="center", va="center", transform=ax.transAxes)
        return figure

    levels = list(EvidenceLevel)
    palette = _palette(len(levels))
    grid = np.full((len(disorders), len(therapies)), np.nan)  # NaN: no indication, drawn in the 'bad' colour
    for (row, column), found in cells.items():
        grid[row, column] = max(i.evidence_level for i in found).rank
    colormap = ListedColormap(palette).with_extremes(bad=_EMPTY_COLOR)
    norm = BoundaryNorm([rank - 0.5 for rank in range(len(levels) + 1)], len(levels))
    ax.imshow(grid, cmap=colormap, norm=norm, aspect="equal", interpolation="nearest")

    for (row, column), found in cells.items():
        category = _best_category(found)
        if category is not None:
            rank = max(i.evidence_level for i in found).rank
            ax.text(
                column,
                row,
                category.value,
                ha="center",
                va="center",
                fontsize=8,
                fontweight="bold",
                color="white" if _luminance(palette[rank]) < _DARK_BACKGROUND else "black",
            )

    _label_axes(ax, disorders, therapies)
    _legends(ax, palette, marked=any(not t.is_stem_cell_therapy for t in therapies))
    return figure


def _label_axes(ax: Axes, disorders: Sequence[Disorder], therapies: Sequence[Therapy]) -> None:
    """Name the rows and the (rotated, top) columns, and separate the cells with white lines."""
    ax.set_xticks(range(len(therapies)), [_therapy_label(t) for t in therapies])
    ax.set_yticks(range(len(disorders)), [_wrap(d.name) for d in disorders])
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", labelsize=9, labelrotation=40, length=0)
    ax.tick_params(axis="y", labelsize=9, length=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("left")
        label.set_rotation_mode("anchor")
    for label, therapy in zip(ax.get_xticklabels(), therapies, strict=True):
        if not therapy.is_stem_cell_therapy:
            label.set_fontstyle("italic")
    ax.set_xticks([x - 0.5 for x in range(len(therapies) + 1)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(len(disorders) + 1)], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _legends(ax: Axes, palette: Sequence[Any], *, marked: bool) -> None:
    """Name the evidence levels (top right) and explain the cell text and marks (bottom right)."""
    from matplotlib.patches import Patch  # noqa: PLC0415

    style: dict[str, Any] = {"fontsize": 8, "title_fontsize": 9, "frameon": False, "alignment": "left"}
    levels = [
        Patch(facecolor=palette[level.rank], edgecolor="grey", label=level.value) for level in reversed(EvidenceLevel)
    ]
    levels.append(Patch(facecolor=_EMPTY_COLOR, edgecolor="grey", label="no indication"))
    ax.add_artist(
        ax.legend(
            handles=levels,
            title="Evidence level (strongest first)",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            handlelength=1.2,
            **style,
        )
    )
    notes = [
        f"{category.value}: {category.name.replace('_', ' ').lower()}"
        for category in sorted(EbmtCategory, reverse=True)
    ]
    if marked:
        notes.append(f"{NON_STEM_CELL_MARK} not a stem-cell therapy")
    ax.legend(
        handles=[Patch(visible=False, label=note) for note in notes],
        title="Best EBMT category in a cell",
        loc="lower left",
        bbox_to_anchor=(1.02, 0.0),
        handlelength=0,
        handletextpad=0,
        **style,
    )


def save_evidence_map(kb: KnowledgeBase, path: str | os.PathLike[str], *, dpi: int = 150) -> None:
    """
    Draw the evidence map of *kb* (see :func:`evidence_map`) and write it to *path* as PNG.

    Args:
        kb: The knowledge base to draw.
        path: Where to write the PNG file; an existing file is replaced.
        dpi: Resolution in dots per inch.

    Raises:
        ImportError: matplotlib is not installed; the message names the extra.
    """
    evidence_map(kb).savefig(path, format="png", dpi=dpi, bbox_inches="tight")


def _require_matplotlib() -> None:
    try:
        import matplotlib as mpl  # noqa: PLC0415, F401 - an optional dependency, imported on use
    except ImportError as exc:
        msg = 'stemimmune.plot needs matplotlib: pip install "stemimmune[plot]"'
        raise ImportError(msg, name="matplotlib") from exc


def _new_axes(rows: int, columns: int) -> Axes:
    """Make a figure on the Agg canvas, sized so that every cell is about the same size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    width = 6.5 + _CELL_INCHES * max(columns, 1)
    height = 3.0 + _CELL_INCHES * max(rows, 1)
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure.add_subplot()


def _root_figure(ax: Axes) -> Figure:
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = ax.figure
    return figure if isinstance(figure, Figure) else figure.figure


def _palette(count: int) -> list[tuple[float, float, float, float]]:
    """*count* colours from the evidence colour map, skipping its palest end."""
    from matplotlib import colormaps  # noqa: PLC0415

    colormap = colormaps[EVIDENCE_COLORMAP]
    return [colormap(0.15 + 0.85 * index / max(count - 1, 1)) for index in range(count)]


def _luminance(color: Sequence[float]) -> float:
    red, green, blue = color[:3]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _best_category(indications: list[Indication]) -> EbmtCategory | None:
    return max((c for i in indications for r in i.recommendations for c in r.categories), default=None)


def _therapy_label(therapy: Therapy) -> str:
    name = therapy.name  # not wrapped: wrapped labels run into each other when rotated
    return name if therapy.is_stem_cell_therapy else f"{name} {NON_STEM_CELL_MARK}"


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, _LABEL_WIDTH, break_on_hyphens=False)) or label
