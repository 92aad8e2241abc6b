"""Attended minutes -> CE credit, by an accreditor's attendance rule.

Pure Python, no Django import: it is the part auditors ask about, so it is easy
to read, test (tests/credits/test_rules.py, with hypothesis) and benchmark.
Times are plain numbers of minutes (any origin, the same for every argument);
the caller converts datetimes.

How a session is judged:
1. Presence intervals come from in/out scans paired in time order
   (`intervals_from_scans`), plus organizer adjustments (added or removed periods).
2. They are clipped to the session, merged, and non-credit breaks inside the
   session (lunch) are taken out: that gives the attended instructional minutes.
3. The rule decides. Full-attendance rules (no partial credit) give all the hours
   offered or none: late arrival, early departure and the longest absence must
   each stay within the rule's grace. Partial rules give the attended minutes
   divided by the minutes of a credit hour, rounded down to the increment.
An interval with no exit scan is closed at the session's end only when the
session checks people out automatically and the rule does not demand an exit
scan; otherwise it earns nothing and the award is flagged for organizer review.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

Interval = tuple[float, float]


@dataclass(frozen=True)
class Rule:
    """An attendance rule. Increment 0 means full attendance or nothing."""

    name: str
    minutes_per_hour: int = 60
    partial_increment: Decimal = Decimal("0")
    late_grace: int = 15
    early_grace: int = 15
    max_absence: int = 15
    requires_exit_scan: bool = False

    @property
    def allows_partial(self) -> bool:
        return self.partial_increment > 0


PRESETS: dict[str, Rule] = {
    "apa": Rule(name="APA-style: full attendance, no partial credit"),
    "aswb": Rule(
        name="ASWB-style: entry and exit scans, full session",
        requires_exit_scan=True,
    ),
    "naadac": Rule(
        name="NAADAC-style: partial credit for time attended, quarter hours",
        partial_increment=Decimal("0.25"),
        late_grace=0,
        early_grace=0,
        max_absence=0,
    ),
    "board": Rule(
        name="Board-style: 50 minutes of instruction an hour, half hours",
        minutes_per_hour=50,
        partial_increment=Decimal("0.5"),
        late_grace=0,
        early_grace=0,
        max_absence=0,
    ),
}


@dataclass(frozen=True)
class SessionFrame:
    starts: float
    ends: float
    hours_offered: Decimal
    breaks: tuple[Interval, ...] = ()  # non-credit periods inside the session
    auto_checkout: bool = False


@dataclass(frozen=True)
class Presence:
    intervals: tuple[Interval, ...]  # closed (in, out) pairs
    open_since: float | None = None  # an "in" with no "out" after it
    adjusted_in: tuple[Interval, ...] = ()  # organizer: present in these periods
    adjusted_out: tuple[Interval, ...] = ()  # organizer: absent in these periods


@dataclass(frozen=True)
class Outcome:
    hours: Decimal
    minutes: int  # attended instructional minutes
    instructional_minutes: int
    reasons: tuple[str, ...] = field(default=())
    needs_review: bool = False


def intervals_from_scans(
    scans: Iterable[tuple[float, str]],
) -> tuple[tuple[Interval, ...], float | None]:
    """Pair accepted scans into presence intervals, whatever order they arrive in.

    Sorted by time, with "in" before "out" at the same instant; a second "in"
    while inside and an "out" while outside are ignored. Returns the closed
    intervals and the start of an interval still open, if any."""
    ordered = sorted(scans, key=lambda s: (s[0], 0 if s[1] == "in" else 1))
    closed: list[Interval] = []
    opened: float | None = None
    for at, direction in ordered:
        if direction == "in" and opened is None:
            opened = at
        elif direction == "out" and opened is not None:
            closed.append((opened, at))
            opened = None
    return tuple(closed), opened


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def subtract(intervals: Sequence[Interval], holes: Iterable[Interval]) -> list[Interval]:
    pieces = list(intervals)
    for h_start, h_end in merge(holes):
        next_pieces: list[Interval] = []
        for start, end in pieces:
            if h_end <= start or h_start >= end:
                next_pieces.append((start, end))
                continue
            if start < h_start:
                next_pieces.append((start, h_start))
            if h_end < end:
                next_pieces.append((h_end, end))
        pieces = next_pieces
    return pieces


def clip(intervals: Iterable[Interval], low: float, high: float) -> list[Interval]:
    return merge((max(s, low), min(e, high)) for s, e in intervals)


def total(intervals: Iterable[Interval]) -> float:
    return sum(e - s for s, e in intervals)


def _floor_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def _minutes(value: float) -> int:
    # Scan times carry seconds: count whole minutes, never rounding up.
    return math.floor(value + 1e-9)


def judge(rule: Rule, frame: SessionFrame, presence: Presence) -> Outcome:
    """The credit this presence earns in this session under this rule."""
    breaks = clip(frame.breaks, frame.starts, frame.ends)
    teaching = subtract([(frame.starts, frame.ends)], breaks)
    instructional = _minutes(total(teaching))
    notes: list[str] = []
    unreviewed_open = False

    intervals = list(presence.intervals)
    if presence.open_since is not None:
        if frame.auto_checkout and not rule.requires_exit_scan:
            intervals.append((presence.open_since, frame.ends))
        elif presence.open_since < frame.ends:
            unreviewed_open = not (presence.adjusted_in or presence.adjusted_out)
            notes.append("no exit scan: time after the last entry is not counted")
    intervals += presence.adjusted_in
    present = subtract(clip(intervals, frame.starts, frame.ends), presence.adjusted_out)
    attended = subtract(present, breaks)
    minutes = _minutes(total(attended))
    label = rule.name.split(":")[0]

    if not attended:
        notes.append("no attendance recorded")
        return Outcome(Decimal("0"), 0, instructional, tuple(notes), unreviewed_open)

    if rule.allows_partial:
        per_hour = Decimal(rule.minutes_per_hour)
        earned = _floor_to(Decimal(minutes) / per_hour, rule.partial_increment)
        hours = min(earned, frame.hours_offered)
        if hours < frame.hours_offered:
            notes.append(
                f"attended {minutes} of {instructional} instructional minutes; {label} rule "
                f"counts {rule.minutes_per_hour} minutes an hour, "
                f"in steps of {rule.partial_increment.normalize()} h"
            )
        return Outcome(hours, minutes, instructional, tuple(notes), unreviewed_open)

    late = _minutes(max(0.0, attended[0][0] - teaching[0][0]))
    early = _minutes(max(0.0, teaching[-1][1] - attended[-1][1]))
    inner_gaps = [
        g for g in subtract(teaching, attended)
        if g[0] > teaching[0][0] and g[1] < teaching[-1][1]
    ]  # fmt: skip
    longest = _minutes(max((e - s for s, e in inner_gaps), default=0.0))
    shortfalls = []
    if late > rule.late_grace:
        shortfalls.append(f"arrived {late} minutes late; {label} rule allows {rule.late_grace}")
    if early > rule.early_grace:
        shortfalls.append(f"left {early} minutes early; {label} rule allows {rule.early_grace}")
    if longest > rule.max_absence:
        shortfalls.append(
            f"away for {longest} minutes in a row; {label} rule allows {rule.max_absence}"
        )
    if not shortfalls:
        # Whatever the open interval held, what was verified meets the rule.
        return Outcome(frame.hours_offered, minutes, instructional, (), False)
    return Outcome(Decimal("0"), minutes, instructional, (*notes, *shortfalls), unreviewed_open)
