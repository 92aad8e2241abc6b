"""The attendance rules Convene ships (credits/rules.py PRESETS), shared by every provider."""

from django.db import migrations

PRESETS = [
    # preset, name, minutes/hour, increment, late, early, absence, exit scan required
    ("apa", "APA-style: full attendance, no partial credit", 60, "0", 15, 15, 15, False),
    ("aswb", "ASWB-style: entry and exit scans, full session", 60, "0", 15, 15, 15, True),
    ("naadac", "NAADAC-style: partial credit for time attended, quarter hours",
     60, "0.25", 0, 0, 0, False),
    ("board", "Board-style: 50 minutes of instruction an hour, half hours",
     50, "0.5", 0, 0, 0, False),
]  # fmt: skip


def add_presets(apps, schema_editor):
    Rule = apps.get_model("credits", "AttendanceRule")
    for preset, name, per_hour, increment, late, early, absence, exit_scan in PRESETS:
        Rule.objects.update_or_create(
            organization=None,
            name=name,
            defaults=dict(
                preset=preset,
                minutes_per_hour=per_hour,
                partial_increment=increment,
                late_grace=late,
                early_grace=early,
                max_absence=absence,
                requires_exit_scan=exit_scan,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]
    operations = [migrations.RunPython(add_presets, migrations.RunPython.noop)]
