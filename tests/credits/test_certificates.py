"""Certificates: content, PDF read back by real parsers, verification, corrections, bulk."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import License
from config.throttle import Limit
from credits.models import Certificate, CertificateBatch, CreditSettings, Evaluation
from credits.pdf import render_certificate
from credits.services.certificates import (
    CODE_ALPHABET,
    certificate_batch_start,
    certificate_content,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    normalize_code,
)
from credits.views import certificates as views
from events.errors import RegistrationError
from events.models import Registration
from tests.credits.conftest import NY, at, attend, preset, register
from tests.factories import make_event, make_organizer, make_session, make_user

pytestmark = pytest.mark.django_db


def evaluate(registration, session) -> Evaluation:
    return Evaluation.objects.create(
        registration=registration, session=session, objectives_met=5, relevance=4,
        presenter_knowledge=5, level_appropriate=4, would_recommend=5,
    )  # fmt: skip


def pdf_text(body: bytes) -> str:
    """All pages' text with whitespace collapsed (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def maya(attendee_registration):
    """A social worker with two licenses who attended the morning (22 minutes late) and
    the afternoon, and evaluated both."""
    user = attendee_registration.user
    user.profile.profession = "social_worker"
    user.profile.credentials = "LCSW, PhD"
    user.profile.save()
    License.objects.create(
        user=user, profession="social_worker", license_type="LICSW", jurisdiction="MA",
        number="SW-118822",
    )  # fmt: skip
    License.objects.create(user=user, profession="mft", jurisdiction="NY", number="000471")
    return attendee_registration


@pytest.fixture
def attended(maya, morning, afternoon):
    attend(maya, morning, at(9, 22), at(12))  # APA: none; NAADAC: 2.5 h of 3
    attend(maya, afternoon, at(12, 58), at(14, 1))
    evaluate(maya, morning)
    evaluate(maya, afternoon)
    return maya


@pytest.fixture
def certificate(attended) -> Certificate:
    return certificate_issue(registration=attended)


def download(client, registration):
    client.force_login(registration.user)
    return client.get(reverse("credits:certificate_pdf", args=[registration.code]))


def pdf_body(response) -> bytes:
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


# ---------- content and PDF ----------


def test_certificate_pdf_prints_every_required_field(client, attended, credit_event, apa, naadac):
    body = pdf_body(download(client, attended))
    certificate = Certificate.objects.get(registration=attended)
    text = pdf_text(body)
    org = credit_event.organization.name
    today = timezone.now().astimezone(NY).date()
    for expected in [
        "Maya Lindqvist",
        "Clinical social worker",
        "LCSW, PhD",
        "LICSW, MA #SW-118822",
        "Marriage and family therapist, NY #000471",
        "Trauma-Informed Care Summit",
        "October 15, 2026",
        "Hynes Convention Center, 900 Boylston St, Boston, MA",
        "In person",
        # Sessions in the event's time zone, with level and hours per accreditation;
        # NAADAC's partial 2.5 h of 3 scales the 1 h of ethics down to 0.75 h.
        "Ethics in Trauma Treatment",
        "Oct 15, 2026 9:00 AM–12:00 PM Intermediate NAADAC: 2.5 h (incl. Law and ethics 0.75 h)",
        "Suicide Risk Assessment",
        "1:00 PM–2:00 PM",
        "APA: 1 h",
        # Totals per accreditation.
        "1 CE hour American Psychological Association (APA)",
        "2.5 CE hours NAADAC — including Law and ethics 0.75 h",
        org,
        flat(apa.approval_statement),
        "NAADAC · Provider/approval No. 98765",
        flat(naadac.approval_statement),
        "Dr. Renata Okafor",
        "CE Program Director",
        f"Issued {today:%B} {today.day}, {today.year}",  # in the event's time zone
        certificate.code,
    ]:
        assert expected in text, expected
    assert "APA: 3 h" not in text  # late past the APA grace: no APA credit for the morning


def test_content_is_a_json_snapshot_with_totals_per_accreditation(attended, morning):
    content = certificate_content(attended)
    assert [s["title"] for s in content["sessions"]] == [
        "Ethics in Trauma Treatment",
        "Suicide Risk Assessment",
    ]
    ethics = [{"area": "Law and ethics", "hours": "0.75"}]
    assert content["sessions"][0]["credits"] == [
        {"body": "NAADAC", "hours": "2.5", "subjects": ethics}
    ]
    totals = [(t["short"], t["hours"]) for t in content["totals"]]
    assert totals == [("APA", "1"), ("NAADAC", "2.5")]
    assert [lic["number"] for lic in content["participant"]["licenses"]] == ["SW-118822", "000471"]
    assert content["event"]["dates"] == "October 15, 2026"


def test_session_dates_follow_the_event_time_zone(org):
    """A 9 PM Los Angeles session is the next day in UTC; the certificate prints the local day."""
    from zoneinfo import ZoneInfo

    from credits.models import CreditOffering
    from events.models import Accreditation

    la = ZoneInfo("America/Los_Angeles")
    start = timezone.now().astimezone(la).replace(hour=21, minute=0) - timedelta(days=3)
    event = make_event(
        org, timezone="America/Los_Angeles", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    session = make_session(event, start=start, minutes=60, title="Evening ethics")
    acc = Accreditation.objects.create(organization=org, body="apa", approval_statement="Approved.")
    rule = preset("apa")
    CreditOffering.objects.create(session=session, accreditation=acc, hours=Decimal("1"), rule=rule)
    registration = register(event)
    attend(registration, session, start, start + timedelta(minutes=60))
    evaluate(registration, session)
    (row,) = certificate_content(registration)["sessions"]
    assert row["date"] == start.date().isoformat()
    assert row["time_text"] == "9:00 PM–10:00 PM"


def test_qr_code_leads_to_the_valid_verification_page(client, certificate):
    body = render_certificate(certificate.content, views.verify_url(certificate.code))
    page = pdfium.PdfDocument(body)[0]
    image = page.render(scale=200 / 72).to_pil().convert("L")
    (found,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.text == f"{settings.SITE_URL}/verify/{certificate.code}/"
    client.logout()
    response = client.get(urlsplit(found.text).path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This certificate is genuine and valid" in html
    assert "Maya Lindqvist" in html and certificate.code in html


def test_many_sessions_continue_on_further_pages(certificate):
    content = {**certificate.content}
    content["sessions"] = [
        {**content["sessions"][1], "title": f"Workshop number {i}"} for i in range(40)
    ]
    body = render_certificate(content, views.verify_url(certificate.code))
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) >= 3
    text = pdf_text(body)
    assert all(f"Workshop number {i} " in text for i in range(40))
    assert f"Page 2 of {len(reader.pages)}" in text
    for page in reader.pages:
        assert [round(v) for v in page.mediabox[2:]] == [792, 612]  # US Letter landscape


def test_names_outside_the_font_print_as_their_base_letters(certificate):
    content = {**certificate.content}
    content["participant"] = {**content["participant"], "name": "Zoë Łukasz-Ośrodek"}
    text = pdf_text(render_certificate(content, "https://example.org/verify/X/"))
    assert "Zoë Lukasz-Osrodek" in text


# ---------- immutability and corrections ----------


def test_an_issued_certificate_keeps_its_text_after_the_event_changes(
    client, certificate, credit_event, organizer
):
    credit_event.title = "Renamed Summit"
    credit_event.save()
    client.force_login(organizer)
    url = reverse("credits:certificate_file", args=[credit_event.slug, certificate.code])
    text = pdf_text(pdf_body(client.get(url)))
    assert "Trauma-Informed Care Summit" in text
    assert "Renamed Summit" not in text
    certificate.refresh_from_db()
    assert certificate.content["event"]["title"] == "Trauma-Informed Care Summit"


def test_a_certificate_row_cannot_be_edited(certificate):
    certificate.content = {**certificate.content, "provider": "Someone else"}
    with pytest.raises(ValueError, match="immutable"):
        certificate.save()
    with pytest.raises(ValueError):
        certificate.save(update_fields=["content"])


def test_issuing_again_with_nothing_changed_returns_the_same_certificate(certificate, attended):
    assert certificate_issue(registration=attended) == certificate
    assert Certificate.objects.filter(registration=attended).count() == 1


def test_an_evaluation_submitted_later_supersedes_the_certificate(maya, morning, afternoon):
    attend(maya, morning, at(9), at(12))
    attend(maya, afternoon, at(13), at(14))
    evaluate(maya, morning)
    first = certificate_issue(registration=maya)
    assert [s["title"] for s in first.content["sessions"]] == ["Ethics in Trauma Treatment"]
    evaluate(maya, afternoon)
    second = certificate_issue(registration=maya)
    assert second.code != first.code
    assert [s["title"] for s in second.content["sessions"]] == [
        "Ethics in Trauma Treatment",
        "Suicide Risk Assessment",
    ]
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert first.revoke_reason == "Superseded: sessions added: Suicide Risk Assessment"
    assert first.replaced_by == second


def test_certificate_codes_are_random_grouped_and_typed_loosely(certificate, client):
    code = certificate.code
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    assert not set("01IO") & set(CODE_ALPHABET)
    typed = code.lower().replace("-", " ")
    assert normalize_code(typed) == code
    response = client.get(reverse("credits:verify"), {"code": typed})
    assert response.status_code == 302
    assert client.get(response["Location"]).context["state"] == "valid"


def test_reissue_gives_a_new_code_and_the_old_one_verifies_as_revoked(
    client, certificate, credit_event, organizer
):
    client.force_login(organizer)
    url = reverse("credits:certificate_reissue", args=[credit_event.slug, certificate.code])
    assert "Reissue certificate" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Name misspelled on the certificate"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    new = certificate.replaced_by
    assert new is not None and new.code != certificate.code and new.is_valid
    client.logout()
    old_page = client.get(reverse("credits:verify_code", args=[certificate.code]))
    html = old_page.content.decode()
    assert old_page.context["state"] == "revoked"
    assert "Name misspelled on the certificate" in html
    assert reverse("credits:verify_code", args=[new.code]) in html
    assert client.get(reverse("credits:verify_code", args=[new.code])).context["state"] == "valid"


def test_a_revoked_certificate_verifies_as_revoked_with_its_reason(
    client, certificate, organizer, credit_event
):
    certificate_revoke(certificate=certificate, by=organizer, reason="Attendance was not verified")
    response = client.get(reverse("credits:verify_code", args=[certificate.code]))
    html = response.content.decode()
    assert response.context["state"] == "revoked"
    assert "This certificate was revoked" in html
    assert "Attendance was not verified" in html
    assert "October" in html  # the date it was revoked
    assert "replaced by" not in html


def test_after_a_revocation_the_attendee_cannot_download_a_fresh_one(
    client, certificate, organizer, attended
):
    certificate_revoke(certificate=certificate, by=organizer, reason="Under review")
    response = download(client, attended)
    assert response["Content-Type"].startswith("text/html")
    assert response.context["error"].code == "revoked"
    assert Certificate.objects.filter(registration=attended).count() == 1
    # The organizer issues a new one from the certificates page when ready.
    new = certificate_reissue(certificate=certificate, by=organizer, reason="Review done")
    assert new.is_valid
    assert pdf_body(download(client, attended))


def test_reissue_and_revoke_need_a_reason_and_an_organizer(
    client, certificate, credit_event, organizer, attended
):
    client.force_login(organizer)
    url = reverse("credits:certificate_revoke", args=[credit_event.slug, certificate.code])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.is_valid
    with pytest.raises(RegistrationError) as error:
        certificate_revoke(certificate=certificate, by=attended.user, reason="mine")
    assert error.value.code == "forbidden"
    with pytest.raises(RegistrationError) as error:
        certificate_reissue(certificate=certificate, by=organizer, reason="")
    assert error.value.code == "reason_required"
    certificate_revoke(certificate=certificate, by=organizer, reason="Wrong person")
    with pytest.raises(RegistrationError) as error:
        certificate_revoke(certificate=certificate, by=organizer, reason="again")
    assert error.value.code == "already_revoked"


# ---------- verification ----------


def test_an_unknown_code_says_unknown(client, certificate):
    for code in ("ABCD-EFGH-JKLM-NPQR", "nonsense", certificate.code[:-1] + "Z"):
        if code == certificate.code:
            continue
        response = client.get(reverse("credits:verify_code", args=[code]))
        assert response.status_code == 200
        assert response.context["state"] == "unknown"
        assert "No certificate has this code" in response.content.decode()
        assert "Maya" not in response.content.decode()


def test_hits_and_misses_take_the_same_path(client, certificate, django_assert_num_queries):
    """One lookup and the same template for a valid code and a wrong guess."""
    templates = []
    for code in (certificate.code, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"):
        with django_assert_num_queries(1):
            response = client.get(reverse("credits:verify_code", args=[code]))
        templates.append(response.templates[0].name)
    assert templates == ["credits/certificates/verify_result.html"] * 2


def test_the_verification_page_shows_no_more_than_the_certificate(client, certificate, attended):
    html = client.get(reverse("credits:verify_code", args=[certificate.code])).content.decode()
    assert attended.user.email not in html
    assert attended.code not in html  # the registration code is not on the certificate
    assert "SW-118822" not in html  # license numbers only in part, for comparison
    assert "8822" in html
    assert "Ethics in Trauma Treatment" in html


def test_verification_is_rate_limited_per_client(client, certificate, monkeypatch, throttle_clock):
    monkeypatch.setattr(views, "VERIFY", Limit("credits:verify", limit=3, window=60))
    url = reverse("credits:verify_code", args=["ABCD-EFGH-JKLM-NPQR"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(reverse("credits:verify_code", args=[certificate.code]))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Too many certificate checks" in limited.content.decode()
    other = client.get(url, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


# ---------- eligibility ----------


def test_no_certificate_before_the_event_ends(org):
    event = make_event(org)  # in 30 days
    registration = register(event)
    with pytest.raises(RegistrationError) as error:
        certificate_issue(registration=registration)
    assert error.value.code == "event_not_over"


def test_no_certificate_for_a_cancelled_registration(attended):
    Registration.objects.filter(pk=attended.pk).update(status=Registration.Status.CANCELLED)
    attended.refresh_from_db()
    with pytest.raises(RegistrationError) as error:
        certificate_issue(registration=attended)
    assert error.value.code == "not_confirmed"


def test_no_certificate_without_credit(maya, morning):
    attend(maya, morning, at(11), at(12))  # an hour of a three-hour workshop, APA-style
    evaluate(maya, morning)
    morning.offerings.filter(accreditation__body="naadac").delete()
    with pytest.raises(RegistrationError) as error:
        certificate_issue(registration=maya)
    assert error.value.code == "no_credit"


def test_pending_evaluations_are_listed_with_links(client, maya, morning, afternoon):
    attend(maya, morning, at(9), at(12))
    response = download(client, maya)
    assert response.status_code == 200
    assert response.context["error"].code == "evaluations_pending"
    html = response.content.decode()
    assert "Ethics in Trauma Treatment" in html
    assert reverse("credits:evaluate", args=[maya.code, morning.pk]) in html
    assert not Certificate.objects.exists()


def test_evaluation_not_required_issues_at_once(maya, morning, credit_event):
    CreditSettings.objects.filter(event=credit_event).update(evaluation_required=False)
    attend(maya, morning, at(9), at(12))
    assert certificate_issue(registration=maya).content["sessions"][0]["title"] == (
        "Ethics in Trauma Treatment"
    )


def test_the_page_before_the_event_ends_says_so(client, org):
    registration = register(make_event(org))
    response = download(client, registration)
    assert response.context["error"].code == "event_not_over"
    assert "not ready yet" in response.content.decode()


def test_attendees_issue_only_their_own(attended):
    with pytest.raises(RegistrationError) as error:
        certificate_issue(registration=attended, by=make_user())
    assert error.value.code == "forbidden"


def test_organizers_may_issue_for_an_attendee(attended, organizer):
    certificate = certificate_issue(registration=attended, by=organizer)
    assert certificate.issued_by == organizer


# ---------- bulk ----------


@pytest.fixture
def crowd(credit_event, morning, afternoon):
    """Three eligible attendees, one who evaluated nothing, one absent, one cancelled."""
    eligible = []
    for _ in range(3):
        registration = register(credit_event)
        attend(registration, afternoon, at(13), at(14))
        evaluate(registration, afternoon)
        eligible.append(registration)
    lazy = register(credit_event)
    attend(lazy, afternoon, at(13), at(14))
    absent = register(credit_event)
    cancelled = register(credit_event)
    Registration.objects.filter(pk=cancelled.pk).update(status=Registration.Status.CANCELLED)
    return {"eligible": eligible, "skipped": [lazy, absent]}


def test_bulk_issue_certificates_for_the_eligible_and_skips_the_rest(
    crowd, credit_event, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_start(event=credit_event, by=organizer)
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.DONE
    assert (batch.total, batch.done, batch.issued, batch.skipped) == (5, 5, 3, 2)
    assert batch.finished_at is not None
    holders = set(Certificate.objects.values_list("registration_id", flat=True))
    assert holders == {r.pk for r in crowd["eligible"]}

    with django_capture_on_commit_callbacks(execute=True):
        again = certificate_batch_start(event=credit_event, by=organizer)
    again.refresh_from_db()
    assert (again.done, again.issued, again.skipped) == (5, 0, 2)  # 3 already up to date
    assert Certificate.objects.count() == 3


def test_only_one_batch_at_a_time(crowd, credit_event, organizer):
    CertificateBatch.objects.create(
        event=credit_event, requested_by=organizer, status=CertificateBatch.Status.RUNNING
    )
    with pytest.raises(RegistrationError) as error:
        certificate_batch_start(event=credit_event, by=organizer)
    assert error.value.code == "batch_running"


def test_bulk_needs_an_organizer_and_a_finished_event(crowd, credit_event, org, organizer):
    with pytest.raises(RegistrationError) as error:
        certificate_batch_start(event=credit_event, by=crowd["eligible"][0].user)
    assert error.value.code == "forbidden"
    with pytest.raises(RegistrationError) as error:
        certificate_batch_start(event=make_event(org), by=organizer)
    assert error.value.code == "event_not_over"
    assert not CertificateBatch.objects.exists()


def test_issue_all_page_runs_the_batch_and_shows_progress(
    client, crowd, credit_event, organizer, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    url = reverse("credits:certificates_issue_all", args=[credit_event.slug])
    assert "5 confirmed registrations" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    state = client.get(reverse("credits:certificate_batch_json", args=[credit_event.slug])).json()
    assert state == state | {"status": "done", "active": False, "total": 5, "done": 5,
                             "issued": 3, "skipped": 2, "unchanged": 0}  # fmt: skip
    page = client.get(reverse("credits:certificates", args=[credit_event.slug]))
    html = page.content.decode()
    assert 'data-active="false"' in html
    assert page.context["counts"] == {"valid": 3, "revoked": 0}


def test_a_failing_batch_is_marked_failed(crowd, credit_event, organizer, monkeypatch):
    from credits import tasks

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "issue_for", boom)
    batch = CertificateBatch.objects.create(event=credit_event, requested_by=organizer)
    with pytest.raises(RuntimeError):
        tasks.issue_certificates.call(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.FAILED
    assert "disk full" in batch.error
    assert batch.finished_at is not None


# ---------- organizer list ----------


def test_certificate_list_searches_and_stays_within_its_query_budget(
    client, crowd, credit_event, organizer, django_assert_max_num_queries
):
    for registration in crowd["eligible"]:
        certificate_issue(registration=registration)
    target = crowd["eligible"][1]
    target.user.last_name = "Featherstonehaugh"
    target.user.save()
    client.force_login(organizer)
    url = reverse("credits:certificates", args=[credit_event.slug])
    with django_assert_max_num_queries(10):  # 9 + the nav's unread-notification count
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3
    found = client.get(url, {"q": f"{target.user.first_name} featherstone"})
    assert [c.registration_id for c in found.context["page"].object_list] == [target.pk]
    code = Certificate.objects.get(registration=target).code
    by_code = client.get(url, {"q": code.lower()})
    assert [c.code for c in by_code.context["page"].object_list] == [code]


def test_organizer_of_another_event_cannot_revoke(client, certificate, credit_event):
    from tests.factories import make_org

    stranger = make_organizer(make_org())
    client.force_login(stranger)
    url = reverse("credits:certificate_revoke", args=[credit_event.slug, certificate.code])
    assert client.post(url, {"reason": "no"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_hours_are_rounded_down_to_quarter_hours_for_subjects(maya, morning, credit_event):
    """NAADAC partial credit of 2.5 h of 3 scales 1 h of ethics to 0.83 -> 0.75 h."""
    attend(maya, morning, at(9, 22), at(12))
    evaluate(maya, morning)
    content = certificate_content(maya)
    naadac = next(t for t in content["totals"] if t["short"] == "NAADAC")
    assert naadac["subjects"] == [{"area": "Law and ethics", "hours": "0.75"}]


def test_the_same_certificate_always_renders_the_same_pdf(certificate):
    url = views.verify_url(certificate.code)
    assert render_certificate(certificate.content, url) == render_certificate(
        certificate.content, url
    )
