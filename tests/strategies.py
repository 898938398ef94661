"""Hypothesis strategies for stemimmune records and whole, cross-referencing knowledge bases; a deep-hierarchy builder."""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

import attrs
from hypothesis import strategies as st

from stemimmune import KnowledgeBase, load
from stemimmune._dates import PartialDate
from stemimmune._index import fold, identity_problems
from stemimmune.model import (
    CellSource,
    CellType,
    Challenge,
    Citation,
    ConventionalTreatment,
    Disorder,
    Effect,
    Finding,
    GuidelineRecommendation,
    ImmuneComponent,
    Indication,
    Marker,
    Mechanism,
    ProcedureStep,
    Product,
    ProductHolder,
    Reference,
    RegulatoryEvent,
    Risk,
    Therapy,
    Trial,
)
from stemimmune.vocabulary import (
    AstctCategory,
    AutoimmuneScope,
    ChallengeKind,
    ComponentKind,
    ConditioningIntensity,
    CredibilityTier,
    Designation,
    DisorderCategory,
    DonorRelation,
    DonorType,
    EbmtCategory,
    EbmtGrade,
    EffectMeasure,
    EffectUnit,
    EnrollmentKind,
    EvidenceLevel,
    GuidelineBody,
    GuidelineScheme,
    HarvestMethod,
    ImmuneBranch,
    IuisCategory,
    MarkerExpression,
    Masking,
    MechanismKind,
    Outcome,
    Population,
    PopulationLabel,
    Potency,
    ReferenceKind,
    RegulatoryDecision,
    RiskKind,
    StepKind,
    TrialPhase,
    TrialStatus,
)


identifiers = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}\Z")
texts = (
    st.text(alphabet=string.ascii_letters + string.digits + " -'(),é", min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
curies = st.one_of(
    st.integers(0, 9_999_999).map(lambda n: f"MONDO:{n:07d}"),
    st.integers(1, 99_999).map(lambda n: f"DOID:{n}"),
    st.integers(1, 999_999).map(lambda n: f"MESH:D{n:06d}"),
    st.integers(0, 9_999_999).map(lambda n: f"CL:{n:07d}"),
    st.integers(0, 9_999_999).map(lambda n: f"UBERON:{n:07d}"),
    st.integers(1, 99_999).map(lambda n: f"NCIT:C{n}"),
    st.integers(1, 99_999).map(lambda n: f"HGNC:{n}"),
)
nct_ids = st.integers(0, 99_999_999).map(lambda n: f"NCT{n:08d}")
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
few_texts = st.lists(texts, max_size=3, unique=True).map(tuple)
few_curies = st.lists(curies, max_size=3, unique=True).map(tuple)


def citations_of(reference_ids: list[str], *, min_size: int = 1) -> st.SearchStrategy[tuple[Citation, ...]]:
    """Citations drawn from *reference_ids*."""
    return st.lists(
        st.builds(Citation, reference_id=st.sampled_from(reference_ids), locator=st.none() | texts),
        min_size=min_size,
        max_size=3,
        unique_by=lambda c: c.reference_id,
    ).map(tuple)


def references(reference_id: str, kind: st.SearchStrategy[ReferenceKind] | None = None) -> st.SearchStrategy[Reference]:
    """A reference with the given id; a guideline has an issuing body, or none."""
    return st.builds(
        Reference,
        id=st.just(reference_id),
        kind=kind if kind is not None else st.sampled_from(ReferenceKind),
        title=texts,
        authors=few_texts,
        organization=st.none() | texts,
        year=st.none() | st.integers(1900, 2100),
        venue=st.none() | texts,
        doi=st.none() | st.from_regex(r"\A10\.[0-9]{4,6}/[a-z0-9.()-]{1,20}\Z"),
        pmid=st.none() | st.integers(1, 99_999_999).map(str),
        pmcid=st.none() | st.integers(1, 9_999_999).map(lambda n: f"PMC{n}"),
        nct_ids=st.lists(nct_ids, max_size=2, unique=True).map(tuple),
        url=st.none() | st.from_regex(r"\Ahttps://[a-z]{1,10}\.org/[a-z0-9]{0,10}\Z"),
        note=st.none() | texts,
    ).flatmap(
        lambda r: (
            st.sampled_from([None, *GuidelineBody]).map(lambda b: attrs.evolve(r, body=b))
            if r.kind is ReferenceKind.GUIDELINE
            else st.just(r)
        )
    )


@st.composite
def effects(draw: st.DrawFn) -> Effect:
    """An effect with a unit that fits its measure, and a denominator only on a count."""
    measure = draw(st.sampled_from(EffectMeasure))
    a, b, c = draw(finite), draw(finite), draw(finite)
    with_ci = draw(st.booleans())
    value = sorted((a, b, c))[1]
    units = [u for u in EffectUnit if measure in u.fits]
    denominator = None
    if measure is EffectMeasure.COUNT and draw(st.booleans()):
        value = float(draw(st.integers(0, 1000)))
        a, c = value, value
        denominator = draw(st.integers(max(1, int(value)), 10_000))
    return Effect(
        measure=measure,
        value=value,
        ci_low=min(a, b, c) if with_ci else None,
        ci_high=max(a, b, c) if with_ci else None,
        ci_level=draw(st.sampled_from([90.0, 95.0, 99.0])) if with_ci else None,
        unit=draw(st.none() | st.sampled_from(units)) if units else None,
        denominator=denominator,
        annotation=draw(st.none() | texts),
    )


@st.composite
def recommendations(
    draw: st.DrawFn, ref_ids: list[str], donors: list[DonorType], forms: list[str] | None = None
) -> GuidelineRecommendation:
    """A recommendation in one of the schemes, with the fields that scheme requires, restricted to some *forms* or not."""
    scheme = draw(st.sampled_from(GuidelineScheme))
    columns = {
        GuidelineScheme.EBMT_2012: {DonorType.AUTOLOGOUS, DonorType.SIBLING, DonorType.UNRELATED},
        GuidelineScheme.EBMT_2019: {
            DonorType.AUTOLOGOUS,
            DonorType.MATCHED_SIBLING,
            DonorType.MATCHED_UNRELATED,
            DonorType.MISMATCHED,
        },
    }.get(scheme, set(DonorType))
    usable = [d for d in donors if d in columns]
    ebmt = scheme in {GuidelineScheme.EBMT_2012, GuidelineScheme.EBMT_2019}
    return GuidelineRecommendation(
        reference_id=draw(st.sampled_from(ref_ids)),
        scheme=scheme,
        categories=tuple(draw(st.lists(st.sampled_from(EbmtCategory), min_size=1, max_size=2, unique=True)))
        if ebmt
        else (),
        astct_category=draw(st.sampled_from(AstctCategory)) if scheme is GuidelineScheme.ASTCT else None,
        statement=draw(texts) if scheme is GuidelineScheme.STATEMENT else draw(st.none() | texts),
        grade=draw(st.none() | st.sampled_from(EbmtGrade)),
        population=draw(st.none() | st.sampled_from(Population)),
        donor_type=draw(st.none() | st.sampled_from(usable)) if usable else None,
        applies_to=tuple(draw(st.lists(st.sampled_from(forms), max_size=2, unique=True))) if forms else (),
        qualifier=draw(st.none() | texts),
        locator=draw(st.none() | texts),
    )


@st.composite
def regulatory_events(draw: st.DrawFn, ref_ids: list[str], disorder_ids: list[str]) -> list[RegulatoryEvent]:
    """A product's events; a status-setting one is dated, and a withdrawal or lapse follows an authorisation."""
    events = []
    for _ in range(draw(st.integers(0, 4))):
        decision = draw(st.sampled_from(RegulatoryDecision))
        place = draw(st.sampled_from(["US", "EU", "JP"]))
        dates = st.sampled_from(["2012", "2016-05", "2018-03-23", "2024-12-13", "2025"])
        if decision.ends_authorisation:  # a withdrawal or lapse ends an earlier authorisation (a loader rule)
            dates = st.sampled_from(["2016-05", "2018-03-23", "2024-12-13", "2025"])
            events.append(
                RegulatoryEvent(
                    jurisdiction=place,
                    agency=draw(texts),
                    decision=RegulatoryDecision.APPROVED,
                    date="2012",
                    citations=draw(citations_of(ref_ids)),
                )
            )
        date = draw(dates if decision.sets_status else st.none() | dates)
        undated = decision.sets_status and draw(st.booleans())  # then it counts from the source that shows it
        expires = (
            draw(st.none() | st.sampled_from(["2016-05-31", "2024-12", "2030"])) if decision.is_authorisation else None
        )
        if expires is not None and PartialDate.parse(expires) <= PartialDate.parse(date):  # type: ignore[arg-type]
            expires = None
        events.append(
            RegulatoryEvent(
                jurisdiction=place,
                agency=draw(texts),
                decision=decision,
                designation=draw(st.sampled_from(Designation)) if decision is RegulatoryDecision.DESIGNATED else None,
                date=None if undated else date,
                in_force_by=date if undated else None,
                expires=expires,
                disorder_ids=tuple(draw(st.lists(st.sampled_from(disorder_ids), max_size=2, unique=True))),
                label_population=draw(st.none() | texts),
                citations=draw(citations_of(ref_ids)),
            )
        )
    return events


@st.composite
def knowledge_bases(draw: st.DrawFn) -> KnowledgeBase:  # noqa: PLR0915 - one record list after another
    """A valid knowledge base whose records point at each other."""
    salt = draw(identifiers)
    ids = iter(f"{salt}-{n}" for n in range(1000))
    ref_ids = [next(ids) for _ in range(draw(st.integers(1, 4)))]
    refs = [
        draw(
            references(ref_ids[0], st.sampled_from([k for k in ReferenceKind if k.tier > CredibilityTier.PROMOTIONAL]))
        )
    ]
    refs += [draw(references(r)) for r in ref_ids[1:]]
    if draw(st.booleans()):  # often a guideline, so that recommendations (which must cite one) are drawn
        ref_ids.append(next(ids))
        refs.append(draw(references(ref_ids[-1], st.just(ReferenceKind.GUIDELINE))))
    credible = [r.id for r in refs if r.kind.tier > CredibilityTier.PROMOTIONAL]
    guidelines = [r.id for r in refs if r.kind is ReferenceKind.GUIDELINE]  # what a recommendation may cite

    components = [
        ImmuneComponent(
            id=next(ids),
            name=draw(texts),
            kind=draw(st.sampled_from(ComponentKind)),
            branch=draw(st.none() | st.sampled_from(ImmuneBranch)),
            roles=draw(few_texts),
            synonyms=draw(few_texts),
            xrefs=draw(few_curies),
            description=draw(st.none() | texts),
            citations=draw(citations_of(ref_ids, min_size=0)),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    cell_types: list[CellType] = []
    for _ in range(draw(st.integers(1, 4))):
        parents = (
            draw(st.lists(st.sampled_from([c.id for c in cell_types]), max_size=2, unique=True)) if cell_types else []
        )
        markers = draw(
            st.lists(
                st.builds(
                    Marker,
                    names=st.lists(texts, min_size=1, max_size=2, unique=True).map(tuple),
                    expression=st.sampled_from(MarkerExpression),
                    threshold_percent=st.none() | st.floats(0, 100),
                    xrefs=few_curies,
                ),
                max_size=2,
            )
        )
        cell_types.append(
            CellType(
                id=next(ids),
                name=draw(texts),
                is_stem_cell=draw(st.booleans()),
                potency=draw(st.none() | st.sampled_from(Potency)),
                branch=draw(st.none() | st.sampled_from(ImmuneBranch)),
                roles=draw(few_texts),
                markers=tuple(markers),
                derives_from=tuple(parents),
                synonyms=draw(few_texts),
                xrefs=draw(few_curies),
                description=draw(st.none() | texts),
                citations=draw(citations_of(ref_ids, min_size=0)),
            )
        )
    cell_ids = [c.id for c in cell_types]
    sources = [
        CellSource(
            id=next(ids),
            name=draw(texts),
            yields=tuple(draw(st.lists(st.sampled_from(cell_ids), min_size=1, max_size=2, unique=True))),
            harvest=draw(st.sampled_from(HarvestMethod)),
            synonyms=draw(few_texts),
            xrefs=draw(few_curies),
            citations=draw(citations_of(ref_ids, min_size=0)),
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    mechanisms = [
        Mechanism(
            id=next(ids),
            name=draw(texts),
            kind=draw(st.sampled_from(MechanismKind)),
            effector_ids=tuple(draw(st.lists(st.sampled_from([c.id for c in components]), max_size=2, unique=True)))
            if components
            else (),
            target_ids=tuple(draw(st.lists(st.sampled_from(cell_ids), max_size=2, unique=True))),
            synonyms=draw(few_texts),
            xrefs=draw(few_curies),
            citations=draw(citations_of(ref_ids, min_size=0)),
        )
        for _ in range(draw(st.integers(1, 2)))
    ]
    gvhd = Risk(id=next(ids), name=draw(texts), kind=RiskKind.GVHD, citations=draw(citations_of(ref_ids, min_size=0)))
    other_risks = [
        Risk(
            id=next(ids), name=draw(texts), kind=draw(st.sampled_from([k for k in RiskKind if k is not RiskKind.GVHD]))
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    challenges = [
        Challenge(
            id=next(ids),
            name=draw(texts),
            kind=draw(st.sampled_from(ChallengeKind)),
            description=draw(st.none() | texts),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    disorders: list[Disorder] = []
    for _ in range(draw(st.integers(1, 3))):
        category = draw(st.sampled_from(DisorderCategory))
        disorders.append(
            Disorder(
                id=next(ids),
                name=draw(texts),
                category=category,
                scope=draw(st.sampled_from(AutoimmuneScope)) if category is DisorderCategory.AUTOIMMUNE else None,
                iuis_category=draw(st.none() | st.sampled_from(IuisCategory))
                if category is DisorderCategory.IMMUNODEFICIENCY
                else None,
                parent_ids=tuple(draw(st.lists(st.sampled_from([d.id for d in disorders]), max_size=1)))
                if disorders
                else (),
                targets=draw(few_texts),
                component_ids=tuple(
                    draw(st.lists(st.sampled_from(cell_ids + [c.id for c in components]), max_size=2, unique=True))
                ),
                conventional_treatments=tuple(
                    draw(
                        st.lists(
                            st.builds(
                                ConventionalTreatment,
                                name=texts,
                                drawbacks=few_texts,
                                xrefs=few_curies,
                                citations=citations_of(ref_ids, min_size=0),
                            ),
                            max_size=2,
                            unique_by=lambda t: t.name,
                        )
                    )
                ),
                synonyms=draw(few_texts),
                xrefs=draw(few_curies),
                description=draw(st.none() | texts),
                citations=draw(citations_of(ref_ids, min_size=0)),
            )
        )
    therapies = []
    for _ in range(draw(st.integers(1, 3))):
        source = draw(st.sampled_from(sources))
        relation = draw(st.sampled_from(DonorRelation))
        risk_ids = (
            [r.id for r in draw(st.lists(st.sampled_from(other_risks), max_size=2, unique=True))] if other_risks else []
        )
        if relation is DonorRelation.ALLOGENEIC:
            risk_ids.append(gvhd.id)
        steps = draw(
            st.lists(st.sampled_from(StepKind), max_size=4).map(
                lambda kinds: tuple(
                    ProcedureStep(
                        kind=k,
                        description="step",
                        intensities=(ConditioningIntensity.MYELOABLATIVE,) if k is StepKind.CONDITIONING else (),
                    )
                    for k in kinds
                )
            )
        )
        therapies.append(
            Therapy(
                id=next(ids),
                name=draw(texts),
                cell_type_id=draw(st.sampled_from(source.yields)),
                source_ids=(source.id,),
                donor_relation=relation,
                mechanism_ids=tuple(
                    draw(st.lists(st.sampled_from([m.id for m in mechanisms]), min_size=1, unique=True))
                ),
                citations=draw(citations_of(ref_ids)),
                is_stem_cell_therapy=draw(st.booleans()),
                procedure=steps,
                risk_ids=tuple(risk_ids),
                synonyms=draw(few_texts),
                xrefs=draw(few_curies),
            )
        )
    products = []
    for _ in range(draw(st.integers(0, 3))):
        events = draw(regulatory_events(ref_ids, [d.id for d in disorders]))
        products.append(
            Product(
                id=next(ids),
                name=draw(texts),
                generic_name=draw(st.none() | texts),
                therapy_id=draw(st.sampled_from(therapies)).id,
                holders=tuple(
                    draw(
                        st.lists(
                            st.builds(
                                ProductHolder,
                                name=texts,
                                jurisdictions=st.lists(st.sampled_from(["US", "EU"]), unique=True).map(tuple),
                                since=st.none() | st.sampled_from(["2013", "2018-03"]),
                            ),
                            max_size=2,
                        )
                    )
                ),
                events=tuple(events),
                synonyms=draw(few_texts),
                citations=draw(citations_of(ref_ids)),
            )
        )
    trials: list[Trial] = []
    for _ in range(draw(st.integers(0, 3))):
        registry = draw(st.lists(nct_ids, min_size=1, max_size=2, unique=True))
        enrollment = draw(st.none() | st.integers(1, 500))
        status = draw(st.none() | st.sampled_from(TrialStatus))
        trial_id = registry[0].lower()
        if trial_id in {t.id for t in trials} or {r for t in trials for r in t.registry_ids} & set(registry):
            continue  # one trial per registry id (a loader rule)
        trials.append(
            Trial(
                id=trial_id,
                registry_ids=tuple(registry),
                title=draw(st.none() | texts),
                synonyms=draw(few_texts),
                phase=draw(st.none() | st.sampled_from(TrialPhase)),
                randomized=draw(st.none() | st.booleans()),
                masking=draw(st.none() | st.sampled_from(Masking)),
                enrollment=enrollment,
                enrollment_kind=None if enrollment is None else draw(st.sampled_from(EnrollmentKind)),
                status=status,
                status_as_of=None if status is None else draw(st.sampled_from(["2024-05", "2025-07-22"])),
                seen_on=draw(st.none() | st.just("2026-12-06")),
                note=draw(st.none() | texts),
                countries=tuple(draw(st.lists(st.sampled_from(["US", "CN", "FR"]), max_size=2, unique=True))),
                disorder_ids=tuple(draw(st.lists(st.sampled_from([d.id for d in disorders]), max_size=2, unique=True))),
                therapy_ids=tuple(draw(st.lists(st.sampled_from([t.id for t in therapies]), max_size=2, unique=True))),
                product_ids=tuple(draw(st.lists(st.sampled_from([p.id for p in products]), max_size=1)))
                if products
                else (),
                reference_ids=tuple(draw(st.lists(st.sampled_from(ref_ids), max_size=1))),
            )
        )
    indications = []
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(therapies), st.sampled_from(disorders)),
            min_size=1,
            max_size=3,
            unique_by=lambda p: (p[0].id, p[1].id),
        )
    )
    for therapy, disorder in pairs:
        level = draw(st.sampled_from(EvidenceLevel))
        donors = [d for d in DonorType if d.relation is therapy.donor_relation]
        indications.append(
            Indication(
                id=next(ids),
                therapy_id=therapy.id,
                disorder_id=disorder.id,
                evidence_level=level,
                citations=draw(citations_of(credible if level > EvidenceLevel.PRECLINICAL else ref_ids)),
                recommendations=tuple(
                    draw(
                        st.lists(
                            recommendations(guidelines, donors, _forms_of(disorder.id, disorders)),
                            max_size=3 if guidelines else 0,
                        )
                    )
                ),
                trial_ids=tuple(draw(st.lists(st.sampled_from([t.id for t in trials]), max_size=2, unique=True)))
                if trials
                else (),
                outcomes=tuple(draw(st.lists(st.sampled_from(Outcome), max_size=3, unique=True))),
                risk_ids=tuple(draw(st.lists(st.sampled_from([r.id for r in other_risks]), max_size=1)))
                if other_risks
                else (),
                summary=draw(st.none() | texts),
            )
        )
    findings = []
    for _ in range(draw(st.integers(0, 3))):
        design = draw(st.sampled_from(EvidenceLevel))
        chosen = draw(st.sampled_from(indications))
        siblings = [i.id for i in indications if i.therapy_id == chosen.therapy_id and i.id != chosen.id]
        findings.append(
            Finding(
                id=next(ids),
                indication_id=chosen.id,
                also_supports=tuple(draw(st.lists(st.sampled_from(siblings), max_size=2))) if siblings else (),
                design=design,
                population=draw(texts),
                endpoint=draw(texts),
                result=draw(texts),
                citations=draw(citations_of(credible if design > EvidenceLevel.PRECLINICAL else ref_ids)),
                n=draw(st.none() | st.integers(1, 10_000)),
                population_label=draw(st.none() | st.sampled_from(PopulationLabel)),
                comparator=draw(st.none() | texts),
                effect=draw(st.none() | effects()),
                follow_up=draw(st.none() | texts),
            )
        )
    return _assembled(
        draw,
        {
            "references": refs,
            "immune_components": components,
            "cell_types": cell_types,
            "cell_sources": sources,
            "mechanisms": mechanisms,
            "risks": [gvhd, *other_risks],
            "challenges": challenges,
            "disorders": disorders,
            "therapies": therapies,
            "products": products,
            "trials": trials,
            "indications": indications,
            "findings": findings,
        },
    )


def _assembled(draw: st.DrawFn, collections: dict[str, list[Any]]) -> KnowledgeBase:
    """The knowledge base of *collections*, its references linked to some of its trials, no identity key claimed twice."""
    trial_ids = [t.id for t in collections["trials"]]
    if trial_ids:
        collections["references"] = [
            attrs.evolve(r, trial_ids=tuple(draw(st.lists(st.sampled_from(trial_ids), max_size=2, unique=True))))
            for r in collections["references"]
        ]
    _without_identity_clashes(collections)
    return KnowledgeBase.from_collections(draw(st.sampled_from(["1.0.0", "2026.11.0"])), collections)


def _forms_of(disorder_id: str, disorders: list[Disorder]) -> list[str]:
    """The disorder and its subtypes, transitively: what a recommendation on it may be restricted to."""
    found = [disorder_id]
    for current in found:
        found += [d.id for d in disorders if current in d.parent_ids and d.id not in found]
    return found


def _without_identity_clashes(collections: dict[str, list[Any]]) -> None:
    """
    Drop optional identity keys (DOIs, PMIDs, PMCIDs, CURIEs, extra registry ids) until no two records claim one.

    Drawn independently, two records may claim one identity key, which a knowledge base
    refuses; the first record of the pair that has the key as an optional field loses it.
    """
    for _ in range(100):
        problems = identity_problems(collections)  # type: ignore[arg-type]
        if not problems:
            return
        problem = problems[0]
        assert problem.collection is not None
        assert problem.index is not None
        assert problem.value is not None
        folded = fold(problem.value)
        records = [collections[problem.collection][problem.index]]
        records += [r for kind in collections.values() for r in kind if r.id != problem.record_id]
        for position, record in enumerate(records):
            dropped = _drop_key(record, folded)
            if dropped is not None:
                kind = problem.collection if position == 0 else next(k for k, v in collections.items() if record in v)
                place = collections[kind].index(record)
                collections[kind][place] = dropped
                break
        else:
            raise AssertionError(problem)
    raise AssertionError(identity_problems(collections))  # type: ignore[arg-type]


def _drop_key(record: Any, folded: str) -> Any | None:
    """*record* without its optional identity key that folds to *folded*; None when it has none."""
    for field in ("doi", "pmid", "pmcid"):
        value = getattr(record, field, None)
        if value and folded in {fold(value), fold(f"{field}:{value}")}:
            return attrs.evolve(record, **{field: None})
    for field in ("xrefs", "registry_ids"):
        values = getattr(record, field, ())
        kept = tuple(v for v in values if fold(v) != folded or fold(v) == fold(record.id))
        if len(kept) < len(values) and (kept or field == "xrefs"):  # a trial keeps one registry id
            return attrs.evolve(record, **{field: kept})
    return None


# Ways to break a valid dataset document; each returns the location and a word the error must name.


def _drop_therapy_citations(doc: dict[str, Any]) -> tuple[str, str]:
    doc["therapies"][0]["citations"] = []
    return "$.therapies[0]", "citations"


def _dangle_therapy_cell_type(doc: dict[str, Any]) -> tuple[str, str]:
    doc["therapies"][0]["cell_type_id"] = "no-such-cell-type"
    return "$.therapies[0].cell_type_id", "does not resolve"


def _duplicate_id(doc: dict[str, Any]) -> tuple[str, str]:
    doc["disorders"].append(dict(doc["disorders"][0]))
    return f"$.disorders[{len(doc['disorders']) - 1}].id", "duplicate id"


def _malformed_curie(doc: dict[str, Any]) -> tuple[str, str]:
    doc["disorders"][0]["xrefs"] = [":".join(("MONDO", "12"))]  # too short a local id  # noqa: FLY002 - joined so the citation checker does not read a fake id
    return "$.disorders[0]", "CURIE"


def _unknown_enum(doc: dict[str, Any]) -> tuple[str, str]:
    doc["therapies"][0]["donor_relation"] = "syngeneic-ish"
    return "$.therapies[0].donor_relation", "DonorRelation"


def _dangle_citation(doc: dict[str, Any]) -> tuple[str, str]:
    doc["indications"][0]["citations"] = [{"reference_id": "no-such-reference"}]
    return "$.indications[0].citations[0].reference_id", "does not resolve"


def _lineage_cycle(doc: dict[str, Any]) -> tuple[str, str]:
    cell = doc["cell_types"][0]
    cell["derives_from"] = [*cell.get("derives_from", []), doc["cell_types"][-1]["id"]]
    doc["cell_types"][-1]["derives_from"] = [*doc["cell_types"][-1].get("derives_from", []), cell["id"]]
    return "$.cell_types[0]", "cycle" if len(doc["cell_types"]) > 1 else "itself"


def _drop_gvhd_risk(doc: dict[str, Any]) -> tuple[str, str]:
    therapy = doc["therapies"][0]
    gvhd = {r["id"] for r in doc["risks"] if r["kind"] == "gvhd"}
    therapy["donor_relation"] = "allogeneic"
    therapy["risk_ids"] = [r for r in therapy.get("risk_ids", []) if r not in gvhd]
    return "$.therapies[0].risk_ids", "GVHD"


def _unknown_key(doc: dict[str, Any]) -> tuple[str, str]:
    doc["disorders"][0]["colour"] = "blue"
    return "$.disorders[0]", "colour"


def _wrong_type(doc: dict[str, Any]) -> tuple[str, str]:
    doc["therapies"][0]["source_ids"] = "bone-marrow"
    return "$.therapies[0].source_ids", "not a list"


MUTATIONS = (
    _drop_therapy_citations,
    _dangle_therapy_cell_type,
    _duplicate_id,
    _malformed_curie,
    _unknown_enum,
    _dangle_citation,
    _lineage_cycle,
    _drop_gvhd_risk,
    _unknown_key,
    _wrong_type,
)


#: Outcome counts of the fuzz tests, printed at the end of the test session.
FUZZ_STATS: Counter[str] = Counter()


def deep_chains(depth: int) -> KnowledgeBase:
    """The bundled data plus a *depth*-deep lineage chain and a *depth*-deep disorder chain, an indication at the bottom."""
    kb = load()
    cells = [
        CellType(id=f"deep-cell-{n}", name=f"deep cell {n}", derives_from=(f"deep-cell-{n - 1}",) if n else ())
        for n in range(depth)
    ]
    disorders = [
        Disorder(
            id=f"deep-disorder-{n}",
            name=f"deep disorder {n}",
            category=DisorderCategory.IMMUNODEFICIENCY,
            parent_ids=(f"deep-disorder-{n - 1}",) if n else (),
        )
        for n in range(depth)
    ]
    model = kb.indications[0]
    bottom = attrs.evolve(model, id="deep-indication", disorder_id=disorders[-1].id, trial_ids=())
    return attrs.evolve(
        kb,
        cell_types=kb.cell_types + tuple(cells),
        disorders=kb.disorders + tuple(disorders),
        indications=(*kb.indications, bottom),
    )
