"""Forms of the certificate pages."""

from django import forms

from credits.services.certificates import REASON_MAX


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        max_length=40,
        help_text='Printed on the certificate next to its QR code, e.g. "ABCD-EFGH-JKLM-NPQR". '
        "Capitals, spaces and dashes do not matter.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        help_text="Kept with the record and shown on the public verification page of the "
        "old certificate.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Give a reason.")
        return reason
