"""Background jobs. With the default immediate backend they run in-process;
production runs them in `manage.py db_worker` (django_tasks_db.DatabaseBackend
stores the arguments as JSON, so they are only strings and lists)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: list[list[str]] | None = None,
) -> int:
    """One email: the plain-text body, the HTML alternative and text attachments
    given as [filename, content, mimetype]. `html` and `attachments` default to
    nothing, so jobs queued before they existed still run."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    return message.send()
