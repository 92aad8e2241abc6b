"""Mentorship vocabularies. Professions, practice settings and specialties come
from accounts.vocab (DOMAIN.md, one source for every app); the lists below exist
only for mentoring."""

from django.db import models

from accounts.vocab import DEFAULT_SPECIALTIES, PracticeSetting, Profession

__all__ = [
    "CAREER_STAGE_YEARS",
    "HELP_WITH",
    "IDENTITY",
    "LANGUAGES",
    "POPULATIONS",
    "SPECIALTY_CHOICES",
    "CareerStage",
    "Meeting",
    "PracticeSetting",
    "Profession",
    "Region",
    "choices",
    "labels",
]


def choices(values: list[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


SPECIALTY_CHOICES = choices(DEFAULT_SPECIALTIES)

POPULATIONS = [
    "Children", "Adolescents", "Young adults", "Adults", "Older adults",
    "Couples and families", "LGBTQ+ clients", "Veterans and military families",
    "BIPOC communities", "People with disabilities", "Immigrants and refugees",
    "People in recovery",
]  # fmt: skip

HELP_WITH = [
    "Preparing for the licensure exam", "Supervision hours toward licensure",
    "Building a private practice", "Insurance and billing", "Finding a job",
    "Specialty training", "Ethics questions", "Research and publishing",
    "Teaching and supervising others", "Leadership", "Career change",
    "Burnout and work-life balance",
]  # fmt: skip

LANGUAGES = [
    "English", "Spanish", "American Sign Language", "Mandarin", "Cantonese", "Vietnamese",
    "Tagalog", "Korean", "Arabic", "French", "Haitian Creole", "Portuguese", "Russian",
]  # fmt: skip

# Private to the person, the organizers and the matcher (DESIGN.md invariant 7).
IDENTITY = [
    "Black, Indigenous or person of color", "LGBTQ+", "First-generation professional",
    "Person with a disability", "Parent or caregiver", "Veteran", "Immigrant",
]  # fmt: skip


class Region(models.TextChoices):
    NORTHEAST = "northeast", "Northeast (US)"
    SOUTHEAST = "southeast", "Southeast (US)"
    MIDWEST = "midwest", "Midwest (US)"
    SOUTHWEST = "southwest", "Southwest (US)"
    WEST = "west", "West (US)"
    PACIFIC = "pacific", "Alaska and Hawaii"
    OUTSIDE = "outside", "Outside the US"


class Meeting(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"
    EITHER = "either", "Either is fine"


class CareerStage(models.TextChoices):
    STUDENT = "student", "Student or trainee"
    PRE_LICENSURE = "pre_licensure", "Graduated, working toward licensure"
    EARLY = "early", "Early career (licensed under 5 years)"
    MID = "mid", "Mid career (5 to 15 years)"
    LATE = "late", "Late career (more than 15 years)"


# Years in practice assumed for a stage when the mentee does not say.
CAREER_STAGE_YEARS = {"student": 0, "pre_licensure": 1, "early": 3, "mid": 10, "late": 20}


def labels(choice_class: type[models.TextChoices], values: list[str]) -> list[str]:
    names = dict(choice_class.choices)
    return [names.get(v, v) for v in values]
