"""The ClinicalTrials.gov client and refresh, offline against answers in the API v2 shape (tests/registry/README.md)."""

from __future__ import annotations

import copy
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import stemimmune
from stemimmune import KnowledgeBase, RegistryError, Trial, load, merge
from stemimmune.registry import ClinicalTrialsGov, refresh, save_overlay, trial_fields
from stemimmune.vocabulary import JURISDICTIONS, TrialStatus


SHAPE: dict[str, Any] = json.loads((Path(__file__).parent / "registry" / "study-shape.json").read_text("utf-8"))

# The API's enumerations, as its documentation writes them, for the values of the model.
API_PHASES = {
    "not-applicable": ["NA"],
    "early-phase-1": ["EARLY_PHASE1"],
    "phase-1": ["PHASE1"],
    "phase-1-2": ["PHASE1", "PHASE2"],
    "phase-2": ["PHASE2"],
    "phase-2-3": ["PHASE2", "PHASE3"],
    "phase-3": ["PHASE3"],
    "phase-4": ["PHASE4"],
}
API_ENROLMENT = {"target": "ESTIMATED", "actual": "ACTUAL"}


def study_from(trial: Trial, **status: Any) -> dict[str, Any]:
    """An API answer stating exactly what *trial* holds (nothing it lacks), then the *status* module's overrides."""
    study = copy.deepcopy(SHAPE)
    protocol = study["protocolSection"]
    protocol["identificationModule"]["nctId"] = next(r for r in trial.registry_ids if r.startswith("NCT"))
    protocol["identificationModule"]["briefTitle"] = trial.title
    module = protocol["statusModule"]
    module["overallStatus"] = None if trial.status is None else trial.status.value.upper().replace("-", "_")
    module["statusVerifiedDate"] = None if trial.status_as_of is None else str(trial.status_as_of)
    module.pop("lastUpdatePostDateStruct")
    module["startDateStruct"] = None if trial.start_date is None else {"date": str(trial.start_date)}
    module["completionDateStruct"] = None if trial.completion_date is None else {"date": str(trial.completion_date)}
    module.update(status)
    design = protocol["designModule"]
    design["phases"] = None if trial.phase is None else API_PHASES[trial.phase.value]
    allocation = {True: "RANDOMIZED", False: "NON_RANDOMIZED", None: None}[trial.randomized]
    design["designInfo"]["allocation"] = allocation
    design["designInfo"]["maskingInfo"]["masking"] = None if trial.masking is None else trial.masking.value.upper()
    design["enrollmentInfo"] = (
        None
        if trial.enrollment is None or trial.enrollment_kind is None
        else {"count": trial.enrollment, "type": API_ENROLMENT[trial.enrollment_kind.value]}
    )
    protocol["armsInterventionsModule"]["armGroups"] = [{"label": f"arm {n}"} for n in range(trial.arms or 0)]
    protocol["sponsorCollaboratorsModule"]["leadSponsor"]["name"] = trial.sponsor
    protocol["contactsLocationsModule"]["locations"] = [{"country": JURISDICTIONS[code]} for code in trial.countries]
    return study


def nct_trials(kb: KnowledgeBase, count: int) -> list[Trial]:
    """The first *count* bundled trials with an NCT id, by id."""
    return sorted((t for t in kb.trials if any(r.startswith("NCT") for r in t.registry_ids)), key=lambda t: t.id)[
        :count
    ]


def client_for(
    answers: dict[str, Callable[[httpx.Request], httpx.Response]], sleeps: list[float] | None = None
) -> ClinicalTrialsGov:
    """A client whose transport answers each study path from *answers* (404 otherwise), recording the waits."""

    def handle(request: httpx.Request) -> httpx.Response:
        nct = request.url.path.rsplit("/", 1)[-1]
        if nct in answers:
            return answers[nct](request)
        return httpx.Response(404, json={"message": "not found"})

    recorded = [] if sleeps is None else sleeps
    return ClinicalTrialsGov(transport=httpx.MockTransport(handle), min_interval=0, backoff=0.5, sleep=recorded.append)


def answer(study: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """Answer every request with *study*, as JSON."""
    return lambda _request: httpx.Response(200, json=study)


def test_an_answer_stating_what_the_record_holds_changes_nothing_but_the_page() -> None:
    """Refreshing from answers that state each record's own values moves no field the registry holds."""
    kb = load()
    trials = nct_trials(kb, 30)
    answers = {next(r for r in t.registry_ids if r.startswith("NCT")): answer(study_from(t)) for t in trials}
    with client_for(answers) as client:
        result = refresh(kb, client=client, trials=trials, seen_on="2026-12-06")
    assert not result.failed
    assert {c.field for c in result.changes} <= {"url"}
    for trial in trials:
        fresh = result.knowledge_base.get(trial.id, Trial)
        assert fresh.url == f"https://clinicaltrials.gov/study/{trial.registry_ids[0]}"
        assert str(fresh.seen_on) == "2026-12-06"


def test_refresh_updates_twenty_four_trials_and_names_every_field_that_moved() -> None:
    """Status changes, withdrawals, enrolments and titles move, each listed with its old value, new value and date."""
    kb = load()
    trials = nct_trials(kb, 24)
    expected: dict[str, dict[str, tuple[Any, Any]]] = {}
    moved: dict[str, tuple[Any, Any]]
    answers = {}
    for n, trial in enumerate(trials):
        study = study_from(trial)
        protocol = study["protocolSection"]
        old_status = None if trial.status is None else trial.status.value
        old_date = None if trial.status_as_of is None else str(trial.status_as_of)
        if n % 4 == 0:  # completed
            protocol["statusModule"].update(overallStatus="COMPLETED", statusVerifiedDate="2026-10")
            moved = {"status": (old_status, "completed"), "status_as_of": (old_date, "2026-10")}
        elif n % 4 == 1:  # withdrawn before enrolling
            protocol["statusModule"].update(overallStatus="WITHDRAWN", statusVerifiedDate="2026-09-15")
            moved = {"status": (old_status, "withdrawn"), "status_as_of": (old_date, "2026-09-15")}
        elif n % 4 == 2:  # an actual enrolment, with the status confirmed the same day
            protocol["designModule"]["enrollmentInfo"] = {"count": 4321, "type": "ACTUAL"}
            protocol["statusModule"].update(overallStatus="COMPLETED", statusVerifiedDate="2026-11")
            moved = {
                "enrollment": (trial.enrollment, 4321),
                "enrollment_kind": (None if trial.enrollment_kind is None else trial.enrollment_kind.value, "actual"),
                "status": (old_status, "completed"),
                "status_as_of": (old_date, "2026-11"),
            }
        else:  # a retitled registration
            protocol["identificationModule"]["briefTitle"] = f"Retitled study {n}"
            moved = {"title": (trial.title, f"Retitled study {n}")}
        expected[trial.id] = {field: pair for field, pair in moved.items() if pair[0] != pair[1]}
        answers[protocol["identificationModule"]["nctId"]] = answer(study)
    with client_for(answers) as client:
        result = refresh(kb, client=client, trials=[t.id for t in trials], seen_on="2026-12-06")
    assert not result.failed
    for trial in trials:
        listed = {c.field: (c.old, c.new) for c in result.changes if c.trial_id == trial.id and c.field != "url"}
        assert listed == expected[trial.id], trial.id
        as_of = {c.as_of for c in result.changes if c.trial_id == trial.id and c.field == "status"}
        assert as_of <= {"2026-10", "2026-09-15", "2026-11"}
        fresh = result.knowledge_base.get(trial.id, Trial)
        for field, (_old, new) in expected[trial.id].items():
            value = getattr(fresh, field)
            assert (value if isinstance(value, int | str) or value is None else str(value)) == new, (trial.id, field)
        assert (fresh.disorder_ids, fresh.therapy_ids, fresh.reference_ids) == (
            trial.disorder_ids,
            trial.therapy_ids,
            trial.reference_ids,
        )
    moved_trials = {c.trial_id for c in result.changes if c.field != "url"}
    assert len(moved_trials) >= 20
    assert {"withdrawn", "completed"} <= {c.new for c in result.changes if c.field == "status"}
    assert load() == kb  # the bundled data never changes


def test_the_overlay_saved_and_merged_gives_the_same_knowledge_base(tmp_path: Path) -> None:
    """save_overlay writes a dataset file that merge(..., override=True) lays over the bundled data to the same result."""
    kb = load()
    trial = nct_trials(kb, 1)[0]
    study = study_from(trial, overallStatus="TERMINATED", statusVerifiedDate="2026-08")
    with client_for({trial.registry_ids[0]: answer(study)}) as client:
        result = refresh(kb, client=client, trials=[trial], seen_on="2026-12-06")
    path = tmp_path / "refreshed.json"
    save_overlay(result, path)
    merged = merge(load(), path, override=True).knowledge_base
    assert merged.get(trial.id, Trial) == result.knowledge_base.get(trial.id, Trial)
    assert merged.version == f"{kb.version}+registry-2026-12-06"
    with pytest.raises(stemimmune.InvalidArgumentError, match="path"):
        save_overlay(result, tmp_path / "refreshed.csv")


def test_the_mapping_takes_only_what_a_study_states() -> None:
    """A study without a module gives no key for it; a status without its date and an unknown country are not taken."""
    assert trial_fields({"protocolSection": {"identificationModule": {"nctId": "NCT" + "0" * 8}}}) == {}
    fields = trial_fields(
        {
            "protocolSection": {
                "statusModule": {"overallStatus": "RECRUITING"},
                "designModule": {"phases": ["PHASE1", "PHASE2"], "designInfo": {"allocation": "NA"}},
                "contactsLocationsModule": {"locations": [{"country": "Korea, Republic of"}, {"country": "Atlantis"}]},
            }
        }
    )
    assert fields == {"phase": "phase-1-2"}
    fields = trial_fields(
        {
            "protocolSection": {
                "statusModule": {"overallStatus": "UNKNOWN", "lastUpdatePostDateStruct": {"date": "2019-03-04"}},
                "contactsLocationsModule": {
                    "locations": [{"country": "United States"}, {"country": "Korea, Republic of"}]
                },
            }
        }
    )
    assert fields == {"status": "unknown", "status_as_of": "2019-03-04", "countries": ["KR", "US"]}
    with pytest.raises(RegistryError, match="protocolSection"):
        trial_fields({"studies": []})


def test_a_study_the_registry_does_not_have_is_listed_as_failed() -> None:
    """A 404 leaves the trial as it was and names it among the failures."""
    kb = load()
    trial = nct_trials(kb, 1)[0]
    with client_for({}) as client:
        result = refresh(kb, client=client, trials=[trial], seen_on="2026-12-06")
    assert result.changes == ()
    assert result.knowledge_base is kb
    [(trial_id, reason)] = result.failed
    assert trial_id == trial.id
    assert "no such study" in reason
    assert "HTTP 404" in reason


def test_429_waits_as_retry_after_says_then_succeeds() -> None:
    """Too many requests: the client waits the seconds Retry-After gives, then asks again."""
    kb = load()
    trial = nct_trials(kb, 1)[0]
    calls: list[int] = []

    def busy_then_fine(_request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, json=study_from(trial))

    sleeps: list[float] = []
    with client_for({trial.registry_ids[0]: busy_then_fine}, sleeps) as client:
        result = refresh(kb, client=client, trials=[trial], seen_on="2026-12-06")
    assert len(calls) == 2
    assert sleeps == [7.0]
    assert not result.failed


def test_server_errors_are_retried_with_backoff_then_reported() -> None:
    """A 503 is tried again after 0.5, 1 and 2 seconds, then reported as the registry's error."""
    kb = load()
    trial = nct_trials(kb, 1)[0]
    sleeps: list[float] = []
    with client_for({trial.registry_ids[0]: lambda _r: httpx.Response(503)}, sleeps) as client:
        with pytest.raises(RegistryError) as caught:
            client.study(trial.registry_ids[0])
        result = refresh(kb, client=client, trials=[trial], seen_on="2026-12-06")
    assert sleeps[:3] == [0.5, 1.0, 2.0]
    assert caught.value.status == 503
    assert isinstance(caught.value, OSError)
    assert "HTTP 503" in result.failed[0][1]


def test_malformed_json_and_a_broken_connection_are_the_registrys_errors() -> None:
    """Text that is not JSON, an answer about another study and a network failure all raise RegistryError."""
    nct = "NCT" + "1" * 8
    with (
        client_for({nct: lambda _r: httpx.Response(200, text="{not json")}) as client,
        pytest.raises(RegistryError, match="not JSON"),
    ):
        client.study(nct)
    other = copy.deepcopy(SHAPE)
    with client_for({nct: answer(other)}) as client, pytest.raises(RegistryError, match="answered with"):
        client.study(nct)

    def broken(_request: httpx.Request) -> httpx.Response:
        reason = "no route to host"
        raise httpx.ConnectError(reason)

    sleeps: list[float] = []
    with client_for({nct: broken}, sleeps) as client, pytest.raises(RegistryError, match="could not reach") as caught:
        client.study(nct)
    assert len(sleeps) == 3
    assert pickle.loads(pickle.dumps(caught.value)).args == caught.value.args  # noqa: S301 - our own error


def test_the_client_names_itself_keeps_its_pace_and_checks_its_arguments() -> None:
    """Every request carries a User-Agent naming the library, requests are spaced, and bad arguments are refused."""
    seen: list[httpx.Request] = []
    nct = "NCT" + "2" * 8
    study = copy.deepcopy(SHAPE)
    study["protocolSection"]["identificationModule"]["nctId"] = nct

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=study)

    sleeps: list[float] = []
    client = ClinicalTrialsGov(transport=httpx.MockTransport(record), min_interval=0.5, sleep=sleeps.append)
    with client:
        client.study(nct)
        client.study(nct.lower())
    assert all(r.headers["User-Agent"].startswith("stemimmune/") for r in seen)
    assert sleeps
    assert 0 < sleeps[0] <= 0.5
    with pytest.raises(stemimmune.InvalidArgumentError, match="nct_id"):
        client.study("NCT123")
    with pytest.raises(stemimmune.ArgumentTypeError, match="timeout"):
        ClinicalTrialsGov(timeout="soon")  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(stemimmune.InvalidArgumentError, match="seen_on"):
        refresh(load(), client=client, trials=[], seen_on="yesterday")


def test_searching_reads_every_page() -> None:
    """studies() follows nextPageToken and sends the condition and intervention queries."""
    pages = {
        None: {"studies": [{"protocolSection": {"identificationModule": {"nctId": "A"}}}], "nextPageToken": "t2"},
        "t2": {"studies": [{"protocolSection": {"identificationModule": {"nctId": "B"}}}]},
    }
    asked: list[httpx.URL] = []

    def paged(request: httpx.Request) -> httpx.Response:
        asked.append(request.url)
        return httpx.Response(200, json=pages[request.url.params.get("pageToken")])

    with ClinicalTrialsGov(transport=httpx.MockTransport(paged), min_interval=0) as client:
        found = list(client.studies(condition="lupus", intervention="mesenchymal"))
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in found] == ["A", "B"]
    assert asked[0].params["query.cond"] == "lupus"
    assert asked[0].params["query.intr"] == "mesenchymal"
    with (
        ClinicalTrialsGov(transport=httpx.MockTransport(paged), min_interval=0) as client,
        pytest.raises(stemimmune.InvalidArgumentError, match="condition"),
    ):
        list(client.studies())


@pytest.mark.live
@pytest.mark.skipif(
    os.environ.get("STEMIMMUNE_LIVE_TESTS") != "1", reason="talks to ClinicalTrials.gov: set STEMIMMUNE_LIVE_TESTS=1"
)
def test_live_the_real_registry_answers_for_a_bundled_trial() -> None:
    """Opt-in: the real API v2 gives the SCOT trial in the shape the mapping reads."""
    with ClinicalTrialsGov() as client:
        study = client.study("NCT00114530")
    fields = trial_fields(study)
    assert fields["status"] == "completed"
    assert "status_as_of" in fields


def test_the_command_prints_what_changed_and_saves_the_overlay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """stemimmune refresh-trials lists each moved field and writes a dataset file merge() reads."""
    from stemimmune import cli, registry

    kb = load()
    trial = nct_trials(kb, 1)[0]
    study = study_from(trial, overallStatus="TERMINATED", statusVerifiedDate="2026-08")
    recorded = answer(study)

    class Offline(ClinicalTrialsGov):
        def __init__(self) -> None:
            super().__init__(transport=httpx.MockTransport(recorded), min_interval=0)

    monkeypatch.setattr(registry, "ClinicalTrialsGov", Offline)
    out = tmp_path / "fresh.json"
    assert cli.main(["refresh-trials", trial.id, "--output", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert f"{trial.id}  status" in printed
    assert "terminated" in printed
    assert merge(load(), out, override=True).knowledge_base.get(trial.id, Trial).status_as_of is not None
    assert cli.main(["refresh-trials", trial.id, "--output", str(tmp_path / "fresh.csv")]) == 2
    assert "--output" in capsys.readouterr().err


def test_a_status_carries_the_date_its_source_gave() -> None:
    """A status that can still change needs its date; a date needs a status and is not after the page was read."""
    nct = ("NCT" + "3" * 8,)
    recruiting, unknown = TrialStatus.RECRUITING, TrialStatus.UNKNOWN
    Trial(id="t", registry_ids=nct, status=TrialStatus.COMPLETED)  # a final status may be undated
    Trial(id="t", registry_ids=nct, status=recruiting, status_as_of="2025-07", seen_on="2025-07-31")
    with pytest.raises(stemimmune.InvalidValueError, match="status_as_of: a status that can still change"):
        Trial(id="t", registry_ids=nct, status=recruiting)
    with pytest.raises(stemimmune.InvalidValueError, match="status_as_of: a status date needs a status"):
        Trial(id="t", registry_ids=nct, status_as_of="2025-07")
    with pytest.raises(stemimmune.InvalidValueError, match="after the page was read"):
        Trial(id="t", registry_ids=nct, status=unknown, status_as_of="2025-08", seen_on="2025-07-31")
