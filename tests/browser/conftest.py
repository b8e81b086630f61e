"""Real-browser journeys: Playwright drives Debian's Chromium against the live test server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

# Playwright's sync API keeps an event loop in the test's thread; the database calls the tests make
# themselves are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# The live server also serves uploaded media (as the web server does in production).
urlpatterns = [path("", include("photostudio.urls")), re_path(r"^media/(?P<path>.*)$", _media)]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = _chromium()
    if executable is None:
        reason = "needs Debian's chromium (apt-get install chromium)"
        pytest.fail(reason) if os.environ.get("REQUIRE_SERVICES") == "1" else pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings, transactional_db) -> str:
    """The live server's address; emails' links point at it too."""
    settings.ROOT_URLCONF = "tests.browser.conftest"
    settings.SITE_URL = live_server.url
    return live_server.url


# The tests inject axe-core and poll with small functions, which the site's Content-Security-Policy
# (rightly) forbids; test_public_site checks the pages' own scripts under the real policy.
BYPASS_CSP = {"bypass_csp": True}


@pytest.fixture
def page(browser, site) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site, **BYPASS_CSP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, site) -> Iterator:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, base_url=site, is_mobile=True, has_touch=True, **BYPASS_CSP
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's findings of the given impact on the page as it is now, in a readable form."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def has_no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def save_screenshot(page, name: str) -> None:
    """Screenshots for the README, refreshed with UPDATE_SCREENSHOTS=1."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
