"""Scans -> awards: the service that turns verified attendance into stored credit."""

from decimal import Decimal

import pytest

from credits.models import Award
from credits.services.adjustments import adjustment_create
from credits.services.awards import recompute_awards, refresh_awards
from events.errors import RegistrationError
from tests.credits.conftest import at, attend, register, scan
from tests.factories import make_organizer


def awards_by_body(registration):
    return {
        a.offering.accreditation.body: a
        for a in Award.objects.filter(registration=registration).select_related(
            "offering__accreditation"
        )
    }


@pytest.mark.django_db
def test_full_attendance_earns_every_offering(credit_event, morning, attendee_registration):
    attend(attendee_registration, morning, at(8, 55), at(12, 1))
    assert refresh_awards(credit_event) is True
    awards = awards_by_body(attendee_registration)
    assert {body: a.hours for body, a in awards.items()} == {
        "apa": Decimal("3"),
        "naadac": Decimal("3"),
    }
    assert awards["apa"].minutes == 180
    assert awards["apa"].reasons == ""
    assert awards["apa"].first_in == at(8, 55)
    assert awards["apa"].last_out == at(12, 1)


@pytest.mark.django_db
def test_late_arrival_is_explained_and_differs_by_rule(
    credit_event, morning, attendee_registration
):
    attend(attendee_registration, morning, at(9, 22), at(12))
    refresh_awards(credit_event)
    awards = awards_by_body(attendee_registration)
    assert awards["apa"].hours == 0
    assert "arrived 22 minutes late; APA-style rule allows 15" in awards["apa"].reasons
    # 158 minutes attended -> 2.63 h -> 2.5 h in quarter hours.
    assert awards["naadac"].hours == Decimal("2.5")
    assert awards["naadac"].minutes == 158


@pytest.mark.django_db
def test_refresh_is_a_no_op_until_a_new_scan_arrives(credit_event, morning, attendee_registration):
    attend(attendee_registration, morning, at(9), None)
    assert refresh_awards(credit_event) is True
    first = awards_by_body(attendee_registration)["apa"]
    assert first.needs_review and first.hours == 0
    assert refresh_awards(credit_event) is False
    scan(attendee_registration, morning, at(12), "out")  # the exit scan uploads late
    assert refresh_awards(credit_event) is True
    later = awards_by_body(attendee_registration)["apa"]
    assert later.hours == 3 and not later.needs_review


@pytest.mark.django_db
def test_recompute_gives_the_same_awards(credit_event, morning, afternoon):
    people = [register(credit_event) for _ in range(3)]
    attend(people[0], morning, at(9), at(12))
    attend(people[1], morning, at(9, 30), at(11))
    attend(people[2], afternoon, at(13), at(14))
    recompute_awards(credit_event)
    fields = ["registration_id", "offering_id", "minutes", "hours", "reasons", "needs_review"]
    before = sorted(Award.objects.values_list(*fields))
    recompute_awards(credit_event)
    assert sorted(Award.objects.values_list(*fields)) == before
    assert len(before) == 5


@pytest.mark.django_db
def test_adjustment_needs_a_reason_and_recomputes(
    credit_event, morning, attendee_registration, organizer
):
    attend(attendee_registration, morning, at(9), None)
    refresh_awards(credit_event)
    with pytest.raises(RegistrationError) as refused:
        adjustment_create(registration=attendee_registration, session=morning, kind="present",
                          reason="  ", by=organizer)  # fmt: skip
    assert refused.value.code == "reason_required"
    adjustment_create(
        registration=attendee_registration, session=morning, kind="add",
        starts_at=at(9), ends_at=at(12), reason="Exit scanner was down (ticket #41)", by=organizer,
    )  # fmt: skip
    apa = awards_by_body(attendee_registration)["apa"]
    assert apa.hours == 3 and not apa.needs_review


@pytest.mark.django_db
def test_only_organizers_of_the_event_adjust(credit_event, morning, attendee_registration):
    from tests.factories import make_org

    outsider = make_organizer(make_org())
    with pytest.raises(RegistrationError) as refused:
        adjustment_create(registration=attendee_registration, session=morning, kind="present",
                          reason="I say so", by=outsider)  # fmt: skip
    assert refused.value.code == "forbidden"
    assert not Award.objects.exists()


@pytest.mark.django_db
def test_lunch_inside_a_workshop_is_not_instruction(credit_event, apa, attendee_registration):
    from credits.models import CreditOffering
    from events.models import Session
    from tests.credits.conftest import preset
    from tests.factories import make_session

    day = make_session(credit_event, start=at(9), minutes=420, title="Full-day DBT intensive")
    make_session(credit_event, start=at(12), minutes=60, title="Lunch", kind=Session.Kind.MEAL,
                 ce_hours=0)  # fmt: skip
    CreditOffering.objects.create(session=day, accreditation=apa, hours=6, rule=preset("apa"))
    attend(attendee_registration, day, at(9), at(12))
    attend(attendee_registration, day, at(13), at(16))  # away only during lunch
    refresh_awards(credit_event)
    award = awards_by_body(attendee_registration)["apa"]
    assert (award.hours, award.minutes) == (6, 360)
