"""Run daily: expire mentor requests older than 14 days and remind mentors of
requests about to expire."""

from django.core.management.base import BaseCommand

from mentorship.services import requests_expire


class Command(BaseCommand):
    help = "Expire mentor requests past their 14 days and remind mentors before that."

    def handle(self, *args, **options) -> None:
        expired, reminded = requests_expire()
        self.stdout.write(f"{expired} requests expired, {reminded} mentors reminded.")
