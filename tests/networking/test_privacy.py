"""The privacy table (DESIGN.md invariant 7): for each profile field and each kind of
viewer, visible or not, both in what networking.privacy decides and on the pages."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import License
from networking.privacy import Relation, relation_between, visible_profile
from networking.services.profiles import profile_save
from tests.factories import make_org, make_organizer
from tests.networking.conftest import connect, listed, set_profile

# Every field filled with a value that appears nowhere else on the pages.
VALUES = {
    "pronouns": "xe/xem",
    "headline": "Headline-7Q2 trauma therapist",
    "bio": "Bio-K9P I run a grief group.",
    "profession": "Marriage and family therapist",
    "credentials": "LMFT-Z4",
    "specialties": ["EMDR"],
    "populations": "Populations-W8 veterans",
    "languages": "Tagalog",
    "city": "City-V3 Dayton",
    "region": "Region-U6 Ohio",
    "employer": "Employer-T5 Clinic",
    "links": ["https://example.org/links-s4"],
    "email": "owner-r1@example.com",
}
# Who sees each field with the settings below: E = event peers, C = connections only,
# H = only the owner. Email is always connections only.
SETTINGS = {
    "pronouns_visibility": "event",
    "photo_visibility": "event",
    "headline_visibility": "event",
    "bio_visibility": "connections",
    "professional_visibility": "event",
    "specialties_visibility": "event",
    "populations_visibility": "hidden",
    "languages_visibility": "connections",
    "location_visibility": "connections",
    "employer_visibility": "hidden",
    "links_visibility": "event",
}
LEVEL = {
    "pronouns": "E", "photo_url": "E", "headline": "E", "bio": "C", "profession": "E",
    "credentials": "E", "specialties": "E", "populations": "H", "languages": "C", "city": "C",
    "region": "C", "employer": "H", "links": "E", "email": "C",
}  # fmt: skip
# The levels each viewer sees.
VIEWERS = {
    "self": "ECH",
    "connection": "EC",
    "same_event_attendee": "E",
    "organizer": "E",
    "other_event_attendee": "",
    "anonymous": "",
}
TABLE = [
    (field, viewer, LEVEL[field] in seen) for field in LEVEL for viewer, seen in VIEWERS.items()
]


def jpeg(size=(640, 480)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def world(event, other_event, organizer):
    owner = listed(event, first_name="Olive", last_name="Owner", email=VALUES["email"])
    set_profile(
        owner,
        pronouns=VALUES["pronouns"],
        headline=VALUES["headline"],
        bio=VALUES["bio"],
        populations=VALUES["populations"],
        languages=VALUES["languages"],
        city=VALUES["city"],
        region=VALUES["region"],
        employer=VALUES["employer"],
        link_1=VALUES["links"][0],
        specialties=VALUES["specialties"],
        profession="mft",
        credentials=VALUES["credentials"],
        **SETTINGS,
    )
    profile_save(user=owner, by=owner, data={}, photo=jpeg())
    License.objects.create(user=owner, profession="mft", jurisdiction="OH", number="LIC-998877")
    friend = listed(other_event, first_name="Cole", last_name="Friend")
    connect(owner, friend)
    return {
        "owner": owner,
        "viewers": {
            "self": owner,
            "connection": friend,
            "same_event_attendee": listed(event, first_name="Sam", last_name="Peer"),
            "organizer": organizer,
            "other_event_attendee": listed(other_event, first_name="Oda", last_name="Far"),
            "anonymous": AnonymousUser(),
        },
    }


@pytest.mark.parametrize("field,viewer,visible", TABLE)
def test_privacy_table(world, field, viewer, visible):
    shown = visible_profile(world["owner"], world["viewers"][viewer])
    assert (field in shown) is visible
    if visible and field != "photo_url":
        assert shown[field] == VALUES[field]


@pytest.mark.parametrize("viewer", ["connection", "same_event_attendee", "organizer"])
def test_profile_page_shows_exactly_the_visible_fields(client, world, viewer):
    client.force_login(world["viewers"][viewer])
    response = client.get(reverse("networking:person", args=[world["owner"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Olive Owner" in text
    for field, level in LEVEL.items():
        if field in ("photo_url", "specialties", "links", "profession"):
            continue
        assert (VALUES[field] in text) is (level in VIEWERS[viewer]), field
    assert ("links-s4" in text) is ("E" in VIEWERS[viewer])
    photo = reverse("networking:photo", args=[world["owner"].pk])
    assert photo in text
    assert "LIC-998877" not in text  # license numbers never appear here


@pytest.mark.parametrize("viewer", ["other_event_attendee"])
def test_others_get_not_found(client, world, viewer):
    client.force_login(world["viewers"][viewer])
    owner = world["owner"]
    assert client.get(reverse("networking:person", args=[owner.pk])).status_code == 404
    assert client.get(reverse("networking:photo", args=[owner.pk])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(reverse("networking:person", args=[world["owner"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "viewer,status",
    [
        ("connection", 200),
        ("same_event_attendee", 200),
        ("organizer", 200),
        ("other_event_attendee", 404),
    ],
)
def test_photo_follows_its_visibility(client, world, viewer, status):
    client.force_login(world["viewers"][viewer])
    response = client.get(reverse("networking:photo", args=[world["owner"].pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]


def test_hidden_photo_is_not_served_even_to_connections(client, world):
    owner = world["owner"]
    profile_save(user=owner, by=owner, data={"photo_visibility": "hidden"})
    client.force_login(world["viewers"]["connection"])
    assert client.get(reverse("networking:photo", args=[owner.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("networking:photo", args=[owner.pk])).status_code == 200


@pytest.mark.parametrize(
    "relation,viewer",
    [
        ("connection", "connection"),
        ("event", "same_event_attendee"),
        ("event", "organizer"),
        ("none", "other_event_attendee"),
        ("self", "self"),
    ],
)
def test_view_as_shows_the_owner_exactly_what_each_viewer_sees(client, world, relation, viewer):
    owner = world["owner"]
    client.force_login(owner)
    response = client.get(reverse("networking:profile_edit"), {"as": relation})
    assert response.status_code == 200
    assert response.context["preview"] == visible_profile(owner, world["viewers"][viewer])


def test_profile_edit_page_never_shows_license_numbers(client, world):
    client.force_login(world["owner"])
    text = client.get(reverse("networking:profile_edit")).content.decode()
    assert "LIC-998877" not in text
    assert "License numbers" in text and "Never shown here" in text


def test_defaults_share_email_with_connections_only(event):
    owner = listed(event, first_name="Dee", last_name="Fault")
    peer = listed(event, first_name="Pia", last_name="Peer")
    set_profile(owner, employer="Quiet Clinic", city="Akron")
    assert relation_between(owner, peer) == Relation.EVENT
    shown = visible_profile(owner, peer)
    assert "email" not in shown and "employer" not in shown and "city" not in shown
    assert "headline" in shown  # public by default
    friend = listed(event, first_name="Fr", last_name="Iend")
    connect(friend, owner)
    assert visible_profile(owner, friend)["email"] == owner.email


def test_same_event_attendee_sees_nothing_until_the_owner_opts_in(event):
    from tests.networking.conftest import attend

    owner = attend(event, first_name="Not", last_name="Listed").user
    peer = listed(event, first_name="Pe", last_name="Er")
    assert visible_profile(owner, peer) == {}
    from networking.services.profiles import directory_listing_set

    directory_listing_set(user=owner, event=event, listed=True)
    assert visible_profile(owner, peer)["name"] == "Not Listed"


def test_organizer_of_another_provider_sees_nothing(event):
    owner = listed(event, first_name="Ow", last_name="Ner")
    assert visible_profile(owner, make_organizer(make_org())) == {}


def test_blocked_people_see_nothing_either_way(client, world):
    from networking.services.blocks import block_create

    owner, peer = world["owner"], world["viewers"]["same_event_attendee"]
    friend = world["viewers"]["connection"]
    block_create(blocker=owner, blocked=peer)
    block_create(blocker=friend, blocked=owner)
    assert visible_profile(owner, peer) == {}
    assert visible_profile(peer, owner) == {}
    assert visible_profile(owner, friend) == {}  # the block also ended the connection
    client.force_login(peer)
    assert client.get(reverse("networking:person", args=[owner.pk])).status_code == 404
    assert client.get(reverse("networking:photo", args=[owner.pk])).status_code == 404
