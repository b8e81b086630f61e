"""On a 375 px phone, a client books a headshot of the demo studio: the session's questions follow the
session chosen (swapped in by the form's script), the terms open in a tab of their own, and a request
sent without ticking them comes back with the message and everything typed; ticked, it is stored
with the answers and the version accepted."""

import os

import pytest

from bookings.models import Booking
from photostudio import demo
from tests.browser.conftest import assert_fits_the_phone, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def asking_studio(studio):
    demo.seed_intake_and_terms()


def test_a_client_on_a_phone_answers_the_questions_and_accepts_the_terms(phone, asking_studio):
    phone.goto("/book/?type=headshot")
    assert phone.get_by_label("Is there a date you need the photos by?").is_visible()

    # Another session brings its own questions without a reload; back again, the headshot's.
    with phone.expect_response("**/book/times/calendar/**"):
        phone.select_option("#id_session_type", "portrait")
    phone.get_by_label("Tell us about your work and who the photos are for").wait_for()
    assert phone.get_by_label("Is there a date you need the photos by?").count() == 0
    with phone.expect_response("**/book/times/calendar/**"):
        phone.select_option("#id_session_type", "headshot")
    phone.get_by_label("Is there a date you need the photos by?").wait_for()

    phone.locator("#times label").first.click()
    phone.fill("#id_name", "Niamh O'Sullivan-Whitfield")
    phone.fill("#id_email", "niamh.osullivan-whitfield@example.ie")
    phone.get_by_label("Is there a date you need the photos by?").fill("Before the Law Society dinner on 12 March")
    phone.get_by_role("group", name="Which backdrop would you like?").get_by_label("Charcoal").check()
    phone.get_by_role("group", name="Do you wear glasses?").get_by_label("No").check()
    long_answer = "My left side, please. I'd rather not look like a passport photo."
    phone.get_by_label("Anything we should know about how you like to be photographed?").fill(long_answer)

    # The terms open in a tab of their own, readable on the phone.
    with phone.context.expect_page() as opened:
        phone.get_by_role("link", name="Booking terms, version 1").click()
    terms = opened.value
    terms.wait_for_load_state()
    assert "Moving or cancelling" in terms.locator("main").inner_text()
    assert_fits_the_phone(terms)
    terms.close()

    # Sent without ticking them: the message, and nothing typed is lost.
    phone.get_by_role("button", name="Send booking request").click()
    assert "Please read the terms and tick the box to accept them." in phone.locator("#terms-acceptance").inner_text()
    assert phone.get_by_label("Anything we should know about how you like to be photographed?").input_value() == (
        long_answer
    )
    assert phone.get_by_role("group", name="Which backdrop would you like?").get_by_label("Charcoal").is_checked()
    assert axe_violations(phone) == []
    assert_fits_the_phone(phone)
    if os.environ.get("INTAKE_SCREENSHOT"):
        phone.screenshot(path=os.environ["INTAKE_SCREENSHOT"], full_page=True)

    phone.get_by_label("I have read and accept the terms").check()
    if not phone.locator("#times input:checked").count():
        phone.locator("#times label").first.click()
    phone.get_by_role("button", name="Send booking request").click()
    phone.wait_for_url("**/book/requested/**")

    booking = Booking.objects.get()
    answers = dict(booking.intake_answers.values_list("question_text", "answer"))
    assert answers["Which backdrop would you like?"] == "Charcoal"
    assert answers["Do you wear glasses?"] == "No"
    assert booking.terms_acceptance.terms.version == 1
    assert booking.terms_acceptance.accepted_from == "127.0.0.1"


def test_the_photographers_pages_of_questions_answers_and_terms_fit_a_phone_with_no_axe_findings(
    phone, site, asking_studio
):
    from bookings.models import SessionType, TermsDocument
    from tests.browser.test_admin_front_page import sign_in_as_the_photographer
    from tests.factories import local, make_booking

    booking = make_booking(
        SessionType.objects.get(slug="headshot"),
        local(days=3, hour=10),
        name="Niamh O'Sullivan-Whitfield",
        email="niamh.osullivan-whitfield@example.ie",
    )
    question = booking.session_type.intake_questions.first()
    booking.intake_answers.create(question=question, question_text=question.text, answer="Before 12 March")
    terms = TermsDocument.objects.get()
    sign_in_as_the_photographer(phone, site)

    findings = {}
    for url in [
        "/admin/",
        f"/admin/bookings/sessiontype/{booking.session_type_id}/change/",
        f"/admin/bookings/booking/{booking.pk}/change/",
        "/admin/bookings/termsdocument/",
        f"/admin/bookings/termsdocument/{terms.pk}/change/",
        f"/admin/bookings/termsdocument/add/?from={terms.pk}",
    ]:
        assert phone.goto(url).ok, url
        if found := axe_violations(phone):
            findings[url] = found
    assert findings == {}, "\n".join(f"{url}: {finding}" for url, found in findings.items() for finding in found)

    phone.goto("/admin/")
    phone.locator("#waiting summary").first.click()
    assert "Before 12 March" in phone.locator("#waiting").inner_text()
