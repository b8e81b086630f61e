"""Real-browser journeys: Playwright drives Debian's Chromium against the live test server."""

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from photostudio import demo

# Playwright's sync API keeps an event loop in the test's thread; the database calls the tests make
# themselves are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_EVERY_PAGE = Path(__file__).parent / "axe_every_page.js"
FITS_THE_PHONE = Path(__file__).parent / "fits_the_phone.js"
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_FLAGS = [
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


def _chromium() -> tuple[str, list[str]] | None:
    """Debian's Chromium headless shell when installed (the same engine without the browser around
    it: the journeys take about two thirds of the processor time), else Chromium in headless mode."""
    if shell := shutil.which("chromium-headless-shell"):
        return shell, CHROMIUM_FLAGS
    if browser := shutil.which("chromium") or shutil.which("chromium-browser"):
        return browser, ["--headless=new", *CHROMIUM_FLAGS]
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator:
    chromium = _chromium()
    if chromium is None:
        reason = "needs Debian's chromium-headless-shell or chromium (apt-get install chromium-headless-shell)"
        pytest.fail(reason) if os.environ.get("REQUIRE_SERVICES") == "1" else pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable, flags = chromium
        browser = playwright.chromium.launch(executable_path=executable, args=flags)
        yield CheckedBrowser(browser)
        browser.close()


# The guards watching the running test's browser contexts: each has a `problem` (what its findings
# are) and `findings()`, checked when the test ends.
PAGE_GUARDS = pytest.StashKey[list]()
_RUNNING: list[pytest.Item] = []  # the test now running, whose guards a new context joins


class AxeGuard:
    """No page a journey visits has an accessibility finding: axe_every_page.js checks every HTML page
    each context loads, whatever brought it there, and the test fails at its end naming each finding."""

    problem = "accessibility findings (axe, every impact)"

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}
        self.pages: list = []

    def install(self, context) -> None:
        context.expose_binding("__reportAxe", lambda source, report: self._record(report))
        context.add_init_script(path=str(AXE))
        context.add_init_script(path=str(AXE_EVERY_PAGE))
        context.on("page", lambda page: self.pages.append(page))

    def _record(self, report: dict) -> None:
        findings = self.found.setdefault(report["url"], [])
        if report["finding"] not in findings:
            findings.append(report["finding"])

    def findings(self) -> str:
        from playwright.sync_api import Error

        for page in self.pages:  # checks still running on the pages as they are now
            with contextlib.suppress(Error):
                if not page.is_closed():
                    page.evaluate("() => window.__axeEveryPage")
        return "\n".join(f"{url}: {finding}" for url, findings in self.found.items() for finding in findings)


class CheckedBrowser:
    """The session's Chromium: every context a test makes from it checks each page with AxeGuard."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        guard = AxeGuard()
        guard.install(context)
        if _RUNNING:
            _RUNNING[-1].stash.setdefault(PAGE_GUARDS, []).append(guard)
        return context

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    _RUNNING.append(item)
    try:
        return (yield)
    finally:
        _RUNNING.remove(item)


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


class PhoneWidthGuard:
    """No page is wider than the phone: every page a phone context shows is measured once parsed
    and once loaded (by fits_the_phone.js, whatever brought it there: goto, a click, a form), and
    the test fails at its end naming each page that was too wide and what sticks out."""

    problem = "wider than the phone"

    def __init__(self) -> None:
        self.too_wide: dict[str, dict] = {}
        self.pages: list = []

    def install(self, context) -> None:
        context.expose_binding("__reportTooWide", lambda source, finding: self._record(finding))
        context.add_init_script(path=str(FITS_THE_PHONE))
        context.on("page", lambda page: self.pages.append(page))

    def _record(self, finding: dict) -> None:
        self.too_wide.setdefault(finding["url"], finding)

    def findings(self) -> str:
        from playwright.sync_api import Error

        for page in self.pages:  # the page as it is now (after scripts changed it), and pending reports
            with contextlib.suppress(Error):  # a page mid-navigation is measured when it loads
                if not page.is_closed() and (finding := page.evaluate("() => window.__phoneWidthFinding?.()")):
                    self._record(finding)
        return "\n".join(map(describe_too_wide, self.too_wide.values()))


def describe_too_wide(finding: dict) -> str:
    return (
        f"{finding['url']} is {finding['scrollWidth']} px wide on a {finding['width']} px screen; "
        f"widest: {finding['widest']}"
    )


def _guard_reports(item: pytest.Item) -> dict[str, str]:
    """Each kind of problem the test's page guards found, with their findings."""
    reports: dict[str, list[str]] = {}
    for guard in item.stash.get(PAGE_GUARDS, []):
        if findings := guard.findings():
            reports.setdefault(guard.problem, []).append(findings)
    return {problem: "\n".join(findings) for problem, findings in reports.items()}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    try:
        result = yield
    except BaseException:
        # The test failed on its own: still say what the guards found (often the cause).
        for problem, findings in _guard_reports(item).items():
            item.add_report_section("call", problem, findings)
        raise
    if reports := _guard_reports(item):
        raise AssertionError("\n".join(f"{problem}:\n{findings}" for problem, findings in reports.items()))
    return result


@pytest.fixture
def new_phone(browser, site, request) -> Iterator:
    """Makes phone-sized pages (375 px, touch) whose every page is checked by PhoneWidthGuard."""
    contexts = []

    def make():
        context = browser.new_context(viewport=PHONE, base_url=site, is_mobile=True, has_touch=True, **BYPASS_CSP)
        guard = PhoneWidthGuard()
        guard.install(context)
        request.node.stash.setdefault(PAGE_GUARDS, []).append(guard)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def new_laptop(browser, site) -> Iterator:
    """Makes laptop-sized pages (1280 px), as `page` is, each in its own context (its own sign-in)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site, **BYPASS_CSP)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_phone):
    return new_phone()


@pytest.fixture
def studio(site):
    demo.seed_studio_profile()
    demo.seed_session_types()
    demo.seed_availability()


def answer_the_guide_for_a_portrait_at_work(page) -> None:
    """Answers the guide on the page open now as someone wanting portraits at their workplace would."""
    page.get_by_label("My website or brand: showing who I am and how I work").check()
    page.get_by_label("Yes").check()
    page.get_by_label("At my workplace").check()
    page.get_by_label("2 to 5").check()
    page.get_by_role("button", name="Show my recommendation").click()


EVERY_IMPACT = ("minor", "moderate", "serious", "critical")


def axe_violations(page, impacts=EVERY_IMPACT) -> list[str]:
    """axe-core's findings on the page as it is now (of every impact, minor ones included, unless
    told otherwise), in a readable form."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):  # pages of contexts AxeGuard watches have it
        page.add_script_tag(path=str(AXE))
    # axe runs one check at a time in a page: the automatic one first.
    result = page.evaluate(
        "async () => { await window.__axeEveryPage; return await axe.run(document, {resultTypes: ['violations']}); }"
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def has_no_horizontal_scroll(page) -> bool:
    # clientWidth, not only innerWidth: a mobile browser widens innerWidth to fit content too wide.
    return page.evaluate(
        "document.documentElement.scrollWidth <= Math.min(window.innerWidth, document.documentElement.clientWidth)"
    )


def assert_fits_the_phone(page) -> None:
    """Check the page as it is now (after its scripts changed it), naming what sticks out."""
    if not page.evaluate("() => typeof window.__phoneWidthFinding === 'function'"):
        page.add_script_tag(path=str(FITS_THE_PHONE))
    finding = page.evaluate("() => window.__phoneWidthFinding()")
    assert finding is None, describe_too_wide(finding)


def crop_frame_values(page, option_id: int) -> dict[str, float]:
    """Where a crop's frame is on the orders page, as its form will send it (fractions of the photo)."""
    return {
        side: float(page.locator(f"#crop-{option_id}-{side}").input_value())
        for side in ("left", "top", "width", "height")
    }


def save_screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Screenshots for the README, refreshed with UPDATE_SCREENSHOTS=1."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)
