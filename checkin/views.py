import hashlib
import io
import json

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from checkin import pdf
from checkin.forms import DeviceForm, ManualCheckForm, session_for_place
from checkin.live import checkin_stats
from checkin.models import ScannerDevice
from checkin.selectors import presence_by_registration
from checkin.services.badges import badge_cards, badge_for, badge_reissue, badge_token
from checkin.services.devices import (
    device_create,
    device_new_setup_code,
    device_pair,
    device_revoke,
)
from checkin.services.scans import manual_check
from events.errors import RegistrationError
from events.models import Registration
from events.permissions import access_managed_event


def qr_svg(data: str) -> str:
    """An inline SVG QR code (vector: crisp at any size, no image request)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    return image.to_string(encoding="unicode")


@login_required
def my_badge(request: HttpRequest, code: str) -> HttpResponse:
    registration = (
        Registration.objects.select_related("event__organization", "ticket_type", "user__profile")
        .filter(code=code, user=request.user)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    context = {"registration": registration, "event": registration.event}
    if registration.status == Registration.Status.CONFIRMED:
        badge = badge_for(registration)
        context["qr"] = qr_svg(badge_token(badge, event_id=registration.event_id))
    return render(request, "checkin/badge.html", context)


@login_required
def badges_pdf(request: HttpRequest, slug: str, code: str | None = None) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    registrations = event.registrations.filter(status=Registration.Status.CONFIRMED)
    if code is not None:
        registrations = registrations.filter(code=code)
    cards = badge_cards(event, registrations)
    if not cards:
        messages.info(request, "There are no confirmed registrations to print.")
        return redirect("checkin:attendees", slug=event.slug)
    name = f"badges-{event.slug}-{code}.pdf" if code else f"badges-{event.slug}.pdf"
    return FileResponse(
        io.BytesIO(pdf.render_badges(cards)), content_type="application/pdf", filename=name
    )


@login_required
def attendees(request: HttpRequest, slug: str) -> HttpResponse:
    """Searchable attendee list with manual check-in and badge tools."""
    event = access_managed_event(request.user, slug)
    query = request.GET.get("q", "").strip()[:100]
    registrations = (
        event.registrations.filter(status__in=Registration.ACTIVE)
        .select_related("user__profile", "ticket_type")
        .order_by("user__last_name", "user__first_name")
    )
    if query:
        registrations = registrations.filter(
            Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(code__iexact=query)
        )
    page = Paginator(registrations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "checkin/attendees.html",
        {
            "event": event,
            "page": page,
            "query": query,
            "presence": presence_by_registration(event, [r.pk for r in page]),
            "form": ManualCheckForm(event=event),
        },
    )


@require_POST
@login_required
def manual_check_view(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    registration = get_object_or_404(event.registrations, code=code)
    form = ManualCheckForm(request.POST, event=event)
    back = reverse("checkin:attendees", args=[event.slug]) + f"?q={registration.code}"
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    try:
        outcome = manual_check(
            registration=registration,
            session=session_for_place(event, form.cleaned_data["place"]),
            direction=form.cleaned_data["direction"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect(back)
    name = registration.user.get_full_name()
    if outcome.accepted:
        messages.success(request, f"{name}: checked {outcome.scan.direction}.")
    else:
        messages.warning(request, f"{name}: {outcome.message}.")
    return redirect(back)


@login_required
def reissue_badge(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    registration = get_object_or_404(event.registrations.select_related("user"), code=code)
    if request.method == "POST":
        try:
            badge_reissue(registration=registration, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"New badge issued for {registration.user.get_full_name()}; the old one "
                "no longer scans.",
            )
        return redirect(reverse("checkin:attendees", args=[event.slug]) + f"?q={code}")
    return render(
        request, "checkin/reissue_confirm.html", {"event": event, "registration": registration}
    )


@login_required
def devices(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    form = DeviceForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        device, code = device_create(
            event=event,
            name=form.cleaned_data["name"],
            session=session_for_place(event, form.cleaned_data["place"]),
            by=request.user,
        )
        return _show_setup_once(request, event, device, code)
    # A setup code is shown once, on the page the redirect lands on, then forgotten.
    setup = None
    pending = request.session.pop(SETUP_KEY, None)
    if pending:
        device = event.scanner_devices.filter(pk=pending["device"]).first()
        if device is not None and device.setup_code_hash:
            setup = _setup_context(request, device, pending["code"])
    device_list = event.scanner_devices.select_related("session").order_by("revoked_at", "name")
    return render(
        request,
        "checkin/devices.html",
        {"event": event, "form": form, "devices": device_list, "setup": setup},
    )


@require_POST
@login_required
def device_setup(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A fresh one-time pairing link for an existing device."""
    event = access_managed_event(request.user, slug)
    device = get_object_or_404(event.scanner_devices, pk=pk)
    try:
        code = device_new_setup_code(device=device, by=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect("checkin:devices", slug=event.slug)
    return _show_setup_once(request, event, device, code)


@login_required
def device_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    device = get_object_or_404(event.scanner_devices, pk=pk)
    if request.method == "POST":
        device_revoke(device=device, by=request.user)
        messages.success(request, f"{device.name} can no longer scan.")
        return redirect("checkin:devices", slug=event.slug)
    return render(request, "checkin/device_revoke.html", {"event": event, "device": device})


SETUP_KEY = "checkin.setup"


def _show_setup_once(request: HttpRequest, event, device: ScannerDevice, code: str) -> HttpResponse:
    # Post/redirect/get: reloading the page must not create another device.
    request.session[SETUP_KEY] = {"device": device.pk, "code": code}
    return redirect("checkin:devices", slug=event.slug)


def _setup_context(request: HttpRequest, device: ScannerDevice, code: str) -> dict:
    link = request.build_absolute_uri(reverse("checkin:pair", args=[code]))
    return {"device": device, "link": link, "qr": qr_svg(link), "expires": device.setup_expires_at}


@never_cache
def pair(request: HttpRequest, code: str) -> HttpResponse:
    """A device opens its one-time link: show a button that pairs it (a GET must not
    use up the code, since link previewers fetch links too)."""
    if request.method == "POST":
        try:
            device, token = device_pair(setup_code=code)
        except RegistrationError as error:
            return render(request, "checkin/pair.html", {"error": error.message}, status=400)
        return render(request, "checkin/scanner.html", {"device": device, "new_token": token})
    return render(request, "checkin/pair.html", {"code": code})


@never_cache
def scanner(request: HttpRequest) -> HttpResponse:
    """The scanner page. It holds its device token in the browser (from pairing)."""
    return render(request, "checkin/scanner.html", {"device": None, "new_token": None})


# Everything the scanner page loads (templates/checkin/scanner.html and base.html), as
# static paths: the service worker caches them so the page reloads offline.
# tests/checkin/test_service_worker.py checks this list against the rendered page.
SCANNER_ASSETS = (
    "favicon.svg",
    "css/app.css",
    "js/app.js",
    "manifest-scanner.webmanifest",
    "css/scanner.css",
    "vendor/jsQR.js",
    "js/qr-camera.js",
    "js/scanner.js",
    "vendor/noble-ed25519.js",
)
SCANNER_TEMPLATES = ("checkin/scanner.html", "base.html")


def _static_source(path: str) -> bytes:
    found = finders.find(path)
    if found is None:
        raise FileNotFoundError(f"static file {path} not found")
    with open(found, "rb") as source:
        return source.read()


def scanner_cache_version(shell: str, assets: list[str]) -> str:
    """Changes whenever a deploy changes what the scanner page loads: the asset URLs
    (content-hashed by ManifestStaticFilesStorage in production; in development, where
    they are not, the files themselves) and the page's templates."""
    digest = hashlib.sha256()
    for url in (shell, *assets):
        digest.update(url.encode() + b"\0")
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        for path in SCANNER_ASSETS:
            digest.update(hashlib.sha256(_static_source(path)).digest())
    for name in SCANNER_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:20]


@require_safe
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The scanner's service worker (static/js/scanner-sw.js) with its configuration.

    Served from /scan/ so that its scope covers the scanner page; never HTTP-cached, so
    the browser sees a deploy the next time the page is opened online."""
    shell = reverse("checkin:scanner")
    assets = [static(path) for path in SCANNER_ASSETS]
    prefix = get_script_prefix()
    api_mount = reverse("api:get_device")[len(prefix) :].split("/")[0]
    config = {
        "version": scanner_cache_version(shell, assets),
        "shell": shell,
        "assets": assets,
        "api": f"{prefix}{api_mount}/",
    }
    script = _static_source("js/scanner-sw.js").decode()
    return HttpResponse(
        f"self.SCANNER_SW = {json.dumps(config, indent=2)};\n\n{script}",
        content_type="application/javascript; charset=utf-8",
    )


@login_required
def live(request: HttpRequest, slug: str) -> HttpResponse:
    """Live check-in dashboard; figures refresh over a WebSocket."""
    event = access_managed_event(request.user, slug)
    return render(request, "checkin/live.html", {"event": event, "stats": checkin_stats(event)})


@login_required
def live_json(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    return JsonResponse(checkin_stats(event))
