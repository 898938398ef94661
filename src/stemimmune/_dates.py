"""
Dates as values: :class:`PartialDate` (a year, a month or a day, as precise as a source gives it) and :func:`parse_day`.

The one rule
------------
A partial date stands for the **last day of its period**: ``2012`` for 31 December
2012, ``2012-01`` for 31 January 2012, ``2012-01-18`` for that day. An event dated by
its month or year is therefore in force from the last day of that month or year, the
first day on which it had surely happened, and never earlier: a status is never
reported before the decision had surely been taken.

Compared with a :class:`datetime.date` (a :class:`datetime.datetime` counts as its
date), a partial date is on or before the day *d* exactly when its last day is on or
before *d*. Two dates standing for the same last day are ordered coarser first (the
year ``2012``, then ``2012-12``, then ``2012-12-31``), so the order is total, and a
full date compares exactly as the :class:`datetime.date` of the same day, to which it
is also equal.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from .exceptions import InvalidArgumentError, argument_type_error


#: The forms a partial date is written in: ISO 8601 ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
PARTIAL_DATE_FORM: Final = "a date YYYY, YYYY-MM or YYYY-MM-DD that exists in the calendar"
_PARTIAL: Final = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$", re.ASCII)
_DAY: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", re.ASCII)
_DATETIME: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}", re.ASCII)


class PartialDate:
    """
    A date as precise as its source gives it: a year, a year and month, or a day.

    Immutable and hashable; written and read as ISO 8601 text (``"2012"``,
    ``"2012-01"``, ``"2012-01-18"``), which is also how the dataset files store it.
    It stands for the last day of its period when compared with a
    :class:`datetime.date` (see the module's rule).

    Attributes:
        year: The year.
        month: The month (1-12), or None for a year.
        day: The day of the month, or None for a year or a month.

    Example:
        >>> import datetime as dt
        >>> january = PartialDate.parse("2012-01")
        >>> str(january), january.first_day, january.last_day
        ('2012-01', datetime.date(2012, 1, 1), datetime.date(2012, 1, 31))
        >>> january <= dt.date(2012, 1, 30), january <= dt.date(2012, 1, 31)
        (False, True)
        >>> PartialDate.parse("2012-01-18") == dt.date(2012, 1, 18)
        True
    """

    __slots__ = ("_first", "_last", "day", "month", "year")

    year: int
    month: int | None
    day: int | None
    _first: dt.date
    _last: dt.date

    def __init__(self, year: int, month: int | None = None, day: int | None = None) -> None:
        """Build the date; ValueError if it is not a real year, month or day (a day needs a month)."""
        if day is not None and month is None:
            msg = "a day needs a month"
            raise ValueError(msg)
        if month is None:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        elif day is None:
            first = dt.date(year, month, 1)
            last = dt.date(year, month, 1) + dt.timedelta(days=_month_days(year, month) - 1)
        else:
            first = last = dt.date(year, month, day)
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "month", month)
        object.__setattr__(self, "day", day)
        object.__setattr__(self, "_first", first)
        object.__setattr__(self, "_last", last)

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse every assignment: a partial date is a value."""
        msg = f"cannot assign to field {name!r}: PartialDate is immutable"
        raise AttributeError(msg)

    def __delattr__(self, name: str) -> None:
        """Refuse every deletion: a partial date is a value."""
        msg = f"cannot delete field {name!r}: PartialDate is immutable"
        raise AttributeError(msg)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """
        Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (ISO 8601, nothing else).

        Raises:
            ValueError: *text* is not in one of these forms, or names no real month or day
                (``"2023-02-31"``, ``"2020-13"``).

        Example:
            >>> PartialDate.parse("2024-12-13")
            PartialDate('2024-12-13')
        """
        match = _PARTIAL.match(text) if isinstance(text, str) else None
        if match is None:
            msg = f"expected {PARTIAL_DATE_FORM}, got {text!r}"[:200]
            raise ValueError(msg)
        year, month, day = (int(part) if part is not None else None for part in match.groups())
        try:
            return cls(year, month, day)  # type: ignore[arg-type]  # the pattern always captures a year
        except ValueError:
            msg = f"expected {PARTIAL_DATE_FORM}, got {text!r}"
            raise ValueError(msg) from None

    @classmethod
    def of(cls, day: dt.date) -> PartialDate:
        """The full date of *day* (a :class:`datetime.datetime` gives its date)."""
        if isinstance(day, dt.datetime):
            day = day.date()
        return cls(day.year, day.month, day.day)

    @property
    def precision(self) -> str:
        """``"year"``, ``"month"`` or ``"day"``."""
        return "year" if self.month is None else "month" if self.day is None else "day"

    @property
    def first_day(self) -> dt.date:
        """The first day of the period."""
        return self._first

    @property
    def last_day(self) -> dt.date:
        """The last day of the period, which the date stands for when compared with a day."""
        return self._last

    def __str__(self) -> str:
        """The ISO 8601 text, as the dataset stores it."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __repr__(self) -> str:
        """``PartialDate('2012-01')``."""
        return f"PartialDate({str(self)!r})"

    def _key(self) -> tuple[dt.date, dt.date]:
        return self._last, self._first

    def __hash__(self) -> int:
        """Equal to the hash of the :class:`datetime.date` of the same day, for a full date."""
        return hash(self._last) if self.day is not None else hash(self._key())

    def __eq__(self, other: object) -> bool:
        """Same period; a full date also equals the :class:`datetime.date` of its day."""
        key = _key_of(other)
        return NotImplemented if key is None else self._key() == key

    def __lt__(self, other: PartialDate | dt.date) -> bool:
        """Earlier in the order of the module's rule."""
        key = _key_of(other)
        return NotImplemented if key is None else self._key() < key

    def __le__(self, other: PartialDate | dt.date) -> bool:
        """Earlier or the same in the order of the module's rule."""
        key = _key_of(other)
        return NotImplemented if key is None else self._key() <= key

    def __gt__(self, other: PartialDate | dt.date) -> bool:
        """Later in the order of the module's rule."""
        key = _key_of(other)
        return NotImplemented if key is None else self._key() > key

    def __ge__(self, other: PartialDate | dt.date) -> bool:
        """Later or the same in the order of the module's rule."""
        key = _key_of(other)
        return NotImplemented if key is None else self._key() >= key

    def __reduce__(self) -> tuple[type[PartialDate], tuple[int, int | None, int | None]]:
        """Pickle as the three numbers."""
        return PartialDate, (self.year, self.month, self.day)


def _key_of(value: object) -> tuple[dt.date, dt.date] | None:
    """The sort key of a partial date or a day (a datetime counts as its date); None for anything else."""
    if isinstance(value, PartialDate):
        return value._key()  # noqa: SLF001 - same class
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, value
    return None


def to_partial_date(value: PartialDate | str | None) -> PartialDate | str | None:
    """
    A converter for model fields: ISO text becomes a :class:`PartialDate`.

    Text that is not a real date is left as it is, for the field's validator to report
    with the field's name.
    """
    if isinstance(value, str):
        try:
            return PartialDate.parse(value)
        except ValueError:
            return value
    return value


def parse_day(value: object, argument: str = "on") -> dt.date:
    """
    The one parser of every ``on=`` argument: a day, from a date, a datetime or ISO text.

    Accepts a :class:`datetime.date`, a :class:`datetime.datetime` (its date is used) or
    ISO 8601 text ``YYYY-MM-DD`` (or an ISO date and time, ``YYYY-MM-DDTHH:MM...``).

    Raises:
        ArgumentTypeError: *value* is of another type (a number, bytes, None...).
        InvalidArgumentError: the text is not an ISO day, or names no real day.

    Example:
        >>> parse_day("2024-12-13")
        datetime.date(2024, 12, 13)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise argument_type_error(argument, "a date: a datetime.date, a datetime.datetime or 'YYYY-MM-DD'", value)
    text = value.strip()
    try:
        if _DAY.match(text):
            return dt.date.fromisoformat(text)
        if _DATETIME.match(text):
            return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    raise InvalidArgumentError(argument, f"expected a real day as YYYY-MM-DD, got {value[:40]!r}")


def today() -> dt.date:
    """The default ``on=`` of every status question: today's date on this machine's calendar."""
    return dt.date.today()  # noqa: DTZ011 - a status is asked about the user's calendar day


def _month_days(year: int, month: int) -> int:
    """The number of days of *month* in *year* (Gregorian calendar; what ``calendar.monthrange`` gives, without importing it)."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return _MONTH_DAYS[month - 1] + (leap and month == _FEBRUARY)


_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FEBRUARY: Final = 2
