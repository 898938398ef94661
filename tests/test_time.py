"""
Time, status and jurisdictions (issue 20): dates as values, one status, and the loader's time rules.

The status table is checked by hand against the sources the data cites (the regulators'
pages and their reproductions), not computed; the date properties follow the rule
documented in :mod:`stemimmune._dates`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stemimmune
from stemimmune import find_problems
from stemimmune._dates import PartialDate, parse_day, today
from stemimmune.cli import main
from stemimmune.exceptions import ArgumentTypeError, DatasetError, InvalidArgumentError, InvalidValueError
from stemimmune.model import Citation, Product, RegulatoryEvent, Trial
from stemimmune.vocabulary import JURISDICTIONS, RegulatoryDecision, parse_jurisdiction


KB = stemimmune.load()
APPROVED = RegulatoryDecision.APPROVED
CONDITIONAL = RegulatoryDecision.CONDITIONALLY_APPROVED
WITHDRAWN = RegulatoryDecision.WITHDRAWN
NOT_APPROVED = RegulatoryDecision.NOT_APPROVED
EXPIRED = RegulatoryDecision.EXPIRED
EXEMPTION = RegulatoryDecision.HOSPITAL_EXEMPTION

# (product, jurisdiction, day) -> status, each row read off the sources by hand:
STATUS_TABLE: list[tuple[str, str, dt.date, RegulatoryDecision | None]] = [
    # Alofisel, EU: CHMP opinion 14 Dec 2017 (sets no status), EC authorisation 23 Mar 2018, withdrawn 13 Dec 2024.
    ("alofisel", "EU", dt.date(2017, 12, 14), None),
    ("alofisel", "EU", dt.date(2018, 3, 22), None),
    ("alofisel", "EU", dt.date(2018, 3, 23), APPROVED),
    ("alofisel", "EU", dt.date(2024, 12, 12), APPROVED),
    ("alofisel", "EU", dt.date(2024, 12, 13), WITHDRAWN),
    ("alofisel", "EU", dt.date(2025, 6, 1), WITHDRAWN),
    # Alofisel, Japan: approved 27 Sep 2021; never authorised in the US.
    ("alofisel", "JP", dt.date(2021, 9, 26), None),
    ("alofisel", "JP", dt.date(2021, 9, 27), APPROVED),
    ("alofisel", "US", dt.date(2025, 1, 1), None),
    # Ryoncil, US: complete response letters in Oct 2020 (month only) and Aug 2023; licence 18 Dec 2024.
    ("ryoncil", "US", dt.date(2020, 10, 1), None),  # a month-only date on its first day: not yet
    ("ryoncil", "US", dt.date(2020, 10, 30), None),
    ("ryoncil", "US", dt.date(2020, 10, 31), NOT_APPROVED),  # ... in force from the month's last day
    ("ryoncil", "US", dt.date(2024, 12, 17), NOT_APPROVED),
    ("ryoncil", "US", dt.date(2024, 12, 18), APPROVED),
    # Prochymal, New Zealand: provisional consent June 2012; renewed (notice of 30 May 2014) for two
    # years from 14 June 2014 (NZ Gazette 2014-go3437); no later renewal seen: it lapses on 14 June 2016.
    ("ryoncil", "NZ", dt.date(2012, 6, 1), None),
    ("ryoncil", "NZ", dt.date(2012, 6, 30), CONDITIONAL),
    ("ryoncil", "NZ", dt.date(2016, 6, 13), CONDITIONAL),
    ("ryoncil", "NZ", dt.date(2016, 6, 14), EXPIRED),
    # Prochymal, Canada: NOC/c on 17 May 2012, recorded as 2012-05.
    ("ryoncil", "CA", dt.date(2012, 5, 17), None),
    ("ryoncil", "CA", dt.date(2012, 5, 31), CONDITIONAL),
    # Cupistem, Korea: approved in January 2012 (about the 18th), recorded as 2012-01.
    ("cupistem", "KR", dt.date(2012, 1, 1), None),
    ("cupistem", "KR", dt.date(2012, 1, 31), APPROVED),
    ("cupistem", "KR", dt.date(2012, 2, 1), APPROVED),
    # Obnitix (MSC-FFM), Germany: a hospital exemption no source dates, reported in force by the
    # Bonig et al. paper published on 5 Dec 2019.
    ("msc-ffm", "DE", dt.date(2019, 12, 4), None),
    ("msc-ffm", "DE", dt.date(2019, 12, 5), EXEMPTION),
    # Strimvelis, EU: CHMP opinion 1 Apr 2016 (sets no status), EC authorisation 26 May 2016.
    ("strimvelis", "EU", dt.date(2016, 4, 1), None),
    ("strimvelis", "EU", dt.date(2016, 5, 26), APPROVED),
]


@pytest.mark.parametrize(("product", "place", "day", "expected"), STATUS_TABLE)
def test_status_table(product: str, place: str, day: dt.date, expected: RegulatoryDecision | None) -> None:
    """Product.status gives the status the sources show, for a datetime.date, a datetime and ISO text alike."""
    record = KB.get(product, Product)
    with pytest.raises(InvalidArgumentError, match=r"^on: "):
        record.status(place, f"{day.isoformat()}x")  # and the same question with a malformed day is refused
    assert expected is record.status(place, day)
    assert expected is record.status(place, dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC))
    assert expected is record.status(place.lower(), day.isoformat())


def test_status_today_is_the_default() -> None:
    """Without on=, the status is today's: Alofisel is withdrawn in the EU, Prochymal's NZ consent has lapsed."""
    assert WITHDRAWN is KB.get("alofisel", Product).status("EU")
    assert EXPIRED is KB.get("ryoncil", Product).status("NZ")
    assert EXEMPTION is KB.get("msc-ffm", Product).status("DE")


def test_a_future_decision_does_not_count_yet() -> None:
    """A decision dated after on= (here a year from today) does not count until its day."""
    alofisel = KB.get("alofisel", Product)
    later = today() + dt.timedelta(days=365)
    renewed = RegulatoryEvent(
        jurisdiction="EU",
        agency="EMA",
        decision=APPROVED,
        date=later.isoformat(),
        citations=(Citation(reference_id="ema-alofisel-product-record"),),
    )
    elsewhere = attrs.evolve(renewed, jurisdiction="CH")
    future = attrs.evolve(alofisel, events=(*alofisel.events, renewed, elsewhere))
    assert not future.ever("approved", "CH")  # nor does it count as 'ever' before its day
    assert None is future.status("CH")
    assert WITHDRAWN is future.status("EU")
    assert WITHDRAWN is future.status("EU", later - dt.timedelta(days=1))
    assert APPROVED is future.status("EU", later)
    kb = attrs.evolve(KB, products=tuple(future if p.id == "alofisel" else p for p in KB.products))
    assert "alofisel" not in [p.id for p in kb.find_products(jurisdiction="EU", status="approved")]
    assert "alofisel" in [p.id for p in kb.find_products(jurisdiction="EU", status="approved", on=later)]


def test_ever_is_the_historical_question() -> None:
    """Product.ever answers 'ever had this decision', which status() does not."""
    alofisel = KB.get("alofisel", Product)
    assert alofisel.ever("approved", "EU")
    assert alofisel.ever(RegulatoryDecision.DESIGNATED)  # undated designations count
    assert not alofisel.ever("approved", "US")
    assert KB.get("ryoncil", Product).ever("expired", "NZ")
    assert not KB.get("ryoncil", Product).ever("withdrawn")


# ------------------------------------------------------------------ arguments

BAD_DAYS_VALUE: list[object] = ["yesterday", "2020-13-45", "23/03/2018", "20241212", "2018", "2023-02-31", ""]
BAD_DAYS_TYPE: list[object] = [5, 3.5, b"2020-01-01", ["2020-01-01"]]


def _calls(on: Any) -> list[Any]:
    alofisel = KB.get("alofisel", Product)
    return [
        lambda: alofisel.status("EU", on),
        lambda: KB.find_products(status="approved", on=on),
        lambda: KB.find_therapies(regulatory="approved", on=on),
        lambda: KB.therapies_for("Crohn's disease", regulatory="approved", on=on),
        lambda: KB.find_indications(regulatory="approved", jurisdiction="EU", on=on),
    ]


@pytest.mark.parametrize("on", BAD_DAYS_VALUE)
def test_every_on_refuses_text_that_is_not_a_real_iso_day(on: object) -> None:
    """Every on= reads text with one parser: YYYY-MM-DD naming a real day, nothing else."""
    for call in _calls(on):
        with pytest.raises(InvalidArgumentError, match=r"^on: .*YYYY-MM-DD"):
            call()


@pytest.mark.parametrize("on", BAD_DAYS_TYPE)
def test_every_on_refuses_other_types(on: object) -> None:
    """Every on= refuses numbers, bytes and lists with the library's type error naming on and the forms."""
    for call in _calls(on):
        with pytest.raises(ArgumentTypeError, match=r"datetime\.date"):
            call()


def test_on_accepts_dates_datetimes_and_iso_text_alike() -> None:
    """A date, a datetime and ISO text for the same day give the same answers everywhere."""
    day = dt.date(2020, 1, 1)
    for on in (day, dt.datetime(2020, 1, 1, 23, 59, tzinfo=dt.UTC), "2020-01-01", "2020-01-01T08:00"):
        assert day == parse_day(on)
        assert ["adipose-msc-therapy", "gene-corrected-autologous-hsc"] == [
            t.id for t in KB.find_therapies(regulatory="approved", jurisdiction="EU", on=on)
        ]


def test_on_and_jurisdiction_need_regulatory() -> None:
    """on= and jurisdiction= alone would be ignored, so they are refused."""
    with pytest.raises(InvalidArgumentError, match=r"^on: needs regulatory="):
        KB.find_therapies(on="2020-01-01")
    with pytest.raises(InvalidArgumentError, match=r"^jurisdiction: needs regulatory="):
        KB.find_therapies(jurisdiction="EU")


def test_regulatory_takes_only_statuses() -> None:
    """regulatory= is a status; a designation or an opinion sets none (Product.ever answers those)."""
    with pytest.raises(InvalidArgumentError, match=r"^regulatory: 'designated' does not set a status"):
        KB.find_therapies(regulatory="designated")


@pytest.mark.parametrize(("name", "code"), [("United States", "US"), ("europe", "EU"), ("Japan", "JP"), ("UK", "GB")])
def test_a_jurisdiction_name_is_refused_with_its_code_suggested(name: str, code: str) -> None:
    """A country's name is not a code: status, find_products and the regulatory filter suggest the code."""
    product = KB.get("alofisel", Product)
    for call in (
        lambda: product.status(name),
        lambda: KB.find_products(jurisdiction=name),
        lambda: KB.find_therapies(regulatory="approved", jurisdiction=name),
    ):
        with pytest.raises(InvalidArgumentError, match=f"^jurisdiction: .*did you mean '{code}'"):
            call()


@pytest.mark.parametrize("value", [b"EU", 5, None, ["EU"]])
def test_a_jurisdiction_of_another_type_is_a_type_error(value: object) -> None:
    """Bytes, numbers and lists are not jurisdictions."""
    with pytest.raises(ArgumentTypeError, match=r"^jurisdiction"):
        KB.get("alofisel", Product).status(value)  # type: ignore[arg-type]


def test_jurisdiction_codes_are_iso_plus_eu() -> None:
    """The vocabulary holds the ISO 3166-1 alpha-2 codes (249) and EU, and every code the data uses."""
    assert 250 == len(JURISDICTIONS)
    assert {"US", "EU", "GB", "JP", "DE", "NZ", "KR", "CN"} <= set(JURISDICTIONS)
    assert "UK" not in JURISDICTIONS
    used = {e.jurisdiction for p in KB.products for e in p.events} | {c for t in KB.trials for c in t.countries}
    assert used <= set(JURISDICTIONS)
    assert "US" == parse_jurisdiction(" us ")


@pytest.mark.parametrize("code", ["UK", "XX", "United States", "us"])
def test_the_loader_refuses_a_jurisdiction_that_is_not_a_code(code: str) -> None:
    """Data must write jurisdictions as codes in capitals: 'UK', 'XX', names and lower case are refused."""
    with pytest.raises(InvalidValueError, match=r"^jurisdiction: .*ISO 3166-1"):
        RegulatoryEvent(
            jurisdiction=code, agency="x", decision=APPROVED, date="2020", citations=(Citation(reference_id="r"),)
        )


# ------------------------------------------------------------------ filters and the one status


def _oracle_therapies(decision: RegulatoryDecision, place: str | None, day: dt.date) -> list[str]:
    """The documented rule: therapies with a product whose status (Product.status) is *decision*."""
    return sorted(
        {
            p.therapy_id
            for p in KB.products
            for where in ([place] if place else {e.jurisdiction for e in p.events})
            if p.status(where, day) is decision
        }
    )


@pytest.mark.parametrize(
    "day", [dt.date(2012, 1, 15), dt.date(2019, 1, 1), dt.date(2024, 12, 12), dt.date(2024, 12, 13)]
)
@pytest.mark.parametrize("place", [None, "EU", "US", "NZ", "KR", "DE"])
def test_find_therapies_reads_product_status(place: str | None, day: dt.date) -> None:
    """find_therapies(regulatory=, jurisdiction=, on=) is Product.status, for every status."""
    for decision in (d for d in RegulatoryDecision if d.sets_status):
        found = KB.find_therapies(regulatory=decision, jurisdiction=place, on=day)
        assert _oracle_therapies(decision, place, day) == [t.id for t in found]


def test_alofisel_withdrawal_removes_its_therapy_from_approved_eu_options() -> None:
    """After 13 Dec 2024 adipose MSC therapy is no longer an approved EU option, for Crohn's disease or at all."""
    assert "adipose-msc-therapy" not in [t.id for t in KB.find_therapies(regulatory="approved", jurisdiction="EU")]
    assert not KB.therapies_for("Crohn's disease", regulatory="approved", jurisdiction="EU")
    withdrawn = KB.therapies_for("Crohn's disease", regulatory="withdrawn", jurisdiction="EU")
    assert ["adipose-msc-therapy"] == [o.therapy.id for o in withdrawn]
    before = KB.therapies_for("Crohn's disease", regulatory="approved", jurisdiction="EU", on="2024-12-12")
    assert ["adipose-msc-therapy"] == [o.therapy.id for o in before]


def test_find_products_reads_product_status_including_undated_and_lapsed() -> None:
    """find_products(status=) finds the hospital exemption and the lapsed consent, as status() reports them."""
    assert ["msc-ffm"] == [p.id for p in KB.find_products(status="hospital-exemption")]
    assert ["ryoncil"] == [p.id for p in KB.find_products(status="expired", jurisdiction="NZ")]
    assert not KB.find_products(status="conditionally-approved", jurisdiction="NZ")
    assert not KB.find_products(status="approved", jurisdiction="KR", on="2012-01-15")
    assert ["cupistem"] == [p.id for p in KB.find_products(status="approved", jurisdiction="KR", on="2012-01-31")]


# ------------------------------------------------------------------ the CLI


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("status", "on"),
    [
        ("approved", "2024-12-12"),
        ("withdrawn", "2024-12-13"),
        ("approved", "2012-01-15"),
        ("conditionally-approved", "2016-06-13"),
        ("expired", "2016-06-14"),
        ("hospital-exemption", None),
        ("not-approved", "2020-10-31"),
    ],
)
def test_products_filter_and_status_column_agree(
    capsys: pytest.CaptureFixture[str], status: str, on: str | None
) -> None:
    """Every product `products --status S --on D` lists shows S in its status column, and no other product has S."""
    argv = ["products", "--status", status, "--json", *(["--on", on] if on else [])]
    code, out, err = _cli(capsys, *argv)
    assert 0 == code, err
    rows = json.loads(out)
    day = today() if on is None else dt.date.fromisoformat(on)
    for row in rows:
        assert status in [part.split(" ", 1)[1] for part in row["status"].split("; ")], row
    expected = sorted(
        p.id for p in KB.products if any(p.status(e.jurisdiction, day) is RegulatoryDecision(status) for e in p.events)
    )
    assert expected == [row["product"] for row in rows]


def test_products_on_the_day_before_withdrawal(capsys: pytest.CaptureFixture[str]) -> None:
    """On 12 Dec 2024 Alofisel is approved in the EU, in the list and in its row; from 13 Dec (any time), not listed."""
    code, out, _ = _cli(capsys, "products", "--status", "approved", "--jurisdiction", "EU", "--on", "2024-12-12")
    assert 0 == code
    row = next(line for line in out.splitlines() if line.startswith("alofisel"))
    assert row.rstrip().endswith("EU approved")
    code, out, err = _cli(
        capsys, "products", "--status", "approved", "--jurisdiction", "eu", "--on", "2024-12-13T00:00"
    )
    assert 0 == code, err
    assert "alofisel" not in out
    code, out, err = _cli(
        capsys, "products", "--status", "withdrawn", "--jurisdiction", "EU", "--on", "2024-12-13T00:00"
    )
    assert 0 == code, err
    assert next(line for line in out.splitlines() if line.startswith("alofisel")).rstrip().endswith("EU withdrawn")


def test_cli_on_takes_only_iso_days(capsys: pytest.CaptureFixture[str]) -> None:
    """`--on 20241212` is refused (exit 2, one line naming on), not read one way by the filter and another by the column."""
    code, out, err = _cli(capsys, "products", "--status", "approved", "--on", "20241212")
    assert 2 == code
    assert "" == out
    assert "on: expected a real day as YYYY-MM-DD" in err


def test_cli_therapies_on(capsys: pytest.CaptureFixture[str]) -> None:
    """`therapies --regulatory approved --jurisdiction EU --on D` answers for that day; today Alofisel is withdrawn."""
    base = ["therapies", "Crohn's disease", "--regulatory", "approved", "--jurisdiction", "EU", "--json"]
    code, out, err = _cli(capsys, *base, "--on", "2020-01-01")
    assert 0 == code, err
    assert ["adipose-msc-therapy"] == [row["therapy"] for row in json.loads(out)]
    code, out, err = _cli(capsys, *base)
    assert 0 == code, err
    assert [] == json.loads(out)
    code, _, err = _cli(capsys, *base[:-1], "--jurisdiction", "United States")
    assert 2 == code
    assert "did you mean 'US'" in err


# ------------------------------------------------------------------ dates as values

days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
precisions = st.sampled_from(["year", "month", "day"])


def _partial(day: dt.date, precision: str) -> PartialDate:
    if precision == "year":
        return PartialDate(day.year)
    if precision == "month":
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


partials = st.builds(_partial, days, precisions)


@given(days, precisions)
def test_partial_dates_round_trip_as_iso_text(day: dt.date, precision: str) -> None:
    """parse(str(d)) == d, and the text is the ISO form the dataset files hold."""
    date = _partial(day, precision)
    text = str(date)
    assert text == day.isoformat()[: {"year": 4, "month": 7, "day": 10}[precision]]
    assert date == PartialDate.parse(text)
    assert hash(date) == hash(PartialDate.parse(text))


@given(days, precisions)
def test_a_partial_date_spans_its_whole_period(day: dt.date, precision: str) -> None:
    """A year runs from 1 January to 31 December, a month from its 1st to its last day, a day is itself."""
    date = _partial(day, precision)
    if precision == "year":
        assert (dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)) == (date.first_day, date.last_day)
    elif precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        assert (day.replace(day=1), day.replace(day=last)) == (date.first_day, date.last_day)
    else:
        assert (day, day) == (date.first_day, date.last_day)
    assert precision == date.precision


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(29, 31))
def test_only_real_calendar_days_parse(year: int, month: int, day: int) -> None:
    """A day parses exactly when the calendar has it (2023-02-29 and 2023-02-31 do not)."""
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if day <= calendar.monthrange(year, month)[1]:
        assert dt.date(year, month, day) == PartialDate.parse(text)
    else:
        with pytest.raises(ValueError, match="exists in the calendar"):
            PartialDate.parse(text)


@given(partials, days)
def test_a_partial_date_counts_from_the_last_day_of_its_period(date: PartialDate, day: dt.date) -> None:
    """The documented rule: P <= d exactly when d is on or after P's last day; so never inside the period before it."""
    assert (date <= day) == (day >= date.last_day)
    if date.first_day <= day < date.last_day:
        assert date > day
        assert day < date


@given(st.lists(st.one_of(partials, days), min_size=2, max_size=6))
def test_the_order_is_total_and_consistent_with_dates(values: list[PartialDate | dt.date]) -> None:
    """Exactly one of <, ==, > holds for any two values; full dates order and equal as datetime.date does."""
    for a in values:
        for b in values:
            assert 1 == [a < b, a == b, a > b].count(True), (a, b)
            if isinstance(a, dt.date) and isinstance(b, dt.date):
                assert (PartialDate.of(a) < PartialDate.of(b)) == (a < b)
                assert PartialDate.of(a) == a
                assert hash(PartialDate.of(a)) == hash(a)
    ordered = sorted(values)
    for first, second in itertools.pairwise(ordered):
        assert first <= second


def test_partial_dates_are_immutable_values() -> None:
    """A PartialDate cannot change, and equal dates are one set member."""
    date = PartialDate.parse("2012-01")
    with pytest.raises(AttributeError):
        date.year = 2013
    assert {date, PartialDate(2012, 1)} == {date}
    assert "PartialDate('2012-01')" == repr(date)


# ------------------------------------------------------------------ the loader's time rules


def _registry(prefix: str, number: int) -> str:
    """A made-up registry id (built, so that no real-looking id sits in the source)."""
    return f"{prefix}{number:08d}"


A, B, C = _registry("NCT", 1234567), _registry("NCT", 7654321), _registry("ISRCTN", 12345678)


def _dataset(**collections: Any) -> str:
    return json.dumps({"dataset_version": "test", **collections})


def test_the_loader_refuses_a_day_the_calendar_lacks() -> None:
    """2023-02-31 is refused when the data is read, with its place and the expected form; the files keep ISO text."""
    with pytest.raises(DatasetError) as error:
        stemimmune.loads(_dataset(trials=[{"id": A.lower(), "registry_ids": [A], "start_date": "2023-02-31"}]))
    problem = error.value.problems[0]
    assert "start_date" in str(problem.path if hasattr(problem, "path") else problem)
    assert "exists in the calendar" in str(problem)
    kb = stemimmune.loads(_dataset(trials=[{"id": A.lower(), "registry_ids": [A], "start_date": "2023-02"}]))
    assert PartialDate(2023, 2) == kb.trials[0].start_date
    assert '"start_date": "2023-02"' in stemimmune.dumps(kb)


def test_a_trial_cannot_start_after_it_completes() -> None:
    """A start whose period begins after the completion's ends is a problem on start_date; overlapping periods are not."""
    late = Trial(id=A.lower(), registry_ids=(A,), start_date="2020-05", completion_date="2019")
    fine = Trial(id=B.lower(), registry_ids=(B,), start_date="2019", completion_date="2019-03")
    problems = find_problems({"trials": [late, fine]})
    assert [("trials", 0, "start_date")] == [(p.collection, p.index, p.field) for p in problems]
    assert "on or before the completion date 2019" in (problems[0].expected or "")


def test_one_registry_id_per_trial() -> None:
    """Two trials claiming one registry id is a problem on the second."""
    first = Trial(id=A.lower(), registry_ids=(A,))
    second = Trial(id="scot", registry_ids=(C, A))
    problems = find_problems({"trials": [first, second]})
    assert [("trials", 1, "registry_ids")] == [(p.collection, p.index, p.field) for p in problems]
    assert f"{A!r} is claimed by 'scot' (trials) and by {A.lower()!r} (trials)" in problems[0].message


def test_a_withdrawal_cannot_come_before_the_authorisation_it_ends() -> None:
    """A withdrawal dated before every authorisation in its jurisdiction is a problem; after one, it is not."""
    alofisel = KB.get("alofisel", Product)
    early = attrs.evolve(alofisel.events[-1], date="2017")  # withdrawn in 2017, before the 2018 EU authorisation
    broken = attrs.evolve(alofisel, events=(*alofisel.events[:-1], early))
    collections = {**KB.collections(), "products": tuple(broken if p.id == "alofisel" else p for p in KB.products)}
    problems = [p for p in find_problems(collections) if p.collection == "products"]
    assert [f"events[{len(alofisel.events) - 1}].date"] == [p.field for p in problems]
    assert "before every authorisation" in problems[0].message


def test_a_status_setting_decision_needs_a_date_or_in_force_by() -> None:
    """An undated authorisation is refused (it could never be placed in time); a dated one may carry an expiry."""
    with pytest.raises(InvalidValueError, match=r"^date: .*sets a status"):
        RegulatoryEvent(jurisdiction="DE", agency="x", decision=EXEMPTION, citations=(Citation(reference_id="r"),))
    with pytest.raises(InvalidValueError, match=r"^expires: "):
        RegulatoryEvent(
            jurisdiction="NZ",
            agency="x",
            decision=CONDITIONAL,
            date="2014-05-30",
            expires="2014-05-30",
            citations=(Citation(reference_id="r"),),
        )
