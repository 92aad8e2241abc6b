"""Certificates: the attendee's download, public verification, organizer tools."""

import io
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from config.throttle import Limit, client_ip
from credits import pdf
from credits.forms.certificates import ReasonForm, VerifyForm
from credits.models import Certificate, CertificateBatch
from credits.selectors import credit_settings, credit_summary
from credits.services.certificates import (
    certificate_batch_start,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    normalize_code,
)
from events.errors import RegistrationError
from events.models import Event, Registration
from events.permissions import access_managed_event

VERIFY = Limit("credits:verify", limit=30, window=60)  # lookups per client IP per minute
PAGE_SIZE = 25


def verify_url(code: str) -> str:
    """The public verification page of a certificate, as printed in its QR code."""
    return settings.SITE_URL + reverse("credits:verify_code", args=[code])


def _pdf_response(certificate: Certificate) -> FileResponse:
    body = pdf.render_certificate(certificate.content, verify_url(certificate.code))
    return FileResponse(
        io.BytesIO(body),
        content_type="application/pdf",
        filename=f"ce-certificate-{certificate.code}.pdf",
    )


# ---------- attendee ----------


@never_cache
@login_required
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The attendee's certificate, issued on first download once they are eligible."""
    registration = (
        Registration.objects.select_related("event__organization", "user")
        .filter(code=code, user=request.user)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    try:
        certificate = certificate_issue(registration=registration, by=request.user)
    except RegistrationError as error:
        # A certificate issued earlier stays downloadable while it is valid.
        certificate = registration.certificates.filter(revoked_at__isnull=True).first()
        if certificate is None:
            return _not_ready(request, registration, error)
    return _pdf_response(certificate)


def _not_ready(request: HttpRequest, registration: Registration, error: RegistrationError):
    pending = []
    if error.code == "evaluations_pending":
        pending = credit_summary(registration, refresh=False).awaiting_evaluation
    return render(
        request,
        "credits/certificates/not_ready.html",
        {
            "registration": registration,
            "event": registration.event,
            "error": error,
            "pending": pending,
            "evaluation_required": credit_settings(registration.event).evaluation_required,
        },
    )


# ---------- public verification ----------


def _mask(number: str) -> str:
    keep = 4 if len(number) > 6 else 2
    return "•" * max(len(number) - keep, 1) + number[-keep:]


def _public(content: dict) -> dict:
    """The content as the public page shows it: license numbers in part only (whoever
    holds the certificate can compare; a stranger learns no full number)."""
    person = content["participant"]
    licenses = [{**lic, "masked": _mask(lic["number"])} for lic in person["licenses"]]
    return {**content, "participant": {**person, "licenses": licenses}}


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """A form to type a certificate code."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = normalize_code(form.cleaned_data["code"])
        if code:
            return redirect("credits:verify_code", code=code)
        form.add_error("code", "Enter the code printed on the certificate.")
    return render(request, "credits/certificates/verify.html", {"form": form})


@never_cache
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Valid, revoked or unknown. Every code takes the same path: one indexed lookup,
    one template; nothing is shown beyond what the certificate itself prints."""
    wait = VERIFY.hit(client_ip(request))
    if wait:
        response = render(
            request, "credits/certificates/verify_limited.html", {"wait": wait}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    normalized = normalize_code(code)
    certificate = (
        Certificate.objects.select_related("replaced_by")
        .only("code", "content", "issued_at", "revoked_at", "revoke_reason", "replaced_by__code")
        .filter(code=normalized)
        .first()
    )
    state = "unknown" if certificate is None else "valid" if certificate.is_valid else "revoked"
    return render(
        request,
        "credits/certificates/verify_result.html",
        {
            "code": normalized or code[:40],
            "state": state,
            "certificate": certificate,
            "content": _public(certificate.content) if certificate else None,
            "form": VerifyForm(),
        },
        status=200,
    )


# ---------- organizers ----------


def _managed_certificate(request: HttpRequest, slug: str, code: str) -> tuple[Event, Certificate]:
    event = access_managed_event(request.user, slug)
    certificate = get_object_or_404(
        Certificate.objects.select_related("registration__user", "replaced_by"),
        registration__event=event,
        code=normalize_code(code),
    )
    return event, certificate


def _batch_state(batch: CertificateBatch | None) -> dict:
    if batch is None:
        return {"status": None}
    return {
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "active": batch.status in (CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING),
        "total": batch.total,
        "done": batch.done,
        "issued": batch.issued,
        "skipped": batch.skipped,
        "unchanged": max(batch.done - batch.issued - batch.skipped, 0),
        "error": batch.error,
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
    }


@login_required
def certificates(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    query = request.GET.get("q", "").strip()[:100]
    listed = (
        Certificate.objects.filter(registration__event=event)
        .select_related("registration__user", "replaced_by")
        .order_by("-issued_at", "-pk")
    )
    for term in query.split():
        listed = listed.filter(
            Q(registration__user__first_name__icontains=term)
            | Q(registration__user__last_name__icontains=term)
            | Q(code__icontains=term.upper())
            | Q(registration__code__iexact=term)
        )
    counts = Certificate.objects.filter(registration__event=event).aggregate(
        valid=Count("pk", filter=Q(revoked_at__isnull=True)),
        revoked=Count("pk", filter=Q(revoked_at__isnull=False)),
    )
    batch = event.certificate_batches.select_related("requested_by").first()
    return render(
        request,
        "credits/certificates/manage.html",
        {
            "event": event,
            "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query,
            "counts": counts,
            "batch": batch,
            "batch_state": _batch_state(batch),
            "ended": event.ends_at <= timezone.now(),
        },
    )


@login_required
def certificates_issue_all(request: HttpRequest, slug: str) -> HttpResponse:
    """Confirmation page, then a POST queues the batch."""
    event = access_managed_event(request.user, slug)
    if request.method == "POST":
        try:
            certificate_batch_start(event=event, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "Issuing certificates: progress shows below and updates by itself."
            )
        return redirect("credits:certificates", slug=event.slug)
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    return render(
        request,
        "credits/certificates/issue_all.html",
        {
            "event": event,
            "confirmed": confirmed,
            "ended": event.ends_at <= timezone.now(),
            "evaluation_required": credit_settings(event).evaluation_required,
        },
    )


@login_required
def certificate_batch_json(request: HttpRequest, slug: str) -> JsonResponse:
    event = access_managed_event(request.user, slug)
    return JsonResponse(_batch_state(event.certificate_batches.first()))


@login_required
def certificate_file(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Any certificate of the event as its holder received it (valid or revoked)."""
    _, certificate = _managed_certificate(request, slug, code)
    return _pdf_response(certificate)


def _reason_page(
    request: HttpRequest,
    slug: str,
    code: str,
    *,
    action: str,
    service: Callable[..., Certificate],
    template: str,
    done_message: Callable[[Certificate, Certificate], str],
) -> HttpResponse:
    """GET: a confirmation page with a required reason; POST: run the service."""
    event, certificate = _managed_certificate(request, slug, code)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = service(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except RegistrationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done_message(certificate, result))
            return redirect(
                reverse("credits:certificates", args=[event.slug]) + f"?q={result.code}"
            )
    return render(
        request,
        template,
        {"event": event, "certificate": certificate, "form": form, "action": action},
    )


@login_required
def certificate_reissue_view(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    return _reason_page(
        request,
        slug,
        code,
        action="reissue",
        service=certificate_reissue,
        template="credits/certificates/reissue.html",
        done_message=lambda old, new: (
            f"Certificate {new.code} issued; {old.code} is revoked "
            "and its verification page points to the new one."
        ),
    )


@login_required
def certificate_revoke_view(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    return _reason_page(
        request,
        slug,
        code,
        action="revoke",
        service=certificate_revoke,
        template="credits/certificates/revoke.html",
        done_message=lambda old, _: f"Certificate {old.code} is revoked.",
    )


urlpatterns = [
    path("me/registrations/<str:code>/certificate.pdf", certificate_pdf, name="certificate_pdf"),
    path("verify/", verify, name="verify"),
    path("verify/<str:code>/", verify_code, name="verify_code"),
    path("manage/events/<slug:slug>/certificates/", certificates, name="certificates"),
    path(
        "manage/events/<slug:slug>/certificates/issue/",
        certificates_issue_all,
        name="certificates_issue_all",
    ),
    path(
        "manage/events/<slug:slug>/certificates/batch.json",
        certificate_batch_json,
        name="certificate_batch_json",
    ),
    path(
        "manage/events/<slug:slug>/certificates/<str:code>.pdf",
        certificate_file,
        name="certificate_file",
    ),
    path(
        "manage/events/<slug:slug>/certificates/<str:code>/reissue/",
        certificate_reissue_view,
        name="certificate_reissue",
    ),
    path(
        "manage/events/<slug:slug>/certificates/<str:code>/revoke/",
        certificate_revoke_view,
        name="certificate_revoke",
    ),
]
