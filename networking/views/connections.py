"""My network: connections, requests received and sent, and their answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from events.errors import RegistrationError
from networking.forms import ConnectionRequestForm
from networking.models import Connection
from networking.privacy import Relation, load_profile, profile_as, relation_between
from networking.selectors import (
    connection_cards,
    my_connections,
    pending_received,
    pending_sent,
)
from networking.services.connections import (
    connection_accept,
    connection_decline,
    connection_remove,
    connection_request,
    connection_withdraw,
    open_between,
)
from networking.views import safe_next

PER_PAGE = 24


@require_safe
@login_required
def my_network(request: HttpRequest) -> HttpResponse:
    page = Paginator(my_connections(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "networking/my_network.html",
        {
            "page": page,
            "cards": connection_cards(page.object_list, request.user, Relation.CONNECTION),
            "received_count": Connection.objects.filter(
                addressee=request.user, status=Connection.Status.PENDING
            ).count(),
        },
    )


@require_safe
@login_required
def requests_page(request: HttpRequest) -> HttpResponse:
    """Requests waiting for my answer (each with the sender's public profile and
    note), or, with ?tab=sent, mine waiting for theirs."""
    sent = request.GET.get("tab") == "sent"
    connections = pending_sent(request.user) if sent else pending_received(request.user)
    page = Paginator(connections, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "networking/requests.html",
        {
            "sent": sent,
            "page": page,
            # A request shows the other person's public profile, nothing more.
            "cards": connection_cards(page.object_list, request.user, Relation.EVENT),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def connect(request: HttpRequest, user_id: int) -> HttpResponse:
    """Ask someone to connect, with an optional note."""
    owner = get_object_or_404(User, pk=user_id)
    relation = relation_between(owner, request.user)
    if relation in (Relation.NONE, Relation.SELF):
        raise Http404("No such person.")
    form = ConnectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = connection_request(
                requester=request.user, addressee=owner, note=form.cleaned_data["note"]
            )
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            shown = profile_as(load_profile(owner), relation)
            if connection.status == Connection.Status.ACCEPTED:
                messages.success(
                    request, f"{shown['name']} had already asked to connect: you are now connected."
                )
            else:
                messages.success(request, f"Request sent to {shown['name']}.")
        return redirect(safe_next(request, reverse("networking:person", args=[owner.pk])))
    return render(
        request,
        "networking/connect_request.html",
        {
            "owner": owner,
            "shown": profile_as(load_profile(owner), relation),
            "form": form,
            "link": open_between(request.user.pk, owner.pk),
        },
    )


def _answer(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    mine = Q(requester=request.user) | Q(addressee=request.user)
    connection = get_object_or_404(Connection.objects.filter(mine), pk=pk)
    try:
        service(connection=connection, by=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done.format(name=connection.other(request.user).get_full_name()))
    return redirect(safe_next(request, reverse("networking:requests")))


@require_POST
@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, connection_accept, "You are now connected with {name}.")


@require_POST
@login_required
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, connection_decline, "Request from {name} declined.")


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, connection_withdraw, "Your request to {name} was withdrawn.")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation page, then the connection ends."""
    mine = Q(requester=request.user) | Q(addressee=request.user)
    connection = get_object_or_404(
        Connection.objects.filter(mine, status=Connection.Status.ACCEPTED).select_related(
            "requester", "addressee"
        ),
        pk=pk,
    )
    other = connection.other(request.user)
    if request.method == "POST":
        try:
            connection_remove(connection=connection, by=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You are no longer connected with {other.get_full_name()}.")
        return redirect("networking:my_network")
    return render(
        request,
        "networking/remove_confirm.html",
        {
            "connection": connection,
            "other": other,
            "shown": profile_as(load_profile(other), Relation.CONNECTION),
        },
    )


urlpatterns = [
    path("me/network/", my_network, name="my_network"),
    path("me/network/requests/", requests_page, name="requests"),
    path("me/network/requests/<int:pk>/accept/", accept, name="accept"),
    path("me/network/requests/<int:pk>/decline/", decline, name="decline"),
    path("me/network/requests/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("me/network/connections/<int:pk>/remove/", remove, name="remove"),
    path("people/<int:user_id>/connect/", connect, name="connect"),
]
