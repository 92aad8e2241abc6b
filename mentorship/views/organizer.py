"""Organizer pages: programs, bulk matching (run, review, edit, publish), dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events.errors import RegistrationError
from events.permissions import managed_organizations
from mentorship import selectors, services
from mentorship.forms import DraftEditForm, ProgramForm, RunForm
from mentorship.models import Match, MatchRun, MenteeEnrollment, MentorEnrollment, Program
from mentorship.permissions import access_managed_program, managed_programs

PER_PAGE = 25


@require_safe
@login_required
def organizer_programs(request: HttpRequest) -> HttpResponse:
    programs = managed_programs(request.user).select_related("organization", "event")
    page = Paginator(programs.order_by("-starts_on", "name"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    can_create = managed_organizations(request.user).exists()
    return render(
        request, "mentorship/organizer/programs.html", {"page": page, "can_create": can_create}
    )


def _program_form(request: HttpRequest, program: Program | None) -> HttpResponse:
    organizations = managed_organizations(request.user)
    if program is None and not organizations.exists():
        return render(request, "403.html", status=403)
    form = ProgramForm(
        request.POST if request.method == "POST" else None,
        instance=program or Program(),
        organizations=organizations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.program_save(program=form.instance, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"“{saved.name}” is saved.")
            return redirect("mentorship:dashboard", slug=saved.slug)
    return render(
        request, "mentorship/organizer/program_form.html", {"form": form, "program": program}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def program_create(request: HttpRequest) -> HttpResponse:
    return _program_form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def program_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _program_form(request, access_managed_program(request.user, slug))


@require_safe
@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    program = access_managed_program(request.user, slug)
    draft = MatchRun.objects.filter(program=program, status=MatchRun.Status.DRAFT).first()
    run_form = RunForm(initial={"mode": program.mode, "maximize_matched": program.maximize_matched})
    return render(
        request,
        "mentorship/organizer/dashboard.html",
        {"program": program, "stats": selectors.dashboard(program), "run_form": run_form,
         "draft": draft},
    )  # fmt: skip


@require_safe
@login_required
def enrollments(request: HttpRequest, slug: str) -> HttpResponse:
    program = access_managed_program(request.user, slug)
    role = "mentors" if request.GET.get("role") != "mentees" else "mentees"
    model = MentorEnrollment if role == "mentors" else MenteeEnrollment
    people = (
        model.objects.filter(program=program)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorship/organizer/enrollments.html",
        {"program": program, "page": page, "role": role},
    )


@require_POST
@login_required
def run_create(request: HttpRequest, slug: str) -> HttpResponse:
    program = access_managed_program(request.user, slug)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose stable or optimal matching.")
        return redirect("mentorship:dashboard", slug=slug)
    try:
        run = services.match_run_create(program=program, by=request.user, **form.cleaned_data)
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect("mentorship:dashboard", slug=slug)
    messages.success(
        request, "Matching is done. Review the proposals: nobody is told until you publish."
    )
    return redirect("mentorship:run_detail", slug=slug, run_id=run.pk)


def _run(request: HttpRequest, slug: str, run_id: int) -> tuple[Program, MatchRun]:
    program = access_managed_program(request.user, slug)
    return program, get_object_or_404(MatchRun, pk=run_id, program=program)


@require_safe
@login_required
def run_detail(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    program, run = _run(request, slug, run_id)
    review = selectors.run_review(run)
    proposals = Paginator(review["proposals"], PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorship/organizer/run_detail.html",
        {"program": program, "run": run, "proposals": proposals, "unmatched": review["unmatched"],
         "total": sum(m.score for m in review["proposals"])},
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def draft_edit(request: HttpRequest, slug: str, run_id: int, mentee_id: int) -> HttpResponse:
    """Choose (or change) the mentor of one mentee in a draft run."""
    program, run = _run(request, slug, run_id)
    mentee = get_object_or_404(
        MenteeEnrollment.objects.select_related("user"), pk=mentee_id, program=program
    )
    current = Match.objects.filter(run=run, mentee=mentee, status=Match.Status.DRAFT).first()
    form = DraftEditForm(
        request.POST if request.method == "POST" else None,
        program=program,
        initial={"mentor": current.mentor_id if current else None},
    )
    warning = None
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_match_set(
                run=run, mentee=mentee, mentor=form.cleaned_data["mentor"], by=request.user,
                override=form.cleaned_data["override"],
            )  # fmt: skip
        except services.ConstraintWarning as error:
            warning = error
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{mentee.user.get_full_name()}'s proposal is updated.")
            return redirect("mentorship:run_detail", slug=slug, run_id=run.pk)
    return render(
        request,
        "mentorship/organizer/draft_edit.html",
        {"program": program, "run": run, "mentee": mentee, "current": current, "form": form,
         "warning": warning},
    )  # fmt: skip


@require_POST
@login_required
def draft_remove(request: HttpRequest, slug: str, run_id: int, match_id: int) -> HttpResponse:
    _, run = _run(request, slug, run_id)
    match = get_object_or_404(Match, pk=match_id, run=run)
    try:
        services.draft_match_remove(match=match, by=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The proposal is removed; the mentee is listed as unmatched.")
    return redirect("mentorship:run_detail", slug=slug, run_id=run.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def run_publish(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    program, run = _run(request, slug, run_id)
    count = run.matches.filter(status=Match.Status.DRAFT).count()
    if request.method == "POST":
        try:
            sent = services.match_run_publish(run=run, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
            return redirect("mentorship:run_detail", slug=slug, run_id=run.pk)
        messages.success(request, f"Published: {sent} pairs were proposed by email.")
        return redirect("mentorship:dashboard", slug=slug)
    return render(
        request,
        "mentorship/organizer/run_publish.html",
        {"program": program, "run": run, "count": count},
    )


urlpatterns = [
    path("manage/mentorship/", organizer_programs, name="organizer_programs"),
    path("manage/mentorship/new/", program_create, name="program_create"),
    path("manage/mentorship/<slug:slug>/", dashboard, name="dashboard"),
    path("manage/mentorship/<slug:slug>/edit/", program_edit, name="program_edit"),
    path("manage/mentorship/<slug:slug>/people/", enrollments, name="enrollments"),
    path("manage/mentorship/<slug:slug>/runs/", run_create, name="run_create"),
    path("manage/mentorship/<slug:slug>/runs/<int:run_id>/", run_detail, name="run_detail"),
    path(
        "manage/mentorship/<slug:slug>/runs/<int:run_id>/mentees/<int:mentee_id>/",
        draft_edit,
        name="draft_edit",
    ),
    path(
        "manage/mentorship/<slug:slug>/runs/<int:run_id>/matches/<int:match_id>/remove/",
        draft_remove,
        name="draft_remove",
    ),
    path(
        "manage/mentorship/<slug:slug>/runs/<int:run_id>/publish/",
        run_publish,
        name="run_publish",
    ),
]
