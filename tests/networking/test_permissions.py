"""Permission table: every networking URL times every role -> expected answer."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from networking.models import Connection, NetworkingReport, Notification
from networking.services.connections import connection_request
from networking.services.profiles import profile_save
from networking.services.reports import report_create
from tests.factories import make_org, make_organizer
from tests.networking.conftest import connect, listed
from tests.permissions import LOGIN, ROLES, assert_page_answer


@pytest.fixture
def world(event, organizer, ana, ben, cara):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, "PNG")
    profile_save(user=ben, by=ben, data={}, photo=SimpleUploadedFile("b.png", buffer.getvalue()))
    dan = listed(event, first_name="Dan", last_name="Connected")
    eve = listed(event, first_name="Eve", last_name="Asked")
    incoming = connection_request(requester=ben, addressee=ana)
    outgoing = connection_request(requester=ana, addressee=eve)
    friendship = connect(ana, dan)
    report = report_create(reporter=ana, reported=eve, reason="Rude at lunch")
    return {
        "event": event,
        "ben": ben,
        "incoming": incoming,
        "outgoing": outgoing,
        "friendship": friendship,
        "notification": Notification.objects.get(user=ana, connection=incoming),
        "report": report,
        "users": {
            "anonymous": None,
            "attendee": ana,
            "other_attendee": cara,
            "other_organizer": make_organizer(make_org()),
            "organizer": organizer,
        },
    }


def page_urls(w):
    slug, ben = w["event"].slug, w["ben"].pk
    return {
        "profile_edit": reverse("networking:profile_edit"),
        "person": reverse("networking:person", args=[ben]),
        "photo": reverse("networking:photo", args=[ben]),
        "connect": reverse("networking:connect", args=[ben]),
        "block": reverse("networking:block", args=[ben]),
        "report": reverse("networking:report", args=[ben]),
        "my_network": reverse("networking:my_network"),
        "requests": reverse("networking:requests"),
        "remove": reverse("networking:remove", args=[w["friendship"].pk]),
        "export_vcf": reverse("networking:export_vcf"),
        "export_csv": reverse("networking:export_csv"),
        "blocked": reverse("networking:blocked"),
        "notifications": reverse("networking:notifications"),
        "notification_open": reverse("networking:notification_open", args=[w["notification"].pk]),
        "directory": reverse("networking:directory", args=[slug]),
        "connect_page": reverse("networking:connect_page", args=[slug]),
        "reports": reverse("networking:reports"),
        "specialties": reverse("networking:specialties"),
        # POST-only actions answer a GET with 405 before anything else.
        "accept_get": reverse("networking:accept", args=[w["incoming"].pk]),
        "decline_get": reverse("networking:decline", args=[w["incoming"].pk]),
        "withdraw_get": reverse("networking:withdraw", args=[w["outgoing"].pk]),
        "unblock_get": reverse("networking:unblock", args=[ben]),
        "notifications_read_get": reverse("networking:notifications_read"),
        "directory_listing_get": reverse("networking:directory_listing", args=[slug]),
        "connect_scan_get": reverse("networking:connect_scan", args=[slug]),
        "report_resolve_get": reverse("networking:report_resolve", args=[w["report"].pk]),
    }


# anonymous, attendee (listed at the event), attendee of another event,
# organizer of another provider, the event's organizer
PAGES = {
    "profile_edit": (LOGIN, 200, 200, 200, 200),
    "person": (LOGIN, 200, 404, 404, 200),
    "photo": (LOGIN, 200, 404, 404, 200),
    "connect": (LOGIN, 200, 404, 404, 200),
    "block": (LOGIN, 200, 404, 404, 200),
    "report": (LOGIN, 200, 404, 404, 200),
    "my_network": (LOGIN, 200, 200, 200, 200),
    "requests": (LOGIN, 200, 200, 200, 200),
    "remove": (LOGIN, 200, 404, 404, 404),
    "export_vcf": (LOGIN, 200, 200, 200, 200),
    "export_csv": (LOGIN, 200, 200, 200, 200),
    "blocked": (LOGIN, 200, 200, 200, 200),
    "notifications": (LOGIN, 200, 200, 200, 200),
    "notification_open": (LOGIN, 302, 404, 404, 404),
    "directory": (LOGIN, 200, 403, 403, 200),
    "connect_page": (LOGIN, 200, 403, 403, 403),
    "reports": (LOGIN, 403, 403, 200, 200),
    "specialties": (LOGIN, 403, 403, 200, 200),
    "accept_get": (405,) * 5,
    "decline_get": (405,) * 5,
    "withdraw_get": (405,) * 5,
    "unblock_get": (405,) * 5,
    "notifications_read_get": (405,) * 5,
    "directory_listing_get": (405,) * 5,
    "connect_scan_get": (405,) * 5,
    "report_resolve_get": (405,) * 5,
}


def test_the_page_table_covers_every_url(world):
    from networking.urls import urlpatterns

    names = set()
    for include in urlpatterns:
        names |= {pattern.name for pattern in include.url_patterns}
    covered = {name.removesuffix("_get") for name in PAGES}
    assert names == covered
    assert set(PAGES) == set(page_urls(world))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permissions(client, world, name, role):
    expected = PAGES[name][ROLES.index(role)]
    assert_page_answer(client, world["users"][role], page_urls(world)[name], expected)


# Actions on someone else's request, connection or report change nothing.
POSTS = {
    # (url name, object) -> anonymous, attendee, other_attendee, other_organizer, organizer
    "accept": (LOGIN, 302, 404, 404, 404),
    "decline": (LOGIN, 302, 404, 404, 404),
    "withdraw": (LOGIN, 302, 404, 404, 404),
    "remove": (LOGIN, 302, 404, 404, 404),
    "report_resolve": (LOGIN, 403, 403, 404, 302),
}


def post_url(world, name):
    target = {
        "accept": world["incoming"],
        "decline": world["incoming"],
        "withdraw": world["outgoing"],
        "remove": world["friendship"],
        "report_resolve": world["report"],
    }[name]
    return reverse(f"networking:{name}", args=[target.pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_post_permissions(client, world, name, role):
    expected = POSTS[name][ROLES.index(role)]
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    before = sorted(Connection.objects.values_list("pk", "status"))
    response = client.post(post_url(world, name), {"resolution": "Handled"})
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    changed = sorted(Connection.objects.values_list("pk", "status")) != before
    resolved = NetworkingReport.objects.get().is_resolved
    assert (changed or resolved) is (expected == 302)
