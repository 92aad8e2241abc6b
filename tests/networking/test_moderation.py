"""Block (with a confirmation page), report to the organizers of shared events,
the organizers' report queue, and the specialty vocabulary organizers extend."""

import pytest
from django.urls import reverse

from events.errors import RegistrationError
from networking.models import Block, NetworkingReport, Notification, Specialty
from networking.services.profiles import specialty_create
from networking.services.reports import report_create
from tests.factories import make_org, make_organizer, make_user
from tests.networking.conftest import attend, connect, listed, specialty


def test_block_asks_for_confirmation_then_hides_both_ways(client, event, ana, ben):
    connect(ana, ben)
    client.force_login(ana)
    url = reverse("networking:block", args=[ben.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Block Ben Okafor?" in page.content.decode()
    assert not Block.objects.exists()
    assert client.post(url).status_code == 302
    assert Block.objects.filter(blocker=ana, blocked=ben).exists()
    assert client.get(reverse("networking:person", args=[ben.pk])).status_code == 404
    client.force_login(ben)
    assert client.get(reverse("networking:person", args=[ana.pk])).status_code == 404
    assert client.get(reverse("networking:connect", args=[ana.pk])).status_code == 404
    my_network = client.get(reverse("networking:my_network")).content.decode()
    assert "Ana Reyes" not in my_network


def test_unblock_from_the_blocked_page(client, event, ana, ben):
    client.force_login(ana)
    client.post(reverse("networking:block", args=[ben.pk]))
    assert "Ben Okafor" in client.get(reverse("networking:blocked")).content.decode()
    client.post(reverse("networking:unblock", args=[ben.pk]))
    assert not Block.objects.exists()


def test_strangers_cannot_be_blocked_or_reported_by_id(client, event, ana, cara):
    client.force_login(ana)
    for name in ("block", "report"):
        url = reverse(f"networking:{name}", args=[cara.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.get(reverse("networking:block", args=[ana.pk])).status_code == 404
    assert not Block.objects.exists() and not NetworkingReport.objects.exists()


def test_report_goes_to_organizers_of_shared_events(client, event, organizer, ana, ben):
    other_org_owner = make_organizer(make_org())
    client.force_login(ana)
    url = reverse("networking:report", args=[ben.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(
        url, {"reason": "Kept following me after I said no.", "also_block": "on"}
    )
    assert response.status_code == 302
    report = NetworkingReport.objects.get()
    assert list(report.events.all()) == [event]
    assert Block.objects.filter(blocker=ana, blocked=ben).exists()
    assert Notification.objects.filter(user=organizer, kind="report").exists()
    # The organizer sees and resolves it; another provider's organizer does not.
    client.force_login(other_org_owner)
    assert "Kept following me" not in client.get(reverse("networking:reports")).content.decode()
    resolve = reverse("networking:report_resolve", args=[report.pk])
    assert client.post(resolve, {"resolution": "x"}).status_code == 404
    client.force_login(organizer)
    page = client.get(reverse("networking:reports")).content.decode()
    assert "Kept following me after I said no." in page and "About Ben Okafor" in page
    client.post(resolve, {"resolution": ""})
    assert not NetworkingReport.objects.get().is_resolved
    client.post(resolve, {"resolution": "Spoke with him; warned."})
    report.refresh_from_db()
    assert report.is_resolved and report.resolved_by == organizer
    assert report.resolution == "Spoke with him; warned."


def test_a_second_open_report_is_refused(event, ana, ben):
    report_create(reporter=ana, reported=ben, reason="First")
    with pytest.raises(RegistrationError) as caught:
        report_create(reporter=ana, reported=ben, reason="Again")
    assert caught.value.code == "already_reported"
    with pytest.raises(RegistrationError):
        report_create(reporter=ana, reported=ana, reason="Me")


def test_report_only_people_you_met(event, ana, cara):
    with pytest.raises(RegistrationError) as caught:
        report_create(reporter=ana, reported=cara, reason="Never met them")
    assert caught.value.code == "unknown_person"


def test_organizers_add_specialties_attendees_cannot(client, event, organizer, ana):
    specialty("EMDR")  # the seeded list (seeded again after a transactional test)
    client.force_login(ana)
    assert client.get(reverse("networking:specialties")).status_code == 403
    client.force_login(organizer)
    url = reverse("networking:specialties")
    page = client.get(url).content.decode()
    assert "EMDR" in page and "Motivational interviewing" in page
    assert (
        client.post(url, {"name": "  Somatic   experiencing ", "kind": "modality"}).status_code
        == 302
    )
    assert Specialty.objects.get(name="Somatic experiencing").created_by == organizer
    duplicate = client.post(url, {"name": "emdr", "kind": "modality"})
    assert "already in the list" in duplicate.content.decode()
    assert Specialty.objects.filter(name__iexact="emdr").count() == 1
    with pytest.raises(RegistrationError):
        specialty_create(name="Reiki", kind="modality", by=ana)


def test_seeded_vocabulary_matches_the_shared_list(db):
    from accounts.vocab import DEFAULT_SPECIALTIES

    specialty("EMDR")  # reseeds after a transactional test
    assert set(DEFAULT_SPECIALTIES) <= set(Specialty.objects.values_list("name", flat=True))


def test_organizers_add_specialties_in_the_admin(client, organizer):
    organizer.is_staff = True
    organizer.save()
    client.force_login(organizer)
    url = reverse("admin:networking_specialty_add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Internal family systems", "kind": "modality"})
    assert response.status_code == 302
    assert Specialty.objects.get(name="Internal family systems").created_by == organizer
    attendee = make_user(is_staff=True)
    client.force_login(attendee)
    assert client.get(url).status_code == 403


def test_organizer_can_see_reporter_and_reported_even_when_not_listed(client, event, organizer):
    quiet = attend(event, first_name="Quiet", last_name="Reporter").user
    loud = listed(event, first_name="Loud", last_name="Person")
    report_create(reporter=quiet, reported=loud, reason="Shouted at me")
    client.force_login(organizer)
    assert "Quiet Reporter" in client.get(reverse("networking:reports")).content.decode()
