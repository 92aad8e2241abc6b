"""Chat pages. The live part is the WebSocket (consumers.py) driven by static/js/chat.js;
every page also works without JavaScript (history pages, a plain send form)."""

import hashlib
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from events.permissions import access_managed_event, can_manage_event
from networking.chat import moderation, selectors, services
from networking.chat.delivery import room_title_for
from networking.chat.membership import (
    ChatError,
    access_room,
    check_may_message,
    direct_key,
    is_moderator,
    may_post,
)
from networking.chat.models import MAX_BODY, Message, Mute, Report, Room
from networking.views import safe_next

EVENTS_PER_PAGE = 10
CONVERSATIONS_SHOWN = 5  # on /chat/; all of them on chat:conversations
CONVERSATIONS_PER_PAGE = 20
REPORTS_PER_PAGE = 25
MUTES_SHOWN = 10  # on the reports page; all of them on chat:mutes
MUTES_PER_PAGE = 25


def _room_or_404(user, pk: int) -> Room:
    try:
        return access_room(user, pk)
    except ChatError:
        raise Http404("No such room.") from None


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    # isdigit() alone accepts "²", which int() refuses.
    return int(value) if value.isascii() and value.isdigit() else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The user's rooms: their most active conversations (all of them on
    chat:conversations) and, ten events a page, each event's rooms."""
    page = Paginator(selectors.chat_events(request.user), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    conversations = []
    if page.number == 1:
        first = selectors.conversations_for_user(request.user)[: CONVERSATIONS_SHOWN + 1]
        conversations = selectors.conversation_rows(first, request.user)
    reviewer = moderation.may_review_private_reports(request.user)
    return render(
        request,
        "chat/index.html",
        {
            "page": page,
            "conversations": conversations[:CONVERSATIONS_SHOWN],
            "more_conversations": len(conversations) > CONVERSATIONS_SHOWN,
            "event_rooms": selectors.event_rooms_for_user(request.user, list(page.object_list)),
            "private_reports_open": selectors.private_reports().count() if reviewer else None,
        },
    )


@login_required
def conversations(request: HttpRequest) -> HttpResponse:
    """All the user's direct and mentorship conversations, unread ones first."""
    page = Paginator(selectors.conversations_for_user(request.user), CONVERSATIONS_PER_PAGE)
    page = page.get_page(request.GET.get("page"))
    return render(
        request,
        "chat/conversations.html",
        {"page": page, "rows": selectors.conversation_rows(page.object_list, request.user)},
    )


@never_cache  # Back re-renders it: a page from the browser's history has a used client_id
@login_required
def room(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room_or_404(request.user, pk)
    before = _int_param(request, "before")
    history = selectors.room_messages(room, request.user, before=before)
    shown = history["messages"]
    if before is None and room.last_seq:
        services.read_mark(user=request.user, room_id=room.pk, seq=room.last_seq)
    moderator = is_moderator(request.user, room)
    # Which senders a moderator can mute, and which to offer unmuting instead.
    states = (
        selectors.mute_states(room.event)
        if moderator and room.event_id
        else {"muted": set(), "organizers": set()}
    )
    return render(
        request,
        "chat/room.html",
        {
            "room": room,
            "title": room_title_for(room, request.user),
            "event": room.event,
            "messages_shown": shown,
            "has_more": history["has_more"],
            "older_before": history["before"],
            "live": before is None,
            # The socket continues after what this page shows; changes are counted
            # from the room row, read before the messages.
            "after": history["newest"],
            "changes_after": room.last_change,
            "can_post": may_post(request.user, room),
            "moderator": moderator,
            "muted_ids": states["muted"],
            "unmutable_ids": states["organizers"],
            "max_length": MAX_BODY,
            "edit_window": settings.CHAT_EDIT_WINDOW_SECONDS,
            "client_id": uuid.uuid4().hex,
        },
    )


def form_client_id(page_client_id: str, body: str) -> str:
    """The client_id of a message sent with the form without JavaScript: the page's
    id (one per rendering) joined with a digest of the text. A double click (same
    page, same text) is stored once; a page the browser restored from its history
    (same page id) still sends a different message instead of dropping it as a resend."""
    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{page_client_id[:40]}.{digest}"


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """The form without JavaScript (see form_client_id for what makes a double submit
    harmless)."""
    room = _room_or_404(request.user, pk)
    body = request.POST.get("body", "")
    try:
        _, created = services.message_send(
            user=request.user,
            room_id=room.pk,
            body=body,
            client_id=form_client_id(request.POST.get("client_id", "") or uuid.uuid4().hex, body),
        )
    except ChatError as error:
        messages.error(request, error.message)
    else:
        if not created:
            messages.info(request, "You had already sent this message; it was not sent twice.")
    return redirect(reverse("chat:room", args=[room.pk]) + "#composer")


@login_required
def direct(request: HttpRequest, user_id: int) -> HttpResponse:
    """Open (or start) the direct conversation with a connection."""
    other = get_object_or_404(User, pk=user_id, is_active=True)
    existing = Room.objects.filter(key=direct_key(request.user.pk, other.pk)).first()
    if existing is not None and request.method != "POST":
        return redirect("chat:room", pk=existing.pk)
    try:
        if request.method == "POST":
            room = services.direct_room_open(user=request.user, other=other)
            return redirect("chat:room", pk=room.pk)
        check_may_message(request.user, other)
    except ChatError as error:
        return render(
            request, "chat/direct_refused.html", {"other": other, "error": error}, status=403
        )
    return render(request, "chat/direct_start.html", {"other": other})


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message.objects.select_related("sender", "room"), pk=pk)
    room = _room_or_404(request.user, message.room_id)
    back = reverse("chat:room", args=[room.pk])
    error = None
    if request.method == "POST":
        try:
            _, created = moderation.report_create(
                user=request.user, message=message, reason=request.POST.get("reason", "")
            )
        except ChatError as refusal:
            error = refusal.message
        else:
            reviewers = "The organizers" if room.event_id else "Site staff"
            messages.success(
                request,
                f"Thank you. {reviewers} will review this message."
                if created
                else "You already reported this message.",
            )
            return redirect(back)
    return render(
        request,
        "chat/report.html",
        {"message": message, "room": room, "back": back, "error": error},
        status=400 if error else 200,
    )


@login_required
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    show_all = request.GET.get("show") == "all"
    page = Paginator(
        selectors.reports_for_event(event, open_only=not show_all), REPORTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    mutes = list(selectors.mutes_for_event(event)[: MUTES_SHOWN + 1])
    return render(
        request,
        "chat/reports.html",
        {
            "event": event,
            "page": page,
            "show_all": show_all,
            "mutes": mutes[:MUTES_SHOWN],
            "more_mutes": len(mutes) > MUTES_SHOWN,
        },
    )


@login_required
def mutes(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone muted in the event, a page at a time."""
    event = access_managed_event(request.user, slug)
    page = Paginator(selectors.mutes_for_event(event), MUTES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "chat/mutes.html", {"event": event, "page": page})


@login_required
@require_POST
def report_dismiss(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    report = get_object_or_404(Report, pk=pk, message__room__event=event)
    moderation.report_dismiss(by=request.user, report=report)
    messages.success(request, "Report dismissed.")
    return redirect(safe_next(request, reverse("chat:reports", args=[event.slug])))


@login_required
def message_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    message = get_object_or_404(
        Message.objects.select_related("sender", "room"), pk=pk, room__event=event
    )
    back = safe_next(request, reverse("chat:reports", args=[event.slug]))
    return _remove_message(request, message, back, event=event, where=message.room.title)


def _remove_message(request: HttpRequest, message: Message, back: str, **context) -> HttpResponse:
    """Ask, then remove a reported message for everyone in its room."""
    if request.method == "POST":
        already = message.is_deleted
        try:
            services.message_remove(by=request.user, message=message)
        except ChatError as refusal:  # e.g. rights lost since the page was opened
            messages.error(request, refusal.message)
            return redirect(back)
        if already and message.removed_by_moderator:
            messages.info(request, "This message was already removed.")
        elif already:
            messages.info(request, "Its sender had already deleted this message.")
        else:
            messages.success(request, "The message was removed for everyone.")
        return redirect(back)
    context.update(message=message, back=back)
    return render(request, "chat/message_remove.html", context)


@login_required
def mute(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    person = get_object_or_404(selectors.people_of_event(event), pk=user_id)
    back = safe_next(request, reverse("chat:reports", args=[event.slug]))
    error = None
    if request.method == "POST":
        try:
            moderation.mute_create(
                by=request.user, event=event, user=person, reason=request.POST.get("reason", "")
            )
        except ChatError as refusal:
            error = refusal.message
        else:
            messages.success(request, f"{person.get_full_name()} can no longer post in this event.")
            return redirect(back)
    return render(
        request,
        "chat/mute.html",
        {
            "event": event,
            "person": person,
            "back": back,
            "error": error,
            # Instead of a form: organizers cannot be muted; a muted person can be unmuted.
            "organizes": can_manage_event(person, event),
            "muted": Mute.objects.filter(event=event, user=person).exists(),
        },
        status=400 if error else 200,
    )


@login_required
def unmute(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    person = get_object_or_404(selectors.people_of_event(event), pk=user_id)
    back = safe_next(request, reverse("chat:reports", args=[event.slug]))
    if request.method == "POST":
        if moderation.mute_delete(by=request.user, event=event, user=person):
            messages.success(request, f"{person.get_full_name()} can post again.")
        else:
            messages.info(request, f"{person.get_full_name()} was not muted.")
        return redirect(back)
    return render(request, "chat/unmute.html", {"event": event, "person": person, "back": back})


def _check_reviewer(request: HttpRequest) -> None:
    if not moderation.may_review_private_reports(request.user):
        raise PermissionDenied("Only site staff review reports of private conversations.")


@login_required
def private_reports(request: HttpRequest) -> HttpResponse:
    """Site staff's queue: reports of direct and mentorship rooms (no organizer).
    Only the reported messages are shown, never the rest of the conversation."""
    _check_reviewer(request)
    show_all = request.GET.get("show") == "all"
    page = Paginator(selectors.private_reports(open_only=not show_all), REPORTS_PER_PAGE)
    return render(
        request,
        "chat/private_reports.html",
        {"page": page.get_page(request.GET.get("page")), "show_all": show_all},
    )


@login_required
@require_POST
def private_report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _check_reviewer(request)
    report = get_object_or_404(Report, pk=pk, message__room__event__isnull=True)
    moderation.report_dismiss(by=request.user, report=report)
    messages.success(request, "Report dismissed.")
    return redirect(safe_next(request, reverse("chat:private_reports")))


@login_required
def private_message_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Site staff remove the message a report of a private conversation is about."""
    _check_reviewer(request)
    report = get_object_or_404(
        Report.objects.select_related("message__sender", "message__room"),
        pk=pk,
        message__room__event__isnull=True,
    )
    message = report.message
    direct = message.room.kind == Room.Kind.DIRECT
    where = "a direct conversation" if direct else "a mentorship room"
    back = safe_next(request, reverse("chat:private_reports"))
    return _remove_message(request, message, back, where=where)
