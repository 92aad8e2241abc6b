"""The scanner's service worker (/scan/sw.js) and web app manifest.

The browser journey (reloading the scanner offline) is in tests/e2e/test_scanner.py;
these check what the server hands the browser.
"""

import json
import re
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse

from checkin.views import SCANNER_ASSETS, scanner_cache_version

CONFIG_RE = re.compile(r"\Aself\.SCANNER_SW = (\{.*?\});\n", re.DOTALL)


def sw_config(response) -> dict:
    match = CONFIG_RE.match(response.content.decode())
    assert match, response.content[:200]
    return json.loads(match.group(1))


class StaticRefs(HTMLParser):
    """Every attribute value of the page that points into STATIC_URL, and the manifest."""

    def __init__(self):
        super().__init__()
        self.urls, self.manifest = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "manifest":
            self.manifest = attrs["href"]
        for value in attrs.values():
            if value and value.startswith(settings.STATIC_URL):
                self.urls.append(value)


def page_refs(client) -> StaticRefs:
    response = client.get(reverse("checkin:scanner"))
    assert response.status_code == 200
    refs = StaticRefs()
    refs.feed(response.content.decode())
    return refs


def test_service_worker_is_javascript_and_never_http_cached(client):
    response = client.get(reverse("checkin:service_worker"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "max-age=0", "private"} <= cache_control
    # Its scope must cover the scanner page: the script lives in /scan/.
    assert reverse("checkin:service_worker").rsplit("/", 1)[0] + "/" == reverse("checkin:scanner")
    body = response.content.decode()
    assert 'addEventListener("fetch"' in body and "clients.claim()" in body


def test_service_worker_precaches_the_page_and_everything_it_loads(client):
    config = sw_config(client.get(reverse("checkin:service_worker")))

    assert config["shell"] == reverse("checkin:scanner")
    assert config["assets"] == [static(path) for path in SCANNER_ASSETS]
    # Every static file the scanner page refers to (scripts, styles, the lazily imported
    # Ed25519 fallback, the manifest) is precached, and nothing else.
    assert set(page_refs(client).urls) == set(config["assets"])


def test_service_worker_leaves_the_api_alone(client):
    config = sw_config(client.get(reverse("checkin:service_worker")))

    assert config["api"] == "/api/"
    for name in ("api:get_device", "api:post_scan", "api:post_batch"):
        assert reverse(name).startswith(config["api"])
    assert not [url for url in [config["shell"], *config["assets"]] if "/api/" in url]


def test_cache_version_follows_the_asset_urls(client):
    first = sw_config(client.get(reverse("checkin:service_worker")))["version"]
    again = sw_config(client.get(reverse("checkin:service_worker")))["version"]
    assert re.fullmatch(r"[0-9a-f]{20}", first)
    assert first == again  # stable while nothing changes: no reinstall on every visit

    shell = reverse("checkin:scanner")
    assets = [static(path) for path in SCANNER_ASSETS]
    assert scanner_cache_version(shell, assets) == first
    deployed = [url.replace("scanner.js", "scanner.0123abcd.js") for url in assets]
    assert scanner_cache_version(shell, deployed) != first


def test_production_storage_gives_the_hashed_urls(client, tmp_path):
    """With ManifestStaticFilesStorage the worker caches the content-hashed URLs the page
    uses, and a changed file means a new cache version."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
        config = sw_config(client.get(reverse("checkin:service_worker")))
        refs = page_refs(client).urls

    assert set(refs) == set(config["assets"])
    for url in config["assets"]:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
    # A deploy with another scanner.js (the same files otherwise): another cache.
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        assert scanner_cache_version(config["shell"], config["assets"]) == config["version"]
        redeployed = [
            re.sub(r"scanner\.[0-9a-f]{12}\.js$", "scanner.0123456789ab.js", url)
            for url in config["assets"]
        ]
        assert redeployed != config["assets"]
        assert scanner_cache_version(config["shell"], redeployed) != config["version"]


def test_manifest_lets_the_scanner_be_added_to_the_home_screen(client):
    refs = page_refs(client)
    assert refs.manifest == static("manifest-scanner.webmanifest")
    with open(finders.find("manifest-scanner.webmanifest"), encoding="utf-8") as source:
        manifest = json.load(source)

    scanner = reverse("checkin:scanner")
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == scanner
    assert scanner.startswith(manifest["scope"])
    assert manifest["display"] == "standalone"
    assert manifest["icons"]
    for icon in manifest["icons"]:
        assert icon["src"] and icon["type"] and icon["sizes"]
