from django import forms

from checkin.models import Scan
from events.models import Event


def place_choices(event: Event) -> list[tuple[str, str]]:
    sessions = event.sessions.exclude(kind__in=("break", "meal")).order_by("starts_at", "title")
    return [("entrance", "Event entrance")] + [(str(s.pk), s.title) for s in sessions]


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=100, help_text='For example "Door A phone" or "Room 201".')
    place = forms.ChoiceField(help_text="Where this device scans. You can add more devices later.")

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = place_choices(event)


class ManualCheckForm(forms.Form):
    place = forms.ChoiceField()
    direction = forms.ChoiceField(choices=Scan.Direction.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        max_length=300,
        help_text='Kept with the record, e.g. "forgot badge, ID checked".',
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = place_choices(event)


def session_for_place(event: Event, place: str):
    """The session a place choice names, or None for the entrance."""
    return None if place == "entrance" else event.sessions.get(pk=int(place))
