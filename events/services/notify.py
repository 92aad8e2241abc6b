"""Emails people expect, sent after the transaction commits (never for a rollback)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from events.tasks import send_email


def email_after_commit(*, to: str, template: str, context: dict) -> None:
    """Render `emails/<template>.txt` (first line is the subject) and queue it on commit."""
    context = {**context, "site_url": settings.SITE_URL}
    subject, _, body = render_to_string(f"emails/{template}.txt", context).strip().partition("\n")

    def enqueue() -> None:
        send_email.enqueue(to=[to], subject=subject.strip(), body=body.strip() + "\n")

    transaction.on_commit(enqueue)
