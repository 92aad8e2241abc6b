"""Participants: enroll, see suggestions, accept or decline, the active match, ending."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mentorship.models import Match, MatchFeedback, MenteeEnrollment, MentorEnrollment, Program
from mentorship.services import match_run_create, match_run_publish
from networking.chat.models import Room
from tests.factories import make_user
from tests.mentorship.conftest import make_mentee, make_mentor


def test_mentee_enrolls_through_the_form(
    client, program, mailoutbox, django_capture_on_commit_callbacks
):
    user = make_user()
    client.force_login(user)
    url = reverse("mentorship:enroll_mentee", args=[program.slug])
    page = client.get(url).content.decode()
    assert "Mentoring is not clinical supervision" in page
    assert "<legend" in page and "What matters most" in page
    data = {
        "profession": "counselor",
        "career_stage": "student",
        "meeting": "virtual",
        "languages": ["Spanish"],
        "specialties": ["Anxiety"],
        "importance_language": "must",
        **{
            f"importance_{c}": "nice"
            for c in [
                "specialty",
                "population",
                "setting",
                "goals",
                "region",
                "meeting",
                "experience",
                "profession",
                "identity",
            ]
        },
        "avoid_emails_text": "Old.Boss@Clinic.org\n",
        "supervisor_email": "sup@clinic.org",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    mentee = MenteeEnrollment.objects.get(user=user)
    assert mentee.importance["language"] == "must"
    assert mentee.avoid_emails == ["old.boss@clinic.org"]
    assert "enrolled as a mentee" in mailoutbox[0].subject


def test_bad_enrollment_input_changes_nothing(client, program):
    client.force_login(make_user())
    url = reverse("mentorship:enroll_mentor", args=[program.slug])
    response = client.post(
        url,
        {"profession": "counselor", "years_in_practice": 10, "capacity": 9, "meeting": "virtual"},
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 5" in response.content.decode()
    assert not MentorEnrollment.objects.exists()
    response = client.post(
        reverse("mentorship:enroll_mentee", args=[program.slug]),
        {
            "profession": "counselor",
            "career_stage": "student",
            "meeting": "virtual",
            "avoid_emails_text": "not an email",
            "importance_identity": "must",
        },
    )
    assert response.status_code == 200
    assert "is not an email address" in response.content.decode()
    assert not MenteeEnrollment.objects.exists()


def test_enrollment_closed_is_refused(client, program):
    program.enrollment_closes_at = timezone.now()
    program.save()
    client.force_login(make_user())
    page = client.get(reverse("mentorship:program_detail", args=[program.slug])).content.decode()
    assert "Enrollment is closed" in page


def test_suggestions_rank_explain_filter_and_hide_private_details(client, program):
    make_mentor(
        program, make_user(first_name="Near", last_name="Fit"), identity=["Parent or caregiver"]
    )
    make_mentor(
        program,
        make_user(first_name="Far", last_name="Fit"),
        specialties=["Couples"],
        meeting="in_person",
        languages=["English", "Spanish"],
    )
    make_mentor(program, make_user(first_name="Only", last_name="Mandarin"), languages=["Mandarin"])
    mentee = make_mentee(
        program,
        identity=["Parent or caregiver"],
        languages=["English", "Spanish"],
        importance={"language": "must"},
    )
    client.force_login(mentee.user)
    url = reverse("mentorship:suggestions", args=[program.slug])
    text = client.get(url).content.decode()
    assert text.index("Near Fit") < text.index("Far Fit")
    assert "Only Mandarin" not in text  # misses a must-have
    assert "same specialty or modality: Trauma and PTSD" in text
    assert "Private preferences that only the organizers see also count" in text
    assert "Parent or caregiver" not in text
    filtered = client.get(url, {"language": "Spanish"}).content.decode()
    assert "Far Fit" in filtered and "Near Fit" not in filtered


@pytest.fixture
def proposed(program, organizer):
    make_mentor(program, make_user(first_name="Renata", last_name="Okafor"))
    make_mentee(program, make_user(first_name="Dana", last_name="Kim"))
    match_run_publish(run=match_run_create(program=program, by=organizer), by=organizer)
    return Match.objects.get()


def test_both_accept_then_active_with_a_private_room(
    client, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("mentorship:match_detail", args=[proposed.pk])
    client.force_login(proposed.mentee.user)
    assert "Accept" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mentorship:match_accept", args=[proposed.pk]))
    proposed.refresh_from_db()
    assert proposed.status == Match.Status.MENTEE_ACCEPTED
    assert "Dana Kim accepted" in mailoutbox[-1].subject
    client.force_login(proposed.mentor.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mentorship:match_accept", args=[proposed.pk]))
    proposed.refresh_from_db()
    assert proposed.status == Match.Status.ACTIVE
    room = Room.objects.get(key=f"mentorship:{proposed.pk}")
    assert proposed.room == room and room.kind == "mentorship"
    assert set(room.members.values_list("user_id", flat=True)) == {
        proposed.mentor.user_id,
        proposed.mentee.user_id,
    }
    assert sum("has started" in m.subject for m in mailoutbox) == 2
    page = client.get(url).content.decode()
    try:  # the chat pages are built by another issue: link to them once they exist
        assert f'href="{reverse("chat:room", args=[room.pk])}"' in page
    except NoReverseMatch:
        assert "chat is coming soon" in page


def test_declined_mentee_returns_to_the_pool_but_not_with_the_same_mentor(
    client, proposed, organizer, program
):
    client.force_login(proposed.mentee.user)
    client.post(reverse("mentorship:match_decline", args=[proposed.pk]), {"reason": "Time zone"})
    proposed.refresh_from_db()
    assert (proposed.status, proposed.declined_by) == ("declined", "mentee")
    other = make_mentor(program, specialties=["Couples"])
    run = match_run_create(program=program, by=organizer)
    assert list(run.matches.values_list("mentor_id", flat=True)) == [other.pk]


def test_active_match_goals_meetings_and_private_notes(client, proposed):
    proposed.status = Match.Status.ACTIVE
    proposed.save()
    mentee, mentor = proposed.mentee.user, proposed.mentor.user
    client.force_login(mentee)
    client.post(reverse("mentorship:goal_add", args=[proposed.pk]), {"title": "Pass the ASWB exam"})
    goal = proposed.goals.get()
    client.post(reverse("mentorship:goal_update", args=[proposed.pk, goal.pk]), {"progress": 40})
    client.post(
        reverse("mentorship:meeting_add", args=[proposed.pk]),
        {"met_on": timezone.localdate().isoformat(), "notes": "Felt anxious about it"},
    )
    goal.refresh_from_db()
    assert goal.progress == 40
    url = reverse("mentorship:match_detail", args=[proposed.pk])
    assert "Felt anxious about it" in client.get(url).content.decode()
    client.force_login(mentor)
    page = client.get(url).content.decode()
    assert "Pass the ASWB exam" in page and "40%" in page
    assert "Felt anxious about it" not in page  # notes are private to their author
    response = client.post(
        reverse("mentorship:goal_update", args=[proposed.pk, goal.pk]), {"progress": 140}
    )
    goal.refresh_from_db()
    assert goal.progress == 40 and response.status_code == 302


def test_end_early_needs_a_reason_then_both_get_the_survey(
    client, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    proposed.status = Match.Status.ACTIVE
    proposed.save()
    client.force_login(proposed.mentor.user)
    url = reverse("mentorship:match_end", args=[proposed.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Changed jobs"})
    assert response["Location"] == reverse("mentorship:match_feedback", args=[proposed.pk])
    proposed.refresh_from_db()
    assert proposed.status == Match.Status.ENDED_EARLY and proposed.reason == "Changed jobs"
    assert sorted(m.to[0] for m in mailoutbox if "survey" in m.subject) == sorted(
        [proposed.mentor.user.email, proposed.mentee.user.email]
    )
    client.post(response["Location"], {"rating": "4", "met_goals": "on", "comments": "Kind"})
    client.post(response["Location"], {"rating": "1"})
    assert list(MatchFeedback.objects.values_list("role", "rating")) == [("mentor", 4)]


def test_completion(client, proposed, organizer):
    proposed.status = Match.Status.ACTIVE
    proposed.save()
    client.force_login(organizer)
    client.post(reverse("mentorship:match_complete", args=[proposed.pk]), {"reason": ""})
    proposed.refresh_from_db()
    assert proposed.status == Match.Status.COMPLETED and proposed.ended_by == organizer


def test_suggestions_query_budget(client, program, django_assert_max_num_queries):
    for _ in range(30):
        make_mentor(program)
    mentee = make_mentee(program)
    client.force_login(mentee.user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("mentorship:suggestions", args=[program.slug]))
    assert response.content.decode().count('class="panel suggestion"') == 10  # one page


def test_organizer_creates_a_program(client, organizer, org):
    client.force_login(organizer)
    data = {
        "organization": org.pk,
        "name": "Speed mentoring",
        "slug": "speed",
        "status": "published",
        "starts_on": "2026-10-15",
        "ends_on": "2026-10-15",
        "enrollment_opens_at": "2026-09-01T09:00",
        "enrollment_closes_at": "2026-10-14T17:00",
        "format": "one_off",
        "supervision_notice": "Not supervision.",
        "mode": "optimal",
        **dict.fromkeys(Program.WEIGHT_FIELDS, 10),
    }
    response = client.post(reverse("mentorship:program_create"), {**data, "w_language": 500})
    assert response.status_code == 200 and not Program.objects.exists()
    response = client.post(reverse("mentorship:program_create"), data)
    assert response["Location"] == reverse("mentorship:dashboard", args=["speed"])
    assert Program.objects.get().w_language == 10
