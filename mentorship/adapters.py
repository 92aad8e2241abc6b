"""Enrollments -> the engine's plain dataclasses (mentorship.matching)."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from mentorship import matching
from mentorship.models import MenteeEnrollment, MentorEnrollment, Program
from mentorship.vocab import CAREER_STAGE_YEARS, PracticeSetting, Profession, Region

_SETTINGS = dict(PracticeSetting.choices)
_PROFESSIONS = dict(Profession.choices)
_REGIONS = dict(Region.choices)


def engine_program(program: Program) -> matching.Program:
    weights = matching.Weights(
        **{name[2:]: getattr(program, name) for name in Program.WEIGHT_FIELDS}
    )
    return matching.Program(weights=weights, exclude_same_employer=program.exclude_same_employer)


def _offset(name: str, at: datetime) -> int | None:
    if not name:
        return None
    try:
        delta = at.astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return int(delta.total_seconds() // 60) if delta is not None else None


def _common(enrollment, at: datetime) -> dict:
    return {
        "id": enrollment.pk,
        "email": enrollment.user.email,
        "employer": enrollment.employer,
        "profession": _PROFESSIONS.get(enrollment.profession, enrollment.profession),
        "license_type": enrollment.license_type,
        "specialties": frozenset(enrollment.specialties),
        "populations": frozenset(enrollment.populations),
        "settings": frozenset(_SETTINGS.get(v, v) for v in enrollment.practice_settings),
        "languages": frozenset(enrollment.languages),
        "identity": frozenset(enrollment.identity),
        "region": _REGIONS.get(enrollment.region, ""),
        "utc_offset": _offset(enrollment.time_zone, at),
        "meeting": enrollment.meeting,
    }


def engine_mentor(
    enrollment: MentorEnrollment, *, capacity: int | None = None, at: datetime | None = None
) -> matching.Mentor:
    return matching.Mentor(
        **_common(enrollment, at or timezone.now()),
        capacity=enrollment.capacity if capacity is None else max(capacity, 0),
        years_in_practice=enrollment.years_in_practice,
        help_with=frozenset(enrollment.help_with),
    )


def engine_mentee(
    enrollment: MenteeEnrollment, *, also_avoid: frozenset[str] = frozenset(), at=None
) -> matching.Mentee:
    importance = enrollment.importance or {}
    must = frozenset(
        c
        for c in matching.MUST_HAVE_CRITERIA
        if importance.get(c) == MenteeEnrollment.Importance.MUST
    )
    nice = frozenset(
        c
        for c in matching.CRITERIA
        if importance.get(c, "nice") == MenteeEnrollment.Importance.NICE
    )
    years = enrollment.years_in_practice
    if years is None:
        years = CAREER_STAGE_YEARS.get(enrollment.career_stage, 0)
    return matching.Mentee(
        **_common(enrollment, at or timezone.now()),
        career_stage=enrollment.career_stage,
        years_in_practice=years,
        goals=frozenset(enrollment.goals),
        must_haves=must,
        nice_to_haves=nice,
        avoid_emails=frozenset(enrollment.avoid_emails) | also_avoid,
        avoid_same_employer=enrollment.avoid_same_employer,
        supervisor_email=enrollment.supervisor_email,
    )


def parts_json(explanation: matching.Explanation) -> list[dict]:
    return [
        {"criterion": p.criterion, "label": p.label, "points": p.points, "private": p.private}
        for p in explanation.parts
    ]
