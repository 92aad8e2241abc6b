from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import LicenseFormSet, NameForm, ProfileForm, SignupForm
from accounts.services import profile_for, user_signup


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("events:my_registrations")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_signup(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except IntegrityError:  # the same address signed up a moment ago
            form.add_error("email", "An account with this email already exists.")
            return render(request, "accounts/signup.html", {"form": form, "next": next_url})
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Convene! Add your professional details below.")
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            return redirect(next_url)
        return redirect("profile")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    prof = profile_for(user)
    data = request.POST if request.method == "POST" else None
    name_form = NameForm(data, instance=user, prefix="name")
    profile_form = ProfileForm(data, instance=prof, prefix="profile")
    licenses = LicenseFormSet(data, instance=user, prefix="licenses")
    if request.method == "POST" and all(
        [name_form.is_valid(), profile_form.is_valid(), licenses.is_valid()]
    ):
        with transaction.atomic():
            name_form.save()
            profile_form.save()
            licenses.save()
        messages.success(request, "Your profile has been saved.")
        return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {"name_form": name_form, "profile_form": profile_form, "licenses": licenses},
    )
