"""Block and report (attendees), the report queue (organizers), and the specialty
vocabulary organizers extend."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from events.errors import RegistrationError
from events.permissions import managed_organizations
from networking.forms import ReportForm, ResolveForm, SpecialtyForm
from networking.models import Block, Specialty
from networking.privacy import visible_profile
from networking.selectors import reports_for, specialty_choices
from networking.services.blocks import block_create, block_remove
from networking.services.profiles import specialty_create
from networking.services.reports import report_create, report_resolve

PER_PAGE = 20


def _target(request: HttpRequest, user_id: int) -> tuple[User, dict, bool]:
    """Someone the viewer can see, or has blocked (a block hides them both ways)."""
    target = get_object_or_404(User, pk=user_id)
    if target.pk == request.user.pk:
        raise Http404("That is you.")
    blocked = Block.objects.filter(blocker=request.user, blocked=target).exists()
    shown = visible_profile(target, request.user)
    if not shown and not blocked:
        raise Http404("No such person.")
    return target, shown, blocked


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def block(request: HttpRequest, user_id: int) -> HttpResponse:
    target, shown, blocked = _target(request, user_id)
    if request.method == "POST":
        try:
            block_create(blocker=request.user, blocked=target)
        except RegistrationError as error:
            messages.error(request, error.message)
            return redirect("networking:my_network")
        messages.success(
            request,
            f"You blocked {target.get_full_name()}. You no longer see each other here.",
        )
        return redirect("networking:blocked")
    return render(
        request,
        "networking/block_confirm.html",
        {"target": target, "name": shown.get("name") or target.get_full_name(), "blocked": blocked},
    )


@require_http_methods(["GET", "HEAD"])
@login_required
def blocked_list(request: HttpRequest) -> HttpResponse:
    blocks = (
        Block.objects.filter(blocker=request.user).select_related("blocked").order_by("-created_at")
    )
    page = Paginator(blocks, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "networking/blocked.html", {"page": page})


@require_POST
@login_required
def unblock(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    if block_remove(blocker=request.user, blocked=target):
        messages.success(request, f"You unblocked {target.get_full_name()}.")
    return redirect("networking:blocked")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report(request: HttpRequest, user_id: int) -> HttpResponse:
    target, shown, _ = _target(request, user_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_create(
                reporter=request.user,
                reported=target,
                reason=form.cleaned_data["reason"],
                also_block=form.cleaned_data["also_block"],
            )
        except RegistrationError as error:
            form.add_error("reason" if error.code.startswith("reason") else None, error.message)
        else:
            messages.success(
                request, "Thank you. The organizers of the events you share will review it."
            )
            if form.cleaned_data["also_block"]:
                return redirect("networking:blocked")
            return redirect("networking:person", user_id=target.pk)
    return render(
        request,
        "networking/report.html",
        {"target": target, "name": shown.get("name") or target.get_full_name(), "form": form},
    )


def _organizer(request: HttpRequest) -> None:
    if not (request.user.is_superuser or managed_organizations(request.user).exists()):
        raise PermissionDenied("Only organizers can open this page.")


@require_http_methods(["GET", "HEAD"])
@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _organizer(request)
    page = Paginator(reports_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "networking/reports.html", {"page": page, "form": ResolveForm()})


@require_POST
@login_required
def report_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    _organizer(request)
    found = get_object_or_404(reports_for(request.user), pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what was done about the report before resolving it.")
        return redirect("networking:reports")
    try:
        report_resolve(report=found, by=request.user, resolution=form.cleaned_data["resolution"])
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Report about {found.reported.get_full_name()} resolved.")
    return redirect("networking:reports")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def specialties(request: HttpRequest) -> HttpResponse:
    _organizer(request)
    form = SpecialtyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = specialty_create(
                name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], by=request.user
            )
        except RegistrationError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"“{added.name}” was added to the list.")
            return redirect("networking:specialties")
    return render(
        request,
        "networking/specialties.html",
        {"form": form, "groups": specialty_choices(), "count": Specialty.objects.count()},
    )


urlpatterns = [
    path("people/<int:user_id>/block/", block, name="block"),
    path("people/<int:user_id>/report/", report, name="report"),
    path("me/network/blocked/", blocked_list, name="blocked"),
    path("me/network/blocked/<int:user_id>/unblock/", unblock, name="unblock"),
    path("manage/network/reports/", reports, name="reports"),
    path("manage/network/reports/<int:pk>/resolve/", report_resolve_view, name="report_resolve"),
    path("manage/network/specialties/", specialties, name="specialties"),
]
