"""
Bring registered trials up to date from ClinicalTrials.gov (API v2), on demand.

Loading data never touches the network; this module is the one place that does, and
only when called. It needs the optional extra: ``pip install "stemimmune[registry]"``
(httpx).

:func:`refresh` asks the registry for the trials of a knowledge base and returns a
*new* knowledge base with the fields the registry holds brought up to date, plus a
dated list of what changed (per trial, per field: old value, new value, and the date
the registry gives for it). The bundled data never changes: save the overlay with
:func:`save_overlay` (or ``stemimmune refresh-trials --output FILE``) and load it on
top of the bundled data with :func:`stemimmune.merge`.

Example (offline: a recorded response stands in for the registry):
    >>> import json, httpx, stemimmune
    >>> from stemimmune.registry import ClinicalTrialsGov, refresh
    >>> kb = stemimmune.load()
    >>> study = {"protocolSection": {
    ...     "identificationModule": {"nctId": "NCT00114530", "briefTitle": "Scleroderma: Cyclophosphamide or Transplantation (SCOT)"},
    ...     "statusModule": {"overallStatus": "COMPLETED", "statusVerifiedDate": "2020-12"}}}
    >>> transport = httpx.MockTransport(lambda request: httpx.Response(200, json=study))
    >>> with ClinicalTrialsGov(transport=transport, min_interval=0) as client:
    ...     result = refresh(kb, client=client, trials=["NCT00114530"], seen_on="2026-12-06")
    >>> [(c.trial_id, c.field, c.old, c.new) for c in result.changes if c.field == "status_as_of"]
    [('nct00114530', 'status_as_of', '2020-12-12', '2020-12')]
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self

import attrs

from ._dates import parse_day, today
from .exceptions import ArgumentTypeError, DatasetError, InvalidArgumentError, RegistryError, argument_type_error
from .model import Trial
from .vocabulary import country_code


if TYPE_CHECKING:
    import httpx

    from .knowledge_base import KnowledgeBase


__all__ = [
    "API_URL",
    "REGISTRY_FIELDS",
    "Change",
    "ClinicalTrialsGov",
    "Refresh",
    "refresh",
    "save_overlay",
    "trial_fields",
]

#: The ClinicalTrials.gov API v2 the client talks to by default.
API_URL: Final = "https://clinicaltrials.gov/api/v2"
#: Where a study's page is, for the ``url`` of a refreshed trial.
STUDY_PAGE: Final = "https://clinicaltrials.gov/study/{}"
#: Fields of a :class:`~stemimmune.model.Trial` the registry holds and :func:`refresh` may change.
REGISTRY_FIELDS: Final = (
    "title",
    "phase",
    "randomized",
    "masking",
    "arms",
    "enrollment",
    "enrollment_kind",
    "status",
    "status_as_of",
    "start_date",
    "completion_date",
    "sponsor",
    "countries",
)

_PHASES: Final = {
    ("NA",): "not-applicable",
    ("EARLY_PHASE1",): "early-phase-1",
    ("PHASE1",): "phase-1",
    ("PHASE1", "PHASE2"): "phase-1-2",
    ("PHASE2",): "phase-2",
    ("PHASE2", "PHASE3"): "phase-2-3",
    ("PHASE3",): "phase-3",
    ("PHASE4",): "phase-4",
}
_STATUSES: Final = {
    "NOT_YET_RECRUITING": "not-yet-recruiting",
    "RECRUITING": "recruiting",
    "ENROLLING_BY_INVITATION": "enrolling-by-invitation",
    "ACTIVE_NOT_RECRUITING": "active-not-recruiting",
    "COMPLETED": "completed",
    "SUSPENDED": "suspended",
    "TERMINATED": "terminated",
    "WITHDRAWN": "withdrawn",
    "UNKNOWN": "unknown",
}
_MASKING: Final = {"NONE": "none", "SINGLE": "single", "DOUBLE": "double", "TRIPLE": "triple", "QUADRUPLE": "quadruple"}
_ALLOCATION: Final = {"RANDOMIZED": True, "NON_RANDOMIZED": False}
_ENROLLMENT: Final = {"ESTIMATED": "target", "ANTICIPATED": "target", "ACTUAL": "actual"}
_RETRIED: Final = frozenset({429, 500, 502, 503, 504})


class ClinicalTrialsGov:
    """
    A polite client of the ClinicalTrials.gov API v2.

    It sends a ``User-Agent`` naming the library, waits at least *min_interval*
    seconds between requests, times out after *timeout* seconds, and retries a
    request that failed with 429 or a 5xx status, or on a network error, up to
    *retries* times, waiting as the ``Retry-After`` header says or, without it,
    *backoff* seconds doubled on each try. Its failures are
    :class:`~stemimmune.exceptions.RegistryError`.

    Args:
        base_url: The API's root.
        timeout: Seconds before a request is abandoned.
        retries: How many times a failed request is tried again.
        backoff: Seconds to wait before the first retry without ``Retry-After``.
        min_interval: Fewest seconds between two requests (the registry asks for
            about 50 requests a minute at most).
        transport: An httpx transport; tests pass ``httpx.MockTransport``.
        sleep: How to wait (tests pass a recorder).
    """

    def __init__(  # noqa: D107 - the class docstring documents the arguments
        self,
        *,
        base_url: str = API_URL,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 2.0,
        min_interval: float = 1.2,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        try:
            import httpx  # noqa: PLC0415 - an optional extra, imported only to talk to the registry
        except ImportError:  # pragma: no cover - the tests run with the extra
            msg = 'the registry client needs httpx: pip install "stemimmune[registry]"'
            raise ImportError(msg, name="httpx") from None
        for name, value in (("timeout", timeout), ("backoff", backoff), ("min_interval", min_interval)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise argument_type_error(name, "a number of seconds", value)
            if value < 0:
                raise InvalidArgumentError(name, f"expected 0 or more seconds, got {value}")
        if isinstance(retries, bool) or not isinstance(retries, int):
            raise argument_type_error("retries", "a whole number", retries)
        if retries < 0:
            raise InvalidArgumentError("retries", f"expected 0 or more, got {retries}")
        from importlib.metadata import version  # noqa: PLC0415

        self._httpx = httpx
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": f"stemimmune/{version('stemimmune')} (reference-data refresh; python-httpx)"},
            follow_redirects=True,
        )
        self._retries = retries
        self._backoff = float(backoff)
        self._min_interval = float(min_interval)
        self._sleep = sleep
        self._last: float | None = None

    def __enter__(self) -> Self:
        """Use the client in a ``with`` block, which closes it."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the connections."""
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def study(self, nct_id: str) -> dict[str, Any]:
        """
        Return one study as the API gives it (``protocolSection``, ``derivedSection``, ...).

        Raises:
            InvalidArgumentError: *nct_id* is not ``NCT`` and 8 digits.
            RegistryError: The registry has no such study (``status`` 404), answered
                with an error or malformed JSON, or could not be reached.
        """
        if not isinstance(nct_id, str):
            raise argument_type_error("nct_id", "an NCT id such as 'NCT00114530'", nct_id)
        nct = nct_id.strip().upper()
        if len(nct) != len("NCT") + 8 or not nct.startswith("NCT") or not nct[3:].isdigit():
            raise InvalidArgumentError("nct_id", f"expected NCT and 8 digits, got {nct_id[:40]!r}")
        study = self._get(f"/studies/{nct}", {})
        found = _path(study, "protocolSection", "identificationModule", "nctId")
        if found != nct:
            raise RegistryError(
                f"asked for {nct}, the registry answered with {str(found)[:40]!r}", url=f"/studies/{nct}"
            )
        return study

    def studies(
        self,
        *,
        condition: str | None = None,
        intervention: str | None = None,
        term: str | None = None,
        page_size: int = 100,
        max_pages: int = 10,
    ) -> Iterator[dict[str, Any]]:
        """
        Yield the studies matching a search, page after page (for finding new trials).

        Args:
            condition: The API's ``query.cond`` ("Conditions or disease").
            intervention: Its ``query.intr`` ("Intervention/treatment").
            term: Its ``query.term`` ("Other terms").
            page_size: Studies per page (1 to 1000).
            max_pages: Most pages read.
        """
        params: dict[str, str] = {"format": "json"}
        for name, value, key in (
            ("condition", condition, "query.cond"),
            ("intervention", intervention, "query.intr"),
            ("term", term, "query.term"),
        ):
            if value is not None:
                if not isinstance(value, str):
                    raise argument_type_error(name, "a string", value)
                params[key] = value
        if len(params) == 1:
            raise InvalidArgumentError("condition", "give at least one of condition, intervention or term")
        for name, number, top in (("page_size", page_size, 1000), ("max_pages", max_pages, 10_000)):
            if isinstance(number, bool) or not isinstance(number, int):
                raise argument_type_error(name, "a whole number", number)
            if not 1 <= number <= top:
                raise InvalidArgumentError(name, f"expected 1 to {top}, got {number}")
        params["pageSize"] = str(page_size)
        for _page in range(max_pages):
            answer = self._get("/studies", params)
            studies = answer.get("studies")
            if not isinstance(studies, list):
                raise RegistryError("the answer holds no 'studies' list", url="/studies")
            yield from (s for s in studies if isinstance(s, dict))
            token = answer.get("nextPageToken")
            if not isinstance(token, str) or not token:
                return
            params["pageToken"] = token

    def _get(self, url: str, params: Mapping[str, str]) -> dict[str, Any]:
        httpx = self._httpx
        attempt = 0
        while True:
            self._wait_turn()
            try:
                response = self._client.get(url, params=dict(params))
            except httpx.HTTPError as exc:
                if attempt >= self._retries:
                    raise RegistryError(f"could not reach the registry: {type(exc).__name__}: {exc}", url=url) from exc
                self._sleep(self._backoff * 2**attempt)
                attempt += 1
                continue
            if response.status_code in _RETRIED and attempt < self._retries:
                self._sleep(_retry_after(response.headers.get("Retry-After"), self._backoff * 2**attempt))
                attempt += 1
                continue
            if response.status_code == 404:  # noqa: PLR2004
                raise RegistryError("the registry has no such study", url=url, status=404)
            if response.status_code != 200:  # noqa: PLR2004
                raise RegistryError(
                    f"the registry answered {response.status_code}", url=url, status=response.status_code
                )
            try:
                data = response.json()
            except ValueError as exc:
                raise RegistryError(f"the registry's answer is not JSON: {exc}", url=url, status=200) from None
            if not isinstance(data, dict):
                raise RegistryError(f"expected a JSON object, got {type(data).__name__}", url=url, status=200)
            return data

    def _wait_turn(self) -> None:
        now = time.monotonic()
        if self._last is not None and now - self._last < self._min_interval:
            self._sleep(self._min_interval - (now - self._last))
        self._last = time.monotonic()


def _retry_after(header: str | None, default: float) -> float:
    """Seconds to wait, from a ``Retry-After`` header (seconds or an HTTP date), capped at 5 minutes."""
    if header is None:
        return default
    header = header.strip()
    if header.isdigit():
        return min(float(header), 300.0)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0), 300.0)


def _path(data: object, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def trial_fields(study: Mapping[str, Any]) -> dict[str, Any]:
    """
    Map one API v2 study to the :class:`~stemimmune.model.Trial` fields the registry holds, as JSON values.

    Only what the study states is returned: a module or field the study lacks gives
    no key, never a guess. ``status_as_of`` is the registry's "status verified" date
    (``statusVerifiedDate``), or else its "last update posted" date; a status without
    either is not taken.

    Example:
        >>> trial_fields({"protocolSection": {"designModule": {"phases": ["PHASE1", "PHASE2"],
        ...     "enrollmentInfo": {"count": 24, "type": "ESTIMATED"}}}})
        {'phase': 'phase-1-2', 'enrollment': 24, 'enrollment_kind': 'target'}
    """
    protocol = _path(study, "protocolSection")
    if not isinstance(protocol, Mapping):
        raise RegistryError("the study has no protocolSection")
    found: dict[str, Any] = {}
    title = _path(protocol, "identificationModule", "briefTitle")
    if isinstance(title, str) and title.strip():
        found["title"] = " ".join(title.split())
    phases = _path(protocol, "designModule", "phases")
    if isinstance(phases, list) and tuple(phases) in _PHASES:
        found["phase"] = _PHASES[tuple(phases)]
    allocation = _path(protocol, "designModule", "designInfo", "allocation")
    if allocation in _ALLOCATION:
        found["randomized"] = _ALLOCATION[allocation]
    masking = _path(protocol, "designModule", "designInfo", "maskingInfo", "masking")
    if masking in _MASKING:
        found["masking"] = _MASKING[masking]
    arms = _path(protocol, "armsInterventionsModule", "armGroups")
    if isinstance(arms, list) and arms:
        found["arms"] = len(arms)
    count = _path(protocol, "designModule", "enrollmentInfo", "count")
    kind = _path(protocol, "designModule", "enrollmentInfo", "type")
    if isinstance(count, int) and not isinstance(count, bool) and count > 0 and kind in _ENROLLMENT:
        found["enrollment"], found["enrollment_kind"] = count, _ENROLLMENT[kind]
    status = _path(protocol, "statusModule", "overallStatus")
    as_of = _path(protocol, "statusModule", "statusVerifiedDate") or _path(
        protocol, "statusModule", "lastUpdatePostDateStruct", "date"
    )
    if status in _STATUSES and isinstance(as_of, str):  # a status is recorded with the date the registry gives it
        found["status"], found["status_as_of"] = _STATUSES[status], as_of
    for field, key in (("start_date", "startDateStruct"), ("completion_date", "completionDateStruct")):
        when = _path(protocol, "statusModule", key, "date")
        if isinstance(when, str):
            found[field] = when
    sponsor = _path(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name")
    if isinstance(sponsor, str) and sponsor.strip():
        found["sponsor"] = " ".join(sponsor.split())
    locations = _path(protocol, "contactsLocationsModule", "locations")
    if isinstance(locations, list):
        codes = {_country_code(_path(place, "country")) for place in locations}
        if codes and None not in codes:  # one unknown country name: leave the countries as they are
            found["countries"] = sorted(c for c in codes if c is not None)
    return found


def _country_code(name: object) -> str | None:
    return country_code(name) if isinstance(name, str) else None


@attrs.frozen
class Change:
    """
    One field of one trial that the registry gives differently from the knowledge base.

    Attributes:
        trial_id: The trial record's id.
        field: The :class:`~stemimmune.model.Trial` field.
        old: Its value before, as JSON (None when it was not recorded).
        new: The registry's value, as JSON.
        as_of: The date the registry gives for its record (status verified, or last
            update posted), when it gives one.
    """

    trial_id: str
    field: str
    old: Any
    new: Any
    as_of: str | None


@attrs.frozen
class Refresh:
    """
    What :func:`refresh` found.

    Attributes:
        knowledge_base: A new knowledge base with the refreshed trials (the input is unchanged).
        changes: Every field that moved, by trial id, then field order.
        overlay: The refreshed trial records as a dataset document, for
            :func:`stemimmune.merge` or :func:`save_overlay`.
        failed: ``(trial id, reason)`` for each trial the registry could not give.
        seen_on: The day the registry was read.
    """

    knowledge_base: KnowledgeBase
    changes: tuple[Change, ...]
    overlay: dict[str, Any]
    failed: tuple[tuple[str, str], ...]
    seen_on: str


def refresh(
    kb: KnowledgeBase,
    *,
    client: ClinicalTrialsGov | None = None,
    trials: Iterable[Trial | str] | None = None,
    seen_on: dt.date | str | None = None,
    progress: Callable[[Iterable[Trial]], Iterable[Trial]] | None = None,
) -> Refresh:
    """
    Ask ClinicalTrials.gov for trials of *kb* and return a knowledge base with them up to date.

    Each trial with an NCT id is fetched; the fields the registry holds
    (:data:`REGISTRY_FIELDS`) take the registry's values, its ``url`` becomes the
    study's page and ``seen_on`` the day it was read. Fields the study does not state
    keep their values. Curated fields (disorders, therapies, products, references,
    intervention, note) never change. A trial the registry cannot give is listed in
    ``failed`` and left as it was.

    Args:
        kb: The knowledge base to refresh (unchanged).
        client: The client to use (default: a new :class:`ClinicalTrialsGov`).
        trials: The trials to refresh (records, ids, or registry ids); default every
            trial with an NCT id.
        seen_on: The day of the reading (default today); recorded as each refreshed
            trial's ``seen_on``.
        progress: Wraps the trials as they are read, e.g. ``tqdm``.

    Raises:
        ArgumentTypeError, InvalidArgumentError: An argument is wrong.
        UnknownKeyError: A trial asked for is not in *kb*.
    """
    from . import serialization  # noqa: PLC0415
    from .knowledge_base import KnowledgeBase  # noqa: PLC0415

    if not isinstance(kb, KnowledgeBase):
        raise argument_type_error("kb", "a KnowledgeBase", kb)
    day = (today() if seen_on is None else parse_day(seen_on, "seen_on")).isoformat()
    if trials is None:
        chosen = [t for t in kb.trials if _nct(t) is not None]
    elif isinstance(trials, str) or not isinstance(trials, Iterable):
        raise argument_type_error("trials", "a list of trials or trial ids", trials)
    else:
        chosen = [kb.get(t, Trial) if isinstance(t, str) else _own(kb, t) for t in trials]
    if progress is not None and not callable(progress):
        raise argument_type_error("progress", "a callable such as tqdm", progress)
    own = client is None
    client = ClinicalTrialsGov() if client is None else client
    if not isinstance(client, ClinicalTrialsGov):
        raise argument_type_error("client", "a ClinicalTrialsGov", client)
    changes: list[Change] = []
    updated: list[dict[str, Any]] = []
    failed: list[tuple[str, str]] = []
    try:
        for trial in progress(chosen) if progress is not None else chosen:
            nct = _nct(trial)
            if nct is None:
                failed.append((trial.id, "no NCT id"))
                continue
            try:
                fields = trial_fields(client.study(nct))
            except RegistryError as exc:
                failed.append((trial.id, str(exc)))
                continue
            before = serialization.unstructure(trial)
            after = dict(before)
            after.update(
                (field, value)
                for field, value in fields.items()
                if not (isinstance(value, list) and sorted(value) == sorted(before.get(field) or []))  # same set
            )
            after["url"] = STUDY_PAGE.format(nct)
            after["seen_on"] = day
            as_of = fields.get("status_as_of")
            moved = [f for f in (*REGISTRY_FIELDS, "url") if before.get(f) != after.get(f)]
            changes.extend(Change(trial.id, f, before.get(f), after.get(f), as_of) for f in moved)
            if moved or before.get("seen_on") != day:
                updated.append(after)
    finally:
        if own:
            client.close()
    combined, refused = _combine(kb, updated, day)
    failed.extend(refused)
    kept = {record["id"] for record in updated} - {trial_id for trial_id, _ in refused}
    overlay: dict[str, Any] = {"dataset_version": f"registry-{day}", "trials": [r for r in updated if r["id"] in kept]}
    return Refresh(
        knowledge_base=combined,
        changes=tuple(c for c in changes if c.trial_id in kept),
        overlay=overlay,
        failed=tuple(failed),
        seen_on=day,
    )


def _combine(kb: KnowledgeBase, updated: list[dict[str, Any]], day: str) -> tuple[KnowledgeBase, list[tuple[str, str]]]:
    """Merge the refreshed trials over *kb*; a trial whose new values break a rule is left out and reported."""
    from ._loading import merge  # noqa: PLC0415

    refused: list[tuple[str, str]] = []
    while updated:
        try:
            merged = merge(kb, {"dataset_version": f"registry-{day}", "trials": updated}, override=True)
        except DatasetError as exc:
            ids = {r["id"] for r in updated}
            broken = {p.record_id: p.message for p in exc.problems if p.record_id is not None and p.record_id in ids}
            if not broken:
                raise
            refused.extend((trial_id, f"the registry's values break a rule: {why}") for trial_id, why in broken.items())
            updated = [r for r in updated if r["id"] not in broken]
        else:
            return merged.knowledge_base, refused
    return kb, refused


def save_overlay(result: Refresh, path: str | os.PathLike[str]) -> None:
    """Write the refreshed trials of *result* as a dataset file that :func:`stemimmune.merge` reads."""
    from . import serialization  # noqa: PLC0415
    from ._io import write_atomically  # noqa: PLC0415

    if not isinstance(result, Refresh):
        raise argument_type_error("result", "a Refresh from refresh()", result)
    if not isinstance(path, str | os.PathLike):
        raise argument_type_error("path", "a path to a .json file", path)
    if not os.fspath(path).endswith(".json"):
        raise InvalidArgumentError("path", f"{os.fspath(path)[:80]!r} does not end in .json")
    data = serialization.dumps(result.overlay).encode("utf-8")
    write_atomically(Path(path), data, argument="path", expected="the path of a dataset file")


def _nct(trial: Trial) -> str | None:
    return next((r for r in trial.registry_ids if r.upper().startswith("NCT")), None)


def _own(kb: KnowledgeBase, trial: object) -> Trial:
    if not isinstance(trial, Trial):
        raise ArgumentTypeError("trials", "trials or trial ids", type(trial).__name__)
    return kb.get(trial.id, Trial)
