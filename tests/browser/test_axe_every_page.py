"""The guard in conftest.py: every page a journey's browser loads is checked by axe, whatever brought
it there, and a finding of any impact fails the test at its end."""

import pytest

from tests.browser.conftest import PAGE_GUARDS, AxeGuard

pytestmark = pytest.mark.browser

INACCESSIBLE = "<!doctype html><html><body><main><img src='/static/img/og.jpg'></main></body></html>"


def test_a_page_reached_by_a_link_is_checked_without_the_test_asking(browser, site, request):
    context = browser.new_context(base_url=site)
    try:
        page = context.new_page()
        page.route("**/no-alt/", lambda route: route.fulfill(content_type="text/html", body=INACCESSIBLE))
        page.goto("/")
        page.evaluate("() => { location.href = '/no-alt/'; }")  # no goto: as a click on a link would
        page.wait_for_url("**/no-alt/")
        guard = next(g for g in request.node.stash[PAGE_GUARDS] if isinstance(g, AxeGuard))

        found = guard.findings()

        assert "/no-alt/: critical: image-alt" in found
        assert "/no-alt/: serious: html-has-lang" in found
        assert f"{site}/: " not in found  # the home page itself has nothing to find
    finally:
        guard.found.clear()  # this test's finding is the one it made on purpose
        context.close()
