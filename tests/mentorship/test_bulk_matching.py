"""Organizers run bulk matching, review, edit by hand and publish; nothing reaches
participants before publish."""

import pytest
from django.urls import reverse

from mentorship.models import Match, MatchRun
from mentorship.services import (
    ConstraintWarning,
    draft_match_set,
    match_run_create,
    match_run_publish,
    mentor_request_accept,
    mentor_request_create,
)
from tests.factories import make_user
from tests.mentorship.conftest import make_mentee, make_mentor


@pytest.fixture
def people(program):
    trauma = make_mentor(program, make_user(first_name="Renata", last_name="Okafor"), capacity=1)
    spanish = make_mentor(
        program, make_user(first_name="Luis", last_name="Ortega"), capacity=1,
        specialties=["Anxiety"], languages=["English", "Spanish"],
    )  # fmt: skip
    dana = make_mentee(program, make_user(first_name="Dana", last_name="Kim"))
    maria = make_mentee(
        program, make_user(first_name="Maria", last_name="Lopez"), languages=["Spanish"],
        importance={"language": "must"}, specialties=["Anxiety"],
    )  # fmt: skip
    ana = make_mentee(
        program, make_user(first_name="Ana", last_name="Silva"), languages=["Mandarin"],
        importance={"language": "must"},
    )  # fmt: skip
    return trauma, spanish, dana, maria, ana


def test_organizer_runs_reviews_and_publishes(
    client, organizer, program, people, mailoutbox, django_capture_on_commit_callbacks
):
    trauma, spanish, dana, maria, _ana = people
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentorship:run_create", args=[program.slug]), {"mode": "stable"}
        )
    run = MatchRun.objects.get()
    assert response["Location"] == reverse("mentorship:run_detail", args=[program.slug, run.pk])
    assert mailoutbox == []  # nothing before publish

    page = client.get(response["Location"]).content.decode()
    assert "Dana Kim" in page and "Renata Okafor" in page
    assert "same specialty or modality: Trauma and PTSD" in page
    assert "no mentor meets the must-have: Mandarin" in page  # Ana, unmatched with a reason
    pairs = set(Match.objects.values_list("mentee_id", "mentor_id", "status"))
    assert pairs == {(dana.pk, trauma.pk, "draft"), (maria.pk, spanish.pk, "draft")}

    # Participants see nothing yet.
    client.force_login(dana.user)
    draft = Match.objects.get(mentee=dana)
    assert client.get(reverse("mentorship:match_detail", args=[draft.pk])).status_code == 404
    assert "Renata" not in client.get(reverse("mentorship:my_mentorship")).content.decode()

    client.force_login(organizer)
    publish = reverse("mentorship:run_publish", args=[program.slug, run.pk])
    assert "Publish 2 proposals?" in client.get(publish).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish)
    assert Match.objects.filter(status=Match.Status.PROPOSED).count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [dana.user.email, trauma.user.email, maria.user.email, spanish.user.email]
    )
    to_dana = next(m for m in mailoutbox if m.to == [dana.user.email])
    assert "Renata Okafor as your mentor" in to_dana.body
    assert "same specialty or modality: Trauma and PTSD (+30)" in to_dana.body

    # Publishing twice changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish)
    assert len(mailoutbox) == 4


def test_optimal_run_and_the_most_matched_switch(client, organizer, program, people):
    client.force_login(organizer)
    client.post(
        reverse("mentorship:run_create", args=[program.slug]),
        {"mode": "optimal", "maximize_matched": "on"},
    )
    run = MatchRun.objects.get()
    assert (run.mode, run.maximize_matched) == ("optimal", True)
    assert run.matches.count() == 2


def test_new_run_replaces_the_unpublished_one(organizer, program, people):
    first = match_run_create(program=program, by=organizer)
    second = match_run_create(program=program, by=organizer, mode="optimal")
    first.refresh_from_db()
    assert first.status == MatchRun.Status.REPLACED
    assert set(Match.objects.values_list("run_id", flat=True)) == {second.pk}


def test_hand_edit_that_breaks_a_hard_constraint_warns_first(client, organizer, program, people):
    trauma, _spanish, _dana, _maria, ana = people
    run = match_run_create(program=program, by=organizer)
    Match.objects.filter(mentor=trauma).delete()  # free Renata for the test
    client.force_login(organizer)
    url = reverse("mentorship:draft_edit", args=[program.slug, run.pk, ana.pk])
    response = client.post(url, {"mentor": trauma.pk})
    assert response.status_code == 200
    text = response.content.decode()
    assert "This pairing breaks a hard constraint: must-have not met: Mandarin." in text
    assert not Match.objects.filter(mentee=ana).exists()

    response = client.post(url, {"mentor": trauma.pk, "override": "on"})
    assert response.status_code == 302
    match = Match.objects.get(mentee=ana)
    assert match.broken_constraints == ["must-have not met: Mandarin"]
    page = client.get(reverse("mentorship:run_detail", args=[program.slug, run.pk])).content
    assert "Breaks: must-have not met: Mandarin" in page.decode()


def test_hand_edit_respects_capacity_and_the_supervisor_rule(organizer, program, people):
    trauma, spanish, _dana, _maria, ana = people
    run = match_run_create(program=program, by=organizer)
    with pytest.raises(Exception, match="no room left"):
        draft_match_set(run=run, mentee=ana, mentor=trauma, by=organizer, override=True)
    supervised = make_mentee(program, supervisor_email=spanish.user.email)
    Match.objects.filter(mentor=spanish).delete()
    with pytest.raises(ConstraintWarning) as warning:
        draft_match_set(run=run, mentee=supervised, mentor=spanish, by=organizer)
    assert warning.value.blocked == ["is the mentee's clinical supervisor"]


def test_removed_pair_is_listed_unmatched(client, organizer, program, people):
    _trauma, _spanish, dana, _maria, _ana = people
    run = match_run_create(program=program, by=organizer)
    match = Match.objects.get(mentee=dana)
    client.force_login(organizer)
    client.post(reverse("mentorship:draft_remove", args=[program.slug, run.pk, match.pk]))
    assert not Match.objects.filter(mentee=dana).exists()
    page = client.get(reverse("mentorship:run_detail", args=[program.slug, run.pk])).content
    assert "removed by an organizer" in page.decode()


def test_publish_refused_when_a_mentor_filled_up_through_a_request(
    organizer, program, people, django_capture_on_commit_callbacks
):
    trauma, _spanish, _dana, _maria, _ana = people
    run = match_run_create(program=program, by=organizer)
    other = make_mentee(program)
    request = mentor_request_create(mentee=other, mentor=trauma, by=other.user)
    mentor_request_accept(request=request, by=trauma.user)
    with pytest.raises(Exception, match="Renata Okafor"):
        match_run_publish(run=run, by=organizer)
    assert Match.objects.filter(run=run, status=Match.Status.DRAFT).count() == 2


def test_request_accepted_while_a_draft_exists_takes_the_mentee_out_of_the_run(
    organizer, program, people
):
    _trauma, _spanish, dana, _maria, _ana = people
    run = match_run_create(program=program, by=organizer)
    extra = make_mentor(program, capacity=1)
    request = mentor_request_create(mentee=dana, mentor=extra, by=dana.user)
    mentor_request_accept(request=request, by=extra.user)
    run.refresh_from_db()
    assert {"mentee": dana.pk, "reason": "matched through a request"} in run.unmatched
    assert not run.matches.filter(mentee=dana).exists()


def test_dashboard_counts(client, organizer, program, people):
    run = match_run_create(program=program, by=organizer)
    match_run_publish(run=run, by=organizer)
    client.force_login(organizer)
    text = client.get(reverse("mentorship:dashboard", args=[program.slug])).content.decode()
    assert '<span class="stat__value">2</span><span class="stat__label">Mentors enrolled' in text
    assert '<span class="stat__value">3</span><span class="stat__label">Mentees enrolled' in text
    assert '<span class="stat__value">2</span><span class="stat__label">Waiting for answers' in text


def test_run_page_query_budget(client, organizer, program, people, django_assert_max_num_queries):
    for _ in range(20):
        make_mentee(program)
        make_mentor(program)
    run = match_run_create(program=program, by=organizer)
    client.force_login(organizer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("mentorship:run_detail", args=[program.slug, run.pk]))
    assert response.status_code == 200
