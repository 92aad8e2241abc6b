"""What a viewer sees of a networking profile (DESIGN.md invariant 7). Decided here
and nowhere else: pages, the directory, badge scans, exports and "view as" all ask
`visible_profile` or `profile_as`.

A viewer stands in one relation to the profile's owner:

- SELF: the owner sees everything, hidden fields included.
- CONNECTION: an accepted connection sees fields shared with "people at my events"
  and "my connections only", and the email address.
- EVENT, the *public profile*: fields shared with "people at my events". Seen by an
  attendee of an event where both hold a confirmed registration and the owner
  opted in to its directory; by an organizer of an event the owner registered for;
  by the other side of a pending connection request (a request shows its sender's
  public profile); and by whoever scans the owner's badge at an event.
- NONE: anyone else (another event's attendee, anonymous visitors, and anyone
  blocked either way) sees nothing at all: the pages answer 404.

The email address is for connections only, always; license numbers never appear.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from accounts.models import User
from events.models import Membership, Registration
from networking.models import Connection, DirectoryListing, NetworkingProfile, Visibility
from networking.services.relations import are_connected, blocked_between


class Relation(StrEnum):
    SELF = "self"
    CONNECTION = "connection"
    EVENT = "event"
    NONE = "none"


RELATION_LABELS = {
    Relation.SELF: "You",
    Relation.CONNECTION: "A connection",
    Relation.EVENT: "Someone at the same event, or an organizer",
    Relation.NONE: "Anyone else",
}

# The visibility levels each relation is allowed to see.
SEEN_LEVELS: dict[Relation, frozenset[str]] = {
    Relation.SELF: frozenset(Visibility.values),
    Relation.CONNECTION: frozenset({Visibility.EVENT, Visibility.CONNECTIONS}),
    Relation.EVENT: frozenset({Visibility.EVENT}),
    Relation.NONE: frozenset(),
}

# Every field a profile can show: (key in the dict, label, the field holding its
# visibility). None: fixed, connections only (the email address).
PROFILE_FIELDS: list[tuple[str, str, str | None]] = [
    ("pronouns", "Pronouns", "pronouns_visibility"),
    ("photo_url", "Photo", "photo_visibility"),
    ("headline", "Headline", "headline_visibility"),
    ("bio", "About", "bio_visibility"),
    ("profession", "Profession", "professional_visibility"),
    ("credentials", "Credentials", "professional_visibility"),
    ("specialties", "Specialties and modalities", "specialties_visibility"),
    ("populations", "Populations served", "populations_visibility"),
    ("languages", "Languages", "languages_visibility"),
    ("city", "City", "location_visibility"),
    ("region", "State or region", "location_visibility"),
    ("employer", "Employer or practice", "employer_visibility"),
    ("links", "Links", "links_visibility"),
    ("email", "Email", None),
]
FIELD_LABELS = {key: label for key, label, _ in PROFILE_FIELDS}
VISIBILITY_OF = {key: visibility for key, _, visibility in PROFILE_FIELDS}


def photo_url(profile: NetworkingProfile) -> str:
    """The photo's address (served by a view that asks this module), versioned so a
    new photo is never hidden by a cached old one."""
    if not profile.photo:
        return ""
    version = hashlib.sha256(profile.photo.name.encode()).hexdigest()[:10]
    return reverse("networking:photo", args=[profile.user_id]) + f"?v={version}"


def _value(profile: NetworkingProfile, key: str):
    user = profile.user
    professional = getattr(user, "profile", None)
    if key == "photo_url":
        return photo_url(profile)
    if key == "profession":
        return professional.get_profession_display() if professional else ""
    if key == "credentials":
        return professional.credentials if professional else ""
    if key == "specialties":
        if profile.pk is None:
            return []
        return [specialty.name for specialty in profile.specialties.all()]
    if key == "links":
        return profile.links
    if key == "email":
        return user.email
    return getattr(profile, key)


def field_level(profile: NetworkingProfile, key: str) -> str:
    visibility_field = VISIBILITY_OF[key]
    if visibility_field is None:
        return Visibility.CONNECTIONS
    return getattr(profile, visibility_field)


def profile_as(profile: NetworkingProfile, relation: Relation) -> dict:
    """The fields of `profile` that a viewer in `relation` sees; {} for NONE.

    Works on loaded rows only (prefetch `specialties`, select `user__profile`), so
    a list of profiles costs no query per row. Keys of fields the relation may not
    see are absent; "name" and "user_id" are there whenever anything is."""
    seen = SEEN_LEVELS[relation]
    if not seen:
        return {}
    shown = {"user_id": profile.user_id, "name": profile.name, "relation": relation}
    for key, _, _ in PROFILE_FIELDS:
        if field_level(profile, key) in seen:
            shown[key] = _value(profile, key)
    return shown


def public_profile(profile: NetworkingProfile) -> dict:
    """What an event peer sees: the most a badge scan or a request ever reveals."""
    return profile_as(profile, Relation.EVENT)


def relation_between(owner: User, viewer) -> Relation:
    """How `viewer` (a user or AnonymousUser) stands to `owner`."""
    if viewer is None or not viewer.is_authenticated or not owner.is_active:
        return Relation.NONE
    if viewer.pk == owner.pk:
        return Relation.SELF
    if blocked_between(owner.pk, viewer.pk):
        return Relation.NONE
    if are_connected(owner.pk, viewer.pk):
        return Relation.CONNECTION
    if is_event_peer(owner_id=owner.pk, viewer=viewer):
        return Relation.EVENT
    return Relation.NONE


def is_event_peer(*, owner_id: int, viewer: User) -> bool:
    pending = Connection.objects.filter(
        Q(requester_id=owner_id, addressee_id=viewer.pk)
        | Q(requester_id=viewer.pk, addressee_id=owner_id),
        status=Connection.Status.PENDING,
    )
    if pending.exists():
        return True
    confirmed = Registration.Status.CONFIRMED
    listed_together = DirectoryListing.objects.filter(
        user_id=owner_id,
        event__registrations__user_id=owner_id,
        event__registrations__status=confirmed,
    ).filter(
        Exists(
            Registration.objects.filter(
                event_id=OuterRef("event_id"), user_id=viewer.pk, status=confirmed
            )
        )
    )
    if listed_together.exists():
        return True
    return organizes_event_of(organizer=viewer, attendee_id=owner_id)


def organizes_event_of(*, organizer: User, attendee_id: int) -> bool:
    """The organizer runs an event the attendee holds an active registration for."""
    registrations = Registration.objects.filter(user_id=attendee_id, status__in=Registration.ACTIVE)
    if organizer.is_superuser:
        return registrations.exists()
    return registrations.filter(
        event__organization__memberships__user=organizer,
        event__organization__memberships__role__in=Membership.MANAGER_ROLES,
    ).exists()


def load_profile(owner: User) -> NetworkingProfile:
    """The owner's profile with what `profile_as` reads, or an unsaved empty one
    (someone who never set up networking shows their name and professional details)."""
    profile = (
        NetworkingProfile.objects.select_related("user__profile")
        .prefetch_related("specialties")
        .filter(user=owner)
        .first()
    )
    return profile or NetworkingProfile(user=owner)


def visible_profile(owner: User, viewer) -> dict:
    """What `viewer` sees of `owner`'s profile; {} means nothing (pages answer 404)."""
    relation = relation_between(owner, viewer)
    if relation == Relation.NONE:
        return {}
    return profile_as(load_profile(owner), relation)
