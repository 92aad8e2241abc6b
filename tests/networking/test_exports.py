"""Export my connections: vCard 3.0 read back by an independent parser (vobject),
and CSV that a spreadsheet cannot run as formulas."""

import csv
import io

import vobject
from django.urls import reverse

from networking.models import Connection
from networking.vcard import Card, fold, vcards
from tests.factories import make_session
from tests.networking.conftest import attend, connect, listed, set_profile


def download(client, name):
    response = client.get(reverse(f"networking:{name}"))
    assert response.status_code == 200
    return response


def setup_connections(event, ana, ben):
    session = make_session(event, title="Ethics; Boundaries, and Telehealth")
    set_profile(
        ben,
        display_name="Dr. Ben Okafor",
        employer="Riverside Counseling, LLC",
        employer_visibility="connections",
        profession="counselor",
        credentials="LPC, NCC",
        link_1="https://riverside.example/ben",
    )
    Connection.objects.create(
        requester=ana,
        addressee=ben,
        status=Connection.Status.ACCEPTED,
        met_at_event=event,
        met_at_place=session.title,
        note="Great question about duty to warn\nLet's talk supervision",
    )
    hidden = listed(event, first_name="Hana", last_name="Hidden")
    set_profile(hidden, employer="Secret Employer", employer_visibility="hidden")
    connect(hidden, ana)


def test_vcard_holds_name_email_org_title_and_where_we_met(client, event, ana, ben):
    setup_connections(event, ana, ben)
    client.force_login(ana)
    response = download(client, "export_vcf")
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert 'filename="convene-connections.vcf"' in response["Content-Disposition"]
    body = response.content.decode()
    assert "\r\n" in body and all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    cards = {card.fn.value: card for card in vobject.readComponents(body)}
    assert set(cards) == {"Dr. Ben Okafor", "Hana Hidden"}
    ben_card = cards["Dr. Ben Okafor"]
    assert ben_card.version.value == "3.0"
    assert ben_card.n.value.family == "Okafor" and ben_card.n.value.given == "Ben"
    assert ben_card.email.value == ben.email
    assert ben_card.org.value == ["Riverside Counseling, LLC"]
    assert ben_card.title.value == "Licensed professional / mental health counselor, LPC, NCC"
    assert ben_card.url.value == "https://riverside.example/ben"
    note = ben_card.note.value
    assert f"Met at {event.title}, Ethics; Boundaries, and Telehealth on" in note
    assert "duty to warn\nLet's talk supervision" in note
    # What Hana hides from connections stays out of the file.
    assert "Secret Employer" not in body and not hasattr(cards["Hana Hidden"], "org")


def test_csv_lists_connections_and_is_formula_safe(client, event, ana, ben):
    setup_connections(event, ana, ben)
    evil = attend(event, first_name='=HYPERLINK("http://x")', last_name="Evil").user
    set_profile(
        evil,
        display_name="=cmd|' /C calc'!A0",
        employer="+danger",
        employer_visibility="connections",
    )
    connect(evil, ana)
    client.force_login(ana)
    response = download(client, "export_csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_name = {row["Name"]: row for row in rows}
    assert set(by_name) == {"Dr. Ben Okafor", "Hana Hidden", "'=cmd|' /C calc'!A0"}
    ben_row = by_name["Dr. Ben Okafor"]
    assert ben_row["Email"] == ben.email
    assert ben_row["Employer or practice"] == "Riverside Counseling, LLC"
    assert ben_row["Credentials"] == "LPC, NCC"
    assert ben_row["Met at event"] == event.title
    assert ben_row["Met at place"] == "Ethics; Boundaries, and Telehealth"
    assert ben_row["Connected on"]
    assert by_name["Hana Hidden"]["Employer or practice"] == ""
    assert by_name["'=cmd|' /C calc'!A0"]["Employer or practice"] == "'+danger"


def test_exports_hold_only_my_accepted_connections(client, event, ana, ben):
    carl = listed(event, first_name="Carl", last_name="Pending")
    Connection.objects.create(requester=carl, addressee=ana)  # pending: not a connection
    connect(ben, carl)  # someone else's connection
    client.force_login(ana)
    assert download(client, "export_vcf").content == b""
    text = b"".join(download(client, "export_csv").streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 1  # the header only


def test_vcard_escaping_and_folding():
    card = Card(
        given_name="Zoë",
        family_name="Ñúñez; Jr",
        formatted_name="Zoë Ñúñez",
        note="é" * 100 + "\nline two, with; specials\\",
    )
    text = vcards([card])
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # never split inside a character
    parsed = vobject.readOne(text)
    assert parsed.n.value.family == "Ñúñez; Jr"
    assert parsed.note.value == "é" * 100 + "\nline two, with; specials\\"
    assert fold("short") == "short"


def test_a_connection_who_never_set_up_networking_still_exports(client, event, ana):
    from tests.factories import make_user

    plain = make_user(first_name="Plain", last_name="Person")
    connect(plain, ana)
    client.force_login(ana)
    assert "Plain Person" in client.get(reverse("networking:my_network")).content.decode()
    card = vobject.readOne(download(client, "export_vcf").content.decode())
    assert card.fn.value == "Plain Person" and card.email.value == plain.email
