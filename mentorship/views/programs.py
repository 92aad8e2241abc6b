"""Participant pages: programs, enrolling, suggestions and requests to mentors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Profile
from events.errors import RegistrationError
from mentorship import selectors, services
from mentorship.forms import (
    MenteeEnrollmentForm,
    MentorEnrollmentForm,
    RequestForm,
    SuggestionFilterForm,
)
from mentorship.models import Match, MenteeEnrollment, MentorEnrollment
from mentorship.permissions import access_public_program, can_manage_program

SUGGESTIONS_PER_PAGE = 10


@require_safe
def program_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_programs(), 20).get_page(request.GET.get("page"))
    return render(request, "mentorship/program_list.html", {"page": page})


@require_safe
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = access_public_program(request.user, slug)
    mentor, mentee = selectors.enrollments_of(request.user, program)
    return render(
        request,
        "mentorship/program_detail.html",
        {
            "program": program,
            "mentor": mentor,
            "mentee": mentee,
            "open": program.enrollment_open(),
            "manages": can_manage_program(request.user, program),
        },
    )


def _initial_from_profile(user) -> dict:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return {}
    return {"profession": profile.profession, "employer": profile.organization}


def _enroll(request: HttpRequest, slug: str, role: str) -> HttpResponse:
    program = access_public_program(request.user, slug)
    model, form_class = (
        (MentorEnrollment, MentorEnrollmentForm)
        if role == "mentor"
        else (MenteeEnrollment, MenteeEnrollmentForm)
    )
    existing = model.objects.filter(program=program, user=request.user).first()
    form = form_class(
        request.POST if request.method == "POST" else None,
        instance=existing or model(program=program, user=request.user),
        initial=None if existing else _initial_from_profile(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.enrollment_data() if role == "mentee" else form.cleaned_data
        enroll = services.mentor_enroll if role == "mentor" else services.mentee_enroll
        try:
            enroll(program=program, user=request.user, data=data)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"You are enrolled as a {role}." if existing is None else "Your answers are saved.",
            )
            return redirect("mentorship:program_detail", slug=program.slug)
    return render(
        request,
        "mentorship/enroll.html",
        {"program": program, "form": form, "role": role, "existing": existing,
         "open": program.enrollment_open()},
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def enroll_mentor(request: HttpRequest, slug: str) -> HttpResponse:
    return _enroll(request, slug, "mentor")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def enroll_mentee(request: HttpRequest, slug: str) -> HttpResponse:
    return _enroll(request, slug, "mentee")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def withdraw(request: HttpRequest, slug: str, role: str) -> HttpResponse:
    program = access_public_program(request.user, slug)
    model = {"mentor": MentorEnrollment, "mentee": MenteeEnrollment}.get(role)
    if model is None:
        raise Http404("No such role.")
    enrollment = get_object_or_404(model, program=program, user=request.user, status="active")
    if request.method == "POST":
        try:
            services.enrollment_withdraw(enrollment=enrollment, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You withdrew from {program.name} as a {role}.")
        return redirect("mentorship:program_detail", slug=program.slug)
    return render(request, "mentorship/withdraw.html", {"program": program, "role": role})


def _my_mentee(request: HttpRequest, slug: str) -> MenteeEnrollment:
    program = access_public_program(request.user, slug)
    mentee = (
        MenteeEnrollment.objects.select_related("program", "user")
        .filter(program=program, user=request.user, status="active")
        .first()
    )
    if mentee is None:
        raise Http404("Enroll as a mentee first.")
    return mentee


@require_safe
@login_required
def suggestion_list(request: HttpRequest, slug: str) -> HttpResponse:
    mentee = _my_mentee(request, slug)
    filters = SuggestionFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    ranked = selectors.suggestions(mentee, cleaned)
    page = Paginator(ranked, SUGGESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    offset = (page.number - 1) * SUGGESTIONS_PER_PAGE
    matched = Match.objects.filter(mentee=mentee, status__in=Match.TAKES_CAPACITY).exists()
    return render(
        request,
        "mentorship/suggestions.html",
        {"program": mentee.program, "mentee": mentee, "page": page, "filters": filters,
         "offset": offset, "matched": matched},
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def request_mentor(request: HttpRequest, slug: str, mentor_id: int) -> HttpResponse:
    mentee = _my_mentee(request, slug)
    mentor = get_object_or_404(
        MentorEnrollment.objects.select_related("user"),
        pk=mentor_id, program=mentee.program, status="active",
    )  # fmt: skip
    form = RequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_request_create(
                mentee=mentee, mentor=mentor, by=request.user, note=form.cleaned_data["note"]
            )
        except RegistrationError as error:
            messages.error(request, error.message)
            return redirect("mentorship:suggestions", slug=slug)
        messages.success(request, f"Your request is on its way to {mentor.user.get_full_name()}.")
        return redirect("mentorship:my_mentorship")
    return render(
        request,
        "mentorship/request_form.html",
        {"program": mentee.program, "mentor": mentor, "form": form},
    )


@require_safe
@login_required
def my_mentorship(request: HttpRequest) -> HttpResponse:
    user = request.user
    requests = list(selectors.my_requests(user)[:50])
    return render(
        request,
        "mentorship/my_mentorship.html",
        {
            "matches": list(selectors.my_matches(user)[:50]),
            "incoming": [r for r in requests if r.mentor.user_id == user.pk],
            "outgoing": [r for r in requests if r.mentee.user_id == user.pk],
            "mentor_enrollments": MentorEnrollment.objects.filter(user=user).select_related(
                "program"
            ),
            "mentee_enrollments": MenteeEnrollment.objects.filter(user=user).select_related(
                "program"
            ),
        },
    )


urlpatterns = [
    path("mentorship/", program_list, name="program_list"),
    path("mentorship/me/", my_mentorship, name="my_mentorship"),
    path("mentorship/<slug:slug>/", program_detail, name="program_detail"),
    path("mentorship/<slug:slug>/enroll/mentor/", enroll_mentor, name="enroll_mentor"),
    path("mentorship/<slug:slug>/enroll/mentee/", enroll_mentee, name="enroll_mentee"),
    path("mentorship/<slug:slug>/withdraw/<str:role>/", withdraw, name="withdraw"),
    path("mentorship/<slug:slug>/suggestions/", suggestion_list, name="suggestions"),
    path(
        "mentorship/<slug:slug>/suggestions/<int:mentor_id>/request/",
        request_mentor,
        name="request_mentor",
    ),
]
