"""The notifications page: connection requests, acceptances, reports to review."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from networking.models import Notification
from networking.services.notifications import notifications_mark_read

PER_PAGE = 30


@require_safe
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "networking/notifications.html",
        {"page": page, "has_unread": items.filter(read_at__isnull=True).exists()},
    )


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("networking:notifications")


@require_safe
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read."""
    item = get_object_or_404(Notification, pk=pk, user=request.user)
    if not item.is_read:
        notifications_mark_read(user=request.user, ids=[item.pk])
    if item.url.startswith("/") and url_has_allowed_host_and_scheme(item.url, {request.get_host()}):
        return redirect(item.url)
    return redirect(reverse("networking:notifications"))


urlpatterns = [
    path("me/notifications/", notifications, name="notifications"),
    path("me/notifications/read/", notifications_read, name="notifications_read"),
    path("me/notifications/<int:pk>/", notification_open, name="notification_open"),
]
