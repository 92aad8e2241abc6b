"""Background jobs of the credits app (django-tasks: inline in development and
tests, `manage.py db_worker` in production)."""

import time

from django.utils import timezone
from django_tasks import task

from credits.models import CertificateBatch
from credits.services.awards import refresh_awards
from credits.services.certificates import issue_for
from events.errors import RegistrationError
from events.models import Registration

PROGRESS_EVERY_S = 0.5  # how often the progress counters are written


@task()
def issue_certificates(*, batch_id: int) -> dict:
    """Issue (or confirm) the certificate of every confirmed registration of the
    batch's event. `issued` counts new certificates, `skipped` registrations that are
    not eligible; the rest already held an up-to-date certificate."""
    Status = CertificateBatch.Status
    started = CertificateBatch.objects.filter(pk=batch_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not started:  # already run (a retried job) or unknown
        return {"batch": batch_id, "ran": False}
    batch = CertificateBatch.objects.select_related("event", "requested_by").get(pk=batch_id)
    event = batch.event
    registrations = event.registrations.filter(status=Registration.Status.CONFIRMED).order_by("pk")
    counts = {"done": 0, "issued": 0, "skipped": 0}
    try:
        batch.total = registrations.count()
        batch.save(update_fields=["total"])
        refresh_awards(event)
        saved = time.monotonic()
        for registration in registrations.select_related("event__organization", "user"):
            try:
                _, created = issue_for(registration, by=batch.requested_by, refresh=False)
            except RegistrationError:
                counts["skipped"] += 1
            else:
                counts["issued"] += created
            counts["done"] += 1
            if time.monotonic() - saved >= PROGRESS_EVERY_S:
                CertificateBatch.objects.filter(pk=batch_id).update(**counts)
                saved = time.monotonic()
    except Exception as error:
        CertificateBatch.objects.filter(pk=batch_id).update(
            **counts,
            status=Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    CertificateBatch.objects.filter(pk=batch_id).update(
        **counts, status=Status.DONE, finished_at=timezone.now()
    )
    return {"batch": batch_id, "ran": True, **counts}
