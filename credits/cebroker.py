"""CE Broker roster files (XML) from an event roster (credits/exports.py).

docs/ce-broker.md describes the file, where each field comes from and what an
organizer must check before uploading.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import License
from credits.exports import CENTS, Person, Roster, RosterRow, accreditation_label
from credits.models import Award, CreditOffering
from events.models import Registration, Session

# States whose mental-health boards all track CE through CE Broker. A license
# elsewhere counts too when its holder entered a CE Broker profession code.
CEBROKER_JURISDICTIONS = frozenset({"FL"})
CEBROKER_DATE = "%Y-%m-%d"
FLORIDA_REPORTING_DAYS = 30


# --- CE Broker roster (XML) --------------------------------------------------


@dataclass(frozen=True)
class CeBrokerAttendee:
    profession_code: str
    license_number: str
    state: str
    first_name: str
    last_name: str
    hours: Decimal


@dataclass(frozen=True)
class CeBrokerProblem:
    name: str
    email: str
    reason: str
    left_out: bool  # False: in the file, but check it before uploading
    detail: str = ""


@dataclass
class CeBrokerRoster:
    offering: CreditOffering
    completed_on: date
    label: str = ""  # the accreditation's short name
    attendees: list[CeBrokerAttendee] = field(default_factory=list)
    problems: list[CeBrokerProblem] = field(default_factory=list)

    @property
    def florida_deadline(self) -> date:
        """Florida's boards want completions reported within 30 days."""
        return self.completed_on + timedelta(days=FLORIDA_REPORTING_DAYS)

    @property
    def provider_id(self) -> str:
        return self.offering.accreditation.provider_number.strip()

    @property
    def course_id(self) -> str:
        return self.offering.cebroker_course_id.strip()

    def problems_by_reason(self) -> list[tuple[str, list[CeBrokerProblem]]]:
        grouped: dict[str, list[CeBrokerProblem]] = {}
        for problem in sorted(self.problems, key=lambda p: not p.left_out):
            grouped.setdefault(problem.reason, []).append(problem)
        return list(grouped.items())


def cebroker_licenses(person: Person) -> list[License]:
    return [
        lic
        for lic in person.licenses
        if lic.jurisdiction in CEBROKER_JURISDICTIONS or lic.board_code.strip()
    ]


def cebroker_roster(roster: Roster, offering: CreditOffering) -> CeBrokerRoster:
    """Who goes in the CE Broker roster of one offering, and who does not and why.
    An attendee goes in once per CE Broker license, when their award has hours and
    the session counts (evaluated, or evaluation not required)."""
    session = offering.session
    result = CeBrokerRoster(
        offering,
        session.ends_at.astimezone(roster.event.tzinfo).date(),
        accreditation_label(offering.accreditation, among=roster.accreditations),
    )
    for r in roster.rows_of(session.pk):
        award, person = r.awards.get(offering.accreditation_id), r.person
        if award is None or (award.hours <= 0 and not award.needs_review):
            continue  # earned nothing here: nothing to report
        licenses = cebroker_licenses(person)
        reason = _left_out_because(r, award, licenses, roster.evaluation_required)
        if reason:
            result.problems.append(_problem(person, reason))
            continue
        if award.needs_review:
            result.problems.append(_problem(person, REVIEW_PENDING, left_out=False))
        for lic in licenses:
            code = lic.board_code.strip()
            if not code:
                detail = f"{lic.jurisdiction} license {lic.number}"
                result.problems.append(_problem(person, NO_CODE, detail, left_out=False))
            result.attendees.append(
                CeBrokerAttendee(
                    profession_code=code,
                    license_number=lic.number,
                    state=lic.jurisdiction,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    hours=award.hours,
                )
            )
    return result


NO_LICENSE = "No license in a CE Broker state"
NEEDS_REVIEW = "Attendance needs review (no exit scan), so no credit yet"
NO_EVALUATION = "Evaluation not submitted"
REVIEW_PENDING = "Attendance needs review (the hours may change once you adjust it)"
NO_CODE = "No CE Broker profession code (in the file with an empty code)"


def _left_out_because(
    row: RosterRow, award: Award, licenses: list[License], evaluation_required: bool
) -> str:
    if award.hours <= 0:
        return NEEDS_REVIEW if licenses else ""
    if not licenses:
        return NO_LICENSE
    if row.person.status != Registration.Status.CONFIRMED:
        return f"Registration {row.person.status_label.lower()}"
    if evaluation_required and not row.evaluated:
        return NO_EVALUATION
    return ""


def _problem(
    person: Person, reason: str, detail: str = "", *, left_out: bool = True
) -> CeBrokerProblem:
    name = f"{person.last_name}, {person.first_name}".strip(", ") or person.email
    return CeBrokerProblem(name, person.email, reason, left_out, detail)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", value) or None
    return element


def hours_text(hours: Decimal) -> str:
    """3 -> "3.0", 2.5 -> "2.5", 0.75 -> "0.75"."""
    value = hours.quantize(CENTS).normalize()
    return f"{value:.1f}" if value.as_tuple().exponent >= -1 else str(value)


def cebroker_xml(result: CeBrokerRoster) -> bytes:
    """The roster as CE Broker's XML (`rosters` > `roster` > `attendees` > `attendee`)."""
    day = result.completed_on.strftime(CEBROKER_DATE)
    root = ET.Element("rosters", {"id_parent_provider": _NOT_XML.sub("", result.provider_id)})
    roster = ET.SubElement(root, "roster")
    _text(roster, "id_provider", result.provider_id)
    _text(roster, "provider_course_code", "")
    _text(roster, "id_course", result.course_id)
    _text(roster, "end_date", day)
    attendees = ET.SubElement(roster, "attendees")
    for a in result.attendees:
        attendee = ET.SubElement(attendees, "attendee")
        _text(attendee, "licensee_profession", a.profession_code)
        _text(attendee, "licensee_number", a.license_number)
        _text(attendee, "first_name", a.first_name)
        _text(attendee, "last_name", a.last_name)
        _text(attendee, "cebroker_state", a.state)
        _text(attendee, "date_completed", day)
        _text(attendee, "ce_credit_hours", hours_text(a.hours))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- The exports page -----------------------------------------------------------


@dataclass
class SessionExports:
    session: Session
    people: int
    cebroker: list[CeBrokerRoster]


def session_exports(roster: Roster) -> list[SessionExports]:
    """Per credit session: how many people the roster lists, and each offering's
    CE Broker roster with its problems."""
    by_session: dict[int, list[RosterRow]] = defaultdict(list)
    for r in roster.rows:
        if r.session is not None:
            by_session[r.session.pk].append(r)
    items = []
    for session_id, offerings in roster.offerings.items():
        session = offerings[0].session
        if session.is_cancelled:
            continue
        rows = Roster(roster.event, session, roster.accreditations, roster.offerings,
                      by_session.get(session_id, []), roster.evaluation_required)  # fmt: skip
        items.append(
            SessionExports(session, len(rows.rows), [cebroker_roster(rows, o) for o in offerings])
        )
    return sorted(items, key=lambda item: (item.session.starts_at, item.session.title))
