"""Release seats whose Stripe payment hold ran out. Run every few minutes (cron or a
systemd timer); registration also releases holds lazily, so this only tidies up
and tells the people concerned."""

from django.core.management.base import BaseCommand

from events.services.payments import expire_payment_holds


class Command(BaseCommand):
    help = "Cancel awaiting-payment registrations whose seat hold has run out."

    def handle(self, *args, **options) -> None:
        released = expire_payment_holds()
        self.stdout.write(f"{released} seat hold(s) released.")
