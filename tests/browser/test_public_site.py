"""A prospective client on the public site: learn, take the guide, start booking."""

import pytest

from tests.browser.conftest import (
    BYPASS_CSP,
    answer_the_guide_for_a_portrait_at_work,
    axe_violations,
    has_no_horizontal_scroll,
    save_screenshot,
)

pytestmark = pytest.mark.browser


def test_home_then_guide_then_book_the_recommended_session(page, studio):
    page.goto("/")
    page.get_by_role("link", name="Which do I need?").first.click()
    page.wait_for_url("**/guide/")

    answer_the_guide_for_a_portrait_at_work(page)

    recommendation = page.locator("#recommendation")
    assert "We recommend: a portrait session" in recommendation.inner_text()
    assert "Portraits at your workplace" in recommendation.inner_text()
    recommendation.get_by_role("link", name="Book this session").click()

    page.wait_for_url("**/book/?type=portrait&location=on_location")
    assert page.locator("#id_session_type").input_value() == "portrait"
    assert page.locator("#times input[type=radio]").count() > 0


# Every public page a visitor can reach without signing in, each session's page included.
PUBLIC_PAGES = [
    "/",
    "/sessions/headshot/",
    "/sessions/portrait/",
    "/sessions/headshot-and-portrait/",
    "/guide/",
    "/guide/?purpose=profile&show_work=no&place=studio&people=1",
    "/book/",
    "/book/?type=portrait&location=on_location",
    "/contact/",
    "/sessions/no-such-session/",  # the page a mistyped or stale link shows
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_accessibility_findings_of_any_impact_on_a_laptop_or_a_phone(page, phone, studio, path):
    for p in (page, phone):
        p.goto(path)
        assert axe_violations(p) == [], f"{path} at {p.viewport_size['width']} px"
        assert has_no_horizontal_scroll(p), f"{path} scrolls sideways at {p.viewport_size['width']} px"


def test_the_booking_page_with_a_day_chosen_has_no_accessibility_findings(page, phone, studio):
    for p in (page, phone):
        p.goto("/book/?type=headshot")
        p.locator("#times label").first.click()  # the time buttons are the radios' labels
        assert p.locator("#times input[type=radio]:checked").count() == 1
        assert axe_violations(p) == [], f"at {p.viewport_size['width']} px"


@pytest.mark.parametrize(("path", "send"), [("/contact/", "Send"), ("/book/?type=headshot", "Send booking request")])
def test_forms_sent_empty_show_their_errors_with_no_accessibility_findings(page, phone, studio, path, send):
    for p in (page, phone):
        p.goto(path)
        # The server's own messages, not the browser's: as a browser that ignores `required` sends it.
        p.evaluate("document.querySelectorAll('form').forEach(form => { form.noValidate = true })")
        p.get_by_role("button", name=send, exact=True).click()
        p.locator(".invalid-feedback, .errorlist").first.wait_for()
        assert axe_violations(p) == [], f"{path} with errors at {p.viewport_size['width']} px"


def test_the_guide_works_without_javascript(browser, site, studio):
    context = browser.new_context(java_script_enabled=False, base_url=site, **BYPASS_CSP)
    page = context.new_page()
    page.goto("/guide/?purpose=profile&show_work=no&place=studio&people=1")

    assert "We recommend: a headshot session" in page.locator("#recommendation").inner_text()
    context.close()


def test_home_page_screenshots(page, phone, studio):
    for p, width in ((page, 1280), (phone, 375)):
        p.goto("/")
        assert p.locator(".session-card").count() == 3
        p.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the photos load lazily
        p.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        p.evaluate("window.scrollTo(0, 0)")
        save_screenshot(p, f"home-{width}.png")


def test_the_pages_own_scripts_run_under_the_content_security_policy(browser, site, studio):
    context = browser.new_context(base_url=site)  # the real policy, not bypassed
    page = context.new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))

    page.goto("/book/?type=headshot")
    first = page.locator("#times input").first.get_attribute("value")
    page.locator("#id_date").fill(page.locator("#id_date").get_attribute("max"))
    with page.expect_response("**/book/times/**"):
        page.dispatch_event("#id_date", "change")
    page.locator("#times p, #times input").first.wait_for()
    page.goto("/")

    assert violations == []
    assert first
    context.close()
