"""One pair's score as its parts, and the hard constraints it breaks."""

from __future__ import annotations

from collections.abc import Iterable

from mentorship.matching.people import (
    CRITERIA,
    EITHER,
    EXPERIENCE_GAP,
    IN_PERSON,
    NEAR_MINUTES,
    PRIVATE_CRITERIA,
    SET_CRITERIA,
    VIRTUAL,
    Explanation,
    Mentee,
    Mentor,
    Part,
    Program,
    normalize,
)


def _join(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


_NOUNS = {  # singular, plural
    "specialty": ("specialty or modality", "specialties or modalities"),
    "population": ("population", "populations"),
    "setting": ("setting", "settings"),
}


def _set_label(criterion: str, shared: frozenset[str], wants: frozenset[str]) -> str:
    if criterion == "identity":  # never names the details: they are private
        return "shares identity details you asked for" if shared else "no shared identity detail"
    if criterion == "language":
        return f"speaks {_join(shared)}" if shared else f"does not speak {_join(wants)}"
    if criterion == "goals":
        return f"can help with {_join(shared)}" if shared else "cannot help with your goals"
    singular, plural = _NOUNS[criterion]
    if not shared:
        return f"no {singular} in common"
    label = f"same {singular}: " if len(shared) == 1 else f"shared {plural}: "
    label += _join(shared)
    if len(shared) < len(wants):
        label += f" ({len(shared)} of {len(wants)})"
    return label


def _set_part(criterion: str, mentor: Mentor, mentee: Mentee, w: int) -> Part | None:
    e_attr, m_attr = SET_CRITERIA[criterion]
    wants: frozenset[str] = getattr(mentee, e_attr)
    if not wants:
        return None
    shared = wants & getattr(mentor, m_attr)
    points = w * len(shared) // len(wants)
    return Part(
        criterion, _set_label(criterion, shared, wants), points, criterion in PRIVATE_CRITERIA
    )


def _tz_gap(mentor: Mentor, mentee: Mentee) -> int | None:
    if mentor.utc_offset is None or mentee.utc_offset is None:
        return None
    return abs(mentor.utc_offset - mentee.utc_offset)


def _hours(minutes: int) -> str:
    hours = minutes / 60
    text = f"{hours:g}"
    return f"{text} hour" if text == "1" else f"{text} hours"


def _region_part(mentor: Mentor, mentee: Mentee, w: int) -> Part | None:
    gap = _tz_gap(mentor, mentee)
    regions_known = bool(normalize(mentor.region) and normalize(mentee.region))
    if regions_known and normalize(mentor.region) == normalize(mentee.region):
        return Part("region", f"same region: {mentee.region.strip()}", w)
    if gap is not None and gap <= NEAR_MINUTES:
        where = "different region, " if regions_known else ""
        return Part("region", f"{where}time zones within an hour", 0)
    if regions_known or gap is not None:
        label = "mentor's region differs"
        if regions_known:
            label += f" ({mentor.region})"
        if gap is not None:
            label += f", {_hours(gap)} apart"
        return Part("region", label, -(w // 2))
    return None


_MODE_WORDS = {IN_PERSON: "in person", VIRTUAL: "virtual", EITHER: "either"}


def meeting_points(e_mode: str, m_mode: str, w: int) -> int:
    if e_mode == m_mode != EITHER:
        return w
    if EITHER in (e_mode, m_mode):
        return w // 2
    return -w


def _meeting_part(mentor: Mentor, mentee: Mentee, w: int) -> Part:
    e, m = mentee.meeting, mentor.meeting
    if e == m != EITHER:
        label = f"both prefer {_MODE_WORDS[e]}"
    elif e == m == EITHER:
        label = "both open to meeting in person or virtually"
    elif m == EITHER:
        label = f"mentor is open to {_MODE_WORDS[e]}"
    elif e == EITHER:
        label = f"mentor prefers {_MODE_WORDS[m]}; mentee is open to either"
    else:
        label = f"mentee wants {_MODE_WORDS[e]}, mentor only {_MODE_WORDS[m]}"
    return Part("meeting", label, meeting_points(e, m, w))


def _experience_points(gap: int, w: int) -> int:
    if gap >= EXPERIENCE_GAP:
        return w
    return w // 2 if gap > 0 else -w


def _experience_part(mentor: Mentor, mentee: Mentee, w: int) -> Part:
    gap = mentor.years_in_practice - mentee.years_in_practice
    if gap > 0:
        label = f"mentor has {gap} more year{'s' if gap != 1 else ''} in practice"
    else:
        label = "mentor has no more years in practice than the mentee"
    return Part("experience", label, _experience_points(gap, w))


def _profession_part(mentor: Mentor, mentee: Mentee, w: int) -> Part | None:
    license_type = normalize(mentor.license_type)
    if license_type and license_type == normalize(mentee.license_type):
        return Part("profession", f"same license type: {mentee.license_type}", w)
    if not (normalize(mentor.profession) and normalize(mentee.profession)):
        return None
    if normalize(mentor.profession) == normalize(mentee.profession):
        return Part("profession", f"same profession: {mentee.profession}", 2 * w // 3)
    return Part("profession", f"different profession: {mentor.profession}", 0)


def meets(criterion: str, mentor: Mentor, mentee: Mentee) -> bool:
    """Whether the mentor meets this criterion as a must-have of the mentee."""
    if criterion in SET_CRITERIA:
        e_attr, m_attr = SET_CRITERIA[criterion]
        wants = getattr(mentee, e_attr)
        return not wants or bool(wants & getattr(mentor, m_attr))
    if criterion == "region":
        return not normalize(mentee.region) or normalize(mentee.region) == normalize(mentor.region)
    if criterion == "meeting":
        return meeting_points(mentee.meeting, mentor.meeting, 2) >= 0
    if criterion == "experience":
        return mentor.years_in_practice - mentee.years_in_practice >= EXPERIENCE_GAP
    profession = normalize(mentee.profession)
    return not profession or profession == normalize(mentor.profession)


def must_have_text(criterion: str, mentee: Mentee) -> str:
    """What a must-have asks for, in words ("Spanish", "same region: Northeast")."""
    if criterion in SET_CRITERIA:
        return _join(getattr(mentee, SET_CRITERIA[criterion][0]))
    if criterion == "region":
        return f"same region: {mentee.region}"
    if criterion == "meeting":
        return {IN_PERSON: "meets in person", VIRTUAL: "meets virtually"}.get(
            mentee.meeting, "in person or virtual"
        )
    if criterion == "experience":
        return f"at least {EXPERIENCE_GAP} more years in practice"
    return f"same profession: {mentee.profession}"


def _blocks(mentor: Mentor, mentee: Mentee, program: Program) -> list[str]:
    reasons = [
        f"must-have not met: {must_have_text(c, mentee)}"
        for c in CRITERIA
        if c in mentee.must_haves and not meets(c, mentor, mentee)
    ]
    m_email = normalize(mentor.email)
    if m_email and m_email == normalize(mentee.email):
        reasons.append("same person")
    if m_email and m_email in {normalize(a) for a in mentee.avoid_emails}:
        reasons.append("on the mentee's list of people to avoid")
    if m_email and m_email == normalize(mentee.supervisor_email):
        reasons.append("is the mentee's clinical supervisor")
    employer = normalize(mentor.employer)
    same_employer = bool(employer) and employer == normalize(mentee.employer)
    if same_employer and (program.exclude_same_employer or mentee.avoid_same_employer):
        reasons.append("same employer")
    return reasons


def explain(mentor: Mentor, mentee: Mentee, program: Program | None = None) -> Explanation:
    """The parts of a pair's score (they add up to it) and any hard constraint it breaks."""
    program = program or Program()
    parts: list[Part] = []
    for criterion in CRITERIA:
        if not mentee.counts(criterion):
            continue
        w = getattr(program.weights, criterion)
        if criterion in SET_CRITERIA:
            part = _set_part(criterion, mentor, mentee, w)
        elif criterion == "region":
            part = _region_part(mentor, mentee, w)
        elif criterion == "meeting":
            part = _meeting_part(mentor, mentee, w)
        elif criterion == "experience":
            part = _experience_part(mentor, mentee, w)
        else:
            part = _profession_part(mentor, mentee, w)
        if part is not None:
            parts.append(part)
    return Explanation(tuple(parts), tuple(_blocks(mentor, mentee, program)))
