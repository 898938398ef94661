"""
Guidance over time: which guideline recommendations are in force, and where they apply.

One rule, used by :meth:`~stemimmune.KnowledgeBase.recommendations_for`, the guideline
category of a :class:`~stemimmune.query.TherapyOption`, the ``ebmt_category`` filter,
the ``evidence`` table, the CLI and the evidence map:

- **In force.** A recommendation is superseded when a *newer* document (a later year)
  of the *same body* (:attr:`Reference.body <stemimmune.model.Reference.body>`; a
  guideline without a body is a body of its own) recommends on the same indication for
  the same population and donor column. A newer recommendation that names no population
  speaks for every population, and one that names no donor column for every column; an
  older one that names none is superseded only by a newer one that names none either.
  Documents of the same year do not supersede each other; a document without a year
  counts as the oldest.
- **Where it applies.** A recommendation with :attr:`applies_to
  <stemimmune.model.GuidelineRecommendation.applies_to>` applies to a disorder that is
  one of those disorders or a subtype of one, or that includes one of them (it then
  applies to part of it); never to a sibling form. One without speaks for the
  indication's disorder as a whole.
- **Best category.** The strongest EBMT letter among the recommendations in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from .model import GuidelineRecommendation, Indication
from .vocabulary import EbmtCategory


def body_of(recommendation: GuidelineRecommendation, references: Mapping[str, Any]) -> str:
    """The body whose documents supersede each other: the guideline's body, else the guideline itself."""
    reference = references.get(recommendation.reference_id)
    body = getattr(reference, "body", None)
    return f"body:{body.value}" if body is not None else f"reference:{recommendation.reference_id}"


def year_of(recommendation: GuidelineRecommendation, references: Mapping[str, Any]) -> int:
    """The year of the recommendation's guideline; 0 (the oldest) when it has none."""
    return getattr(references.get(recommendation.reference_id), "year", None) or 0


def newest_first(
    recommendations: Iterable[GuidelineRecommendation], references: Mapping[str, Any]
) -> list[GuidelineRecommendation]:
    """The recommendations, newest guideline first, then by reference id, then in the order given."""
    ordered = sorted(
        enumerate(recommendations), key=lambda item: (-year_of(item[1], references), item[1].reference_id, item[0])
    )
    return [recommendation for _, recommendation in ordered]


def in_force(
    recommendations: Iterable[GuidelineRecommendation], references: Mapping[str, Any]
) -> list[GuidelineRecommendation]:
    """
    The recommendations no newer document of the same body supersedes, in the order given.

    See the module's docstring for the rule. *references* maps reference ids to
    references (a knowledge base's records by id will do).
    """
    items = list(recommendations)
    dated = [(r, body_of(r, references), year_of(r, references)) for r in items]

    def superseded(old: GuidelineRecommendation, body: str, year: int) -> bool:
        return any(
            other_body == body
            and other_year > year
            and other.population in {None, old.population}
            and other.donor_type in {None, old.donor_type}
            for other, other_body, other_year in dated
        )

    return [r for r, body, year in dated if not superseded(r, body, year)]


def applies(
    recommendation: GuidelineRecommendation, disorder_id: str, under: Callable[[str], AbstractSet[str]]
) -> bool:
    """
    Whether the recommendation applies to the disorder *disorder_id*.

    *under* gives a disorder's id and its subtypes' ids, transitively.
    """
    if not recommendation.applies_to:
        return True
    below = under(disorder_id)
    return any(disorder_id in under(target) or target in below for target in recommendation.applies_to)


def best_category(indication: Indication, references: Mapping[str, Any]) -> EbmtCategory | None:
    """The strongest EBMT category among the indication's recommendations in force (latest of each body)."""
    return strongest_category(in_force(indication.recommendations, references))


def strongest_category(recommendations: Iterable[GuidelineRecommendation]) -> EbmtCategory | None:
    """The strongest EBMT letter among *recommendations*, or None when none has one."""
    return max((c for r in recommendations for c in r.categories), default=None)
