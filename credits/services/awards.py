"""Scans and adjustments -> attended minutes -> awards (issue 5).

Awards are derived data, rebuilt from the facts at any time:
- `refresh_awards(event)` recomputes an event's awards when they are stale. Scans
  and adjustments are only ever appended, so their counts change exactly when
  there is something new; the setup (offerings, rules, session times, breaks) is
  fingerprinted. The check costs five small queries; a recompute costs the same
  handful of statements whatever the number of attendees (bench/credits.py).
- `recompute_awards(event, registration_ids=...)` rebuilds some or all of them;
  an adjustment recomputes its attendee at once.

Which breaks count: a non-credit session (break, meal, reception) of the same
event lying strictly inside a credit session, in the same room or in no room
(an event-wide lunch), is taken out of that session's instructional time.
Entrance scans prove presence at the event, not in a session: only scans at a
session count for that session's credit.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from checkin.models import Scan
from credits import rules
from credits.models import AttendanceAdjustment, Award, AwardState, CreditOffering
from events.models import Event, Session
from events.rows import aware

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def minutes_since_epoch(value: datetime) -> float:
    return (value - EPOCH).total_seconds() / 60


@dataclass(frozen=True)
class Setup:
    """An event's credit sessions, their offerings and breaks, loaded once."""

    offerings: dict[int, list[CreditOffering]]  # session id -> offerings
    frames: dict[int, rules.SessionFrame]
    fingerprint: str


def load_setup(event: Event) -> Setup:
    offerings: dict[int, list[CreditOffering]] = defaultdict(list)
    sessions: dict[int, Session] = {}
    for offering in (
        CreditOffering.objects.filter(session__event=event, session__is_cancelled=False)
        .select_related("rule", "session", "accreditation")
        .order_by("session_id", "accreditation_id")
    ):
        offerings[offering.session_id].append(offering)
        sessions[offering.session_id] = offering.session
    breaks = list(
        Session.objects.filter(
            event=event, kind__in=Session.NON_CREDIT_KINDS, is_cancelled=False
        ).values_list("starts_at", "ends_at", "room_id")
    )
    frames = {}
    digest = hashlib.sha256()
    for session_id, session in sessions.items():
        inside = tuple(
            (minutes_since_epoch(aware(b_start)), minutes_since_epoch(aware(b_end)))
            for b_start, b_end, room_id in breaks
            if session.starts_at < b_start
            and b_end < session.ends_at
            and room_id in (None, session.room_id)
        )
        frames[session_id] = rules.SessionFrame(
            starts=minutes_since_epoch(session.starts_at),
            ends=minutes_since_epoch(session.ends_at),
            hours_offered=Decimal("0"),  # set per offering
            breaks=inside,
            auto_checkout=session.auto_checkout,
        )
        digest.update(repr((session_id, frames[session_id])).encode())
        for offering in offerings[session_id]:
            digest.update(repr((offering.pk, offering.hours, offering.rule.snapshot())).encode())
    return Setup(dict(offerings), frames, digest.hexdigest()[:32])


def _counts(event: Event) -> tuple[int, int]:
    scans = Scan.objects.filter(event=event, result=Scan.Result.OK, session__isnull=False).count()
    adjustments = AttendanceAdjustment.objects.filter(session__event=event).count()
    return scans, adjustments


def refresh_awards(event: Event) -> bool:
    """Recompute the event's awards if a scan, an adjustment or the setup changed
    since the last time. Returns whether it recomputed."""
    # Counted before the facts are read: a scan committed in between is read now
    # and counted next time, which only costs one more recompute.
    counts = _counts(event)
    setup = load_setup(event)
    state = AwardState.objects.filter(event=event).first()
    if state and (state.scans_seen, state.adjustments_seen, state.setup_version) == (
        *counts,
        setup.fingerprint,
    ):
        return False
    with transaction.atomic():
        state, _ = AwardState.objects.select_for_update().get_or_create(event=event)
        if (state.scans_seen, state.adjustments_seen, state.setup_version) == (
            *counts,
            setup.fingerprint,
        ):
            return False  # another request just did it
        recompute_awards(event, setup=setup)
        state.scans_seen, state.adjustments_seen = counts
        state.setup_version = setup.fingerprint
        state.computed_at = timezone.now()
        state.save()
    return True


@transaction.atomic
def recompute_awards(
    event: Event, *, registration_ids: Iterable[int] | None = None, setup: Setup | None = None
) -> int:
    """Rebuild awards from scans and adjustments; returns how many there are now."""
    setup = setup or load_setup(event)
    only = None if registration_ids is None else list(registration_ids)
    scans = Scan.objects.filter(
        event=event, result=Scan.Result.OK, session_id__in=list(setup.frames)
    )
    adjustments = AttendanceAdjustment.objects.filter(session_id__in=list(setup.frames))
    stale = Award.objects.filter(session__event=event)
    if only is not None:
        scans = scans.filter(registration_id__in=only)
        adjustments = adjustments.filter(registration_id__in=only)
        stale = stale.filter(registration_id__in=only)

    seen: dict[tuple[int, int], list[tuple[float, str]]] = defaultdict(list)
    first_last: dict[tuple[int, int], list] = {}
    for registration_id, session_id, at, direction in scans.values_list(
        "registration_id", "session_id", "scanned_at", "direction"
    ).iterator(chunk_size=5000):
        key = (registration_id, session_id)
        at = aware(at)
        seen[key].append((minutes_since_epoch(at), direction))
        bounds = first_last.setdefault(key, [None, None])
        if direction == "in" and (bounds[0] is None or at < bounds[0]):
            bounds[0] = at
        if direction == "out" and (bounds[1] is None or at > bounds[1]):
            bounds[1] = at
    changes: dict[tuple[int, int], tuple[list, list]] = defaultdict(lambda: ([], []))
    for registration_id, session_id, kind, starts_at, ends_at in adjustments.values_list(
        "registration_id", "session_id", "kind", "starts_at", "ends_at"
    ):
        frame = setup.frames[session_id]
        span = (
            (frame.starts, frame.ends)
            if kind == AttendanceAdjustment.Kind.PRESENT
            else (minutes_since_epoch(aware(starts_at)), minutes_since_epoch(aware(ends_at)))
        )
        changes[(registration_id, session_id)][kind == AttendanceAdjustment.Kind.REMOVE].append(
            span
        )

    now = timezone.now()
    rows = []
    snapshots = {}  # one serialised rule per offering, not one per award
    for key in seen.keys() | changes.keys():
        registration_id, session_id = key
        intervals, open_since = rules.intervals_from_scans(seen.get(key, ()))
        added, removed = changes.get(key, ([], []))
        presence = rules.Presence(intervals, open_since, tuple(added), tuple(removed))
        frame = setup.frames[session_id]
        first_in, last_out = first_last.get(key, (None, None))
        for offering in setup.offerings[session_id]:
            if offering.pk not in snapshots:
                snapshots[offering.pk] = (offering.rule.as_rule(), offering.rule.snapshot())
            rule, snapshot = snapshots[offering.pk]
            outcome = rules.judge(
                rule,
                rules.SessionFrame(
                    frame.starts, frame.ends, offering.hours, frame.breaks, frame.auto_checkout
                ),
                presence,
            )
            rows.append(
                (
                    registration_id,
                    session_id,
                    offering.pk,
                    outcome.minutes,
                    outcome.hours,
                    snapshot,
                    "\n".join(outcome.reasons),
                    outcome.needs_review,
                    first_in,
                    last_out,
                    now,
                )
            )
    stale.delete()
    _insert(rows)
    return len(rows)


AWARD_COLUMNS = (
    "registration_id",
    "session_id",
    "offering_id",
    "minutes",
    "hours",
    "rule",
    "reasons",
    "needs_review",
    "first_in",
    "last_out",
    "computed_at",
)
RULE_COLUMN = AWARD_COLUMNS.index("rule")


def _insert(rows: list[tuple]) -> None:
    """One COPY on PostgreSQL however many rows; batched inserts elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Award.objects.bulk_create(
            (Award(**dict(zip(AWARD_COLUMNS, row, strict=True))) for row in rows), batch_size=500
        )
        return
    encoded: dict[int, str] = {}  # the same few rule snapshots, serialised once
    columns = ", ".join(AWARD_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Award._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            snapshot = row[RULE_COLUMN]
            text = encoded.get(id(snapshot))
            if text is None:
                text = encoded[id(snapshot)] = json.dumps(snapshot)
            copy.write_row((*row[:RULE_COLUMN], text, *row[RULE_COLUMN + 1 :]))
