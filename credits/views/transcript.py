""" "My CE": the attendee's transcript, its PDF and CSV downloads, and the renewal
tracker's periods (add, change, delete)."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.models import User
from credits.csvutil import csv_response
from credits.forms.renewals import RenewalPeriodForm
from credits.models import RenewalPeriod
from credits.renewal_selectors import renewal_trackers
from credits.services.renewals import renewal_period_delete, renewal_period_save
from credits.transcript import transcript
from credits.transcript_pdf import render_pdf
from events.errors import RegistrationError

EVENTS_PER_PAGE = 10


@require_safe
@login_required
def my_ce(request: HttpRequest) -> HttpResponse:
    record = transcript(request.user)
    newest_first = [group for group in reversed(record.events) if group.rows or group.under_review]
    return render(
        request,
        "credits/transcript/my_ce.html",
        {
            "transcript": record,
            "page": Paginator(newest_first, EVENTS_PER_PAGE).get_page(request.GET.get("page")),
            "trackers": renewal_trackers(request.user, source=record),
        },
    )


@require_safe
@login_required
def transcript_csv(request: HttpRequest) -> HttpResponse:
    record = transcript(request.user)
    header = ["Event", "Provider", "Session", "Date", "Accreditation", "Provider number",
              "CE hours", "Subject areas"]  # fmt: skip
    rows = [
        [
            row.event.title,
            row.event.organization.name,
            row.session.title,
            row.date,
            row.accreditation_label,
            row.accreditation.provider_number,
            row.hours,
            row.subjects_text,
        ]
        for row in record.counted_rows
    ]
    return csv_response(f"ce-transcript-{timezone.localdate():%Y-%m-%d}.csv", [header, *rows])


@require_safe
@login_required
def transcript_pdf(request: HttpRequest) -> HttpResponse:
    record = transcript(request.user)
    return FileResponse(
        io.BytesIO(render_pdf(record, request.user)),
        content_type="application/pdf",
        filename=f"ce-transcript-{timezone.localdate():%Y-%m-%d}.pdf",
    )


@login_required
def renewal_new(request: HttpRequest) -> HttpResponse:
    return _renewal_form(request, period=None)


@login_required
def renewal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _renewal_form(request, period=_own_period(request.user, pk))


@login_required
def renewal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    period = _own_period(request.user, pk)
    if request.method == "POST":
        renewal_period_delete(user=request.user, period=period)
        messages.success(request, f"The renewal period of {period.license} is deleted.")
        return redirect(reverse("credits:my_ce") + "#renewals")
    return render(request, "credits/transcript/renewal_delete.html", {"period": period})


def _own_period(user: User, pk: int) -> RenewalPeriod:
    return get_object_or_404(
        RenewalPeriod.objects.select_related("license").prefetch_related("subjects"),
        pk=pk,
        license__user=user,
    )


# Which form field shows a refusal from the service (None: the whole form).
ERROR_FIELDS = {
    "period_order": "ends_on",
    "hours_invalid": "hours_required",
    "body_invalid": "accreditation_body",
}


def _renewal_form(request: HttpRequest, *, period: RenewalPeriod | None) -> HttpResponse:
    if request.method == "POST":
        form = RenewalPeriodForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                renewal_period_save(
                    user=request.user,
                    license=data["license"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    hours_required=data["hours_required"],
                    accreditation_body=data["accreditation_body"],
                    subjects=form.subjects(),
                    period=period,
                )
            except RegistrationError as error:
                form.add_error(ERROR_FIELDS.get(error.code), error.message)
            else:
                messages.success(request, f"Renewal period saved for {data['license']}.")
                return redirect(reverse("credits:my_ce") + "#renewals")
    elif period is not None:
        form = RenewalPeriodForm(initial=RenewalPeriodForm.initial_for(period), user=request.user)
    else:
        form = RenewalPeriodForm(initial={"license": request.GET.get("license")}, user=request.user)
    return render(
        request,
        "credits/transcript/renewal_form.html",
        {"form": form, "period": period, "has_licenses": form.fields["license"].queryset.exists()},
    )


urlpatterns = [
    path("me/ce/", my_ce, name="my_ce"),
    path("me/ce/transcript.pdf", transcript_pdf, name="transcript_pdf"),
    path("me/ce/transcript.csv", transcript_csv, name="transcript_csv"),
    path("me/ce/renewals/new/", renewal_new, name="renewal_new"),
    path("me/ce/renewals/<int:pk>/edit/", renewal_edit, name="renewal_edit"),
    path("me/ce/renewals/<int:pk>/delete/", renewal_delete, name="renewal_delete"),
]
