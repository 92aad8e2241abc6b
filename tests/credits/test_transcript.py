""" "My CE": the transcript across events, its downloads, and the renewal tracker."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import License
from credits.models import (
    CreditOffering,
    CreditSettings,
    Evaluation,
    OfferingSubject,
    RenewalPeriod,
    RenewalSubject,
)
from credits.renewal_selectors import gap_suggestions, renewal_progress
from credits.services.renewals import renewal_period_delete, renewal_period_save
from credits.transcript import transcript
from events.errors import RegistrationError
from events.models import Accreditation, Event, Registration
from tests.credits.conftest import at, attend, preset
from tests.factories import make_event, make_org, make_session, make_ticket, make_user

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
APA = "American Psychological Association (APA)"
NAADAC = "NAADAC"
ASWB = "ASWB Approved Continuing Education (ACE)"


def evaluate(registration, session) -> None:
    Evaluation.objects.create(
        registration=registration, session=session, objectives_met=5, relevance=5,
        presenter_knowledge=5, level_appropriate=4, would_recommend=5,
    )  # fmt: skip


def enroll(event, user) -> Registration:
    ticket = event.ticket_types.first() or make_ticket(event)
    return Registration.objects.create(
        event=event, user=user, ticket_type=ticket, status=Registration.Status.CONFIRMED,
        confirmed_at=event.starts_at - timedelta(days=7),
    )  # fmt: skip


def offer(session, accreditation, hours, rule="apa", **subjects) -> CreditOffering:
    offering = CreditOffering.objects.create(
        session=session, accreditation=accreditation, hours=Decimal(hours), rule=preset(rule)
    )
    for area, area_hours in subjects.items():
        OfferingSubject.objects.create(offering=offering, area=area, hours=Decimal(area_hours))
    return offering


@pytest.fixture
def maya(attendee_registration):
    return attendee_registration.user


@pytest.fixture
def west_event():
    """Last year's one-day workshop in Los Angeles, by another provider, ASWB credit,
    no evaluation required. Its session runs 17:00-19:00 local (the next day in UTC)."""
    provider = make_org()
    provider.name = "Pacific Social Work Institute"
    provider.save()
    event = make_event(
        provider, title="Cultural Humility in Practice", timezone="America/Los_Angeles",
        starts_at=datetime(2025, 6, 12, 16, tzinfo=LA),
        ends_at=datetime(2025, 6, 12, 20, tzinfo=LA),
    )  # fmt: skip
    CreditSettings.objects.create(event=event, evaluation_required=False)
    aswb = Accreditation.objects.create(
        organization=provider, body=Accreditation.Body.ASWB, provider_number="1234",
        approval_statement="Pacific Social Work Institute, #1234, is approved by ASWB ACE.",
    )  # fmt: skip
    session = make_session(
        event, start=datetime(2025, 6, 12, 17, tzinfo=LA), minutes=120,
        title="Cultural Humility with Immigrant Families",
    )  # fmt: skip
    offer(session, aswb, "2", rule="aswb", cultural="2")
    return event


@pytest.fixture
def full_record(maya, attendee_registration, morning, afternoon, west_event):
    """Maya attended everything, and evaluated the Boston sessions."""
    attend(attendee_registration, morning, at(8, 55), at(12, 2))
    attend(attendee_registration, afternoon, at(12, 58), at(14))
    evaluate(attendee_registration, morning)
    evaluate(attendee_registration, afternoon)
    west = enroll(west_event, maya)
    west_session = west_event.sessions.get()
    attend(west, west_session, west_session.starts_at, west_session.ends_at)
    return maya


def table(rows):
    return sorted(
        (r.event.title, r.session.title, r.date, r.accreditation.body, r.hours, r.counted)
        for r in rows
    )


def totals(items):
    return {t.label: t.hours for t in items}


def test_transcript_spans_every_event_with_dates_in_each_events_time_zone(full_record):
    record = transcript(full_record)
    assert table(record.rows) == [
        ("Cultural Humility in Practice", "Cultural Humility with Immigrant Families",
         date(2025, 6, 12), "aswb", Decimal("2"), True),
        ("Trauma-Informed Care Summit", "Ethics in Trauma Treatment",
         date(2026, 10, 15), "apa", Decimal("3"), True),
        ("Trauma-Informed Care Summit", "Ethics in Trauma Treatment",
         date(2026, 10, 15), "naadac", Decimal("3"), True),
        ("Trauma-Informed Care Summit", "Suicide Risk Assessment",
         date(2026, 10, 15), "apa", Decimal("1"), True),
    ]  # fmt: skip
    assert [group.event.title for group in record.events] == [
        "Cultural Humility in Practice",
        "Trauma-Informed Care Summit",
    ]


def test_totals_per_accreditation_subject_area_and_year(full_record):
    record = transcript(full_record)
    assert totals(record.by_accreditation) == {
        APA: Decimal("4"), ASWB: Decimal("2"), NAADAC: Decimal("3"),
    }  # fmt: skip
    # The ethics hour carries APA and NAADAC credit, but it is one hour of ethics.
    assert totals(record.by_subject) == {
        "Law and ethics": Decimal("1"),
        "Cultural diversity / cultural competence": Decimal("2"),
    }
    # 2026: the 3-hour workshop counts once (not 3 APA + 3 NAADAC), plus the 1-hour talk.
    assert totals(record.by_year) == {"2025": Decimal("2"), "2026": Decimal("4")}


def test_partial_credit_scales_the_subject_hours_down_to_the_quarter_hour(
    maya, attendee_registration, morning
):
    attend(attendee_registration, morning, at(9, 22), at(12))  # 22 minutes late
    evaluate(attendee_registration, morning)
    record = transcript(maya)
    # APA-style gives nothing; NAADAC-style gives 2.5 of 3 hours, so the 1 hour of
    # ethics becomes 1 x 2.5 / 3 = 0.83 -> 0.75.
    (row,) = record.rows
    assert (row.accreditation.body, row.hours) == ("naadac", Decimal("2.5"))
    assert [(s.label, s.hours) for s in row.subjects] == [("Law and ethics", Decimal("0.75"))]
    assert totals(record.by_subject) == {"Law and ethics": Decimal("0.75")}


def test_credit_awaiting_evaluation_is_listed_but_not_counted(
    client, maya, attendee_registration, morning, afternoon
):
    attend(attendee_registration, morning, at(9), at(12))
    attend(attendee_registration, afternoon, at(13), at(14))
    evaluate(attendee_registration, afternoon)
    record = transcript(maya)
    waiting = [row for row in record.rows if not row.counted]
    assert {(r.session.title, r.status) for r in waiting} == {
        ("Ethics in Trauma Treatment", "Awaiting evaluation")
    }
    assert record.awaiting_count == 1
    assert totals(record.by_accreditation) == {APA: Decimal("1")}
    assert totals(record.by_subject) == {}

    client.force_login(maya)
    page = client.get(reverse("credits:my_ce")).content.decode()
    assert "1 session awaiting your evaluation" in page
    assert "Awaiting evaluation" in page

    evaluate(attendee_registration, morning)
    assert totals(transcript(maya).by_accreditation) == {APA: Decimal("4"), NAADAC: Decimal("3")}


def test_sessions_without_credit_and_other_peoples_credit_stay_off(
    maya, attendee_registration, credit_event, morning, afternoon
):
    attend(attendee_registration, afternoon, at(13, 30), at(14))  # too late for APA
    evaluate(attendee_registration, afternoon)
    someone = enroll(credit_event, make_user())
    attend(someone, morning, at(9), at(12))
    assert transcript(maya).rows == []
    cancelled = enroll(make_event(starts_at=timezone.now() - timedelta(days=3)), maya)
    cancelled.status = Registration.Status.CANCELLED
    cancelled.save()
    assert [g.event for g in transcript(maya).events] == [credit_event]


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_has_one_row_per_counted_award(client, full_record, attendee_registration, west_event):
    # A session awaiting evaluation is left out of the download.
    extra = make_session(attendee_registration.event, start=at(15), minutes=60,
                         title="Evening Q&A")  # fmt: skip
    offer(extra, Accreditation.objects.get(body="apa"), "1")
    attend(attendee_registration, extra, at(15), at(16))
    client.force_login(full_record)
    rows = read_csv(client.get(reverse("credits:transcript_csv")))
    assert rows[0] == ["Event", "Provider", "Session", "Date", "Accreditation",
                       "Provider number", "CE hours", "Subject areas"]  # fmt: skip
    assert sorted(rows[1:]) == [
        ["Cultural Humility in Practice", "Pacific Social Work Institute",
         "Cultural Humility with Immigrant Families", "2025-06-12", ASWB, "1234", "2",
         "Cultural diversity / cultural competence: 2 h"],
        ["Trauma-Informed Care Summit", "Northeast Institute for Clinical Education",
         "Ethics in Trauma Treatment", "2026-10-15", APA, "", "3", "Law and ethics: 1 h"],
        ["Trauma-Informed Care Summit", "Northeast Institute for Clinical Education",
         "Ethics in Trauma Treatment", "2026-10-15", NAADAC, "98765", "3",
         "Law and ethics: 1 h"],
        ["Trauma-Informed Care Summit", "Northeast Institute for Clinical Education",
         "Suicide Risk Assessment", "2026-10-15", APA, "", "1", ""],
    ]  # fmt: skip


def test_csv_cells_cannot_run_formulas(client, maya, attendee_registration, afternoon):
    afternoon.title = '=HYPERLINK("http://evil.example","Click")'
    afternoon.save()
    attend(attendee_registration, afternoon, at(13), at(14))
    evaluate(attendee_registration, afternoon)
    client.force_login(maya)
    (row,) = read_csv(client.get(reverse("credits:transcript_csv")))[1:]
    assert row[2] == "'" + afternoon.title


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    doc = pdfium.PdfDocument(b"".join(response.streaming_content))
    text = "\n".join(page.get_textpage().get_text_bounded() for page in doc)
    return re.sub(r"\s+", " ", text.replace("\x02", "-"))


def test_pdf_lists_the_person_licenses_rows_and_totals(client, full_record):
    License.objects.create(user=full_record, profession="psychologist", jurisdiction="MA",
                           number="PSY-10442")  # fmt: skip
    client.force_login(full_record)
    text = pdf_text(client.get(reverse("credits:transcript_pdf")))
    for expected in (
        "Continuing education transcript",
        "Maya Lindqvist",
        "MA #PSY-10442",
        "Ethics in Trauma Treatment",
        "Suicide Risk Assessment",
        "Cultural Humility with Immigrant Families",
        "2025-06-12",
        "NAADAC #98765",
        "Law and ethics: 1 h",
        "Total hours per accreditation",
        "Total hours per subject area",
        "Total hours per year",
    ):
        assert expected in text, expected
    assert re.search(r"2026 4\b", text)  # the year total


# ---------------------------------------------------------------- renewals


@pytest.fixture
def psych_license(maya):
    return License.objects.create(
        user=maya, profession="psychologist", jurisdiction="MA", number="PSY-10442"
    )


def make_period(license, body="", *, starts=date(2026, 1, 1), ends=date(2027, 12, 31), **areas):
    return renewal_period_save(
        user=license.user, license=license, starts_on=starts, ends_on=ends,
        hours_required=Decimal("10"), accreditation_body=body,
        subjects={area: Decimal(hours) for area, hours in areas.items()},
    )  # fmt: skip


def subject_table(progress):
    return {s.area: (s.done, s.required, s.missing) for s in progress.subjects}


def test_renewal_progress_shows_done_and_missing_per_subject(full_record, psych_license, afternoon):
    apa_offering = afternoon.offerings.get()
    OfferingSubject.objects.create(offering=apa_offering, area="suicide", hours=Decimal("1"))
    period = make_period(psych_license, law_ethics="3", suicide="2", cultural="1")
    progress = renewal_progress(period)
    # 2025's workshop lies before the period: only Boston's 3 + 1 hours count.
    assert (progress.done, progress.required, progress.missing) == (4, 10, 6)
    assert subject_table(progress) == {
        "law_ethics": (1, 3, 2),
        "suicide": (1, 2, 1),
        "cultural": (0, 1, 1),
    }
    assert not progress.complete


def test_a_period_that_accepts_one_accreditor_counts_only_its_credit(full_record, psych_license):
    period = make_period(psych_license, "naadac", starts=date(2025, 1, 1), law_ethics="1")
    progress = renewal_progress(period)
    assert progress.done == 3  # the NAADAC workshop; not APA's talk, not ASWB's workshop
    assert subject_table(progress) == {"law_ethics": (1, 1, 0)}


def test_credit_awaiting_evaluation_is_pending_not_done(
    maya, attendee_registration, morning, psych_license
):
    attend(attendee_registration, morning, at(9), at(12))
    progress = renewal_progress(make_period(psych_license))
    assert (progress.done, progress.pending) == (0, 3)


@pytest.fixture
def upcoming(org):
    """A published conference next month with an ethics workshop and a general talk."""
    event = make_event(org, title="Spring Ethics Intensive")
    apa = Accreditation.objects.create(organization=org, body="apa", approval_statement="...")
    ethics = make_session(event, start=event.starts_at + timedelta(hours=2), minutes=120,
                          title="Boundaries and Dual Relationships")  # fmt: skip
    offer(ethics, apa, "2", law_ethics="2")
    talk = make_session(event, start=event.starts_at + timedelta(hours=1), minutes=60,
                        title="Sleep and Mood")  # fmt: skip
    offer(talk, apa, "1")
    cancelled = make_session(event, start=event.starts_at + timedelta(hours=5),
                             title="Cancelled Ethics Panel", is_cancelled=True)  # fmt: skip
    offer(cancelled, apa, "1", law_ethics="1")
    return event


def test_suggestions_fill_the_missing_subject_first(full_record, psych_license, upcoming):
    draft = make_event(title="Draft Conference", status=Event.Status.DRAFT)
    draft_apa = Accreditation.objects.create(
        organization=draft.organization, body="apa", approval_statement="..."
    )
    offer(make_session(draft, title="Draft Ethics"), draft_apa, "1", law_ethics="1")
    progress = renewal_progress(make_period(psych_license, law_ethics="3"))
    found = gap_suggestions(full_record, progress)
    listed = [(s.session.title, s.hours, [(f.label, f.hours) for f in s.fills]) for s in found]
    assert listed == [
        ("Boundaries and Dual Relationships", 2, [("Law and ethics", 2)]),
        ("Sleep and Mood", 1, []),  # later in the list: it only adds hours
    ]  # fmt: skip
    assert [s.registered for s in found] == [False, False]
    enroll(upcoming, full_record)
    assert gap_suggestions(full_record, progress)[0].registered


def test_only_hours_missing_suggests_every_credit_session_by_date(
    full_record, psych_license, upcoming
):
    progress = renewal_progress(make_period(psych_license))  # no subject requirement
    titles = [s.session.title for s in gap_suggestions(full_record, progress)]
    assert titles == ["Sleep and Mood", "Boundaries and Dual Relationships"]


def test_suggestions_respect_the_period_end_and_the_accepted_accreditor(
    full_record, psych_license, upcoming
):
    # The event's own calendar day, as the suggestions date sessions (between 00:00 and
    # 05:00 UTC the UTC date is a day ahead of New York's).
    next_month = timezone.localdate(upcoming.starts_at, upcoming.tzinfo)
    ended_before = make_period(psych_license, ends=next_month - timedelta(days=1), law_ethics="3")
    assert gap_suggestions(full_record, renewal_progress(ended_before)) == []
    naadac_only = make_period(psych_license, "naadac", starts=date(2027, 1, 1),
                              ends=date(2028, 1, 1), law_ethics="3")  # fmt: skip
    assert gap_suggestions(full_record, renewal_progress(naadac_only)) == []


def test_hours_met_but_subject_missing_suggests_only_subject_sessions(
    full_record, psych_license, upcoming
):
    period = renewal_period_save(
        user=full_record, license=psych_license, starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31), hours_required=Decimal("4"), accreditation_body="",
        subjects={"law_ethics": Decimal("2")},
    )  # fmt: skip
    progress = renewal_progress(period)
    assert (progress.missing, [s.area for s in progress.missing_subjects]) == (0, ["law_ethics"])
    titles = [s.session.title for s in gap_suggestions(full_record, progress)]
    assert titles == ["Boundaries and Dual Relationships"]


def test_a_complete_period_needs_no_suggestions(full_record, psych_license, upcoming):
    period = renewal_period_save(
        user=full_record, license=psych_license, starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31), hours_required=Decimal("4"), accreditation_body="",
        subjects={"law_ethics": Decimal("1")},
    )  # fmt: skip
    progress = renewal_progress(period)
    assert progress.complete
    assert gap_suggestions(full_record, progress) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ends_on": date(2025, 12, 31)}, "period_order"),
        ({"ends_on": date(2026, 1, 1)}, "period_order"),
        ({"hours_required": Decimal("-1")}, "hours_invalid"),
        ({"subjects": {"law_ethics": Decimal("6"), "suicide": Decimal("5")}},
         "subjects_exceed_total"),
        ({"subjects": {"astrology": Decimal("1")}}, "area_invalid"),
        ({"subjects": {"law_ethics": Decimal("-2")}}, "subject_hours_invalid"),
        ({"accreditation_body": "aliens"}, "body_invalid"),
    ],
)  # fmt: skip
def test_renewal_period_validation_refuses_and_saves_nothing(psych_license, change, code):
    fields = {
        "user": psych_license.user, "license": psych_license, "starts_on": date(2026, 1, 1),
        "ends_on": date(2027, 12, 31), "hours_required": Decimal("10"),
        "accreditation_body": "", "subjects": {"law_ethics": Decimal("2")},
    }  # fmt: skip
    with pytest.raises(RegistrationError) as refused:
        renewal_period_save(**(fields | change))
    assert refused.value.code == code
    assert not RenewalPeriod.objects.exists()


def test_only_the_license_owner_saves_or_deletes_periods(psych_license):
    stranger = make_user()
    with pytest.raises(RegistrationError) as refused:
        renewal_period_save(
            user=stranger, license=psych_license, starts_on=date(2026, 1, 1),
            ends_on=date(2027, 1, 1), hours_required=Decimal("5"), accreditation_body="",
            subjects={},
        )  # fmt: skip
    assert refused.value.code == "forbidden"
    period = make_period(psych_license)
    with pytest.raises(RegistrationError):
        renewal_period_delete(user=stranger, period=period)
    theirs = License.objects.create(user=stranger, profession="mft", jurisdiction="CA",
                                    number="LMFT-1")  # fmt: skip
    with pytest.raises(RegistrationError):  # moving my period onto their license
        renewal_period_save(
            user=stranger, license=theirs, starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1),
            hours_required=Decimal("5"), accreditation_body="", subjects={}, period=period,
        )  # fmt: skip
    period.refresh_from_db()
    assert period.license == psych_license


def form_data(owned: License, **overrides):
    data = {
        "license": owned.pk, "starts_on": "2026-01-01", "ends_on": "2027-12-31",
        "hours_required": "40", "accreditation_body": "", "subject_law_ethics": "6",
        "subject_suicide": "",
    }  # fmt: skip
    return data | overrides


def test_renewal_pages_add_edit_and_delete_a_period(client, maya, psych_license):
    client.force_login(maya)
    new = client.get(reverse("credits:renewal_new") + f"?license={psych_license.pk}")
    assert 'name="subject_law_ethics"' in new.content.decode()
    response = client.post(reverse("credits:renewal_new"), form_data(psych_license))
    assert response.status_code == 302
    period = RenewalPeriod.objects.get()
    assert (period.license, period.hours_required) == (psych_license, 40)
    assert list(period.subjects.values_list("area", "hours_required")) == [("law_ethics", 6)]

    edit_url = reverse("credits:renewal_edit", args=[period.pk])
    assert 'value="6' in client.get(edit_url).content.decode()
    client.post(edit_url, form_data(psych_license, subject_law_ethics="", subject_suicide="2",
                                    accreditation_body="apa"))  # fmt: skip
    period.refresh_from_db()
    assert period.accreditation_body == "apa"
    assert list(period.subjects.values_list("area", "hours_required")) == [("suicide", 2)]

    page = client.get(reverse("credits:my_ce")).content.decode()
    assert "Suicide assessment, treatment and management" in page
    assert "0 of 40 hours" in page

    delete_url = reverse("credits:renewal_delete", args=[period.pk])
    confirm = client.get(delete_url)
    assert "Delete this renewal period?" in confirm.content.decode()
    assert RenewalPeriod.objects.exists()  # the confirmation page deletes nothing
    assert client.post(delete_url).status_code == 302
    assert not RenewalPeriod.objects.exists()
    assert not RenewalSubject.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": "2025-06-01"}, "The renewal period must end after it starts."),
        ({"hours_required": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"hours_required": "4"}, "add up to 6, more than the 4 hours required in total"),
        ({"starts_on": "not a date"}, "Enter a valid date."),
        ({"subject_suicide": "0.1"}, "Enter at least 0.25 hours, or leave empty."),
        ({"license": "999999"}, "Choose one of your licenses."),
    ],
)
def test_renewal_form_errors_are_shown_and_nothing_saved(
    client, maya, psych_license, overrides, message
):
    client.force_login(maya)
    response = client.post(reverse("credits:renewal_new"), form_data(psych_license, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RenewalPeriod.objects.exists()


def test_without_a_license_the_form_points_to_the_profile(client, maya):
    client.force_login(maya)
    page = client.get(reverse("credits:renewal_new")).content.decode()
    assert "Add a license first" in page
    assert reverse("profile") in page


def test_my_ce_page_shows_transcript_totals_tracker_and_suggestions(
    client, full_record, psych_license, upcoming
):
    make_period(psych_license, law_ethics="3")
    client.force_login(full_record)
    response = client.get(reverse("credits:my_ce"))
    page = response.content.decode()
    for expected in (
        "Ethics in Trauma Treatment",
        "Cultural Humility with Immigrant Families",
        "Jun 12, 2025",  # the LA evening session, dated in its own time zone
        reverse("credits:transcript_pdf"),
        reverse("credits:transcript_csv"),
        "4 of 10 hours",
        "6 missing",
        "Boundaries and Dual Relationships",
        "Counts towards <strong>Law and ethics</strong> (2 h)",
    ):
        assert expected in page, expected


# ---------------------------------------------------------------- query budget


def past_event_attended(user, n: int) -> Event:
    provider = make_org()
    start = timezone.now() - timedelta(days=40 * n)
    event = make_event(provider, starts_at=start, ends_at=start + timedelta(hours=8))
    apa = Accreditation.objects.create(organization=provider, body="apa", approval_statement=".")
    registration = enroll(event, user)
    for hour in (1, 3):
        session = make_session(event, start=start + timedelta(hours=hour), minutes=60)
        offer(session, apa, "1", law_ethics="0.5")
        attend(registration, session, session.starts_at, session.ends_at)
        evaluate(registration, session)
    return event


def count_queries(user) -> int:
    transcript(user)  # bring the awards up to date
    with CaptureQueriesContext(connection) as queries:
        transcript(user)
    return len(queries)


def test_transcript_costs_a_fixed_number_of_queries_per_event():
    user = make_user()
    past_event_attended(user, 1)
    one = count_queries(user)
    past_event_attended(user, 2)
    two = count_queries(user)
    event = past_event_attended(user, 3)
    three = count_queries(user)
    assert two - one == three - two <= 6  # refresh_awards' freshness check per event
    # More sessions and awards at an event cost nothing more.
    registration = event.registrations.get()
    apa = Accreditation.objects.get(organization=event.organization)
    for hour in (5, 6):
        session = make_session(event, start=event.starts_at + timedelta(hours=hour), minutes=60)
        offer(session, apa, "1")
        attend(registration, session, session.starts_at, session.ends_at)
    assert count_queries(user) == three
    assert len(transcript(user).rows) == 8


def test_my_ce_page_query_budget(client, django_assert_max_num_queries, upcoming):
    user = make_user()
    for n in (1, 2, 3):
        past_event_attended(user, n)
    own = License.objects.create(user=user, profession="counselor", jurisdiction="FL", number="1")
    make_period(own, law_ethics="3")
    client.force_login(user)
    client.get(reverse("credits:my_ce"))  # awards computed
    # Session, user and the menu's organizer check; 5 for the transcript and 5 per
    # event (refresh_awards' freshness check); 3 for licenses, periods and their
    # subjects; 3 per unfinished period's suggestions.
    with django_assert_max_num_queries(3 + 5 + 3 * 5 + 3 + 3 + 1):  # +1: nav unread count
        response = client.get(reverse("credits:my_ce"))
    assert response.status_code == 200
    assert "Boundaries and Dual Relationships" in response.content.decode()


def test_certificate_links_only_for_events_with_counted_credit(
    client, maya, attendee_registration, morning, west_event
):
    try:
        reverse("credits:certificate_pdf", kwargs={"code": "X"})
    except NoReverseMatch:
        pytest.skip("the certificate download page is not installed")
    attend(attendee_registration, morning, at(9), at(12))  # not evaluated yet
    west = enroll(west_event, maya)
    west_session = west_event.sessions.get()
    attend(west, west_session, west_session.starts_at, west_session.ends_at)
    client.force_login(maya)
    page = client.get(reverse("credits:my_ce")).content.decode()
    assert reverse("credits:certificate_pdf", kwargs={"code": west.code}) in page
    boston = reverse("credits:certificate_pdf", kwargs={"code": attendee_registration.code})
    assert boston not in page
    evaluate(attendee_registration, morning)
    assert boston in client.get(reverse("credits:my_ce")).content.decode()
