"""Self-service: a mentee asks a mentor; accept, decline, expiry with a reminder,
and capacity under concurrency (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.errors import RegistrationError
from mentorship.models import Match, MentorRequest
from mentorship.services import (
    mentor_request_accept,
    mentor_request_create,
    mentor_request_decline,
    requests_expire,
)
from tests.concurrency import race
from tests.conftest import requires_postgres
from tests.factories import make_org, make_user
from tests.mentorship.conftest import make_mentee, make_mentor, make_program


def test_mentee_asks_and_mentor_accepts(
    client, program, mailoutbox, django_capture_on_commit_callbacks
):
    mentor = make_mentor(program, make_user(first_name="Renata", last_name="Okafor"))
    mentee = make_mentee(program, make_user(first_name="Dana", last_name="Kim"))
    client.force_login(mentee.user)
    url = reverse("mentorship:request_mentor", args=[program.slug, mentor.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"note": "I sit the ASWB exam in May."})
    request = MentorRequest.objects.get()
    assert request.expires_at == request.created_at + timedelta(days=14)
    assert mailoutbox[-1].to == [mentor.user.email]
    assert "I sit the ASWB exam in May." in mailoutbox[-1].body

    client.force_login(mentor.user)
    detail = reverse("mentorship:request_detail", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail, {"action": "accept"})
    match = Match.objects.get()
    assert response["Location"] == reverse("mentorship:match_detail", args=[match.pk])
    assert (match.status, match.source, match.room_id is not None) == ("active", "request", True)
    assert "Renata Okafor will mentor you" in [m.subject for m in mailoutbox]


def test_decline_with_a_reason_reaches_the_mentee(
    program, mailoutbox, django_capture_on_commit_callbacks
):
    mentor, mentee = make_mentor(program), make_mentee(program)
    request = mentor_request_create(mentee=mentee, mentor=mentor, by=mentee.user)
    with django_capture_on_commit_callbacks(execute=True):
        mentor_request_decline(request=request, by=mentor.user, reason="Full this season")
    assert "Full this season" in mailoutbox[-1].body
    with pytest.raises(RegistrationError, match="declined"):
        mentor_request_accept(request=request, by=mentor.user)


def test_refusals(program):
    mentor = make_mentor(program, capacity=1)
    mentee = make_mentee(program, supervisor_email=mentor.user.email)
    with pytest.raises(RegistrationError, match="clinical supervisor"):
        mentor_request_create(mentee=mentee, mentor=mentor, by=mentee.user)
    other = make_mentee(program)
    with pytest.raises(RegistrationError, match="Only the mentee"):
        mentor_request_create(mentee=other, mentor=mentor, by=mentor.user)
    request = mentor_request_create(mentee=other, mentor=mentor, by=other.user)
    with pytest.raises(RegistrationError, match="already asked"):
        mentor_request_create(mentee=other, mentor=mentor, by=other.user)
    with pytest.raises(RegistrationError, match="Only the mentor"):
        mentor_request_accept(request=request, by=other.user)
    mentor_request_accept(request=request, by=mentor.user)
    third = make_mentee(program)
    with pytest.raises(RegistrationError, match="no room"):
        mentor_request_create(mentee=third, mentor=mentor, by=third.user)
    with pytest.raises(RegistrationError, match="already have a mentor"):
        mentor_request_create(mentee=other, mentor=make_mentor(program), by=other.user)


def test_accepting_one_request_withdraws_the_mentees_others(program):
    mentee = make_mentee(program)
    first, second = make_mentor(program), make_mentor(program)
    a = mentor_request_create(mentee=mentee, mentor=first, by=mentee.user)
    b = mentor_request_create(mentee=mentee, mentor=second, by=mentee.user)
    mentor_request_accept(request=a, by=first.user)
    b.refresh_from_db()
    assert b.status == MentorRequest.Status.WITHDRAWN
    with pytest.raises(RegistrationError):
        mentor_request_accept(request=b, by=second.user)


def test_expiry_reminds_then_expires(program, mailoutbox, django_capture_on_commit_callbacks):
    mentor, mentee = make_mentor(program), make_mentee(program)
    request = mentor_request_create(mentee=mentee, mentor=mentor, by=mentee.user)
    start = request.created_at
    with django_capture_on_commit_callbacks(execute=True):
        assert requests_expire(now=start + timedelta(days=10)) == (0, 0)
        assert requests_expire(now=start + timedelta(days=11, minutes=1)) == (0, 1)
        assert requests_expire(now=start + timedelta(days=12)) == (0, 0)  # reminded once
    assert mailoutbox[-1].to == [mentor.user.email] and "Reminder" in mailoutbox[-1].subject
    with pytest.raises(RegistrationError, match="expired"):
        # past its date but not yet swept: accepting is refused all the same
        request.expires_at = timezone.now() - timedelta(seconds=1)
        request.save()
        mentor_request_accept(request=request, by=mentor.user)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("mentorship_expire_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    request.refresh_from_db()
    assert request.status == MentorRequest.Status.EXPIRED
    assert mailoutbox[-1].to == [mentee.user.email] and "expired" in mailoutbox[-1].subject


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_many_mentees_race_for_a_mentor_with_two_places():
    """Twenty mentees ask at the same instant, then twenty acceptances run at the
    same instant (a mentor clicking through tabs): exactly two are accepted."""
    program = make_program(make_org())
    mentor = make_mentor(program, capacity=2)
    mentees = [make_mentee(program) for _ in range(20)]
    requests = race(lambda e: mentor_request_create(mentee=e, mentor=mentor, by=e.user), mentees)
    assert all(isinstance(r, MentorRequest) for r in requests)
    results = race(lambda r: mentor_request_accept(request=r, by=mentor.user), requests)
    assert sum(isinstance(r, Match) for r in results) == 2
    assert results.count("mentor_full") == 18
    assert Match.objects.filter(mentor=mentor, status="active").count() == 2
