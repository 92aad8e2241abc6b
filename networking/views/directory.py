"""The attendee directory of one event: only for its confirmed attendees and its
organizers, listing only attendees who opted in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe

from events.errors import RegistrationError
from events.permissions import access_public_event
from networking.forms import DirectoryFilterForm
from networking.selectors import directory_access, directory_page, specialty_choices
from networking.services.profiles import directory_listing_set
from networking.views import safe_next

PER_PAGE = 24


def closed(request: HttpRequest, event, *, what: str) -> HttpResponse:
    return render(request, "networking/closed.html", {"event": event, "what": what}, status=403)


@require_safe
@login_required
def directory(request: HttpRequest, slug: str) -> HttpResponse:
    access = directory_access(request.user, slug)
    if not access.allowed:
        return closed(request, access.event, what="directory")
    specialties = specialty_choices()
    form = DirectoryFilterForm(request.GET or None, specialties=specialties)
    filters = form.filters()
    page, cards = directory_page(
        access=access,
        viewer=request.user,
        filters=filters,
        page=request.GET.get("page"),
        per_page=PER_PAGE,
    )
    return render(
        request,
        "networking/directory.html",
        {
            "event": access.event,
            "access": access,
            "form": form,
            "filters": filters,
            "filtering": filters != type(filters)(),
            "page": page,
            "cards": cards,
        },
    )


@require_POST
@login_required
def directory_listing(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_public_event(request.user, slug)
    listed = request.POST.get("listed") == "1"
    try:
        now_listed = directory_listing_set(user=request.user, event=event, listed=listed)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        if now_listed:
            messages.success(request, f"You now appear in the directory of {event.title}.")
        else:
            messages.success(request, f"You no longer appear in the directory of {event.title}.")
    return redirect(safe_next(request, reverse("networking:directory", args=[event.slug])))


urlpatterns = [
    path("events/<slug:slug>/directory/", directory, name="directory"),
    path("events/<slug:slug>/directory/listing/", directory_listing, name="directory_listing"),
]
