"""Organizer exports: the attendance roster (CSV) and CE Broker rosters (XML)."""

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import License
from checkin.models import Scan
from credits.models import (
    AttendanceAdjustment,
    Certificate,
    CreditOffering,
    CreditSettings,
    Evaluation,
)
from credits.services.adjustments import adjustment_create
from events.models import Accreditation, Registration, SessionSignup
from events.services.registrations import registration_cancel
from tests.credits.conftest import at, attend, preset, register

pytestmark = pytest.mark.django_db


def roster_csv(client, organizer, url) -> list[dict]:
    client.force_login(organizer)
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads accented names correctly
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def event_csv(client, organizer, event) -> list[dict]:
    return roster_csv(client, organizer, reverse("credits:roster_csv", args=[event.slug]))


def rows_of(rows, email, session_title=None) -> list[dict]:
    return [r for r in rows if r["Email"] == email and session_title in (None, r["Session"])]


def evaluate(registration, session):
    return Evaluation.objects.create(
        registration=registration, session=session, objectives_met=5, relevance=4,
        presenter_knowledge=5, level_appropriate=4, would_recommend=5,
    )  # fmt: skip


def license_for(registration, jurisdiction, number, board_code="", profession="psychologist"):
    return License.objects.create(
        user=registration.user, profession=profession, jurisdiction=jurisdiction,
        number=number, board_code=board_code,
    )  # fmt: skip


def sign_up(registration, session):
    return SessionSignup.objects.create(
        registration=registration, session=session, status=SessionSignup.Status.CONFIRMED
    )


# --- The attendance roster ---------------------------------------------------


@pytest.fixture
def day(credit_event, morning, afternoon, organizer):
    """Six people, one story each, at the morning workshop."""
    people = {
        "full": register(credit_event, first_name="Maya", last_name="Lindqvist"),
        "late": register(credit_event, first_name="Omar", last_name="Haddad"),
        "partial": register(credit_event, first_name="Lena", last_name="Park"),
        "no_show": register(credit_event, first_name="Ivy", last_name="Nakamura"),
        "adjusted": register(credit_event, first_name="Teo", last_name="Alvarez"),
        "absent": register(credit_event, first_name="Ruth", last_name="Zimmer"),
    }
    full = people["full"]
    full.user.profile.profession = "psychologist"
    full.user.profile.save()
    license_for(full, "FL", "PY 10442", "PY")
    license_for(full, "MA", "8810", profession="counselor")
    attend(full, morning, at(8, 55), at(12, 1))
    attend(full, afternoon, at(12, 58), at(14, 2))
    evaluate(full, morning)
    Certificate.objects.create(registration=full, code="OLD-CODE-1", content={},
                               issued_at=timezone.now(), revoked_at=timezone.now())  # fmt: skip
    Certificate.objects.create(registration=full, code="CERT-7Q2M", content={},
                               issued_at=timezone.now())  # fmt: skip
    attend(people["late"], morning, at(9, 22), at(12))
    attend(people["partial"], morning, at(9), at(10, 30))
    sign_up(people["no_show"], morning)
    attend(people["adjusted"], morning, at(9), None)
    adjustment_create(
        registration=people["adjusted"], session=morning, kind="add", starts_at=at(9),
        ends_at=at(12), reason="Exit scanner was down (ticket #41)", by=organizer,
    )  # fmt: skip
    return people


def test_roster_has_the_columns_an_auditor_asks_for(client, organizer, credit_event, day):
    rows = event_csv(client, organizer, credit_event)
    assert list(rows[0]) == [
        "Last name", "First name", "Email", "Registration code", "Registration status",
        "Profession", "Licenses (jurisdiction number)", "Session", "Session starts",
        "First in", "Last out", "Minutes attended", "APA hours", "NAADAC hours",
        "Credit notes", "Needs review", "Adjustments", "Adjustment reasons",
        "Evaluation submitted", "Certificate code",
    ]  # fmt: skip


def test_full_attendance_row(client, organizer, credit_event, day):
    full = day["full"]
    rows = event_csv(client, organizer, credit_event)
    morning, afternoon = rows_of(rows, full.user.email)  # oldest session first
    assert morning == morning | {
        "Last name": "Lindqvist", "First name": "Maya", "Registration code": full.code,
        "Registration status": "Confirmed", "Profession": "Psychologist",
        "Licenses (jurisdiction number)": "FL PY 10442; MA 8810",
        "Session": "Ethics in Trauma Treatment", "Session starts": "2026-10-15 09:00",
        "First in": "2026-10-15 08:55", "Last out": "2026-10-15 12:01",
        "Minutes attended": "180", "APA hours": "3.00", "NAADAC hours": "3.00",
        "Credit notes": "", "Needs review": "no", "Adjustments": "0",
        "Evaluation submitted": "yes", "Certificate code": "CERT-7Q2M",
    }  # fmt: skip
    # The afternoon offers APA credit only; it is not evaluated yet.
    assert afternoon["Session"] == "Suicide Risk Assessment"
    assert (afternoon["APA hours"], afternoon["NAADAC hours"]) == ("1.00", "")
    assert afternoon["Evaluation submitted"] == "no"


def test_late_arrival_shows_the_reduction_per_accreditation(client, organizer, credit_event, day):
    (row,) = rows_of(event_csv(client, organizer, credit_event), day["late"].user.email)
    credit = (row["APA hours"], row["NAADAC hours"], row["Minutes attended"])
    assert credit == ("0.00", "2.50", "158")
    assert row["First in"] == "2026-10-15 09:22"
    assert "APA: arrived 22 minutes late; APA-style rule allows 15" in row["Credit notes"]
    assert "NAADAC: attended 158 of 180" in row["Credit notes"]


def test_partial_attendance_is_visible(client, organizer, credit_event, day):
    (row,) = rows_of(event_csv(client, organizer, credit_event), day["partial"].user.email)
    credit = (row["APA hours"], row["NAADAC hours"], row["Minutes attended"])
    assert credit == ("0.00", "1.50", "90")
    assert row["Last out"] == "2026-10-15 10:30"
    assert "left 90 minutes early" in row["Credit notes"]


def test_no_shows_are_listed_with_nothing_earned(client, organizer, credit_event, day):
    rows = event_csv(client, organizer, credit_event)
    (signed_up,) = rows_of(rows, day["no_show"].user.email)
    assert signed_up["Session"] == "Ethics in Trauma Treatment"
    assert (signed_up["First in"], signed_up["Minutes attended"]) == ("", "0")
    assert (signed_up["APA hours"], signed_up["NAADAC hours"]) == ("0.00", "0.00")
    # Confirmed, never signed up nor scanned: one row without a session.
    (absent,) = rows_of(rows, day["absent"].user.email)
    assert (absent["Session"], absent["Minutes attended"], absent["APA hours"]) == ("", "0", "")
    assert absent["Registration status"] == "Confirmed"


def test_adjusted_attendance_shows_the_adjustment_and_its_reason(
    client, organizer, credit_event, day
):
    (row,) = rows_of(event_csv(client, organizer, credit_event), day["adjusted"].user.email)
    assert (row["APA hours"], row["Needs review"], row["Adjustments"]) == ("3.00", "no", "1")
    assert row["Adjustment reasons"] == (
        "Present for a period 09:00-12:00: Exit scanner was down (ticket #41)"
    )


def test_attendance_left_open_is_flagged_for_review(client, organizer, credit_event, morning):
    person = register(credit_event)
    attend(person, morning, at(9), None)
    (row,) = rows_of(event_csv(client, organizer, credit_event), person.user.email)
    assert (row["Needs review"], row["APA hours"], row["Last out"]) == ("yes", "0.00", "")


def test_people_are_sorted_by_last_name(client, organizer, credit_event, day):
    names = [r["Last name"] for r in event_csv(client, organizer, credit_event)]
    assert names == sorted(names, key=str.lower)


def test_session_roster_lists_only_that_session(client, organizer, credit_event, day, afternoon):
    extra = register(credit_event, first_name="Ana", last_name="Bello")
    sign_up(extra, afternoon)
    url = reverse("credits:session_roster_csv", args=[credit_event.slug, afternoon.pk])
    rows = roster_csv(client, organizer, url)
    assert [(r["Last name"], r["Minutes attended"], r["APA hours"]) for r in rows] == [
        ("Bello", "0", "0.00"),
        ("Lindqvist", "60", "1.00"),
    ]
    assert "NAADAC hours" not in rows[0]  # the afternoon offers no NAADAC credit


def test_downloads_are_named_after_the_event_and_day(client, organizer, credit_event, morning):
    client.force_login(organizer)
    response = client.get(reverse("credits:roster_csv", args=[credit_event.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="roster-{credit_event.slug}-2026-10-15.csv"'
    )
    response = client.get(
        reverse("credits:session_roster_csv", args=[credit_event.slug, morning.pk])
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="roster-{credit_event.slug}-2026-10-15-'
        'ethics-in-trauma-treatment.csv"'
    )


def test_cancelled_registration_keeps_its_scans_adjustments_and_roster_rows(
    client, organizer, credit_event, morning
):
    person = register(credit_event, first_name="Noor", last_name="Saleh")
    attend(person, morning, at(9), None)
    adjustment_create(
        registration=person, session=morning, kind="add", starts_at=at(9), ends_at=at(12),
        reason="Helped at the desk, seen by staff", by=organizer,
    )  # fmt: skip
    registration_cancel(registration=person, by=person.user)

    person.refresh_from_db()
    assert person.status == Registration.Status.CANCELLED
    assert Scan.objects.filter(registration=person).count() == 1
    assert AttendanceAdjustment.objects.filter(registration=person).count() == 1
    (row,) = rows_of(event_csv(client, organizer, credit_event), person.user.email)
    assert row["Registration status"] == "Cancelled"
    assert (row["Minutes attended"], row["APA hours"], row["Adjustments"]) == ("180", "3.00", "1")


def test_cancelled_registration_without_attendance_is_not_listed(
    client, organizer, credit_event, morning
):
    person = register(credit_event)
    registration_cancel(registration=person, by=person.user)
    assert rows_of(event_csv(client, organizer, credit_event), person.user.email) == []


def test_cells_typed_by_people_cannot_run_as_formulas(client, organizer, credit_event, morning):
    person = register(credit_event, first_name='=HYPERLINK("http://evil.example","x")',
                      last_name="+1-555")  # fmt: skip
    attend(person, morning, at(9), None)
    adjustment_create(registration=person, session=morning, kind="present",
                      reason="@SUM(A1:A9) was here", by=organizer)  # fmt: skip
    (row,) = rows_of(event_csv(client, organizer, credit_event), person.user.email)
    assert row["First name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["Last name"] == "'+1-555"
    assert row["Adjustment reasons"] == "Present for the whole session: @SUM(A1:A9) was here"
    assert row["Minutes attended"] == "180"  # numbers stay numbers


def test_roster_query_count_does_not_grow_with_attendees(
    client, organizer, credit_event, morning, afternoon, django_assert_max_num_queries
):
    def add_people(n):
        for _ in range(n):
            person = register(credit_event)
            license_for(person, "FL", f"PY{person.pk}", "PY")
            attend(person, morning, at(9), at(12))
            evaluate(person, morning)

    client.force_login(organizer)
    urls = [
        reverse("credits:roster_csv", args=[credit_event.slug]),
        reverse("credits:exports", args=[credit_event.slug]),
        reverse("credits:session_roster_csv", args=[credit_event.slug, morning.pk]),
    ]
    offering = morning.offerings.get(accreditation__body="naadac")
    urls.append(reverse("credits:cebroker_xml", args=[credit_event.slug, morning.pk, offering.pk]))

    def fetch(url):
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)

    add_people(5)
    few = {}
    for url in urls:
        fetch(url)  # brings the awards up to date
        with CaptureQueriesContext(connection) as queries:
            fetch(url)
        few[url] = len(queries)
        assert few[url] <= 25, url
    add_people(25)
    for url in urls:
        fetch(url)
        with django_assert_max_num_queries(few[url]):
            fetch(url)


# --- CE Broker -----------------------------------------------------------------


@pytest.fixture
def florida(credit_event):
    return Accreditation.objects.create(
        organization=credit_event.organization, body=Accreditation.Body.STATE,
        body_name="Florida 491 Board", provider_number="50-4471",
        approval_statement="Approved by the Florida Board of Clinical Social Work, MFT and MHC.",
    )  # fmt: skip


@pytest.fixture
def florida_offering(morning, florida):
    return CreditOffering.objects.create(
        session=morning, accreditation=florida, hours=Decimal("3"), rule=preset("naadac"),
        cebroker_course_id="20-881234",
    )  # fmt: skip


def cebroker(client, organizer, event, offering):
    client.force_login(organizer)
    url = reverse("credits:cebroker_xml", args=[event.slug, offering.session_id, offering.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response


def attendees_of(response) -> dict[str, dict]:
    root = ET.fromstring(response.content)
    return {
        a.findtext("licensee_number"): {child.tag: child.text or "" for child in a}
        for a in root.iter("attendee")
    }


@pytest.fixture
def reported(credit_event, morning, florida_offering):
    """Who attended the morning, with which licenses."""

    def person(first, last, *licenses, evaluated=True, start=None):
        registration = register(credit_event, first_name=first, last_name=last)
        for jurisdiction, number, code in licenses:
            license_for(registration, jurisdiction, number, code)
        attend(registration, morning, start or at(9), at(12))
        if evaluated:
            evaluate(registration, morning)
        return registration

    return {
        "psychologist": person("Maya", "Lindqvist", ("FL", "PY 10442", "PY")),
        "no_code": person("Omar", "Haddad", ("FL", "MH9921", "")),
        "two_states": person("Lena", "Park", ("FL", "SW 7001", "SW"), ("MA", "118", "")),
        "georgia": person("Teo", "Alvarez", ("GA", "LPC004512", "PC")),
        "massachusetts": person("Ruth", "Zimmer", ("MA", "8810", "")),
        "not_evaluated": person("Ivy", "Nakamura", ("FL", "PY 20001", "PY"), evaluated=False),
        "late": person("Ana", "Bello", ("FL", "SW 3003", "SW"), start=at(9, 22)),
    }


def test_cebroker_roster_holds_the_credited_licenses(
    client, organizer, credit_event, florida_offering, reported
):
    response = cebroker(client, organizer, credit_event, florida_offering)
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(response.content)
    assert root.tag == "rosters" and root.get("id_parent_provider") == "50-4471"
    (roster,) = root.findall("roster")
    assert roster.findtext("id_provider") == "50-4471"
    assert roster.findtext("id_course") == "20-881234"
    assert roster.findtext("end_date") == "2026-10-15"
    attendees = attendees_of(response)
    assert attendees["PY 10442"] == {
        "licensee_profession": "PY", "licensee_number": "PY 10442", "first_name": "Maya",
        "last_name": "Lindqvist", "cebroker_state": "FL", "date_completed": "2026-10-15",
        "ce_credit_hours": "3.0",
    }  # fmt: skip
    # Partial credit under the offering's rule: 158 minutes -> 2.5 h.
    assert attendees["SW 3003"]["ce_credit_hours"] == "2.5"
    # A license elsewhere goes in when its holder gave a CE Broker profession code.
    assert attendees["LPC004512"]["licensee_profession"] == "PC"
    assert attendees["LPC004512"]["cebroker_state"] == "GA"
    # Missing profession code: in the file with an empty code (and a warning below).
    assert attendees["MH9921"]["licensee_profession"] == ""
    assert set(attendees) == {"PY 10442", "MH9921", "SW 7001", "LPC004512", "SW 3003"}


def test_cebroker_left_out_list_says_why(credit_event, florida_offering, reported):
    from credits.cebroker import cebroker_roster
    from credits.exports import event_roster

    registration = register(credit_event, first_name="Noor", last_name="Saleh")
    license_for(registration, "FL", "PY 555", "PY")
    attend(registration, florida_offering.session, at(9), at(12))
    evaluate(registration, florida_offering.session)
    registration_cancel(registration=registration, by=registration.user)

    result = cebroker_roster(event_roster(credit_event), florida_offering)
    problems = {(p.name, p.reason, p.left_out) for p in result.problems}
    assert problems == {
        ("Zimmer, Ruth", "No license in a CE Broker state", True),
        ("Nakamura, Ivy", "Evaluation not submitted", True),
        ("Saleh, Noor", "Registration cancelled", True),
        ("Haddad, Omar", "No CE Broker profession code (in the file with an empty code)", False),
    }


def test_without_required_evaluations_everyone_credited_goes_in(
    client, organizer, credit_event, florida_offering, reported
):
    CreditSettings.objects.filter(event=credit_event).update(evaluation_required=False)
    attendees = attendees_of(cebroker(client, organizer, credit_event, florida_offering))
    assert "PY 20001" in attendees


def test_no_credit_means_not_reported(client, organizer, credit_event, morning, florida_offering):
    signed_up = register(credit_event)
    license_for(signed_up, "FL", "PY 1", "PY")
    sign_up(signed_up, morning)
    open_scan = register(credit_event)
    license_for(open_scan, "FL", "PY 2", "PY")
    attend(open_scan, morning, at(11, 50), None)  # 10 minutes, no exit scan
    from credits.cebroker import cebroker_roster
    from credits.exports import event_roster

    result = cebroker_roster(event_roster(credit_event), florida_offering)
    assert result.attendees == []
    assert [p.reason for p in result.problems] == [
        "Attendance needs review (no exit scan), so no credit yet"
    ]


def test_cebroker_file_escapes_names(client, organizer, credit_event, morning, florida_offering):
    person = register(credit_event, first_name='Zoë "Z" <b>', last_name="O'Neil & Sons\x0b")
    license_for(person, "FL", "PY <9> & 'x'", "PY")
    attend(person, morning, at(9), at(12))
    evaluate(person, morning)
    response = cebroker(client, organizer, credit_event, florida_offering)
    assert b"<b>" not in response.content
    (entry,) = attendees_of(response).values()
    assert entry["first_name"] == 'Zoë "Z" <b>'
    assert entry["last_name"] == "O'Neil & Sons"  # a control character is not XML: dropped
    assert entry["licensee_number"] == "PY <9> & 'x'"


def test_cebroker_download_name_and_type(client, organizer, credit_event, florida_offering):
    response = cebroker(client, organizer, credit_event, florida_offering)
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="cebroker-{credit_event.slug}-2026-10-15-'
        'ethics-in-trauma-treatment-florida-491-board.xml"'
    )


def test_exports_page_lists_downloads_and_who_is_left_out(
    client, organizer, credit_event, morning, afternoon, florida_offering, reported
):
    client.force_login(organizer)
    response = client.get(reverse("credits:exports", args=[credit_event.slug]))
    page = response.content.decode()
    assert reverse("credits:roster_csv", args=[credit_event.slug]) in page
    for session in (morning, afternoon):
        assert reverse("credits:session_roster_csv", args=[credit_event.slug, session.pk]) in page
    xml_url = reverse(
        "credits:cebroker_xml", args=[credit_event.slug, morning.pk, florida_offering.pk]
    )
    assert xml_url in page
    assert "5 completions" in page
    assert "report to Florida by" in page and "14 Nov 2026" in page
    assert "No license in a CE Broker state: 1 person" in page
    assert "Zimmer, Ruth" in page
    assert "Evaluation not submitted: 1 person" in page
    # Offerings without a CE Broker course id get no XML link, and say why.
    apa = morning.offerings.get(accreditation__body="apa")
    assert reverse("credits:cebroker_xml", args=[credit_event.slug, morning.pk, apa.pk]) not in page
    assert "this offering has no CE Broker course id" in page


def test_exports_page_without_credit_sessions(client, organizer, credit_event):
    client.force_login(organizer)
    response = client.get(reverse("credits:exports", args=[credit_event.slug]))
    assert response.status_code == 200
    assert "No session offers CE credit yet" in response.content.decode()
