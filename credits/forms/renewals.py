"""The renewal period form: dates, total hours, accepted accreditor, and one optional
field per subject area (a fixed list: easier to read and to use with a screen reader
than an add-a-row formset)."""

from decimal import Decimal

from django import forms

from accounts.models import User
from accounts.vocab import SubjectArea
from credits.models import RenewalPeriod
from events.models import Accreditation

SUBJECT_PREFIX = "subject_"


def hours_field(label: str, *, required: bool, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_value=Decimal("999.99"),
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        error_messages={"required": "Enter the hours your board requires."},
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RenewalPeriodForm(forms.Form):
    license = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your licenses."},
    )
    starts_on = forms.DateField(
        label="Period starts",
        widget=DateInput(),
        error_messages={"required": "Enter the first day of the renewal period."},
    )
    ends_on = forms.DateField(
        label="Period ends",
        widget=DateInput(),
        help_text="Usually the license's expiry date.",
        error_messages={"required": "Enter the last day of the renewal period."},
    )
    hours_required = hours_field("Total CE hours required", required=True)
    accreditation_body = forms.ChoiceField(
        label="Credit accepted from",
        required=False,
        choices=[("", "Any accreditor"), *Accreditation.Body.choices],
        help_text="If your board accepts one accreditor's credit only, choose it: "
        "other credit is then left out of this period.",
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["license"].queryset = user.licenses.all()
        for area, label in SubjectArea.choices:
            self.fields[SUBJECT_PREFIX + area] = hours_field(label, required=False)

    @classmethod
    def initial_for(cls, period: RenewalPeriod) -> dict:
        initial = {
            "license": period.license_id,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "hours_required": period.hours_required,
            "accreditation_body": period.accreditation_body,
        }
        for subject in period.subjects.all():
            initial[SUBJECT_PREFIX + subject.area] = subject.hours_required
        return initial

    @property
    def period_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(SUBJECT_PREFIX)]

    @property
    def subject_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(SUBJECT_PREFIX)]

    def subjects(self) -> dict[str, Decimal | None]:
        return {
            name.removeprefix(SUBJECT_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(SUBJECT_PREFIX)
        }

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The renewal period must end after it starts.")
        for area, hours in self.subjects().items():
            if hours is not None and 0 < hours < Decimal("0.25"):
                self.add_error(SUBJECT_PREFIX + area, "Enter at least 0.25 hours, or leave empty.")
        total = data.get("hours_required")
        if total is not None and not any(name.startswith(SUBJECT_PREFIX) for name in self.errors):
            subject_sum = sum((hours or 0 for hours in self.subjects().values()), Decimal(0))
            if subject_sum > total:
                raise forms.ValidationError(
                    f"The subject-area hours add up to {subject_sum}, more than the "
                    f"{total} hours required in total.",
                    code="subjects_exceed_total",
                )
        return data
