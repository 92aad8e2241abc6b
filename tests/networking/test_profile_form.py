"""The profile form: bad input gets a clear error and changes nothing."""

import pytest
from django.urls import reverse

from networking.forms import VISIBILITY_FIELDS
from networking.models import NetworkingProfile
from tests.networking.conftest import set_profile, specialty


def post(client, **data):
    return client.post(
        reverse("networking:profile_edit"),
        {**dict.fromkeys(VISIBILITY_FIELDS, "event"), **data},
    )


@pytest.mark.parametrize(
    "link", ["ftp://files.example.org/me", "javascript:alert(1)", "not a link at all"]
)
def test_only_http_links_are_accepted(client, event, ana, link):
    set_profile(ana, headline="Before")
    client.force_login(ana)
    response = post(client, headline="After", link_1=link)
    assert response.status_code == 200
    assert "Enter a valid URL" in response.content.decode()
    profile = NetworkingProfile.objects.get(user=ana)
    assert profile.headline == "Before" and profile.link_1 == ""


def test_saves_fields_specialties_and_normalised_languages(client, event, ana):
    client.force_login(ana)
    emdr, act = specialty("EMDR"), specialty("ACT")
    response = post(
        client,
        display_name="Dr. Ana Reyes",
        pronouns="she/her",
        languages="english;  Spanish, spanish",
        specialties=[emdr.pk, act.pk],
        link_1="example.org/ana",
        employer_visibility="hidden",
        email_on_request="",
    )
    assert response.status_code == 302
    profile = NetworkingProfile.objects.get(user=ana)
    assert profile.display_name == "Dr. Ana Reyes"
    assert profile.languages == "English, Spanish"
    assert set(profile.specialties.all()) == {emdr, act}
    assert profile.link_1 == "https://example.org/ana"
    assert profile.employer_visibility == "hidden"
    assert profile.email_on_request is False and profile.email_on_accept is False


def test_a_bad_visibility_or_specialty_is_refused(client, event, ana):
    client.force_login(ana)
    response = post(client, bio_visibility="everyone", specialties=["999999"])
    assert response.status_code == 200
    text = response.content.decode()
    assert "Select a valid choice" in text
    assert NetworkingProfile.objects.get(user=ana).bio_visibility == "event"


def test_a_long_bio_is_refused(client, event, ana):
    client.force_login(ana)
    response = post(client, bio="x" * 1001)
    assert response.status_code == 200
    assert "at most 1000 characters" in response.content.decode()


def test_someone_else_cannot_save_my_profile(event, ana, ben):
    from events.errors import RegistrationError
    from networking.services.profiles import profile_save

    with pytest.raises(RegistrationError):
        profile_save(user=ana, by=ben, data={"headline": "Hacked"})
    assert NetworkingProfile.objects.get(user=ana).headline == ""
