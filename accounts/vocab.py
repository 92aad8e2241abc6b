"""Shared vocabularies (DOMAIN.md): one source in the code, used by every app."""

from django.db import models


class Profession(models.TextChoices):
    PSYCHOLOGIST = "psychologist", "Psychologist"
    COUNSELOR = "counselor", "Licensed professional / mental health counselor"
    SOCIAL_WORKER = "social_worker", "Clinical social worker"
    MFT = "mft", "Marriage and family therapist"
    ADDICTION = "addiction", "Addiction counselor"
    PSYCHIATRIC = "psychiatric", "Psychiatrist or psychiatric nurse practitioner"
    SCHOOL = "school", "School counselor or psychologist"
    STUDENT = "student", "Student or trainee"
    OTHER = "other", "Other"


class InstructionalLevel(models.TextChoices):
    INTRODUCTORY = "introductory", "Introductory"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class SubjectArea(models.TextChoices):
    LAW_ETHICS = "law_ethics", "Law and ethics"
    CULTURAL = "cultural", "Cultural diversity / cultural competence"
    SUICIDE = "suicide", "Suicide assessment, treatment and management"
    SUPERVISION = "supervision", "Clinical supervision"
    DOMESTIC_VIOLENCE = "domestic_violence", "Domestic violence / intimate partner violence"
    MEDICAL_ERRORS = "medical_errors", "Prevention of medical errors"
    HIV = "hiv", "HIV/AIDS"
    SUBSTANCE_USE = "substance_use", "Substance use"
    TELEHEALTH = "telehealth", "Telehealth"
    GENERAL = "general", "General clinical"


class PracticeSetting(models.TextChoices):
    PRIVATE = "private", "Private practice"
    HOSPITAL = "hospital", "Hospital"
    AGENCY = "agency", "Community agency"
    SCHOOL = "school", "School"
    UNIVERSITY = "university", "University"
    CORRECTIONAL = "correctional", "Correctional"
    MILITARY = "military", "Military / VA"
    TELEHEALTH = "telehealth", "Telehealth"


# Organizers can extend this list (networking issue); these are the defaults.
DEFAULT_SPECIALTIES = [
    "CBT", "DBT", "ACT", "EMDR", "Psychodynamic", "Family systems",
    "Motivational interviewing", "Play therapy", "Mindfulness-based",
    "Trauma and PTSD", "Anxiety", "Depression", "Eating disorders", "Substance use",
    "Grief and loss", "Severe mental illness", "Couples", "Child and adolescent",
    "Older adults", "LGBTQ+ affirming care", "Perinatal", "Neurodiversity",
]  # fmt: skip

# Two-letter US state and territory codes: license jurisdictions.
US_JURISDICTIONS = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"),
    ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"),
    ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"),
    ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"),
    ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"),
    ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"),
    ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"),
    ("WY", "Wyoming"), ("OT", "Outside the US"),
]  # fmt: skip
