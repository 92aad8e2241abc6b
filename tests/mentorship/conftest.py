"""A published mentorship program with enrollment open, and builders for people."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.models import MenteeEnrollment, MentorEnrollment, Program
from tests.factories import make_user


def make_program(org, **extra) -> Program:
    today = timezone.localdate()
    now = timezone.now()
    defaults = {
        "name": "Early Career Mentoring 2026",
        "slug": f"mentoring-{org.pk}-{Program.objects.count() + 1}",
        "status": Program.Status.PUBLISHED,
        "starts_on": today,
        "ends_on": today + timedelta(days=180),
        "enrollment_opens_at": now - timedelta(days=1),
        "enrollment_closes_at": now + timedelta(days=30),
        "format": Program.Format.ONGOING,
        "meeting_cadence": Program.Cadence.MONTHLY,
    }
    defaults.update(extra)
    return Program.objects.create(organization=org, **defaults)


def make_mentor(program, user=None, **extra) -> MentorEnrollment:
    defaults = {
        "profession": "social_worker",
        "license_type": "LCSW",
        "years_in_practice": 15,
        "specialties": ["Trauma and PTSD"],
        "languages": ["English"],
        "help_with": ["Preparing for the licensure exam"],
        "meeting": "virtual",
        "capacity": 2,
        "time_zone": "America/New_York",
        "region": "northeast",
    }
    defaults.update(extra)
    return MentorEnrollment.objects.create(program=program, user=user or make_user(), **defaults)


def make_mentee(program, user=None, **extra) -> MenteeEnrollment:
    defaults = {
        "profession": "social_worker",
        "career_stage": "pre_licensure",
        "specialties": ["Trauma and PTSD"],
        "languages": ["English"],
        "goals": ["Preparing for the licensure exam"],
        "meeting": "virtual",
        "time_zone": "America/New_York",
        "region": "northeast",
    }
    defaults.update(extra)
    return MenteeEnrollment.objects.create(program=program, user=user or make_user(), **defaults)


@pytest.fixture
def program(org):
    org.name = "Northeast Institute for Clinical Education"
    org.save()
    return make_program(org)
