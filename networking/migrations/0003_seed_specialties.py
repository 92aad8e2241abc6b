"""The starting vocabulary of specialties and modalities (DOMAIN.md, "Shared
vocabularies"). Frozen here: later changes to the list in code do not rewrite
history; organizers add terms through the admin or the specialties page."""

from django.db import migrations

MODALITIES = [
    "CBT", "DBT", "ACT", "EMDR", "Psychodynamic", "Family systems",
    "Motivational interviewing", "Play therapy", "Mindfulness-based",
]  # fmt: skip
FOCUS_AREAS = [
    "Trauma and PTSD", "Anxiety", "Depression", "Eating disorders", "Substance use",
    "Grief and loss", "Severe mental illness", "Couples", "Child and adolescent",
    "Older adults", "LGBTQ+ affirming care", "Perinatal", "Neurodiversity",
]  # fmt: skip


def seed(apps, schema_editor):
    Specialty = apps.get_model("networking", "Specialty")
    existing = {name.lower() for name in Specialty.objects.values_list("name", flat=True)}
    Specialty.objects.bulk_create(
        [
            Specialty(name=name, kind=kind)
            for kind, names in (("modality", MODALITIES), ("focus", FOCUS_AREAS))
            for name in names
            if name.lower() not in existing
        ]
    )


def unseed(apps, schema_editor):
    Specialty = apps.get_model("networking", "Specialty")
    Specialty.objects.filter(name__in=MODALITIES + FOCUS_AREAS, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("networking", "0002_profiles_directory_reports"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
