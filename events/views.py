from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from events import selectors
from events.errors import RegistrationError
from events.forms import RegisterForm
from events.models import Registration, SessionSignup
from events.payment_views import start_checkout
from events.permissions import access_managed_event, access_public_event, managed_organizations
from events.services import (
    registration_cancel,
    registration_create,
    session_signup_cancel,
    session_signup_create,
)
from events.services.payments import stripe_enabled


def _safe_next(request: HttpRequest, default: str) -> str:
    """The `next` field when it points back into this site, otherwise `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def event_list(request: HttpRequest) -> HttpResponse:
    past = request.GET.get("when") == "past"
    page = selectors.event_list_page(page=request.GET.get("page"), upcoming=not past)
    return render(request, "events/event_list.html", {"page": page, "past": past})


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_public_event(request.user, slug)
    registration = selectors.active_registration(user=request.user, event=event)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "schedule": selectors.event_schedule(event),
            "ticket_types": selectors.ticket_types_with_availability(event),
            "accreditations": event.organization.accreditations.all(),
            "registration": registration,
            "my_signups": selectors.signup_status_by_session(registration),
            "form": RegisterForm(event=event),
            "stripe_enabled": stripe_enabled(),
        },
    )


def session_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = access_public_event(request.user, slug)
    session = get_object_or_404(selectors.sessions_with_seats(event), pk=pk)
    session.seats_left = selectors.seats_left(session)
    registration = selectors.active_registration(user=request.user, event=event)
    return render(
        request,
        "events/session_detail.html",
        {
            "event": event,
            "session": session,
            "registration": registration,
            "signup": selectors.signup_status_by_session(registration).get(session.pk),
        },
    )


@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_public_event(request.user, slug)
    if not request.user.is_authenticated:
        # After logging in, come back to the page with the form, not to this POST-only URL.
        return redirect_to_login(event.get_absolute_url() + "#tickets")
    form = RegisterForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(event.get_absolute_url() + "#tickets")
    try:
        registration = registration_create(
            user=request.user,
            ticket_type=form.cleaned_data["ticket_type"],
            discount_code=form.cleaned_data["discount_code"],
        )
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect(event.get_absolute_url() + "#tickets")
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, f"You're registered for {event.title}. Now choose your sessions.")
        return redirect(event.get_absolute_url() + "#schedule")
    if registration.hold_expires_at:  # Stripe: straight to the payment page
        return start_checkout(request, registration)
    messages.info(
        request,
        f"Your place at {event.title} is held and awaiting payment "
        f"({registration.amount_due} {registration.ticket_type.currency}); the organizers "
        "will mark it paid.",
    )
    return redirect(event.get_absolute_url() + "#tickets")


@require_POST
def session_signup(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("events:session_detail", args=[slug, pk]))
    try:
        signup = session_signup_create(user=request.user, session_id=pk, event_slug=slug)
    except RegistrationError as error:
        if error.code == "session_not_found":
            raise Http404(error.message) from error
        messages.error(request, error.message)
        return redirect(_safe_next(request, reverse("events:event_detail", args=[slug])))
    session = signup.session
    if signup.status == SessionSignup.Status.WAITLISTED:
        messages.warning(
            request,
            f"“{session.title}” is full. You're on the waitlist and will be emailed "
            "if a seat frees up.",
        )
    else:
        messages.success(request, f"You have a seat in “{session.title}”.")
    for title in signup.released:
        messages.info(
            request, f"Your place in the cancelled “{title}” at the same time was given up."
        )
    default = reverse("events:event_detail", args=[session.event.slug]) + f"#session-{session.pk}"
    return redirect(_safe_next(request, default))


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/my_registrations.html",
        {"registrations": selectors.user_registrations(request.user)},
    )


def _own_registration(request: HttpRequest, code: str) -> Registration:
    registration = (
        Registration.objects.select_related("event", "ticket_type")
        .filter(code=code, user=request.user)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


@login_required
def registration_cancel_view(request: HttpRequest, code: str) -> HttpResponse:
    registration = _own_registration(request, code)
    if request.method == "POST":
        try:
            registration_cancel(registration=registration, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Your registration for {registration.event} is cancelled.")
        return redirect("events:my_registrations")
    if not registration.is_active:
        messages.info(request, "This registration is already cancelled.")
        return redirect("events:my_registrations")
    signups = (
        registration.signups.filter(status__in=SessionSignup.ACTIVE)
        .select_related("session")
        .order_by("session__starts_at")
    )
    return render(
        request,
        "events/registration_cancel.html",
        {"registration": registration, "signups": signups},
    )


@login_required
def signup_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    signup = (
        SessionSignup.objects.select_related("session__event", "registration")
        .filter(pk=pk, registration__user=request.user)
        .first()
    )
    if signup is None:
        raise Http404("No such sign-up.")
    if request.method == "POST":
        try:
            session_signup_cancel(signup=signup, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You gave up your place in “{signup.session.title}”.")
        return redirect("events:my_registrations")
    if signup.status not in SessionSignup.ACTIVE:
        messages.info(request, "This sign-up is already cancelled.")
        return redirect("events:my_registrations")
    return render(request, "events/signup_cancel.html", {"signup": signup})


@login_required
def organizer_home(request: HttpRequest) -> HttpResponse:
    organizations = managed_organizations(request.user).prefetch_related("events")
    return render(request, "events/organizer_home.html", {"organizations": organizations})


@login_required
def organizer_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    return render(request, "events/dashboard.html", {"event": event, **selectors.dashboard(event)})
