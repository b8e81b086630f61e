"""The client follows the work on their selection from their page, on a phone: the steps as an
ordered list with the current one marked, the promised date, and late work owned up to; the
photographer sees the same work on the admin's front page, late first. Both fit 375 px and are
axe-clean."""

from datetime import timedelta

import pytest
from django.utils import timezone

from galleries import progress
from galleries.models import Gallery, Selection
from tests.browser.conftest import axe_violations
from tests.browser.realistic import LONG_EMAIL, LONG_NAME, sign_in
from tests.browser.test_admin_front_page import sign_in_as_the_photographer
from tests.factories import make_ready_gallery, make_user_client, open_every_day

pytestmark = pytest.mark.browser


def submitted(client, title: str, *, promised_in: int, stage=Selection.Stage.RECEIVED) -> Selection:
    gallery = make_ready_gallery(client, photos=1, status=Gallery.Status.SELECTION_SUBMITTED, title=title)
    promised = timezone.localdate() + timedelta(days=promised_in)
    return Selection.objects.create(gallery=gallery, promised_on=promised, stage=stage)


def test_the_client_follows_the_work_on_a_phone_and_the_photographer_sees_it_late_first(site, phone, new_phone):
    open_every_day()
    client = make_user_client(LONG_NAME, LONG_EMAIL)
    on_time = submitted(client, "Oyelaran Partners: board portraits for the annual report", promised_in=4)
    progress.start_editing(on_time)
    submitted(client, "Personal branding session at the Canal Works studio", promised_in=-2)

    sign_in(phone, site, client)
    phone.goto("/portal/")

    late, first = phone.locator(".work-steps").all()  # the newest gallery first
    assert first.locator("li").all_text_contents() == ["Received (done)", "In editing", "Ready", "Delivered"]
    assert first.locator('[aria-current="step"]').inner_text() == "In editing"
    assert late.locator('[aria-current="step"]').inner_text() == "Received"
    page_text = phone.locator("main").inner_text()
    assert "Promised by" in page_text and "Running late:" in page_text
    assert axe_violations(phone) == []

    admin = new_phone()
    sign_in_as_the_photographer(admin, site)
    admin.goto("/admin/")
    rows = admin.locator("#work-in-progress tbody tr").all_inner_texts()
    assert "Personal branding session" in rows[0] and "late" in rows[0]
    assert "board portraits" in rows[1] and "In editing" in rows[1]
    assert axe_violations(admin) == []
