"""Forms for mentorship pages. Lists of choices (specialties, languages ...) are
stored as JSON lists; each form groups its fields in `fieldsets` for the template."""

from django import forms

from events.models import Event, Organization
from mentorship import matching
from mentorship.models import MenteeEnrollment, MentorEnrollment, Program
from mentorship.vocab import (
    HELP_WITH,
    IDENTITY,
    LANGUAGES,
    POPULATIONS,
    SPECIALTY_CHOICES,
    PracticeSetting,
    choices,
)

TIME_INPUT = {"type": "datetime-local"}


def multi(label: str, options, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=options, required=False, help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class FieldsetsMixin:
    fieldsets: list[tuple[str, list[str]]] = []

    def grouped(self):
        """[(legend, [bound fields])] for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


class ProgramForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = [
        ("About the program", ["organization", "event", "name", "slug", "description", "status"]),
        ("Dates", ["starts_on", "ends_on", "enrollment_opens_at", "enrollment_closes_at"]),
        ("Format", ["format", "meeting_cadence", "supervision_notice"]),
        ("Matching", ["mode", "maximize_matched", "exclude_same_employer"]),
        ("Weights (points for a criterion fully met, 0 to 100)", Program.WEIGHT_FIELDS),
    ]

    class Meta:
        model = Program
        fields = [
            "organization", "event", "name", "slug", "description", "status", "starts_on",
            "ends_on", "enrollment_opens_at", "enrollment_closes_at", "format",
            "meeting_cadence", "supervision_notice", "mode", "maximize_matched",
            "exclude_same_employer", *Program.WEIGHT_FIELDS,
        ]  # fmt: skip
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "enrollment_opens_at": forms.DateTimeInput(attrs=TIME_INPUT),
            "enrollment_closes_at": forms.DateTimeInput(attrs=TIME_INPUT),
            "mode": forms.RadioSelect,
        }

    def __init__(self, *args, organizations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label = "Provider"
        self.fields["event"].queryset = Event.objects.filter(organization__in=organizations)
        self.fields["event"].help_text = "Optional: the conference this program belongs to."
        if self.instance.pk:
            self.fields["organization"].disabled = True

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in ("me", "matches", "requests"):
            raise forms.ValidationError("This address is taken by Convene's own pages.")
        return slug

    def clean(self):
        cleaned = super().clean()
        event, org = cleaned.get("event"), cleaned.get("organization")
        if event and isinstance(org, Organization) and event.organization_id != org.pk:
            self.add_error("event", "Choose an event of the same provider.")
        return cleaned


COMMON_FIELDS = ["profession", "license_type", "employer", "time_zone", "region", "meeting"]


class _EnrollmentForm(FieldsetsMixin, forms.ModelForm):
    specialties = multi("Specialties and modalities", SPECIALTY_CHOICES)
    populations = multi("Populations", choices(POPULATIONS))
    practice_settings = multi("Practice settings", PracticeSetting.choices)
    languages = multi("Languages you can meet in", choices(LANGUAGES))
    identity = multi(
        "Identity details (optional, private)",
        choices(IDENTITY),
        "Seen only by the program's organizers and the matching engine, never by other "
        "participants.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].required = False
        self.fields["meeting"].widget = forms.RadioSelect(choices=self.fields["meeting"].choices)


class MentorEnrollmentForm(_EnrollmentForm):
    help_with = multi("I can help with", choices(HELP_WITH))
    fieldsets = [
        ("Your practice", ["profession", "license_type", "years_in_practice", "employer"]),
        ("What you know", ["specialties", "populations", "practice_settings", "help_with"]),
        ("Meeting", ["languages", "time_zone", "region", "meeting", "capacity"]),
        ("About you", ["bio", "identity"]),
    ]

    class Meta:
        model = MentorEnrollment
        fields = [
            *COMMON_FIELDS, "years_in_practice", "specialties", "populations",
            "practice_settings", "help_with", "languages", "identity", "capacity", "bio",
        ]  # fmt: skip
        widgets = {"capacity": forms.NumberInput(attrs={"min": 1, "max": 5})}
        help_texts = {"capacity": "From 1 to 5 mentees at the same time."}


IMPORTANCE_LABELS = {
    "specialty": "Shares my specialties or modalities",
    "population": "Serves the populations I serve",
    "setting": "Works in my practice settings",
    "goals": "Can help with my goals",
    "language": "Speaks one of my languages",
    "region": "Is in my region",
    "meeting": "Meets the way I prefer (in person or virtual)",
    "experience": f"Has at least {matching.people.EXPERIENCE_GAP} more years in practice than me",
    "profession": "Has my profession",
    "identity": "Shares the identity details I chose (never a must-have)",
}


class MenteeEnrollmentForm(_EnrollmentForm):
    goals = multi("I want help with", choices(HELP_WITH))
    avoid_emails_text = forms.CharField(
        label="People to avoid",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Email addresses, one a line. They are never told.",
    )
    fieldsets = [
        ("Where you are", ["profession", "license_type", "career_stage", "years_in_practice",
                           "employer", "supervisor_email"]),
        ("What you want", ["goals", "goals_text", "specialties", "populations",
                           "practice_settings"]),
        ("Meeting", ["languages", "time_zone", "region", "meeting"]),
        ("Private preferences", ["identity", "avoid_emails_text", "avoid_same_employer"]),
    ]  # fmt: skip

    class Meta:
        model = MenteeEnrollment
        fields = [*COMMON_FIELDS, "career_stage", "years_in_practice", "goals", "goals_text",
                  "specialties", "populations", "practice_settings", "languages", "identity",
                  "avoid_same_employer", "supervisor_email"]  # fmt: skip
        help_texts = {"years_in_practice": "Leave empty if you are a student."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        importance = self.instance.importance or {}
        for criterion in matching.CRITERIA:
            options = MenteeEnrollment.Importance.choices
            if criterion in matching.PRIVATE_CRITERIA:
                options = [o for o in options if o[0] != MenteeEnrollment.Importance.MUST]
            self.fields[f"importance_{criterion}"] = forms.ChoiceField(
                label=IMPORTANCE_LABELS[criterion],
                choices=options,
                initial=importance.get(criterion, MenteeEnrollment.Importance.NICE),
                widget=forms.RadioSelect,
            )
        self.fields["avoid_emails_text"].initial = "\n".join(self.instance.avoid_emails or [])

    def importance_fields(self):
        return [self[f"importance_{c}"] for c in matching.CRITERIA]

    def clean_avoid_emails_text(self) -> list[str]:
        validator = forms.EmailField()
        emails = []
        for line in self.cleaned_data["avoid_emails_text"].splitlines():
            if line.strip():
                try:
                    emails.append(validator.clean(line.strip()).lower())
                except forms.ValidationError as error:
                    raise forms.ValidationError(
                        f"“{line.strip()}” is not an email address."
                    ) from error
        if len(emails) > 50:
            raise forms.ValidationError("List at most 50 people.")
        return emails

    def enrollment_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("importance_")}
        data["avoid_emails"] = data.pop("avoid_emails_text")
        data["importance"] = {c: self.cleaned_data[f"importance_{c}"] for c in matching.CRITERIA}
        return data


class RunForm(forms.Form):
    mode = forms.ChoiceField(label="Solver", choices=Program.Mode.choices, widget=forms.RadioSelect)
    maximize_matched = forms.BooleanField(
        label="Optimal only: match as many mentees as possible first", required=False
    )


class DraftEditForm(forms.Form):
    mentor = forms.ModelChoiceField(queryset=MentorEnrollment.objects.none(), label="Mentor")
    override = forms.BooleanField(
        label="Pair them anyway, although it breaks a hard constraint", required=False
    )

    def __init__(self, *args, program: Program, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = (
            MentorEnrollment.objects.filter(program=program, status=MentorEnrollment.Status.ACTIVE)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["mentor"].label_from_instance = lambda m: (
            f"{m.user.get_full_name()} ({m.user.email})"
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class RequestForm(forms.Form):
    note = forms.CharField(
        label="A note to the mentor (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what you hope to work on together.",
    )  # fmt: skip


class EndForm(forms.Form):
    reason = forms.CharField(
        label="Why does the match end early?", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


RATINGS = [("5", "5: very helpful"), ("4", "4"), ("3", "3"), ("2", "2"), ("1", "1: not helpful")]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How helpful was this mentoring?", choices=RATINGS, coerce=int,
        widget=forms.RadioSelect,
    )  # fmt: skip
    met_goals = forms.BooleanField(label="We worked on the goals we set", required=False)
    comments = forms.CharField(
        label="Comments for the organizers", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class GoalForm(forms.Form):
    title = forms.CharField(label="New goal", max_length=200)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label="Progress (%)", min_value=0, max_value=100)


class MeetingForm(forms.Form):
    met_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        label="Your notes (only you see them)", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class SuggestionFilterForm(forms.Form):
    specialty = forms.ChoiceField(
        label="Specialty", required=False, choices=[("", "Any"), *SPECIALTY_CHOICES]
    )
    language = forms.ChoiceField(
        label="Language", required=False, choices=[("", "Any"), *choices(LANGUAGES)]
    )
    meeting = forms.ChoiceField(
        label="Meets", required=False,
        choices=[("", "Any way"), ("in_person", "In person"), ("virtual", "Virtually")],
    )  # fmt: skip
    help_with = forms.ChoiceField(
        label="Can help with", required=False, choices=[("", "Anything"), *choices(HELP_WITH)]
    )
