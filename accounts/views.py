from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import LicenseFormSet, NameForm, ProfileForm, SignupForm
from accounts.models import CalendarToken
from accounts.services import (
    calendar_token_revoke,
    calendar_token_rotate,
    profile_for,
    user_signup,
)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("events:my_registrations")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_signup(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except IntegrityError:  # the same address signed up a moment ago
            form.add_error("email", "An account with this email already exists.")
            return render(request, "accounts/signup.html", {"form": form, "next": next_url})
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Convene! Add your professional details below.")
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            return redirect(next_url)
        return redirect("profile")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    prof = profile_for(user)
    data = request.POST if request.method == "POST" else None
    name_form = NameForm(data, instance=user, prefix="name")
    profile_form = ProfileForm(data, instance=prof, prefix="profile")
    licenses = LicenseFormSet(data, instance=user, prefix="licenses")
    if request.method == "POST" and all(
        [name_form.is_valid(), profile_form.is_valid(), licenses.is_valid()]
    ):
        with transaction.atomic():
            name_form.save()
            profile_form.save()
            licenses.save()
        messages.success(request, "Your profile has been saved.")
        return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "name_form": name_form,
            "profile_form": profile_form,
            "licenses": licenses,
            **_calendar_feed_context(request),
        },
    )


# The personal calendar feed. Its link holds a secret stored only as a hash, so it is
# shown once: kept in the session by the POST, shown by the page the redirect lands on.
CALENDAR_TOKEN_KEY = "accounts.calendar_token"
CALENDAR_SECTION = "#calendar-feed"


def _calendar_feed_context(request: HttpRequest) -> dict:
    token = CalendarToken.objects.filter(user=request.user).first()
    links = None
    raw = request.session.pop(CALENDAR_TOKEN_KEY, None)
    if raw and token is not None and token.token_hash == CalendarToken.hash(raw):
        https = request.build_absolute_uri(reverse("events:calendar_feed", args=[raw]))
        links = {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}
    return {"calendar_token": token, "calendar_links": links}


def _show_calendar_link_once(request: HttpRequest, raw: str) -> HttpResponse:
    request.session[CALENDAR_TOKEN_KEY] = raw
    return redirect(reverse("profile") + CALENDAR_SECTION)


@require_POST
@login_required
def calendar_token_create(request: HttpRequest) -> HttpResponse:
    if CalendarToken.objects.filter(user=request.user).exists():
        # A second tab, or a reload of an old page: replacing a link needs the confirmation.
        messages.info(request, "You already have a calendar link. To get a new one, regenerate it.")
        return redirect(reverse("profile") + CALENDAR_SECTION)
    return _show_calendar_link_once(request, calendar_token_rotate(user=request.user))


@login_required
def calendar_token_regenerate(request: HttpRequest) -> HttpResponse:
    token = CalendarToken.objects.filter(user=request.user).first()
    if request.method == "POST":
        raw = calendar_token_rotate(user=request.user)
        if token is not None:
            messages.success(
                request, "Your calendar link was replaced. The old one no longer works."
            )
        return _show_calendar_link_once(request, raw)
    if token is None:
        messages.info(request, "You have no calendar link yet: create one below.")
        return redirect(reverse("profile") + CALENDAR_SECTION)
    return render(request, "accounts/calendar_token_regenerate.html", {"calendar_token": token})


@login_required
def calendar_token_revoke_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if calendar_token_revoke(user=request.user):
            messages.success(request, "Your calendar feed is turned off; its link no longer works.")
        return redirect(reverse("profile") + CALENDAR_SECTION)
    token = CalendarToken.objects.filter(user=request.user).first()
    if token is None:
        messages.info(request, "You have no calendar link.")
        return redirect(reverse("profile") + CALENDAR_SECTION)
    return render(request, "accounts/calendar_token_revoke.html", {"calendar_token": token})
