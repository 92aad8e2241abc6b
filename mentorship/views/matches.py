"""A match's page for its pair (and organizers): answer a proposal, goals, meeting
log, chat, ending and feedback; and a mentor's answer to a request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events.errors import RegistrationError
from mentorship import selectors, services
from mentorship.forms import (
    EndForm,
    FeedbackForm,
    GoalForm,
    MeetingForm,
    ProgressForm,
    ReasonForm,
)
from mentorship.models import Match, MatchFeedback, MentorRequest
from mentorship.permissions import access_match, access_request


def _back(match: Match) -> HttpResponse:
    return redirect("mentorship:match_detail", pk=match.pk)


@require_safe
@login_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = access_match(request.user, pk)
    context = {
        "match": match,
        "role": role,
        "program": match.program,
        "other": match.mentee.user if role == "mentor" else match.mentor.user,
        "parts": match.explanation if role == "organizer" else match.public_explanation(),
        "hidden": role != "organizer" and any(p.get("private") for p in match.explanation),
        "goals": list(match.goals.all()),
        "meetings": list(match.meetings.select_related("author")),
        "chat_url": selectors.chat_url(match),
        "i_accepted": (role, match.status)
        in {("mentor", Match.Status.MENTOR_ACCEPTED), ("mentee", Match.Status.MENTEE_ACCEPTED)},
        "feedback_sent": role in ("mentor", "mentee")
        and MatchFeedback.objects.filter(match=match, role=role).exists(),
        "goal_form": GoalForm(),
        "meeting_form": MeetingForm(),
    }
    return render(request, "mentorship/match_detail.html", context)


@require_POST
@login_required
def match_accept(request: HttpRequest, pk: int) -> HttpResponse:
    match, _ = access_match(request.user, pk)
    try:
        match = services.match_accept(match=match, by=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        if match.status == Match.Status.ACTIVE:
            messages.success(request, "You both said yes: your mentorship has started.")
        else:
            messages.success(request, "You accepted. We will tell you when the other side does.")
    return _back(match)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def match_decline(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = access_match(request.user, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.match_decline(match=match, by=request.user, reason=form.cleaned_data["reason"])
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "You declined this match.")
        return _back(match)
    return render(
        request, "mentorship/match_decline.html", {"match": match, "role": role, "form": form}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def match_end(request: HttpRequest, pk: int, how: str) -> HttpResponse:
    match, role = access_match(request.user, pk)
    completed = how == "complete"
    form = EndForm(request.POST if request.method == "POST" else None)
    if completed:
        form.fields["reason"].required = False
        form.fields["reason"].label = "Anything to add? (optional)"
    if request.method == "POST" and form.is_valid():
        try:
            services.match_end(
                match=match, by=request.user, completed=completed,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except RegistrationError as error:
            messages.error(request, error.message)
            return _back(match)
        messages.success(request, "The match has ended. Thank you!")
        if role in ("mentor", "mentee"):
            return redirect("mentorship:match_feedback", pk=match.pk)
        return _back(match)
    return render(
        request,
        "mentorship/match_end.html",
        {"match": match, "role": role, "form": form, "completed": completed},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def match_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = access_match(request.user, pk)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(match=match, by=request.user, **form.cleaned_data)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Thank you for your feedback.")
        return _back(match)
    return render(
        request, "mentorship/match_feedback.html", {"match": match, "role": role, "form": form}
    )


@require_POST
@login_required
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    match, _ = access_match(request.user, pk)
    form = GoalForm(request.POST)
    try:
        if not form.is_valid():
            raise RegistrationError("title_required", "Name the goal (up to 200 characters).")
        services.goal_add(match=match, by=request.user, title=form.cleaned_data["title"])
    except RegistrationError as error:
        messages.error(request, error.message)
    return _back(match)


@require_POST
@login_required
def goal_update(request: HttpRequest, pk: int, goal_id: int) -> HttpResponse:
    match, _ = access_match(request.user, pk)
    goal = get_object_or_404(match.goals, pk=goal_id)
    form = ProgressForm(request.POST)
    try:
        if not form.is_valid():
            raise RegistrationError("bad_progress", "Progress goes from 0 to 100 percent.")
        services.goal_progress(goal=goal, by=request.user, progress=form.cleaned_data["progress"])
    except RegistrationError as error:
        messages.error(request, error.message)
    return _back(match)


@require_POST
@login_required
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    match, _ = access_match(request.user, pk)
    form = MeetingForm(request.POST)
    try:
        if not form.is_valid():
            raise RegistrationError("bad_date", "Give the date of the meeting.")
        services.meeting_log_add(match=match, by=request.user, **form.cleaned_data)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Meeting logged.")
    return _back(match)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor answers here (accept, or decline with a reason); the mentee can
    withdraw a pending request."""
    mentor_request, role = access_request(request.user, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept" and role == "mentor":
                match = services.mentor_request_accept(request=mentor_request, by=request.user)
                messages.success(request, "You accepted: your mentorship has started.")
                return redirect("mentorship:match_detail", pk=match.pk)
            if action == "decline" and role == "mentor" and form.is_valid():
                services.mentor_request_decline(
                    request=mentor_request, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "You declined the request.")
            elif action == "withdraw" and role == "mentee":
                services.mentor_request_withdraw(request=mentor_request, by=request.user)
                messages.success(request, "You withdrew your request.")
            else:
                raise RegistrationError("bad_action", "That action is not available.")
        except RegistrationError as error:
            messages.error(request, error.message)
        return redirect("mentorship:request_detail", pk=mentor_request.pk)
    return render(
        request,
        "mentorship/request_detail.html",
        {"req": mentor_request, "role": role, "form": form,
         "pending": mentor_request.status == MentorRequest.Status.PENDING},
    )  # fmt: skip


urlpatterns = [
    path("mentorship/matches/<int:pk>/", match_detail, name="match_detail"),
    path("mentorship/matches/<int:pk>/accept/", match_accept, name="match_accept"),
    path("mentorship/matches/<int:pk>/decline/", match_decline, name="match_decline"),
    path("mentorship/matches/<int:pk>/end/", match_end, {"how": "early"}, name="match_end"),
    path(
        "mentorship/matches/<int:pk>/complete/",
        match_end,
        {"how": "complete"},
        name="match_complete",
    ),
    path("mentorship/matches/<int:pk>/feedback/", match_feedback, name="match_feedback"),
    path("mentorship/matches/<int:pk>/goals/", goal_add, name="goal_add"),
    path("mentorship/matches/<int:pk>/goals/<int:goal_id>/", goal_update, name="goal_update"),
    path("mentorship/matches/<int:pk>/meetings/", meeting_add, name="meeting_add"),
    path("mentorship/requests/<int:pk>/", request_detail, name="request_detail"),
]
