from django import forms

from events.models import Event, TicketType


class RegisterForm(forms.Form):
    ticket_type = forms.ModelChoiceField(
        queryset=TicketType.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose a ticket.",
            "invalid_choice": "Choose one of the tickets on offer.",
        },
    )

    discount_code = forms.CharField(max_length=40, required=False, strip=True)

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].queryset = event.ticket_types.filter(is_active=True)
