"""Forms of the networking pages. They validate input; the services write."""

from django import forms

from accounts.vocab import Profession
from events.models import Event, Session
from networking.images import MAX_BYTES
from networking.models import NetworkingProfile, Specialty
from networking.selectors import DirectoryFilters, specialty_choices
from networking.services.profiles import EDITABLE_FIELDS

VISIBILITY_LABELS = {
    "pronouns_visibility": "Pronouns",
    "photo_visibility": "Photo",
    "headline_visibility": "Headline",
    "bio_visibility": "About me",
    "professional_visibility": "Profession and credentials",
    "specialties_visibility": "Specialties and modalities",
    "populations_visibility": "Populations served",
    "languages_visibility": "Languages",
    "location_visibility": "City and region",
    "employer_visibility": "Employer or practice",
    "links_visibility": "Links",
}
VISIBILITY_FIELDS = list(VISIBILITY_LABELS)
LINK_HELP = "A web address starting with https:// (your practice’s site, a professional page)."


class ProfileForm(forms.ModelForm):
    specialties = forms.TypedMultipleChoiceField(
        label="Specialties and modalities",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.FileField(
        label="Photo",
        required=False,
        help_text=f"A JPEG, PNG or WebP image up to {MAX_BYTES // (1024 * 1024)} MB. "
        "It is resized to 512 pixels, and its hidden data (such as location) is removed.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label="Remove my photo", required=False)
    link_1 = forms.URLField(
        label="Link", required=False, max_length=300, assume_scheme="https", help_text=LINK_HELP
    )
    link_2 = forms.URLField(
        label="Second link", required=False, max_length=300, assume_scheme="https"
    )
    link_3 = forms.URLField(
        label="Third link", required=False, max_length=300, assume_scheme="https"
    )

    class Meta:
        model = NetworkingProfile
        fields = list(EDITABLE_FIELDS)
        widgets = {"bio": forms.Textarea(attrs={"rows": 5, "maxlength": 1000})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialties"].choices = specialty_choices()
        if self.instance.pk and not self.is_bound:
            self.initial["specialties"] = [s.pk for s in self.instance.specialties.all()]
        for name in ("link_1", "link_2", "link_3"):
            self.fields[name].widget.attrs["placeholder"] = "https://"
        if not self.instance.photo:
            del self.fields["remove_photo"]
        for name, label in VISIBILITY_LABELS.items():
            self.fields[name].label = label

    @property
    def specialty_groups(self) -> list[tuple[str, list]]:
        """The specialty checkboxes by kind, for one fieldset per group."""
        widgets = iter(self["specialties"].subwidgets)
        return [
            (label, [next(widgets) for _ in items])
            for label, items in self.fields["specialties"].choices
        ]

    @property
    def visibility_fields(self) -> list:
        return [self[name] for name in VISIBILITY_FIELDS]

    def save_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}

    def chosen_specialties(self) -> list[Specialty]:
        return list(Specialty.objects.filter(pk__in=self.cleaned_data["specialties"]))


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Name or words", required=False, max_length=100)
    profession = forms.ChoiceField(
        label="Profession", required=False, choices=[("", "Any profession"), *Profession.choices]
    )
    specialty = forms.TypedChoiceField(
        label="Specialty or modality", required=False, coerce=int, empty_value=None
    )
    language = forms.CharField(label="Language", required=False, max_length=50)
    region = forms.CharField(label="City, state or region", required=False, max_length=100)
    same_session = forms.BooleanField(label="In a session with me", required=False)

    def __init__(self, *args, specialties: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "Any specialty"), *specialties]

    def filters(self) -> DirectoryFilters:
        """The valid filters; a bad value (a hand-edited link) is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return DirectoryFilters(
            q=(data.get("q") or "").strip(),
            profession=data.get("profession") or "",
            specialty=data.get("specialty"),
            language=(data.get("language") or "").strip(),
            region=(data.get("region") or "").strip(),
            same_session=bool(data.get("same_session")),
        )


class ConnectionRequestForm(forms.Form):
    note = forms.CharField(
        label="Add a note",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text="Optional: remind them where you met, or why you’d like to connect.",
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What happened?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        help_text="Only the organizers of events you both attend read this. "
        "The person is not told who reported them.",
    )
    also_block = forms.BooleanField(label="Also block this person", required=False, initial=True)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="What was done",
        max_length=500,
        widget=forms.TextInput(attrs={"maxlength": 500}),
        help_text="Kept with the report, for other organizers.",
    )


class SpecialtyForm(forms.Form):
    name = forms.CharField(label="Name", min_length=2, max_length=60)
    kind = forms.ChoiceField(label="Kind", choices=Specialty.Kind.choices)


class BadgeScanForm(forms.Form):
    token = forms.CharField(label="Badge code", max_length=512)
    session = forms.TypedChoiceField(
        label="Where are you?", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, event: Event, sessions: list[Session], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.sessions = {session.pk: session for session in sessions}
        self.fields["session"].choices = [
            ("", "Somewhere else at the event"),
            *((session.pk, session.title) for session in sessions),
        ]

    def chosen_session(self) -> Session | None:
        return self.sessions.get(self.cleaned_data.get("session"))
