"""Reads shared by the networking pages, each written to a query budget.

The directory page costs a fixed number of queries whatever its size: one for the
event with the viewer's standing, one for the specialty list, one count, one page
of rows (connection state and shared sessions are subqueries of that row query),
and one for the rows' specialties.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from events.models import Event, Membership, Registration, SessionSignup
from networking.models import (
    Block,
    Connection,
    DirectoryListing,
    NetworkingProfile,
    NetworkingReport,
    Notification,
    Specialty,
    Visibility,
)
from networking.privacy import Relation, profile_as

S = Connection.Status
CONFIRMED = Registration.Status.CONFIRMED


# ---------- Directory ----------


@dataclass(frozen=True)
class DirectoryAccess:
    event: Event
    registration_id: int | None  # the viewer's confirmed registration, if any
    is_organizer: bool
    is_listed: bool

    @property
    def allowed(self) -> bool:
        return self.registration_id is not None or self.is_organizer


def directory_access(viewer: User, slug: str) -> DirectoryAccess:
    """The event with the viewer's standing in one query; 404 for a draft the viewer
    does not manage (the caller answers 403 when not `allowed`)."""
    event = (
        Event.objects.select_related("organization")
        .annotate(
            my_registration_id=Subquery(
                Registration.objects.filter(
                    event=OuterRef("pk"), user_id=viewer.pk, status=CONFIRMED
                ).values("pk")[:1]
            ),
            i_manage=Exists(
                Membership.objects.filter(
                    organization=OuterRef("organization"),
                    user_id=viewer.pk,
                    role__in=Membership.MANAGER_ROLES,
                )
            ),
            i_am_listed=Exists(
                DirectoryListing.objects.filter(event=OuterRef("pk"), user_id=viewer.pk)
            ),
        )
        .filter(slug=slug)
        .first()
    )
    is_organizer = bool(event and (event.i_manage or viewer.is_superuser))
    if event is None or (not event.is_public and not is_organizer):
        raise Http404("No such event.")
    return DirectoryAccess(
        event=event,
        registration_id=event.my_registration_id,
        is_organizer=is_organizer,
        is_listed=event.i_am_listed,
    )


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    profession: str = ""
    specialty: int | None = None
    language: str = ""
    region: str = ""
    same_session: bool = False


def connected_ids(user_id: int) -> QuerySet:
    """A subquery: the ids of the user's connections."""
    return (
        Connection.objects.filter(
            Q(requester_id=user_id) | Q(addressee_id=user_id), status=S.ACCEPTED
        )
        .annotate(
            other=Case(
                When(requester_id=user_id, then=F("addressee_id")), default=F("requester_id")
            )
        )
        .values("other")
    )


def _seen_by(viewer_id: int, visibility_field: str) -> Q:
    """Rows where the viewer may see this field: shared with event peers, or with
    connections when the viewer is one. Searching a field the viewer cannot see
    would reveal it, so every search and filter goes through this."""
    return Q(**{visibility_field: Visibility.EVENT}) | Q(
        **{visibility_field: Visibility.CONNECTIONS, "user_id__in": connected_ids(viewer_id)}
    )


def directory_people(
    *, access: DirectoryAccess, viewer: User, filters: DirectoryFilters
) -> QuerySet[NetworkingProfile]:
    """Opted-in, confirmed attendees of the event that the viewer may see (never the
    viewer, never anyone blocked either way), people sharing sessions first."""
    event = access.event
    pair = Q(requester_id=viewer.pk, addressee_id=OuterRef("user_id")) | Q(
        requester_id=OuterRef("user_id"), addressee_id=viewer.pk
    )
    link = Connection.objects.filter(pair, status__in=Connection.OPEN).order_by("-created_at")
    people = (
        NetworkingProfile.objects.filter(
            Exists(DirectoryListing.objects.filter(event=event, user_id=OuterRef("user_id"))),
            Exists(
                Registration.objects.filter(
                    event=event, user_id=OuterRef("user_id"), status=CONFIRMED
                )
            ),
            user__is_active=True,
        )
        .exclude(user_id=viewer.pk)
        .exclude(user_id__in=Block.objects.filter(blocker_id=viewer.pk).values("blocked_id"))
        .exclude(user_id__in=Block.objects.filter(blocked_id=viewer.pk).values("blocker_id"))
        .select_related("user__profile")
        .annotate(
            link_id=Subquery(link.values("pk")[:1]),
            link_status=Subquery(link.values("status")[:1]),
            link_requester_id=Subquery(link.values("requester_id")[:1]),
        )
    )
    if access.registration_id is not None:
        mine = SessionSignup.objects.filter(
            registration_id=access.registration_id,
            status=SessionSignup.Status.CONFIRMED,
            session__is_cancelled=False,
        ).values("session_id")
        shared = (
            SessionSignup.objects.filter(
                registration__event=event,
                registration__user_id=OuterRef("user_id"),
                registration__status=CONFIRMED,
                status=SessionSignup.Status.CONFIRMED,
                session_id__in=mine,
            )
            .order_by()
            .values("registration__user_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        people = people.annotate(
            shared_sessions=Coalesce(Subquery(shared, output_field=IntegerField()), Value(0))
        )
    else:
        people = people.annotate(shared_sessions=Value(0, output_field=IntegerField()))
    return _filter(people, viewer, filters).order_by(
        "-shared_sessions", "user__last_name", "user__first_name", "pk"
    )


def _filter(people: QuerySet, viewer: User, filters: DirectoryFilters) -> QuerySet:
    for word in filters.q.split()[:6]:
        people = people.filter(
            Q(display_name__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | (Q(headline__icontains=word) & _seen_by(viewer.pk, "headline_visibility"))
            | (Q(bio__icontains=word) & _seen_by(viewer.pk, "bio_visibility"))
            | (Q(employer__icontains=word) & _seen_by(viewer.pk, "employer_visibility"))
        )
    if filters.profession:
        people = people.filter(
            Q(user__profile__profession=filters.profession),
            _seen_by(viewer.pk, "professional_visibility"),
        )
    if filters.specialty is not None:
        through = NetworkingProfile.specialties.through
        people = people.filter(
            Exists(
                through.objects.filter(
                    networkingprofile_id=OuterRef("pk"), specialty_id=filters.specialty
                )
            ),
            _seen_by(viewer.pk, "specialties_visibility"),
        )
    if filters.language:
        people = people.filter(
            Q(languages__icontains=filters.language), _seen_by(viewer.pk, "languages_visibility")
        )
    if filters.region:
        people = people.filter(
            Q(region__icontains=filters.region) | Q(city__icontains=filters.region),
            _seen_by(viewer.pk, "location_visibility"),
        )
    if filters.same_session:
        people = people.filter(shared_sessions__gt=0)
    return people


@dataclass(frozen=True)
class DirectoryCard:
    profile: dict  # what the viewer sees (privacy.profile_as)
    shared_sessions: int
    link_id: int | None
    link_status: str | None  # pending | accepted | None
    requested_by_me: bool


def directory_page(
    *,
    access: DirectoryAccess,
    viewer: User,
    filters: DirectoryFilters,
    page: str | int | None,
    per_page: int = 24,
) -> tuple[Page, list[DirectoryCard]]:
    people = directory_people(access=access, viewer=viewer, filters=filters)
    page_obj = Paginator(people.prefetch_related("specialties"), per_page).get_page(page)
    cards = [
        DirectoryCard(
            profile=profile_as(
                person, Relation.CONNECTION if person.link_status == S.ACCEPTED else Relation.EVENT
            ),
            shared_sessions=person.shared_sessions,
            link_id=person.link_id,
            link_status=person.link_status,
            requested_by_me=person.link_requester_id == viewer.pk,
        )
        for person in page_obj.object_list
    ]
    return page_obj, cards


def specialty_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The vocabulary grouped by kind, in one query."""
    groups: dict[str, list[tuple[int, str]]] = {label: [] for _, label in Specialty.Kind.choices}
    labels = dict(Specialty.Kind.choices)
    for pk, name, kind in Specialty.objects.order_by("name").values_list("pk", "name", "kind"):
        groups[labels[kind]].append((pk, name))
    return [(label, items) for label, items in groups.items() if items]


# ---------- Connections ----------


def my_connections(user: User) -> QuerySet[Connection]:
    """Accepted connections, newest first, with both people loaded."""
    return (
        Connection.objects.filter(Q(requester=user) | Q(addressee=user), status=S.ACCEPTED)
        .select_related(
            "requester__profile",
            "requester__networking_profile",
            "addressee__profile",
            "addressee__networking_profile",
            "met_at_event",
        )
        .prefetch_related("requester__networking_profile__specialties")
        .prefetch_related("addressee__networking_profile__specialties")
        .order_by("-responded_at", "-pk")
    )


def other_profile(connection: Connection, user: User) -> NetworkingProfile:
    """The other person's profile row (unsaved and empty if they have none), loaded
    from the select_related of my_connections or the request lists."""
    other = connection.other(user)
    try:
        return other.networking_profile
    except NetworkingProfile.DoesNotExist:
        return NetworkingProfile(user=other)


def connection_cards(connections, user: User, relation: Relation) -> list[tuple]:
    return [
        (connection, profile_as(other_profile(connection, user), relation))
        for connection in connections
    ]


def pending_received(user: User) -> QuerySet[Connection]:
    return (
        Connection.objects.filter(addressee=user, status=S.PENDING)
        .select_related("requester__profile", "requester__networking_profile", "met_at_event")
        .prefetch_related("requester__networking_profile__specialties")
        .order_by("-created_at")
    )


def pending_sent(user: User) -> QuerySet[Connection]:
    return (
        Connection.objects.filter(requester=user, status=S.PENDING)
        .select_related("addressee__profile", "addressee__networking_profile", "met_at_event")
        .prefetch_related("addressee__networking_profile__specialties")
        .order_by("-created_at")
    )


# ---------- Notifications and reports ----------


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def reports_for(user: User) -> QuerySet[NetworkingReport]:
    """Reports the user may review: about people at events they organize."""
    reports = NetworkingReport.objects.select_related(
        "reporter", "reported", "resolved_by"
    ).prefetch_related("events")
    # Open reports first (NULL sorts differently per database: say where).
    order = (F("resolved_at").asc(nulls_first=True), "-created_at")
    if user.is_superuser:
        return reports.order_by(*order)
    return (
        reports.filter(
            events__organization__memberships__user=user,
            events__organization__memberships__role__in=Membership.MANAGER_ROLES,
        )
        .distinct()
        .order_by(*order)
    )
