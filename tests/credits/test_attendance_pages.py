"""Organizer pages: credit per session, the roster with reasons, adjustments."""

import pytest
from django.urls import reverse

from credits.models import AttendanceAdjustment, Award
from tests.credits.conftest import at, attend, register
from tests.factories import make_org, make_organizer, make_user
from tests.permissions import LOGIN, assert_page_answer


@pytest.fixture
def late(credit_event, morning):
    registration = register(credit_event, first_name="Omar", last_name="Haddad")
    attend(registration, morning, at(9, 22), at(12))
    return registration


@pytest.fixture
def forgot_exit(credit_event, morning):
    registration = register(credit_event, first_name="Lena", last_name="Brooks")
    attend(registration, morning, at(9), None)
    return registration


def test_overview_counts_attendance_and_review(client, organizer, credit_event, late, forgot_exit):
    client.force_login(organizer)
    response = client.get(reverse("credits:event_credit", args=[credit_event.slug]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ethics in Trauma Treatment" in text
    assert "1 attendance record needs review" in text
    assert "APA-style: full attendance" in text


def test_roster_explains_reductions(client, organizer, credit_event, morning, late, forgot_exit):
    client.force_login(organizer)
    url = reverse("credits:session_attendance", args=[credit_event.slug, morning.pk])
    text = client.get(url).content.decode()
    assert "Omar" in text and "Lena" in text
    assert "arrived 22 minutes late; APA-style rule allows 15" in text
    assert "09:22" in text  # first in, in the event's time zone
    review = client.get(url + "?review=1").content.decode()
    assert "Lena" in review and "Omar" not in review


def test_adjustment_form_records_reason_and_recomputes(
    client, organizer, credit_event, morning, forgot_exit
):
    client.force_login(organizer)
    url = reverse("credits:adjust", args=[credit_event.slug, morning.pk, forgot_exit.code])
    response = client.post(
        url, {"kind": "add", "starts_at": "09:00", "ends_at": "12:00", "reason": ""}
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not AttendanceAdjustment.objects.exists()

    response = client.post(
        url,
        {"kind": "add", "starts_at": "09:00", "ends_at": "12:00", "reason": "Exit door unstaffed"},
    )
    assert response.status_code == 302
    adjustment = AttendanceAdjustment.objects.get()
    assert adjustment.created_by == organizer
    assert adjustment.starts_at == at(9) and adjustment.ends_at == at(12)
    assert set(Award.objects.filter(registration=forgot_exit).values_list("hours", flat=True)) == {
        3
    }
    roster = client.get(response["Location"]).content.decode()
    assert "Exit door unstaffed" in roster


def test_adjustment_outside_the_session_is_refused(
    client, organizer, credit_event, morning, forgot_exit
):
    client.force_login(organizer)
    url = reverse("credits:adjust", args=[credit_event.slug, morning.pk, forgot_exit.code])
    response = client.post(
        url, {"kind": "add", "starts_at": "08:00", "ends_at": "12:00", "reason": "Came early"}
    )
    assert response.status_code == 200
    assert "within the session" in response.content.decode()
    assert not AttendanceAdjustment.objects.exists()


def test_event_page_shows_credit_per_accreditor(client, credit_event, morning, afternoon):
    text = client.get(credit_event.get_absolute_url()).content.decode()
    assert "APA</abbr> 3 CE hours (incl. 1 h law and ethics)" in text
    assert "NAADAC</abbr> 3 CE hours" in text
    assert "Up to <strong>4 CE hours</strong> across 2 sessions" in text  # APA: 3 + 1


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", LOGIN),
        ("attendee", 403),
        ("other_attendee", 403),
        ("other_organizer", 403),
        ("organizer", 200),
    ],
)
def test_permission_table(client, organizer, credit_event, morning, late, role, expected):
    users = {
        "anonymous": None,
        "attendee": late.user,
        "other_attendee": make_user(),
        "other_organizer": make_organizer(make_org()),
        "organizer": organizer,
    }
    for url in (
        reverse("credits:event_credit", args=[credit_event.slug]),
        reverse("credits:session_attendance", args=[credit_event.slug, morning.pk]),
        reverse("credits:adjust", args=[credit_event.slug, morning.pk, late.code]),
    ):
        client.logout()
        assert_page_answer(client, users[role], url, expected)
