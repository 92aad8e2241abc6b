from django import forms
from django.contrib.auth import password_validation
from django.forms import BaseInlineFormSet, inlineformset_factory

from accounts.models import License, Profile, User


class SignupForm(forms.Form):
    first_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Log in or reset your password."
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class NameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name"]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["profession", "credentials", "organization", "city", "region", "phone"]


class BaseLicenseFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """The database refuses the same license twice for one person; the inline
        forms never see saved rows they do not show (a resubmitted or stale page)."""
        super().clean()
        for form in self.forms:
            if not form.has_changed() or form.cleaned_data.get("DELETE") or form.errors:
                continue
            jurisdiction = form.cleaned_data.get("jurisdiction")
            number = form.cleaned_data.get("number")
            clash = License.objects.filter(
                user=self.instance, jurisdiction=jurisdiction, number=number
            ).exclude(pk=form.instance.pk)
            if jurisdiction and number and clash.exists():
                form.add_error("number", "You have already added this license.")


LicenseFormSet = inlineformset_factory(
    User,
    License,
    formset=BaseLicenseFormSet,
    fields=["profession", "license_type", "jurisdiction", "number", "board_code"],
    extra=1,
    can_delete=True,
)
