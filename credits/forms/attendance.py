from datetime import datetime

from django import forms
from django.utils import timezone

from credits.models import AttendanceAdjustment
from events.models import Session


class AdjustmentForm(forms.Form):
    """An organizer's correction. Times are entered in the event's time zone."""

    kind = forms.ChoiceField(
        label="What happened",
        choices=AttendanceAdjustment.Kind.choices,
        widget=forms.RadioSelect,
        initial=AttendanceAdjustment.Kind.PRESENT,
    )
    starts_at = forms.TimeField(
        label="From", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends_at = forms.TimeField(
        label="To", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Kept on the roster with your name, e.g. "Exit scanner offline 10:40-11:00; '
        'seen in the room by the moderator".',
    )

    def __init__(self, *args, session: Session, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = session

    def _on_session_day(self, value) -> datetime:
        tz = self.session.event.tzinfo
        day = timezone.localtime(self.session.starts_at, tz).date()
        return datetime.combine(day, value, tzinfo=tz)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") in (AttendanceAdjustment.Kind.ADD, AttendanceAdjustment.Kind.REMOVE):
            for name in ("starts_at", "ends_at"):
                if not data.get(name):
                    self.add_error(name, "Give the time for a period of presence or absence.")
            if data.get("starts_at") and data.get("ends_at"):
                data["starts_at"] = self._on_session_day(data["starts_at"])
                data["ends_at"] = self._on_session_day(data["ends_at"])
        else:
            data["starts_at"] = data["ends_at"] = None
        return data
