"""Permission table for the certificate pages: every URL x every role."""

import pytest
from django.urls import reverse

from credits.models import Certificate, CertificateBatch
from credits.services.certificates import certificate_issue
from tests.credits.conftest import at, attend
from tests.credits.test_certificates import evaluate
from tests.factories import make_org, make_organizer, make_user
from tests.permissions import LOGIN, ROLES, assert_page_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(credit_event, afternoon, attendee_registration, organizer):
    attend(attendee_registration, afternoon, at(13), at(14))
    evaluate(attendee_registration, afternoon)
    certificate = certificate_issue(registration=attendee_registration)
    return {
        "event": credit_event,
        "registration": attendee_registration,
        "certificate": certificate,
        "users": {
            "anonymous": None,
            "attendee": attendee_registration.user,
            "other_attendee": make_user(),
            "other_organizer": make_organizer(make_org()),
            "organizer": organizer,
        },
    }


def page_urls(w):
    slug, code = w["event"].slug, w["certificate"].code
    return {
        "certificate_pdf": reverse("credits:certificate_pdf", args=[w["registration"].code]),
        "verify": reverse("credits:verify"),
        "verify_code": reverse("credits:verify_code", args=[code]),
        "verify_unknown": reverse("credits:verify_code", args=["AAAA-BBBB-CCCC-DDDD"]),
        "certificates": reverse("credits:certificates", args=[slug]),
        "certificates_issue_all": reverse("credits:certificates_issue_all", args=[slug]),
        "certificate_batch_json": reverse("credits:certificate_batch_json", args=[slug]),
        "certificate_file": reverse("credits:certificate_file", args=[slug, code]),
        "certificate_reissue": reverse("credits:certificate_reissue", args=[slug, code]),
        "certificate_revoke": reverse("credits:certificate_revoke", args=[slug, code]),
    }


ORGANIZERS_ONLY = (LOGIN, 403, 403, 403, 200)
PAGES = {
    # "My" certificate: only the registrant; anyone else is told it does not exist.
    "certificate_pdf": (LOGIN, 200, 404, 404, 404),
    # Public: licensing boards and employers verify without an account.
    "verify": (200, 200, 200, 200, 200),
    "verify_code": (200, 200, 200, 200, 200),
    "verify_unknown": (200, 200, 200, 200, 200),
    "certificates": ORGANIZERS_ONLY,
    "certificates_issue_all": ORGANIZERS_ONLY,
    "certificate_batch_json": ORGANIZERS_ONLY,
    "certificate_file": ORGANIZERS_ONLY,
    "certificate_reissue": ORGANIZERS_ONLY,
    "certificate_revoke": ORGANIZERS_ONLY,
}


def test_the_page_table_covers_every_page(world):
    assert set(PAGES) == set(page_urls(world))
    from credits.views.certificates import urlpatterns

    assert {p.name for p in urlpatterns} <= set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permissions(client, world, name, role):
    expected = PAGES[name][ROLES.index(role)]
    assert_page_answer(client, world["users"][role], page_urls(world)[name], expected)


POSTS = {
    "certificates_issue_all": (*ORGANIZERS_ONLY[:4], 302),
    "certificate_reissue": (*ORGANIZERS_ONLY[:4], 302),
    "certificate_revoke": (*ORGANIZERS_ONLY[:4], 302),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_post_permissions_and_nothing_changes_when_refused(
    client, world, name, role, django_capture_on_commit_callbacks
):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_urls(world)[name], {"reason": "Checked by the board"})
    expected = POSTS[name][ROLES.index(role)]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    changed = (
        Certificate.objects.filter(revoked_at__isnull=False).exists()
        or CertificateBatch.objects.exists()
    )
    assert changed == (role == "organizer")
