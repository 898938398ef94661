"""
Figures of a knowledge base, drawn with matplotlib (an optional dependency).

Install the extra with ``pip install "stemimmune[plot]"``. Figures are made through
:mod:`matplotlib.pyplot`, so the notebook idioms work (``evidence_map(kb);`` shows
the map inline, ``plt.show()`` shows it in a window); without a display, matplotlib
draws on its non-interactive Agg canvas.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._arguments import terms
from ._guidance import best_category
from .exceptions import InvalidArgumentError, argument_type_error
from .vocabulary import DisorderCategory, EbmtCategory, EvidenceLevel, TrialStatus


if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .knowledge_base import KnowledgeBase
    from .model import Disorder, Indication, Reference, Therapy


#: Matplotlib colour map the evidence levels are drawn from, weakest level lightest.
EVIDENCE_COLORMAP: Final = "YlGnBu"

#: Mark after the label of a therapy that uses no stem cells (a comparator such as CAR-T).
NON_STEM_CELL_MARK: Final = "\N{DAGGER}"

_EMPTY_COLOR: Final = "#f4f4f4"
_CELL_INCHES: Final = 0.42
_LABEL_WIDTH: Final = 34  # characters per line of a row or column label
_DARK_BACKGROUND: Final = 0.5  # relative luminance below which a cell's text is white
_GROUP_LABEL_INCHES: Final = 1.5  # room right of the grid for the group labels
_TRIAL_MARK_OFFSET: Final = 0.3  # from a cell's centre to its top right corner, in cells
_TRIAL_MARK_COLOR: Final = "#c0392b"

#: The file formats :func:`save_evidence_map` writes, by file extension.
FORMATS: Final = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

#: Title of the map unless another is given.
DEFAULT_TITLE: Final = "Stem-cell therapy for immune disorders: evidence map"


def evidence_map(
    kb: KnowledgeBase,
    *,
    ax: Axes | None = None,
    disorders: Iterable[Disorder | str] | None = None,
    categories: Iterable[DisorderCategory | str] | None = None,
    therapies: Iterable[Therapy | str] | None = None,
    min_evidence: EvidenceLevel | str | None = None,
    title: str | None = DEFAULT_TITLE,
    mark_trials: bool = False,
    trial_status: TrialStatus | str | Iterable[TrialStatus | str] | None = None,
) -> Figure:
    """
    Draw the evidence map: disorders (rows) by therapies (columns).

    Each cell of a disorder and a therapy with an indication is coloured by the
    indication's evidence level (darker is stronger; the legend names the levels).
    If the indication has guideline recommendations, the best EBMT category among
    them (S, CO, D or GNR, best first) is written in the cell. Cells without an
    indication stay blank. Only disorders and therapies with at least one
    indication shown are drawn; rows are grouped by disorder category (autoimmune,
    immunodeficiency, ...), each group labelled on the right, and keep the knowledge
    base's order within a group; therapies that use no stem cells are marked with a
    dagger and drawn in italics. The title's second line names the dataset version.
    With *mark_trials*, a triangle in a cell's top right corner says that registered
    trials test the therapy in the disorder (or its subtypes), as
    :meth:`~stemimmune.KnowledgeBase.find_trials` finds them; blank cells are marked
    too, so trials without graded evidence yet stand out.

    Args:
        kb: The knowledge base to draw.
        ax: Axes to draw on; by default a new pyplot figure, sized to the grid.
        disorders: Only these disorders (records, ids, names or CURIEs) and their subtypes.
        categories: Only disorders of these categories (``"autoimmune"``...).
        therapies: Only these therapies.
        min_evidence: Only indications with at least this evidence level.
        title: The title's first line; None for no title (the version line stays).
        mark_trials: Mark the cells that have registered trials.
        trial_status: With *mark_trials*, count only trials of this status (or of any
            of these), as last seen: ``"recruiting"``, for one.

    Returns:
        The figure holding the map (the figure of *ax* when *ax* is given).

    Raises:
        ImportError: matplotlib is not installed; the message names the extra.
        UnknownKeyError, InvalidArgumentError, ArgumentTypeError: A subset argument
            names no record or value, as in :meth:`~stemimmune.KnowledgeBase.find_indications`.

    Example:
        >>> import stemimmune
        >>> figure = evidence_map(stemimmune.load(), categories=["immunodeficiency"], min_evidence="observational")
        >>> figure.axes[0].images[0].get_array().shape[0] < 30  # a row per disorder with such evidence
        True
        >>> figure = evidence_map(stemimmune.load(), categories=["autoimmune"], mark_trials=True)
        >>> len(figure.axes[0].collections[0].get_offsets()) > 0  # one triangle per cell with trials
        True
    """
    _require_matplotlib()
    shown = _subset(kb, disorders=disorders, categories=categories, therapies=therapies, min_evidence=min_evidence)
    rows = _grouped([d for d in kb.disorders if any(i.disorder_id == d.id for i in shown)])
    columns = [t for t in kb.therapies if any(i.therapy_id == t.id for i in shown)]
    row_of = {d.id: row for row, d in enumerate(rows)}
    column_of = {t.id: column for column, t in enumerate(columns)}
    cells: dict[tuple[int, int], list[Indication]] = {}
    for indication in shown:
        cells.setdefault((row_of[indication.disorder_id], column_of[indication.therapy_id]), []).append(indication)

    if trial_status is not None and not mark_trials:
        raise InvalidArgumentError("trial_status", "needs mark_trials=True")
    if not isinstance(mark_trials, bool):
        raise argument_type_error("mark_trials", "True or False", mark_trials)
    statuses = None if trial_status is None else terms(TrialStatus, trial_status, "trial_status")
    made = ax is None
    if ax is None:
        ax = _new_axes(len(rows), len(columns))
    figure = _root_figure(ax)
    try:
        _draw(kb, ax, rows, columns, cells, title=title, marks=_trial_cells(kb, rows, columns) if mark_trials else None,
              statuses=statuses, trials=_trials_note(trial_status) if mark_trials else None)  # fmt: skip
    except BaseException:
        if made:  # a figure the call made and cannot return: leave none open behind the error
            _close(figure)
        raise
    return figure


def _trial_cells(
    kb: KnowledgeBase, rows: Sequence[Disorder], columns: Sequence[Therapy]
) -> dict[str, set[tuple[str, str]]]:
    """
    For each trial status (and None for a trial without one), the (disorder, therapy) pairs of the grid it tests.

    A pair is a cell of the grid: the row's disorder or one of its subtypes among the
    trial's disorders, the column's therapy among its therapies, as
    :meth:`~stemimmune.KnowledgeBase.find_trials` matches them. One pass over the trials
    and one over each row's subtypes, instead of a search per cell.
    """
    index = kb._index()  # noqa: SLF001 - the package's own index, read-only
    rows_of: dict[str, list[str]] = {}  # disorder id -> the rows it is, or is a subtype of
    for disorder in rows:
        for subtype in index.disorder_and_subtypes(disorder.id):
            rows_of.setdefault(subtype, []).append(disorder.id)
    wanted = {therapy.id for therapy in columns}
    found: dict[str, set[tuple[str, str]]] = {}
    for trial in kb.trials:
        pairs = found.setdefault("" if trial.status is None else trial.status.value, set())
        for disorder_id in trial.disorder_ids:
            for row in rows_of.get(disorder_id, ()):
                pairs.update((row, therapy_id) for therapy_id in trial.therapy_ids if therapy_id in wanted)
    return found


def _draw(
    kb: KnowledgeBase,
    ax: Axes,
    rows: Sequence[Disorder],
    columns: Sequence[Therapy],
    cells: Mapping[tuple[int, int], list[Indication]],
    *,
    title: str | None,
    marks: Mapping[str, set[tuple[str, str]]] | None,
    statuses: frozenset[TrialStatus] | None,
    trials: str | None,
) -> None:
    """Draw the map on *ax*: the grid, its categories, the trial marks (with *marks*), labels and legends."""
    import numpy as np  # noqa: PLC0415 - matplotlib depends on it
    from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: PLC0415

    heading = f"stemimmune dataset {kb.version}; darker cells, stronger evidence"
    ax.set_title(heading if title is None else f"{title}\n{heading}", loc="left", fontsize=10)
    if not cells:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no indications to show", ha="center", va="center", transform=ax.transAxes)
        return

    levels = list(EvidenceLevel)
    palette = _palette(len(levels))
    grid = np.full((len(rows), len(columns)), np.nan)  # NaN: no indication, drawn in the 'bad' colour
    for (row, column), found in cells.items():
        grid[row, column] = max(i.evidence_level for i in found).rank
    colormap = ListedColormap(palette).with_extremes(bad=_EMPTY_COLOR)
    norm = BoundaryNorm([rank - 0.5 for rank in range(len(levels) + 1)], len(levels))
    ax.imshow(grid, cmap=colormap, norm=norm, aspect="equal", interpolation="nearest")

    references = {r.id: r for r in kb.references}
    for (row, column), found in cells.items():
        category = _best_category(found, references)
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

    if marks is not None:
        counted = [
            pairs for status, pairs in marks.items() if statuses is None or status in {s.value for s in statuses}
        ]
        tested = set().union(*counted)
        with_trials = [
            (column, row)
            for row, disorder in enumerate(rows)
            for column, therapy in enumerate(columns)
            if (disorder.id, therapy.id) in tested
        ]
        ax.scatter(
            [column + _TRIAL_MARK_OFFSET for column, _ in with_trials],
            [row - _TRIAL_MARK_OFFSET for _, row in with_trials],
            marker="^",
            s=18,
            color=_TRIAL_MARK_COLOR,
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
        )
    _label_axes(ax, rows, columns)
    _group_labels(ax, rows, len(columns))
    _legends(
        ax,
        palette,
        marked=any(not t.is_stem_cell_therapy for t in columns),
        trials=trials,
        offset=_legend_offset(ax),
    )


def _trials_note(status: object) -> str:
    """The legend's words for the trial mark."""
    if status is None:
        return "registered trials"
    statuses = [status] if isinstance(status, str) else list(status)  # type: ignore[call-overload]
    return "registered trials, " + " or ".join(str(getattr(s, "value", s)) for s in statuses)


def _subset(
    kb: KnowledgeBase,
    *,
    disorders: Iterable[Disorder | str] | None,
    categories: Iterable[DisorderCategory | str] | None,
    therapies: Iterable[Therapy | str] | None,
    min_evidence: EvidenceLevel | str | None,
) -> list[Indication]:
    """The indications passing every subset argument, in the knowledge base's order, read through the query API."""
    wanted: set[str] | None = None
    for argument, values in (("disorders", disorders), ("categories", categories), ("therapies", therapies)):
        if values is None:
            continue
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise argument_type_error(argument, "a list of records, ids or names", values)
        found: set[str] = set()
        for value in values:
            if argument == "disorders":
                found |= {i.id for i in kb.find_indications(disorder=value)}  # type: ignore[arg-type]
            elif argument == "categories":
                found |= {i.id for i in kb.find_indications(category=value)}  # type: ignore[arg-type]
            else:
                found |= {i.id for i in kb.find_indications(therapy=value)}  # type: ignore[arg-type]
        wanted = found if wanted is None else wanted & found
    if min_evidence is not None:
        found = {i.id for i in kb.find_indications(min_evidence=min_evidence)}
        wanted = found if wanted is None else wanted & found
    return [i for i in kb.indications if wanted is None or i.id in wanted]


def _grouped(disorders: list[Disorder]) -> list[Disorder]:
    """Disorders grouped by category, in the vocabulary's order, keeping their order within a group."""
    rank = {category: position for position, category in enumerate(DisorderCategory)}
    return sorted(disorders, key=lambda d: rank[d.category])


def _group_labels(ax: Axes, rows: Sequence[Disorder], columns: int) -> None:
    """Label each run of rows of one category on the right of the grid, with a bracket, and separate the runs."""
    start = 0
    for row in range(1, len(rows) + 1):
        if row < len(rows) and rows[row].category is rows[start].category:
            continue
        x = columns - 0.5 + 0.15
        ax.plot([x, x], [start - 0.4, row - 0.6], color="#555555", linewidth=1.2, clip_on=False)
        # On the figure, not the axes: the axes' texts are the cells' categories only.
        _root_figure(ax).text(
            x + 0.15,
            (start + row - 1) / 2,
            rows[start].category.value.replace("-", " "),
            ha="left",
            va="center",
            fontsize=8,
            fontstyle="italic",
            color="#333333",
            transform=ax.transData,
        )
        if row < len(rows):
            ax.axhline(row - 0.5, color="#555555", linewidth=1.0)
        start = row


def _legend_offset(ax: Axes) -> float:
    """Where, in axes fraction, the legends start: right of the group labels."""
    width = ax.get_window_extent().width / _root_figure(ax).dpi or 1.0
    return 1.02 + _GROUP_LABEL_INCHES / width


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


def _legends(
    ax: Axes, palette: Sequence[Any], *, marked: bool, trials: str | None = None, offset: float = 1.02
) -> None:
    """Name the evidence levels (top right) and explain the cell text and marks (bottom right)."""
    from matplotlib.lines import Line2D  # noqa: PLC0415
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
            bbox_to_anchor=(offset, 1.0),
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
    handles: list[Any] = [Patch(visible=False, label=note) for note in notes]
    if trials is not None:
        handles.append(
            Line2D([], [], linestyle="none", marker="^", markersize=5, color=_TRIAL_MARK_COLOR, label=f"    {trials}")
        )
    ax.legend(
        handles=handles,
        title="Best EBMT category in a cell",
        loc="lower left",
        bbox_to_anchor=(offset, 0.0),
        handlelength=0,
        handletextpad=0,
        **style,
    )


def save_evidence_map(kb: KnowledgeBase, path: str | os.PathLike[str], *, dpi: int = 150, **subset: Any) -> Path:
    """
    Draw the evidence map of *kb* (see :func:`evidence_map`) and write it to *path* in the format its extension names.

    Args:
        kb: The knowledge base to draw.
        path: Where to write; ``.png``, ``.svg`` or ``.pdf`` (any case) says the format.
            An existing file is replaced.
        dpi: Resolution of a PNG in dots per inch.
        subset: The subset and title arguments of :func:`evidence_map`.

    Returns:
        The path written.

    Raises:
        InvalidArgumentError: The extension is not one of :data:`FORMATS`.
        ImportError: matplotlib is not installed; the message names the extra.
    """
    if not isinstance(path, str | os.PathLike):
        raise argument_type_error("path", "a file path ending in .png, .svg or .pdf", path)
    target = Path(path)
    file_format = FORMATS.get(target.suffix.lower())
    if file_format is None:
        shown = target.suffix or "no extension"
        raise InvalidArgumentError("path", f"expected a file name ending in .png, .svg or .pdf, got {shown[:20]!r}")
    figure = evidence_map(kb, **subset)
    try:
        figure.savefig(target, format=file_format, dpi=dpi, bbox_inches="tight")
    finally:
        _close(figure)
    return target


def _close(figure: Figure) -> None:
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.close(figure)


def _require_matplotlib() -> None:
    try:
        import matplotlib as mpl  # noqa: PLC0415, F401 - an optional dependency, imported on use
    except ImportError as exc:
        msg = 'stemimmune.plot needs matplotlib: pip install "stemimmune[plot]"'
        raise ImportError(msg, name="matplotlib") from exc


def _new_axes(rows: int, columns: int) -> Axes:
    """Make a pyplot figure sized so that every cell is about the same size."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    width = 6.5 + _GROUP_LABEL_INCHES + _CELL_INCHES * max(columns, 1)
    height = 3.5 + _CELL_INCHES * max(rows, 1)
    figure = plt.figure(figsize=(width, height), layout="constrained")
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


def _best_category(indications: list[Indication], references: Mapping[str, Reference]) -> EbmtCategory | None:
    """The strongest category in force (latest of each guideline body) among the indications of one cell."""
    return max((c for i in indications if (c := best_category(i, references)) is not None), default=None)


def _therapy_label(therapy: Therapy) -> str:
    name = therapy.name  # not wrapped: wrapped labels run into each other when rotated
    return name if therapy.is_stem_cell_therapy else f"{name} {NON_STEM_CELL_MARK}"


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, _LABEL_WIDTH, break_on_hyphens=False)) or label
