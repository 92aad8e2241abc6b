"""Email the day-before reminder to each confirmed registration of an event starting
within the next 24 hours, once. Run hourly (cron or a systemd timer); two runs at
once never send a reminder twice (docs/emails.md)."""

from django.core.management.base import BaseCommand

from events.services.notify import event_reminders_send


class Command(BaseCommand):
    help = "Send the reminder email for events starting within the next 24 hours (once each)."

    def handle(self, *args, **options) -> None:
        sent = event_reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent.")
