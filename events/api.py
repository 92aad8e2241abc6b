"""Read-only public API: published events, their sessions and seats left."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from config.api_errors import INPUT_ERRORS, ApiError, ErrorOut
from events import selectors
from events.models import Event

router = Router(tags=["events"])


class OrganizationOut(Schema):
    name: str
    slug: str


class EventOut(Schema):
    slug: str
    title: str
    summary: str
    status: str
    delivery_format: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    venue_address: str
    organization: OrganizationOut
    url: str

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return obj.get_absolute_url()


class PresenterOut(Schema):
    name: str
    credentials: str


class SessionOut(Schema):
    id: int
    title: str
    kind: str
    level: str
    track: str | None
    room: str | None
    starts_at: datetime
    ends_at: datetime
    ce_hours: Decimal
    earns_credit: bool
    is_cancelled: bool
    capacity: int | None
    seats_taken: int
    seats_left: int | None
    waitlist_length: int
    learning_objectives: list[str]
    presenters: list[PresenterOut]

    @staticmethod
    def resolve_track(obj) -> str | None:
        return obj.track.name if obj.track else None

    @staticmethod
    def resolve_room(obj) -> str | None:
        return obj.room.name if obj.room else None

    @staticmethod
    def resolve_seats_left(obj) -> int | None:
        return selectors.seats_left(obj)

    @staticmethod
    def resolve_learning_objectives(obj) -> list[str]:
        return obj.objectives

    @staticmethod
    def resolve_presenters(obj) -> list:
        return list(obj.presenters.all())


def _public_event(slug: str) -> Event:
    event = selectors.public_events().filter(slug=slug).first()
    if event is None:
        raise ApiError(404, "event_not_found", f'No published event "{slug}".')
    return event


class BoundedPagination(LimitOffsetPagination):
    """limit 1-100, offset 0-1,000,000: anything else is a 422, not a database error."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=100)
        offset: int = Field(0, ge=0, le=1_000_000)


@router.get(
    "", response={200: list[EventOut], **INPUT_ERRORS}, summary="Published events, soonest first"
)
@paginate(BoundedPagination)
def list_events(request: HttpRequest):
    return selectors.public_events().order_by("starts_at")


@router.get(
    "/{slug}",
    response={200: EventOut, 404: ErrorOut, **INPUT_ERRORS},
    summary="One published event",
)
def get_event(request: HttpRequest, slug: str):
    return _public_event(slug)


@router.get(
    "/{slug}/sessions",
    response={200: list[SessionOut], 404: ErrorOut, **INPUT_ERRORS},
    summary="The event's sessions with seats left",
)
def list_sessions(request: HttpRequest, slug: str):
    return list(selectors.sessions_with_seats(_public_event(slug)))
