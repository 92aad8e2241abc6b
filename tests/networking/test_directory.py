"""The directory of one event: who may open it, who is listed, filters that combine,
blocks, ordering, and a query budget that holds whatever the page size."""

import pytest
from django.urls import reverse

from accounts.models import Profile, User
from events.models import Registration, SessionSignup
from events.services import registration_cancel, session_signup_create
from networking.models import DirectoryListing, NetworkingProfile
from networking.services.blocks import block_create
from networking.services.profiles import directory_listing_set
from tests.factories import make_event, make_org, make_organizer, make_session, make_user
from tests.networking.conftest import attend, connect, listed, set_profile, specialty


def names(response) -> list[str]:
    return [card.profile["name"] for card in response.context["cards"]]


def directory(client, event, **params):
    return client.get(reverse("networking:directory", args=[event.slug]), params)


def seat(person, session):
    """A confirmed seat (the conference is a month ahead: sign-ups are open)."""
    session_signup_create(user=person, session_id=session.pk)


# ---------- Who may open it ----------


def test_confirmed_attendee_and_organizer_open_it_others_do_not(
    client, event, ana, cara, organizer
):
    client.force_login(ana)
    assert directory(client, event).status_code == 200
    client.force_login(organizer)
    assert directory(client, event).status_code == 200
    client.force_login(cara)
    response = directory(client, event)
    assert response.status_code == 403
    assert "for this event’s attendees" in response.content.decode()
    client.force_login(make_organizer(make_org()))
    assert directory(client, event).status_code == 403
    client.logout()
    assert directory(client, event).status_code == 302


def test_cancelled_attendee_loses_access_and_listing(client, event, ana, ben):
    registration = ben.registrations.get()
    registration_cancel(registration=registration, by=ben)
    client.force_login(ben)
    assert directory(client, event).status_code == 403
    client.force_login(ana)
    assert "Ben Okafor" not in names(directory(client, event))


def test_draft_event_directory_is_not_found(client, ana):
    draft = make_event(status="draft")
    client.force_login(ana)
    assert directory(client, draft).status_code == 404


# ---------- Who is listed ----------


def test_lists_only_opted_in_confirmed_attendees_never_the_viewer(client, event, ana, ben):
    attend(event, first_name="Quiet", last_name="Person")  # did not opt in
    awaiting = make_user(first_name="Unpaid", last_name="Person")
    Registration.objects.create(
        event=event, user=awaiting, ticket_type=event.ticket_types.first(),
        status=Registration.Status.AWAITING_PAYMENT,
    )  # fmt: skip
    DirectoryListing.objects.create(user=awaiting, event=event)
    listed(make_event(), first_name="Elsewhere", last_name="Person")
    client.force_login(ana)
    response = directory(client, event)
    assert names(response) == ["Ben Okafor"]
    assert "You are listed here" in response.content.decode()


def test_leaving_the_directory_removes_you(client, event, ana, ben):
    client.force_login(ben)
    response = client.post(
        reverse("networking:directory_listing", args=[event.slug]), {"listed": "0"}
    )
    assert response.status_code == 302
    client.force_login(ana)
    assert names(directory(client, event)) == []


def test_only_confirmed_attendees_can_opt_in(client, event, cara):
    client.force_login(cara)
    response = client.post(
        reverse("networking:directory_listing", args=[event.slug]), {"listed": "1"}, follow=True
    )
    assert "Only confirmed attendees" in response.content.decode()
    assert not DirectoryListing.objects.filter(user=cara, event=event).exists()


def test_blocked_people_never_appear_either_way(client, event, ana, ben):
    carl = listed(event, first_name="Carl", last_name="Blocked")
    dora = listed(event, first_name="Dora", last_name="Blocker")
    block_create(blocker=ana, blocked=carl)
    block_create(blocker=dora, blocked=ana)
    client.force_login(ana)
    assert names(directory(client, event)) == ["Ben Okafor"]
    assert names(directory(client, event, q="Carl")) == []
    client.force_login(carl)
    assert "Ana Reyes" not in names(directory(client, event))
    client.force_login(dora)
    assert "Ana Reyes" not in names(directory(client, event))


def test_people_sharing_sessions_come_first_then_by_name(client, event, ana):
    morning, afternoon = make_session(event), make_session(event)
    zed = listed(event, first_name="Zed", last_name="Zimmer")
    listed(event, first_name="Amy", last_name="Adams")
    mia = listed(event, first_name="Mia", last_name="Moss")
    for person, sessions in (
        (ana, [morning, afternoon]),
        (zed, [morning, afternoon]),
        (mia, [morning]),
    ):
        for session in sessions:
            seat(person, session)
    client.force_login(ana)
    response = directory(client, event)
    assert names(response) == ["Zed Zimmer", "Mia Moss", "Amy Adams"]
    assert [card.shared_sessions for card in response.context["cards"]] == [2, 1, 0]
    assert names(directory(client, event, same_session="on")) == ["Zed Zimmer", "Mia Moss"]


def test_cancelled_seats_do_not_count_as_shared(client, event, ana):
    session = make_session(event)
    zed = listed(event, first_name="Zed", last_name="Zimmer")
    seat(ana, session)
    seat(zed, session)
    SessionSignup.objects.filter(registration__user=zed).update(
        status=SessionSignup.Status.CANCELLED
    )
    client.force_login(ana)
    assert names(directory(client, event, same_session="on")) == []


# ---------- Search and filters ----------


@pytest.fixture
def crowd(event):
    people = {
        "Gina Torres": {
            "profession": "psychologist", "specialties": ["EMDR", "Trauma and PTSD"],
            "languages": "English, Spanish", "region": "Ohio", "city": "Columbus",
            "headline": "Trauma therapist", "location_visibility": "event",
        },
        "Hugo Brandt": {
            "profession": "psychologist", "specialties": ["CBT"], "languages": "German",
            "region": "Ohio", "location_visibility": "event", "bio": "I run DBT skills groups",
        },
        "Iris Moon": {
            "profession": "social_worker", "specialties": ["EMDR"], "languages": "Spanish",
            "region": "Texas", "location_visibility": "event", "employer": "Lone Star Clinic",
            "employer_visibility": "event",
        },
        "Jon Park": {
            "profession": "psychologist", "specialties": ["EMDR"], "languages": "Spanish",
            "region": "Ohio", "location_visibility": "hidden", "bio": "Secret-word in my bio",
            "bio_visibility": "hidden",
        },
    }  # fmt: skip
    for full_name, fields in people.items():
        first, last = full_name.split()
        set_profile(listed(event, first_name=first, last_name=last), **fields)
    return people


@pytest.mark.parametrize(
    "params,expected",
    [
        ({}, ["Ana Reyes", "Gina Torres", "Hugo Brandt", "Iris Moon", "Jon Park"]),
        ({"profession": "psychologist"}, ["Gina Torres", "Hugo Brandt", "Jon Park"]),
        ({"specialty": "EMDR"}, ["Gina Torres", "Iris Moon", "Jon Park"]),
        ({"profession": "psychologist", "specialty": "EMDR"}, ["Gina Torres", "Jon Park"]),
        ({"specialty": "EMDR", "language": "spanish"}, ["Gina Torres", "Iris Moon", "Jon Park"]),
        # Jon's region is hidden: filtering by it must not reveal it.
        ({"specialty": "EMDR", "language": "Spanish", "region": "ohio"}, ["Gina Torres"]),
        ({"profession": "psychologist", "region": "Columbus"}, ["Gina Torres"]),
        ({"q": "trauma"}, ["Gina Torres"]),
        ({"q": "dbt groups"}, ["Hugo Brandt"]),
        ({"q": "lone star"}, ["Iris Moon"]),
        ({"q": "Secret-word"}, []),  # a hidden bio is not searchable
        ({"q": "moon", "profession": "psychologist"}, []),
        ({"q": "par"}, ["Jon Park"]),
        ({"profession": "mft"}, []),
    ],
)
def test_filters_combine(client, event, crowd, ana, params, expected):
    viewer = make_user()
    attend_reg = Registration.objects.create(
        event=event, user=viewer, ticket_type=event.ticket_types.first(),
        status=Registration.Status.CONFIRMED,
    )  # fmt: skip
    assert attend_reg.pk
    if "specialty" in params:
        params = {**params, "specialty": specialty(params["specialty"]).pk}
    client.force_login(viewer)
    response = directory(client, event, **params)
    assert sorted(names(response)) == sorted(expected)


def test_connections_can_search_what_is_shared_with_connections(client, event, ana):
    gus = listed(event, first_name="Gus", last_name="Near")
    set_profile(gus, bio="Wilderness therapy", bio_visibility="connections")
    client.force_login(ana)
    assert names(directory(client, event, q="wilderness")) == []
    connect(ana, gus)
    response = directory(client, event, q="wilderness")
    assert names(response) == ["Gus Near"]
    assert response.context["cards"][0].link_status == "accepted"


def test_a_hidden_profession_is_neither_shown_nor_filtered(client, event, ana):
    kim = listed(event, first_name="Kim", last_name="Hidden")
    set_profile(kim, profession="psychologist", credentials="PhD", professional_visibility="hidden")
    client.force_login(ana)
    response = directory(client, event)
    card = response.context["cards"][0]
    assert "profession" not in card.profile and "credentials" not in card.profile
    assert "PhD" not in response.content.decode()
    assert names(directory(client, event, profession="psychologist")) == []


def test_bad_filter_values_are_ignored_not_a_500(client, event, ana, ben):
    client.force_login(ana)
    response = directory(client, event, specialty="not-a-number", profession="astronaut", page="x")
    assert response.status_code == 200
    assert names(response) == ["Ben Okafor"]


def test_paginates_by_24(client, event, ana):
    bulk_listed(event, 30)
    client.force_login(ana)
    first = directory(client, event)
    assert len(first.context["cards"]) == 24
    assert first.context["page"].paginator.num_pages == 2
    assert len(directory(client, event, page=2).context["cards"]) == 6


# ---------- Query budget ----------


def bulk_listed(event, count: int) -> list[User]:
    """Many listed attendees with full profiles, made in bulk."""
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{n}@example.com", first_name=f"Bulk{n:03}", last_name="Person")
            for n in range(count)
        ]
    )
    Profile.objects.bulk_create(
        [Profile(user=u, profession="counselor", credentials="LPC") for u in users]
    )
    ticket = event.ticket_types.first()
    Registration.objects.bulk_create(
        [
            Registration(
                event=event, user=u, ticket_type=ticket, status=Registration.Status.CONFIRMED,
                code=f"BULK{u.pk:06}",
            )
            for u in users
        ]
    )  # fmt: skip
    profiles = NetworkingProfile.objects.bulk_create(
        [
            NetworkingProfile(
                user=u, headline="Counselor", languages="English", region="Ohio",
                location_visibility="event",
                photo=f"photos/{u.pk}.jpg",
            )
            for u in users
        ]
    )  # fmt: skip
    through = NetworkingProfile.specialties.through
    emdr, cbt = specialty("EMDR"), specialty("CBT")
    through.objects.bulk_create(
        [through(networkingprofile=p, specialty=s) for p in profiles for s in (emdr, cbt)]
    )
    DirectoryListing.objects.bulk_create([DirectoryListing(user=u, event=event) for u in users])
    return users


@pytest.mark.parametrize("per_page,people", [(24, 30), (100, 110)])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {
            "q": "bulk",
            "profession": "counselor",
            "same_session": "on",
            "language": "English",
            "region": "ohio",
            "specialty": "EMDR",
        },
    ],
)
def test_query_budget(
    client,
    settings,
    monkeypatch,
    event,
    ana,
    django_assert_max_num_queries,
    per_page,
    people,
    params,
):
    # As deployed: the nav's organizer link and the unread-notifications count.
    settings.TEMPLATES[0]["OPTIONS"]["context_processors"] = [
        *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
        "networking.context_processors.notifications",
    ]
    monkeypatch.setattr("networking.views.directory.PER_PAGE", per_page)
    users = bulk_listed(event, people)
    session = make_session(event)
    seat(ana, session)
    for u in users[:5]:
        SessionSignup.objects.create(
            registration=u.registrations.get(), session=session,
            status=SessionSignup.Status.CONFIRMED,
        )  # fmt: skip
    for u in users[5:10]:
        connect(ana, u)
    if "specialty" in params:
        params = {**params, "specialty": specialty("EMDR").pk}
    client.force_login(ana)
    with django_assert_max_num_queries(10):
        response = directory(client, event, **params)
        response.content  # noqa: B018 - rendered inside the budget
    expected = 5 if params else min(per_page, people)
    assert len(response.context["cards"]) == expected
    assert response.context["cards"][0].shared_sessions == 1


def test_organizer_sees_listed_people_without_session_filter(client, event, ana, organizer):
    client.force_login(organizer)
    response = directory(client, event)
    assert names(response) == ["Ana Reyes"]
    assert "In a session with me" not in response.content.decode()
    assert "You see this directory as an organizer" in response.content.decode()


def test_listing_needs_a_confirmed_registration_for_the_service(event, cara):
    from events.errors import RegistrationError

    with pytest.raises(RegistrationError):
        directory_listing_set(user=cara, event=event, listed=True)
