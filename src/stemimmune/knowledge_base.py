"""
The :class:`KnowledgeBase`: the frozen container of every record.

A knowledge base is immutable and valid by construction: building one runs
:func:`~stemimmune.find_problems` and raises :class:`~stemimmune.DatasetError` listing
every problem, so a half-valid knowledge base never exists. Its question-answering
methods each call one function of :mod:`stemimmune.query`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, Unpack, overload

import attrs

from . import query
from ._index import Index
from ._integrity import find_problems
from ._text import shorten
from ._validators import as_tuple, version_problem
from .exceptions import DatasetError, Problem
from .model import (
    RECORD_TYPES,
    CellSource,
    CellType,
    Challenge,
    CollectionName,
    Disorder,
    Finding,
    GuidelineRecommendation,
    ImmuneComponent,
    Indication,
    Mechanism,
    Product,
    Record,
    Reference,
    Risk,
    Therapy,
    Trial,
)
from .query import EvidenceSummary, IndicationFilters, Results, SearchHit, TherapyOption
from .vocabulary import RegulatoryDecision, TrialPhase, TrialStatus


R = TypeVar("R", bound=Record)


def _collection() -> Any:
    return attrs.field(factory=tuple, converter=as_tuple, repr=False)


@attrs.frozen(kw_only=True, repr=False)
class KnowledgeBase:
    """
    An immutable, validated collection of stemimmune records.

    Each record kind is a tuple attribute named for the kind in the plural. Building
    a knowledge base checks every integrity rule (see :func:`~stemimmune.find_problems`).

    Attributes:
        version: The dataset's version, distinct from the package version.
        references: Bibliographic records every citation points to.
        immune_components: Organs, tissues and molecules of the immune system.
        cell_types: Stem cells, immune cells and cells therapies make.
        cell_sources: Tissues that cells are collected from.
        mechanisms: How therapies are thought to help.
        risks: Harms therapies can cause.
        challenges: Open problems for the field.
        disorders: Immune disorders.
        therapies: Concrete cell-therapy approaches.
        products: Licensed (or once licensed, or investigational) products and their regulatory histories.
        trials: Registered clinical trials.
        indications: Therapy-disorder pairs with graded evidence.
        findings: Single quantitative results.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> kb.get("MS").name
        'multiple sclerosis'
    """

    version: str = attrs.field()
    references: tuple[Reference, ...] = _collection()
    immune_components: tuple[ImmuneComponent, ...] = _collection()
    cell_types: tuple[CellType, ...] = _collection()
    cell_sources: tuple[CellSource, ...] = _collection()
    mechanisms: tuple[Mechanism, ...] = _collection()
    risks: tuple[Risk, ...] = _collection()
    challenges: tuple[Challenge, ...] = _collection()
    disorders: tuple[Disorder, ...] = _collection()
    therapies: tuple[Therapy, ...] = _collection()
    products: tuple[Product, ...] = _collection()
    trials: tuple[Trial, ...] = _collection()
    indications: tuple[Indication, ...] = _collection()
    findings: tuple[Finding, ...] = _collection()
    _built: list[Index] = attrs.field(init=False, eq=False, repr=False, hash=False, factory=list)
    _lock: threading.Lock = attrs.field(init=False, eq=False, repr=False, hash=False, factory=threading.Lock)

    def __attrs_post_init__(self) -> None:
        """Check the version and every integrity rule; the knowledge base exists only if all hold."""
        wrong = version_problem(self.version)
        if wrong is not None:
            raise DatasetError([Problem(collection="dataset_version", message=wrong, value=shorten(self.version))])
        problems = find_problems(self.collections())
        if problems:
            raise DatasetError(problems)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the records only; the index and its lock are rebuilt on first use."""
        state: dict[str, Any] = {kind: getattr(self, kind) for kind in RECORD_TYPES}
        state["version"] = self.version
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore the records and a fresh, empty index slot."""
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_built", [])
        object.__setattr__(self, "_lock", threading.Lock())

    @classmethod
    def from_collections(cls, version: str, collections: Mapping[Any, Iterable[Record]]) -> KnowledgeBase:
        """
        Build a knowledge base from records grouped by collection name (missing ones are empty).

        Raises:
            DatasetError: A collection name is unknown, or the records break a rule.
        """
        unknown = sorted(set(collections) - set(RECORD_TYPES))
        if unknown:
            raise DatasetError(
                Problem(collection=name, message="unknown collection", expected=", ".join(RECORD_TYPES))
                for name in unknown
            )
        fields: dict[str, Any] = {kind: tuple(records) for kind, records in collections.items()}
        return cls(version=version, **fields)

    def _repr_html_(self) -> str:
        """Render a summary in notebooks: version, collection sizes, evidence levels."""
        from ._display import knowledge_base_html  # noqa: PLC0415 - only notebooks need it

        return knowledge_base_html(self)

    def __repr__(self) -> str:
        """Show the version and how many records of each kind there are."""
        counts = ", ".join(f"{kind}={len(getattr(self, kind))}" for kind in RECORD_TYPES)
        return f"KnowledgeBase(version={self.version!r}, {counts})"

    def records(self) -> Iterator[Record]:
        """Iterate over every record, kind by kind in canonical order."""
        for kind in RECORD_TYPES:
            yield from getattr(self, kind)

    def collections(self) -> dict[CollectionName, tuple[Record, ...]]:
        """Return every collection, keyed by its attribute name, in canonical order."""
        return {kind: getattr(self, kind) for kind in RECORD_TYPES}

    def _index(self) -> Index:
        """The one index, built on first use (once, even when threads race)."""
        try:
            return self._built[0]
        except IndexError:
            with self._lock:
                if not self._built:
                    self._built.append(Index(self.collections(), checked=True))  # checked in __attrs_post_init__
            return self._built[0]

    # ------------------------------------------------------------ lookups

    @overload
    def get(self, key: str) -> Record: ...
    @overload
    def get(self, key: str, kind: type[R]) -> R: ...
    def get(self, key: str, kind: type[R] | None = None) -> Record:
        """
        Return the one record matching *key*, of class *kind* when given.

        *key* may be a record id, a cross-reference CURIE (``"MONDO:0005301"``), a DOI
        (bare, prefixed ``"doi:10..."`` or as a ``https://doi.org/10...`` URL) or PMID
        (bare or prefixed), a registry id, a name, a synonym or abbreviation, or an author;
        case, accents, punctuation, apostrophes, a plural "s" and British/American
        spelling are ignored (``"Crohns disease"``, ``"MSCs"``). A generic term that
        names several records (``"stem cell transplant"``: autologous or allogeneic)
        raises :class:`~stemimmune.AmbiguousKeyError` listing them. :meth:`search` reads
        the same keys.

        Raises:
            UnknownKeyError: Nothing matches; the error names the closest matches.
            AmbiguousKeyError: Several records match; the error lists their ids.
            WrongKindError: *key* names a record, but not of class *kind*.
            ArgumentTypeError: *key* is not a string.

        Example:
            >>> import stemimmune
            >>> from stemimmune.model import Therapy
            >>> kb = stemimmune.load()
            >>> kb.get("haematopoietic stem cell").id
            'hematopoietic-stem-cell'
            >>> kb.get("aHSCT", Therapy).donor_relation.value
            'autologous'
        """
        found = self._index().one(key) if isinstance(key, str) else None  # an id or a name: one dict hit
        if found is not None and (kind is None or type(found) is kind):
            return found
        return query.get(self._index(), key, kind)

    @overload
    def get_or_none(self, key: str) -> Record | None: ...
    @overload
    def get_or_none(self, key: str, kind: type[R]) -> R | None: ...
    def get_or_none(self, key: str, kind: type[R] | None = None) -> Record | None:
        """
        Return the record matching *key* (of class *kind* when given), or None when nothing does.

        Raises:
            AmbiguousKeyError: Several records match.
            WrongKindError: *key* names a record, but not of class *kind*.
            ArgumentTypeError: *key* is not a string.

        Example:
            >>> import stemimmune
            >>> stemimmune.load().get_or_none("no such thing") is None
            True
        """
        found = self._index().one(key) if isinstance(key, str) else None  # an id or a name: one dict hit
        if found is not None and (kind is None or type(found) is kind):
            return found
        return query.get_or_none(self._index(), key, kind)

    @overload
    def search(
        self, text: str, *, kinds: None = None, limit: int = 10, min_score: float = 0.5
    ) -> Results[SearchHit[Record]]: ...
    @overload
    def search(
        self, text: str, *, kinds: Iterable[type[R]], limit: int = 10, min_score: float = 0.5
    ) -> Results[SearchHit[R]]: ...
    @overload
    def search(
        self, text: str, *, kinds: Iterable[CollectionName], limit: int = 10, min_score: float = 0.5
    ) -> Results[SearchHit[Record]]: ...
    def search(
        self,
        text: str,
        *,
        kinds: Iterable[type[Any] | str] | None = None,
        limit: int = 10,
        min_score: float = 0.5,
    ) -> Results[SearchHit[Any]]:
        """
        Find the records whose keys best resemble *text*: exactly the best *limit*, best first.

        The keys are the ones :meth:`get` reads: a record's id, name or title, a product's
        generic name, synonyms, CURIEs, a trial's registry ids, a reference's authors, DOI,
        PMID and PMCID (bare and prefixed, ``doi:``, ``pmid:``, ``pmcid:``). Both the text and
        the keys are folded first (case, accents, punctuation, apostrophes, a plural "s",
        spacing and British/American spelling are ignored), and every key of the kinds asked for is scored.

        A key's score, from 0 to 1, is 1 when it is the text; otherwise the best of the Indel
        ratio of the two (twice their longest common subsequence over their total length),
        and for each run of the key's consecutive words as many as the text's (the whole key
        when it has fewer), the ratio of the text and the run, both without spaces, times
        ``0.7 + 0.25 * coverage``, where coverage is the share of the key's characters the run
        spans (the spaces between its words included); so "crohns" finds "Crohn's disease"
        and "multipel" finds "multiple sclerosis". A key of at most 4 characters (an
        abbreviation) has its score times 0.8, and no score but an exact match exceeds 0.99.
        A record scores as its best key, rounded to four places; that key is the hit's
        ``matched`` text. Hits are ordered by score, then by kind (in the order of
        :meth:`collections`), then by id.

        Args:
            text: What to look for (at most 1,000 characters).
            kinds: Only records of these classes (``[Disorder]``) or collections
                (``["disorders"]``).
            limit: At most this many hits; 0 gives every hit scoring at least *min_score*.
            min_score: Leave out records scoring below this (0 to 1; 0 keeps every record
                of the kinds asked for).

        Raises:
            ArgumentTypeError: An argument has the wrong type.
            InvalidArgumentError: An argument has a value out of range.

        Example:
            >>> import stemimmune
            >>> from stemimmune.model import Disorder
            >>> hit = stemimmune.load().search("multipel sclerosis", kinds=[Disorder])[0]
            >>> hit.record.name, hit.kind
            ('multiple sclerosis', 'disorders')
        """
        return query.search(self._index(), text, kinds=kinds, limit=limit, min_score=min_score)  # type: ignore[arg-type]

    # ------------------------------------------------------------ filters

    def therapies_for(self, disorder: Disorder | str, **filters: Unpack[IndicationFilters]) -> Results[TherapyOption]:
        """
        Therapies studied for *disorder* (and its subtypes), strongest evidence first.

        Each result pairs the therapy with its indication. Ties in evidence are broken by
        the strongest EBMT category, then by therapy and disorder id. A filter set to None
        is not applied, exactly as if it were absent.

        Args:
            disorder: A disorder record or any key :meth:`get` accepts.
            **filters: Any of :class:`~stemimmune.query.IndicationFilters`, e.g.
                ``min_evidence="randomized-trial"``, ``donor_relation="autologous"``,
                ``mechanism_kind="immunomodulation"``, ``cell_source="adipose tissue"``.

        Raises:
            ArgumentTypeError: *disorder* or a filter has the wrong type, or a filter is unknown.
            InvalidArgumentError: A vocabulary filter has a value outside its vocabulary.
            UnknownKeyError: A key matches no record (AmbiguousKeyError, WrongKindError likewise).

        Example:
            >>> import stemimmune
            >>> best = stemimmune.load().therapies_for("MS")[0]
            >>> best.therapy.id, best.evidence_level >= "nonrandomized trial"
            ('autologous-hsct', True)
        """
        return query.therapies_for(self._index(), disorder, **filters)

    def find_indications(
        self, *, disorder: Disorder | str | None = None, **filters: Unpack[IndicationFilters]
    ) -> Results[Indication]:
        """
        Indications passing every given filter, strongest evidence first.

        Ties are broken as in :meth:`therapies_for`. A filter set to None is not applied,
        exactly as if it were absent; with no filter, every indication passes.

        Args:
            disorder: Only indications for this disorder (and, unless
                ``include_subtypes=False``, its subtypes).
            **filters: Any of :class:`~stemimmune.query.IndicationFilters`.

        Raises:
            ArgumentTypeError, InvalidArgumentError, UnknownKeyError: As :meth:`therapies_for`.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> all(i.evidence_level == "randomized-trial" for i in kb.find_indications(min_evidence="randomized-trial"))
            True
        """
        return query.find_indications(self._index(), disorder=disorder, **filters)

    def find_therapies(
        self, *, disorder: Disorder | str | None = None, **filters: Unpack[IndicationFilters]
    ) -> Results[Therapy]:
        """
        Therapies passing every given filter, by id.

        With *disorder* or an indication filter (*category*, *min_evidence*,
        *ebmt_category*), a therapy passes when one of its indications does. Otherwise
        each therapy is judged on its own record, so with no filter every therapy passes,
        including one that no indication studies yet. *include_subtypes* only qualifies
        *disorder*. A filter set to None is not applied, exactly as if it were absent.

        Args:
            disorder: Only therapies with an indication for this disorder (and, unless
                ``include_subtypes=False``, its subtypes).
            **filters: Any of :class:`~stemimmune.query.IndicationFilters`.

        Raises:
            ArgumentTypeError, InvalidArgumentError, UnknownKeyError: As :meth:`therapies_for`.

        Example:
            >>> import stemimmune
            >>> [t.id for t in stemimmune.load().find_therapies(cell_source="adipose tissue")]
            ['adipose-msc-therapy', 'autologous-adipose-msc-therapy']
        """
        return query.find_therapies(self._index(), disorder=disorder, **filters)

    def find_products(
        self,
        *,
        disorder: Disorder | str | None = None,
        therapy: Therapy | str | None = None,
        jurisdiction: str | None = None,
        status: RegulatoryDecision | str | None = None,
        on: dt.date | str | None = None,
    ) -> Results[Product]:
        """
        Products passing every given filter, by id.

        Args:
            disorder: Products with a regulatory event concerning this disorder (or a subtype).
            therapy: Products that are instances of this therapy.
            jurisdiction: Products with an event in this jurisdiction, an ISO 3166-1 alpha-2
                code or ``"EU"`` (with *status*: the status there).
            status: Products whose status (see :meth:`~stemimmune.model.Product.status`, the
                one definition) is this, in *jurisdiction* or, without it, in any jurisdiction
                of their events: a decision that sets a status (``"approved"``, ``"expired"``...).
            on: With *status*: the status on this day (a :class:`datetime.date`, a
                :class:`datetime.datetime` or ``"YYYY-MM-DD"``) instead of today.

        Raises:
            ArgumentTypeError, InvalidArgumentError, UnknownKeyError: As :meth:`therapies_for`.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> [p.name for p in kb.find_products(jurisdiction="EU", status="approved", on="2024-01-01")]
            ['Alofisel', 'Strimvelis']
            >>> [p.name for p in kb.find_products(jurisdiction="EU", status="withdrawn", on="2025-01-01")]
            ['Alofisel']
        """
        return query.find_products(
            self._index(), disorder=disorder, therapy=therapy, jurisdiction=jurisdiction, status=status, on=on
        )

    def find_trials(
        self,
        *,
        disorder: Disorder | str | None = None,
        therapy: Therapy | str | None = None,
        product: Product | str | None = None,
        cell_type: CellType | str | None = None,
        phase: TrialPhase | str | Iterable[TrialPhase | str] | None = None,
        status: TrialStatus | str | Iterable[TrialStatus | str] | None = None,
    ) -> Results[Trial]:
        """
        Registered trials passing every given filter, by id.

        Args:
            disorder: Trials studying this disorder or one of its subtypes.
            therapy: Trials testing this therapy.
            product: Trials testing this product.
            cell_type: Trials testing a therapy that gives this cell type (``"MSC"``).
            phase: One phase, or several (any of them).
            status: One recruitment status, or several (any of them), as last seen.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> trials = kb.find_trials(disorder="Crohn's disease", cell_type="MSC", phase="phase-3", status="recruiting")
            >>> all(t.status.value == "recruiting" for t in trials)
            True
        """
        return query.find_trials(
            self._index(),
            disorder=disorder,
            therapy=therapy,
            product=product,
            cell_type=cell_type,
            phase=phase,
            status=status,
        )

    def recommendations_for(
        self, indication: Indication | str, *, latest: bool = False, disorder: Disorder | str | None = None
    ) -> Results[GuidelineRecommendation]:
        """
        The guideline recommendations of an indication, newest guideline first.

        Every version is kept: EBMT 2012's cells stand beside EBMT 2022's and 2025's.

        With *latest*, only the recommendations in force are kept: a recommendation is
        superseded when a newer document (a later year) of the same guideline body
        (:attr:`Reference.body <stemimmune.model.Reference.body>`) recommends on the
        indication for the same population and donor column. A newer recommendation that
        names no population speaks for every population (and one that names no donor
        column for every column), so EBMT's 2020 MS guideline supersedes its 2012 adult
        cell. Documents of the same year do not supersede each other; a guideline
        without a body is a body of its own, one without a year the oldest. The
        category of a therapy option, the ``evidence`` table, the CLI and the evidence
        map all read this rule.

        With *disorder* (the indication's disorder, a subtype of it, or a disorder it is
        a form of), a recommendation restricted to some forms of the disorder
        (:attr:`~stemimmune.model.GuidelineRecommendation.applies_to`) is kept only when
        it applies: the disorder is one of those forms or a subtype of one, or includes
        one of them.

        Raises:
            InvalidArgumentError: *disorder* is not related to the indication's disorder.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> newest = kb.recommendations_for("allogeneic-hsct-for-severe-combined-immunodeficiency", latest=True)
            >>> sorted({(r.scheme.value, r.category.value) for r in newest})
            [('ebmt-2019', 'S')]
            >>> ms = "autologous-hsct-for-multiple-sclerosis"
            >>> [r.reference_id for r in kb.recommendations_for(ms, latest=True, disorder="PPMS")]
            ['miller2021-nmss-ahsct-recommendations', 'sharrack2020-ebmt-ms-guideline', 'sharrack2020-ebmt-ms-guideline']
        """
        return query.recommendations_for(self._index(), indication, latest=latest, disorder=disorder)

    # ------------------------------------------------------------ navigation

    def neighbours(self, key: Record | str) -> dict[CollectionName, tuple[Record, ...]]:
        """
        Records linked to a record in either direction, grouped by collection.

        Every collection is a key, in canonical order (see :data:`~stemimmune.model.RECORD_TYPES`),
        the records of each by id; the record itself is not its own neighbour. A collection
        with no linked record holds an empty tuple, so ``kb.neighbours(x)["therapies"]``
        never raises.

        Following links both ways is how to navigate: from a disorder to its
        indications, from a therapy to its mechanisms, cell type and sources, from a
        mechanism back to the therapies that use it, from a cell source to the cell
        types it yields...

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> [m.id for m in kb.neighbours("autologous-hsct")["mechanisms"]]
            ['immune-reset']
            >>> "autologous-hsct" in [t.id for t in kb.neighbours("immune-reset")["therapies"]]
            True
        """
        return query.neighbours(self._index(), key)

    def findings_for(self, key: Indication | Disorder | Therapy | str) -> Results[Finding]:
        """
        The findings under an indication, a disorder or a therapy, by id.

        An indication's findings are those that report on it: filed under it, or naming it
        in :attr:`~stemimmune.model.Finding.also_supports`; a disorder's, those of the
        indications for it and its subtypes; a therapy's, those of its indications.
        None found is an empty result.

        Args:
            key: An indication, disorder or therapy, or any key :meth:`get` accepts for one.

        Raises:
            WrongKindError: *key* names a record of another kind.
            UnknownKeyError, AmbiguousKeyError, ArgumentTypeError: As :meth:`get`.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> "mist-progression-hazard-ratio" in [f.id for f in kb.findings_for("MS")]
            True
            >>> all("autologous-hsct-for-multiple-sclerosis" in f.indication_ids
            ...     for f in kb.findings_for("autologous-hsct-for-multiple-sclerosis"))
            True
        """
        return query.findings_for(self._index(), key)

    def trials_for(self, key: Indication | Disorder | Therapy | Product | str) -> Results[Trial]:
        """
        The registered trials of an indication, a disorder, a therapy or a product, by id.

        An indication's trials are those it cites and every trial of its therapy in its
        disorder or a subtype; a disorder's, a therapy's or a product's are those
        :meth:`find_trials` gives for it. None found is an empty result.

        Args:
            key: An indication, disorder, therapy or product, or any key :meth:`get` accepts for one.

        Raises:
            WrongKindError: *key* names a record of another kind.
            UnknownKeyError, AmbiguousKeyError, ArgumentTypeError: As :meth:`get`.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> "nct00288626" in [t.id for t in kb.trials_for("autologous-hsct-for-multiple-sclerosis")]
            True
            >>> [t.id for t in kb.trials_for("Alofisel")] == [t.id for t in kb.find_trials(product="Alofisel")]
            True
        """
        return query.trials_for(self._index(), key)

    def ancestors(self, cell_type: CellType | str) -> Results[CellType]:
        """
        Cell types a cell type derives from, nearest first, then by id.

        Example:
            >>> import stemimmune
            >>> [c.id for c in stemimmune.load().ancestors("regulatory T cell")][:2]
            ['t-cell', 'lymphocyte']
        """
        return query.lineage(self._index(), cell_type, "up")

    def descendants(self, cell_type: CellType | str) -> Results[CellType]:
        """
        Cell types that derive from a cell type, nearest first, then by id (the lineage downwards).

        Example:
            >>> import stemimmune
            >>> "regulatory-t-cell" in [c.id for c in stemimmune.load().descendants("HSC")]
            True
        """
        return query.lineage(self._index(), cell_type, "down")

    def references_for(self, key: Record | str, *, deep: bool = False) -> Results[Reference]:
        """
        The references behind a record, strongest credibility tier first, then newest.

        With *deep*, a disorder (with its subtypes), therapy or indication also brings
        the references of the indications and findings under it.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> refs = kb.references_for("autologous-hsct-for-multiple-sclerosis")
            >>> "burt2019-mist" in [r.id for r in refs], refs[0].tier.value
            (True, 'authoritative')
        """
        return query.references_for(self._index(), key, deep=deep)

    def evidence_summary(self, disorder: Disorder | str) -> EvidenceSummary:
        """
        What the data says about treating a disorder: options, findings and references.

        Example:
            >>> import stemimmune
            >>> summary = stemimmune.load().evidence_summary("systemic sclerosis")
            >>> summary.strongest_evidence.value
            'randomized-trial'
        """
        return query.evidence_summary(self._index(), disorder)
