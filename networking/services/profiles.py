"""Networking profiles, their photos, directory opt-in, and the specialty vocabulary."""

from collections.abc import Iterable
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from accounts.models import User
from events.errors import RegistrationError
from events.models import Event, Registration
from events.permissions import managed_organizations
from networking.images import PhotoError, process_photo
from networking.models import DirectoryListing, NetworkingProfile, Specialty

# What the owner edits through profile_save (the photo has its own arguments).
EDITABLE_FIELDS = (
    "display_name", "pronouns", "headline", "bio", "populations", "languages", "city",
    "region", "employer", "link_1", "link_2", "link_3",
    "pronouns_visibility", "photo_visibility", "headline_visibility", "bio_visibility",
    "professional_visibility", "specialties_visibility", "populations_visibility",
    "languages_visibility", "location_visibility", "employer_visibility",
    "links_visibility", "email_on_request", "email_on_accept",
)  # fmt: skip


def networking_profile_for(user: User) -> NetworkingProfile:
    """The user's networking profile, made on first use with the city, region and
    employer of their professional profile filled in."""
    profile = NetworkingProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    professional = getattr(user, "profile", None)
    try:
        with transaction.atomic():
            return NetworkingProfile.objects.create(
                user=user,
                city=professional.city if professional else "",
                region=professional.region if professional else "",
                employer=professional.organization if professional else "",
            )
    except IntegrityError:  # made by a concurrent request
        return NetworkingProfile.objects.get(user=user)


def normalize_languages(text: str) -> str:
    """One spelling for a list of languages: 'english;  Spanish,spanish' becomes
    'English, Spanish' (order kept, duplicates dropped)."""
    seen: dict[str, str] = {}
    for part in text.replace(";", ",").replace("/", ",").split(","):
        word = " ".join(part.split())
        if word and word.lower() not in seen:
            seen[word.lower()] = word[0].upper() + word[1:]
    return ", ".join(seen.values())


@transaction.atomic
def profile_save(
    *,
    user: User,
    by: User,
    data: dict,
    specialties: Iterable[Specialty] | None = None,
    photo: BinaryIO | None = None,
    remove_photo: bool = False,
) -> NetworkingProfile:
    """Save the owner's profile: `data` holds fields of EDITABLE_FIELDS. A new photo
    is checked and re-encoded first, so a bad one changes nothing (RegistrationError
    "invalid_photo"); ValidationError for a field that does not fit."""
    if not by.is_authenticated or by.pk != user.pk:
        raise RegistrationError("forbidden", "Only you can change your networking profile.")
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    processed = None
    if photo is not None:
        try:
            processed = process_photo(photo, size=getattr(photo, "size", None))
        except PhotoError as error:
            raise RegistrationError("invalid_photo", str(error)) from error
    profile = NetworkingProfile.objects.select_for_update().get(pk=networking_profile_for(user).pk)
    for name, value in data.items():
        setattr(profile, name, value)
    if "languages" in data:
        profile.languages = normalize_languages(profile.languages)
    profile.full_clean(exclude=["photo", "user", "specialties"])
    old_photo = profile.photo.name if profile.photo else ""
    if processed is not None:
        profile.photo.save(
            f"photo.{processed.extension}", ContentFile(processed.content), save=False
        )
    elif remove_photo:
        profile.photo = ""
    profile.save()
    if specialties is not None:
        profile.specialties.set(list(specialties))
    if old_photo and old_photo != (profile.photo.name if profile.photo else ""):
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return profile


def _confirmed_at(user: User, event: Event) -> bool:
    return Registration.objects.filter(
        event=event, user=user, status=Registration.Status.CONFIRMED
    ).exists()


@transaction.atomic
def directory_listing_set(*, user: User, event: Event, listed: bool) -> bool:
    """Appear in (or leave) the event's directory. Returns whether listed now."""
    if not listed:
        DirectoryListing.objects.filter(user=user, event=event).delete()
        return False
    if not user.is_authenticated or not _confirmed_at(user, event):
        raise RegistrationError(
            "not_attendee", "Only confirmed attendees of this event can appear in its directory."
        )
    networking_profile_for(user)
    DirectoryListing.objects.get_or_create(user=user, event=event)
    return True


@transaction.atomic
def specialty_create(*, name: str, kind: str, by: User) -> Specialty:
    """Organizers (owners or staff of any provider) extend the vocabulary."""
    if not by.is_authenticated or not (by.is_superuser or managed_organizations(by).exists()):
        raise RegistrationError("forbidden", "Only organizers can add specialties.")
    name = " ".join(name.split())
    if not 2 <= len(name) <= 60:
        raise RegistrationError("bad_name", "A specialty name has 2 to 60 characters.")
    if kind not in Specialty.Kind.values:
        raise RegistrationError("bad_kind", "Choose whether it is an approach or a focus area.")
    if Specialty.objects.filter(name__iexact=name).exists():
        raise RegistrationError("duplicate", f"“{name}” is already in the list.")
    try:
        with transaction.atomic():
            return Specialty.objects.create(name=name, kind=kind, created_by=by)
    except IntegrityError as exc:
        raise RegistrationError("duplicate", f"“{name}” is already in the list.") from exc
