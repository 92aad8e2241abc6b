"""A person's networking profile: the owner's editing page (with "view as"), the
page others see, and the photo, each shown as networking.privacy decides."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from events.errors import RegistrationError
from events.models import Registration
from networking.forms import ProfileForm
from networking.models import Connection, DirectoryListing
from networking.privacy import (
    FIELD_LABELS,
    RELATION_LABELS,
    Relation,
    load_profile,
    profile_as,
    relation_between,
)
from networking.services.connections import open_between
from networking.services.profiles import networking_profile_for, profile_save

VIEW_AS = [Relation.CONNECTION, Relation.EVENT, Relation.NONE, Relation.SELF]


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = networking_profile_for(user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=profile,
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile_save(
                user=user,
                by=user,
                data=form.save_data(),
                specialties=form.chosen_specialties(),
                photo=form.cleaned_data.get("photo"),
                remove_photo=bool(form.cleaned_data.get("remove_photo")),
            )
        except RegistrationError as error:
            form.add_error("photo" if error.code == "invalid_photo" else None, error.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your networking profile has been saved.")
            return redirect("networking:profile_edit")
    view_as = request.GET.get("as", Relation.EVENT)
    if view_as not in Relation.__members__.values():
        view_as = Relation.EVENT
    view_as = Relation(view_as)
    return render(
        request,
        "networking/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "view_as": view_as,
            "view_as_choices": [(relation, RELATION_LABELS[relation]) for relation in VIEW_AS],
            "preview": profile_as(load_profile(user), view_as),
            "field_labels": FIELD_LABELS,
            "directories": _my_directories(user),
        },
    )


def _my_directories(user: User) -> list[tuple]:
    """The user's confirmed events, each with whether they are listed there."""
    registrations = (
        Registration.objects.filter(user=user, status=Registration.Status.CONFIRMED)
        .select_related("event")
        .order_by("-event__starts_at")[:50]
    )
    listed = set(DirectoryListing.objects.filter(user=user).values_list("event_id", flat=True))
    return [(r.event, r.event_id in listed) for r in registrations]


@require_safe
@login_required
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    owner = get_object_or_404(User, pk=user_id)
    relation = relation_between(owner, request.user)
    if relation == Relation.NONE:
        raise Http404("No such person.")
    if relation == Relation.SELF:
        return redirect("networking:profile_edit")
    shown = profile_as(load_profile(owner), relation)
    link = open_between(request.user.pk, owner.pk)
    return render(
        request,
        "networking/person.html",
        {
            "owner": owner,
            "shown": shown,
            "relation": relation,
            "link": link,
            "incoming": link is not None
            and link.status == Connection.Status.PENDING
            and link.addressee_id == request.user.pk,
            "field_labels": FIELD_LABELS,
        },
    )


@require_safe
@login_required
def photo(request: HttpRequest, user_id: int) -> FileResponse:
    """The photo, only to people who may see it (it is not a public media file)."""
    owner = get_object_or_404(User, pk=user_id)
    profile = load_profile(owner)
    if not profile.photo or "photo_url" not in profile_as(
        profile, relation_between(owner, request.user)
    ):
        raise Http404("No photo.")
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError:
        raise Http404("No photo.") from None
    content_type = mimetypes.guess_type(profile.photo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("me/network/profile/", profile_edit, name="profile_edit"),
    path("people/<int:user_id>/", person, name="person"),
    path("people/<int:user_id>/photo/", photo, name="photo"),
]
