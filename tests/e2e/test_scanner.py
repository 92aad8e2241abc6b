"""The badge scanner page (static/js/scanner.js) in a real Chromium, against live_server.

An organizer's pairing link is opened and its button clicked, as on a real phone; then
badges are scanned through the keyboard-wedge field, offline (with the page reloaded
and reopened offline, from the service worker), and with the camera.
"""

import re
import time

import pytest
from django.core.signals import request_started
from django.urls import reverse
from django.utils import timezone

from checkin.models import Scan
from checkin.services.devices import device_create
from tests.e2e.conftest import chromium_missing_reason

_missing = chromium_missing_reason()
if _missing:
    pytest.skip(f"browser tests need Chromium and playwright: {_missing}", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

READ_QUEUE_JS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("convene-scanner", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
    request.onerror = () => reject(request.error);
  };
})"""


CACHED_URLS_JS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
  }
  return urls;
}"""


def pair_device(page, live_server, *, event, session, organizer):
    """What an organizer does: create a device, open its link on the phone, press Pair."""
    device, code = device_create(event=event, name="Room 310", session=session, by=organizer)
    page.goto(live_server.url + reverse("checkin:pair", args=[code]))
    page.get_by_role("button", name="Pair this device").click()
    expect(page).to_have_url(re.compile(r"/scan/$"))
    wait_until_ready(page, session.title)
    device.refresh_from_db()
    assert device.paired_at is not None
    return device


def wait_until_ready(page, place, *, online=True):
    """The device config (keys, revocation list) is fetched and cached for offline use."""
    expect(page.locator("#scanner-app")).to_be_visible()
    expect(page.locator("#scanner-place")).to_have_text(place)
    # verifyOffline waits for init's refreshDevice(); "no_data" would mean no config.
    page.evaluate("window.convene.verifyOffline('warm up')")
    expect(page.locator("#scanner-synced")).not_to_have_text("not loaded yet")
    if online:
        expect(page.locator("#scanner-connection")).to_have_text("Online")


def wedge_scan(page, text):
    """A handheld scanner types the code and presses Enter."""
    field = page.locator("#wedge-input")
    expect(field).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def queue_size(page) -> int:
    return page.evaluate("window.convene.queueSize()")


def forge(token: str) -> str:
    """One character of the signature changed: still well-formed, no longer signed."""
    i = 60  # after "CV1" and the 23 characters of the payload
    replacement = ALPHABET[(ALPHABET.index(token[i]) + 1) % len(ALPHABET)]
    return token[:i] + replacement + token[i + 1 :]


def test_wedge_scan_checks_in_then_says_already_in(
    page, live_server, live_event, workshop, organizer, attendee, token
):
    device = pair_device(page, live_server, event=live_event, session=workshop, organizer=organizer)
    result = page.locator("#scan-result")

    wedge_scan(page, token)

    expect(page.locator("#scan-result-title")).to_have_text("Checked in")
    expect(page.locator("#scan-result-name")).to_have_text("Dana Whitaker")
    expect(result).to_have_attribute("data-tone", "ok")
    expect(page.locator("#scan-result-tag")).to_be_hidden()  # answered by the server
    scans = list(Scan.objects.filter(device=device))
    assert [(s.result, s.direction, s.session_id) for s in scans] == [("ok", "in", workshop.pk)]

    wedge_scan(page, token)

    expect(page.locator("#scan-result-title")).to_have_text("Already checked in")
    expect(page.locator("#scan-result-name")).to_have_text("Dana Whitaker")
    expect(result).to_have_attribute("data-tone", "warn")  # amber
    assert list(Scan.objects.filter(device=device).values_list("result", flat=True)) == [
        "ok",
        "already_in",
    ]


def test_a_server_that_does_not_answer_is_not_called_offline(
    page, live_server, live_event, workshop, organizer, attendee, token
):
    """The Wi-Fi is up but the server is not answering: the scan is judged on the
    device and queued, and the page blames the server, not the network."""
    pair_device(page, live_server, event=live_event, session=workshop, organizer=organizer)
    connection = page.locator("#scanner-connection")
    expect(connection).to_have_text("Online")
    page.route(re.compile(r"/api/checkin/scans"), lambda route: route.abort("connectionrefused"))

    wedge_scan(page, token)

    expect(page.locator("#scan-result-title")).to_have_text("Checked in")
    expect(page.locator("#scan-result-tag")).to_be_visible()  # judged offline
    expect(connection).to_have_text("Server unreachable – scanning offline")
    expect(connection).to_have_attribute("data-state", "offline")
    expect(page.locator("#scanner-queue")).to_have_text("1 scan waiting to upload")
    assert not Scan.objects.exists()


def wait_for_service_worker(page):
    """The service worker is installed (its cache filled) and controls this page; only
    then can the page reload offline. A first visit is controlled once the worker's
    activate calls clients.claim()."""
    page.wait_for_function(
        "async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller"
    )


@pytest.fixture
def server_requests():
    """Paths the live server was asked for (it runs in this process), in order."""
    paths = []

    def record(sender, environ, **kwargs):
        paths.append(environ["PATH_INFO"])

    request_started.connect(record, weak=False)
    yield paths
    request_started.disconnect(record)


def test_offline_scans_survive_an_offline_reload_and_reopen_and_upload_once(
    context, live_server, live_event, workshop, organizer, token, second_token, server_requests
):
    page = context.new_page()
    device = pair_device(page, live_server, event=live_event, session=workshop, organizer=organizer)
    wait_for_service_worker(page)
    forged = forge(token)
    connection, queue = page.locator("#scanner-connection"), page.locator("#scanner-queue")

    context.set_offline(True)
    expect(connection).to_have_text("Offline")
    offline_from = timezone.now()

    title, name = page.locator("#scan-result-title"), page.locator("#scan-result-name")
    wedge_scan(page, token)
    expect(name).to_have_text(re.compile(r"^Badge no\. \d+$"))
    expect(title).to_have_text("Checked in")
    first_badge = name.text_content()
    wedge_scan(page, second_token)
    expect(name).not_to_have_text(first_badge)
    expect(title).to_have_text("Checked in")
    expect(page.locator("#scan-result-tag")).to_be_visible()  # "offline"
    wedge_scan(page, forged)
    expect(title).to_have_text("Not a valid badge")
    expect(page.locator("#scan-result")).to_have_attribute("data-tone", "bad")
    expect(page.locator("#scan-result-tag")).to_be_visible()
    expect(page.locator("#scan-result-message")).to_contain_text("Saved; it uploads")
    expect(queue).to_have_text("3 scans waiting to upload")
    assert queue_size(page) == 3
    assert Scan.objects.filter(device=device).count() == 0

    # The Wi-Fi is still down and the page is reloaded: the service worker answers with
    # its copy of the page and scripts, and the queue is still in IndexedDB.
    server_requests.clear()
    response = page.reload()
    assert response.ok and response.from_service_worker
    wait_until_ready(page, workshop.title, online=False)
    connection, queue = page.locator("#scanner-connection"), page.locator("#scanner-queue")
    title = page.locator("#scan-result-title")
    expect(connection).to_have_text("Offline")
    expect(queue).to_have_text("3 scans waiting to upload")

    # One more scan on the reloaded page: Dana leaves.
    page.get_by_role("button", name="Out").click()
    wedge_scan(page, token)
    expect(title).to_have_text("Checked out")
    expect(page.locator("#scan-result-tag")).to_be_visible()
    expect(queue).to_have_text("4 scans waiting to upload")

    # Closed and opened again, still offline: the same. Frozen first, as a phone's browser
    # freezes a tab before discarding it: while a page is closed (or navigated away),
    # Chromium lifts that page's offline emulation, and the dying page then saw an
    # "online" event and uploaded, which a closed tab on an offline phone never does.
    context.new_cdp_session(page).send("Page.setWebLifecycleState", {"state": "frozen"})
    page.close()
    page = context.new_page()
    response = page.goto(live_server.url + reverse("checkin:scanner"))
    assert response.ok and response.from_service_worker
    wait_until_ready(page, workshop.title, online=False)
    connection, queue = page.locator("#scanner-connection"), page.locator("#scanner-queue")
    expect(connection).to_have_text("Offline")
    expect(queue).to_have_text("4 scans waiting to upload")
    queued = page.evaluate(READ_QUEUE_JS)
    assert [item["token"] for item in queued] == [token, second_token, forged, token]
    assert [item["direction"] for item in queued] == ["in", "in", "in", "out"]
    assert [item["local"] for item in queued] == ["ok", "ok", "invalid_signature", "ok"]
    # Nothing reached the server while offline: not the page, its files, nor the API.
    # (Chromium's own update check of the worker script, and its favicon request as the
    # page closes, are made by the browser process, outside the offline emulation of
    # pages and workers; a real offline phone's fail.)
    browser_own = {reverse("checkin:service_worker"), "/favicon.ico"}
    reached = [
        path
        for path in server_requests
        if path not in browser_own and not path.endswith("favicon.svg")
    ]
    assert reached == [], "the server was reached while offline"
    assert Scan.objects.filter(device=device).count() == 0

    # Online again, but the upload fails (the API is unreachable): the page says so,
    # without claiming the device is offline, and keeps the queue.
    time.sleep(0.01)  # scanned_at (device clock) must be strictly before going online
    online_at = timezone.now()
    blocked = []

    def block_upload(route):
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    context.route(re.compile(r"/api/checkin/scans"), block_upload)
    context.set_offline(False)
    expect(connection).to_have_text("Online – upload failed, retrying")
    expect(connection).to_have_attribute("data-state", "retrying")
    assert blocked, "the page did not try to upload its queue when the connection came back"
    expect(queue).to_have_text("4 scans waiting to upload")
    assert queue_size(page) == 4
    assert Scan.objects.filter(device=device).count() == 0

    context.unroute(re.compile(r"/api/checkin/scans"))
    assert page.evaluate("window.convene.sync()") is True
    assert queue_size(page) == 0
    expect(page.locator("#scanner-upload")).to_contain_text(
        "4 offline scans uploaded (3 accepted, 1 not accepted)"
    )
    expect(connection).to_have_text("Online")
    expect(queue).to_have_text("")

    scans = {s.nonce: s for s in Scan.objects.filter(device=device)}
    assert len(scans) == 4
    expected = [("ok", "in"), ("ok", "in"), ("invalid_signature", "in"), ("ok", "out")]
    for item, (result, direction) in zip(queued, expected, strict=True):
        assert Scan.objects.filter(device=device, nonce=item["nonce"]).count() == 1
        scan = scans[item["nonce"]]
        assert (scan.result, scan.direction) == (result, direction)
        assert scan.token == item["token"]
        assert scan.session_id == workshop.pk
        # Stored with the device's time of the scan, not the time it was uploaded.
        assert (
            scan.scanned_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            == item["scanned_at"]
        )
        assert offline_from <= scan.scanned_at < online_at <= scan.received_at
    assert len({s.badge_id for s in scans.values() if s.result == "ok"}) == 2
    # Nothing the API answered was kept by the service worker.
    cached = page.evaluate(CACHED_URLS_JS)
    assert cached and not [url for url in cached if "/api/" in url]


def write_y4m(path, text: str, frames: int = 5) -> None:
    """A 640x480 video (4:2:0) of the QR code on white, for Chromium's fake camera."""
    import qrcode
    from PIL import Image

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    side = code.width * max(1, 440 // code.width)  # whole pixels per module: crisp edges
    code = code.resize((side, side), Image.NEAREST)
    canvas = Image.new("RGB", (640, 480), "white")
    canvas.paste(code, ((640 - side) // 2, (480 - side) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    quarter = (320, 240)
    plane = y.tobytes() + cb.resize(quarter).tobytes() + cr.resize(quarter).tobytes()
    with open(path, "wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            video.write(b"FRAME\n" + plane)


def test_camera_scan_checks_in(
    new_context, tmp_path, live_server, live_event, workshop, organizer, attendee, token
):
    video = tmp_path / "badge.y4m"
    write_y4m(video, token)
    context = new_context(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    page = context.new_page()
    device = pair_device(page, live_server, event=live_event, session=workshop, organizer=organizer)

    page.get_by_role("button", name="Start camera").click()

    expect(page.locator("#camera-status")).to_have_text("Camera on: hold a badge inside the frame.")
    expect(page.locator("#scan-result-title")).to_have_text("Checked in")
    expect(page.locator("#scan-result-name")).to_have_text("Dana Whitaker")
    # The badge stays in front of the camera past the 3 s debounce: still read only once.
    page.wait_for_timeout(3500)
    assert list(Scan.objects.filter(device=device).values_list("result", flat=True)) == ["ok"]
    page.get_by_role("button", name="Stop camera").click()
    expect(page.locator("#camera-view")).to_be_hidden()
