"""Every mentorship URL times every role. The attendee is the mentee of the match
and the author of the request; the organizer runs the program's provider."""

import pytest
from django.urls import reverse

from mentorship.models import Goal, Match
from mentorship.services import match_run_create, mentor_request_create
from tests.factories import make_org, make_organizer, make_user
from tests.mentorship.conftest import make_mentee, make_mentor
from tests.permissions import LOGIN, ROLES, assert_page_answer


@pytest.fixture
def world(program, organizer):
    mentor = make_mentor(program, capacity=3)
    mentee = make_mentee(program)
    asked = make_mentor(program)
    request = mentor_request_create(mentee=mentee, mentor=asked, by=mentee.user)
    match = Match.objects.create(
        program=program, mentor=mentor, mentee=mentee, status=Match.Status.ACTIVE
    )
    goal = Goal.objects.create(match=match, title="Licensure", created_by=mentee.user)
    make_mentee(program)  # someone for the run to match
    run = match_run_create(program=program, by=organizer)
    draft = run.matches.first()
    users = {
        "anonymous": None,
        "attendee": mentee.user,
        "other_attendee": make_user(),
        "other_organizer": make_organizer(make_org()),
        "organizer": organizer,
    }
    return {
        "program": program, "mentor": mentor, "match": match, "goal": goal,
        "request": request, "run": run, "draft": draft, "users": users, "asked": asked,
    }  # fmt: skip


IN, ORG = "attendee", "organizer"  # the roles that get in, below


def _pages(w):
    slug, m, run = w["program"].slug, w["match"].pk, w["run"].pk
    everyone = dict.fromkeys(ROLES, 200)
    signed_in = {**everyone, "anonymous": LOGIN}
    only = lambda ok, other=404: {  # noqa: E731
        r: (LOGIN if r == "anonymous" else 200 if r in ok else other) for r in ROLES
    }
    manager = only((ORG,), 403)
    return [
        (reverse("mentorship:program_list"), everyone),
        (reverse("mentorship:program_detail", args=[slug]), everyone),
        (reverse("mentorship:my_mentorship"), signed_in),
        (reverse("mentorship:enroll_mentor", args=[slug]), signed_in),
        (reverse("mentorship:enroll_mentee", args=[slug]), signed_in),
        (reverse("mentorship:withdraw", args=[slug, "mentee"]), only((IN,))),
        (reverse("mentorship:suggestions", args=[slug]), only((IN,))),
        (reverse("mentorship:request_mentor", args=[slug, w["asked"].pk]), only((IN,))),
        (reverse("mentorship:request_detail", args=[w["request"].pk]), only((IN,))),
        (reverse("mentorship:match_detail", args=[m]), only((IN, ORG))),
        (reverse("mentorship:match_decline", args=[m]), only((IN, ORG))),
        (reverse("mentorship:match_end", args=[m]), only((IN, ORG))),
        (reverse("mentorship:match_complete", args=[m]), only((IN, ORG))),
        (reverse("mentorship:match_feedback", args=[m]), only((IN, ORG))),
        (reverse("mentorship:organizer_programs"), signed_in),
        (reverse("mentorship:program_create"), {**only(("other_organizer", ORG), 403)}),
        (reverse("mentorship:dashboard", args=[slug]), manager),
        (reverse("mentorship:program_edit", args=[slug]), manager),
        (reverse("mentorship:enrollments", args=[slug]), manager),
        (reverse("mentorship:run_detail", args=[slug, run]), manager),
        (reverse("mentorship:run_publish", args=[slug, run]), manager),
        (reverse("mentorship:draft_edit", args=[slug, run, w["draft"].mentee_id]), manager),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_page_permission_table(client, world, role):
    for url, answers in _pages(world):
        client.logout()
        assert_page_answer(client, world["users"][role], url, answers[role])


def _posts(w):
    slug, m, run = w["program"].slug, w["match"].pk, w["run"].pk
    participant = {"attendee": 302, "organizer": 302, "other_attendee": 404,
                   "other_organizer": 404}  # fmt: skip
    manager = {"attendee": 403, "organizer": 302, "other_attendee": 403, "other_organizer": 403}
    return [
        (reverse("mentorship:goal_add", args=[m]), {"title": "x"}, participant),
        (reverse("mentorship:goal_update", args=[m, w["goal"].pk]), {"progress": 5}, participant),
        (reverse("mentorship:meeting_add", args=[m]), {"met_on": "2020-01-01"}, participant),
        (reverse("mentorship:match_accept", args=[m]), {}, participant),
        (
            reverse("mentorship:draft_remove", args=[slug, run, w["draft"].pk]),
            {},
            manager,
        ),
        (reverse("mentorship:run_create", args=[slug]), {"mode": "stable"}, manager),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_post_permission_table(client, world, role):
    for url, data, answers in _posts(world):
        client.logout()
        user = world["users"][role]
        if user is not None:
            client.force_login(user)
        response = client.post(url, data)
        if user is None:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/")
        else:
            assert response.status_code == answers[role], (url, response.status_code)
        assert client.get(url).status_code in (302, 405)  # GET never changes anything


def test_organizer_of_another_provider_cannot_touch_matches(client, world):
    outsider = world["users"]["other_organizer"]
    client.force_login(outsider)
    client.post(reverse("mentorship:match_complete", args=[world["match"].pk]), {"reason": ""})
    world["match"].refresh_from_db()
    assert world["match"].status == Match.Status.ACTIVE
