"""Sending the selection: the client confirms (a plain form, no script needed), may leave a note for
the photographer, and gets a receipt listing the photos and what the extras cost; the note reaches
the photographer's email and stays on the selection. A second send changes nothing, and a note no
one could have typed is refused with a reason, the page keeping what was written."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from galleries.models import Favourite, Gallery, Photo, Selection
from photostudio.models import OutgoingEmail
from tests.factories import make_ready_gallery, make_user_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

NOTE = "The second one is for my website header: please keep the window light.\nThanks, Alice"
NAMES = ["IMG_20261120_0142.jpg", "IMG_20261120_0143.jpg", "IMG_20261120_0150.jpg", "IMG_20261120_0151.jpg"]


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example")


@pytest.fixture
def gallery(alice):
    """Four proofs, two included, extras at £35; the client chose three."""
    gallery = make_ready_gallery(alice, photos=4, limit=2, price_per_extra=Decimal("35.00"))
    for photo, name in zip(gallery.photos.order_by("order"), NAMES, strict=True):
        Photo.objects.filter(pk=photo.pk).update(original_name=name)
    for photo in gallery.photos.order_by("order")[:3]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    return gallery


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def send(client, gallery, **data):
    return client.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1"} | data)


def test_the_note_is_stored_and_reaches_the_photographer(signed_in, gallery):
    mail.outbox.clear()

    response = send(signed_in, gallery, note=f"  {NOTE}  ")

    assert response.status_code == 302
    assert Selection.objects.get(gallery=gallery).note == NOTE
    (studio,) = [m for m in mail.outbox if m.to == ["hello@northlight.example"]]
    assert NOTE in studio.body
    assert "please keep the window light.<br>Thanks, Alice" in studio.alternatives[0][0]
    assert "1 more than the 2 included (£35.00 extra)" in studio.body


def test_the_client_gets_a_receipt_of_the_photos_and_the_extras_price(signed_in, gallery):
    mail.outbox.clear()

    send(signed_in, gallery, note=NOTE)

    (receipt,) = [m for m in mail.outbox if m.to == ["alice.byrne@byrne-cole.example"]]
    assert "3 photos" in receipt.subject
    for name in NAMES[:3]:
        assert f"- {name}" in receipt.body
        assert f"<li>{name}</li>" in receipt.alternatives[0][0]
    assert NAMES[3] not in receipt.body  # not chosen
    assert "Your package includes 2 photos. The extra photo costs £35.00." in receipt.body
    assert NOTE in receipt.body
    assert "/portal/login/link/" in receipt.body  # a link back to the gallery


def test_both_emails_are_queued_in_the_outbox_about_the_gallery(signed_in, gallery):
    send(signed_in, gallery, note=NOTE)

    kinds = OutgoingEmail.objects.filter(about_id=str(gallery.pk)).values_list("kind", "to")
    assert set(kinds) >= {
        ("selection_submitted", "hello@northlight.example"),
        ("selection_receipt", "alice.byrne@byrne-cole.example"),
    }


def test_sending_twice_changes_nothing(signed_in, gallery):
    send(signed_in, gallery, note=NOTE)
    sent = OutgoingEmail.objects.count()

    again = send(signed_in, gallery, note="Actually, forget the first note")

    assert again.status_code == 302
    assert Selection.objects.filter(gallery=gallery).count() == 1
    assert Selection.objects.get(gallery=gallery).note == NOTE
    assert OutgoingEmail.objects.count() == sent


def test_sending_without_ticking_the_confirmation_keeps_everything_and_says_why(signed_in, gallery):
    mail.outbox.clear()

    response = signed_in.post(reverse("portal:submit", args=[gallery.public_id]), {"note": NOTE})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick the box to confirm your choice" in html
    assert "please keep the window light.\nThanks, Alice</textarea>" in html  # what was typed stays
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING
    assert not Selection.objects.exists() and not mail.outbox


def test_a_note_of_100_kb_is_refused_with_the_reason_and_kept_on_the_page(signed_in, gallery):
    long_note = "Please retouch gently. " * 4500  # about 100 KB

    response = send(signed_in, gallery, note=long_note)

    assert response.status_code == 400
    html = response.content.decode()
    assert f"Please keep the note to 2000 characters or fewer (it has {len(long_note.strip())})" in html
    assert long_note.strip() in html
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING and not Selection.objects.exists()


def test_a_note_with_a_nul_gets_a_plain_400_and_nothing_is_sent(signed_in, gallery):
    response = send(signed_in, gallery, note="Keep the\x00 background")

    assert response.status_code == 400
    assert b"NUL" in response.content
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING and not Selection.objects.exists()


def test_a_note_with_control_characters_is_refused_by_the_selection_rules(signed_in, gallery):
    response = send(signed_in, gallery, note="Keep the\x07 background\x1b[31m")

    assert response.status_code == 400
    assert "characters that can&#x27;t be stored" in response.content.decode()
    assert not Selection.objects.exists()


def test_a_note_with_markup_is_shown_as_text_in_the_emails(signed_in, gallery):
    mail.outbox.clear()

    send(signed_in, gallery, note='<img src=x onerror="alert(1)"> keep it natural, 😊 émigré')

    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert "<img src=x" not in html
        assert "&lt;img src=x" in html
        assert "keep it natural, 😊 émigré" in message.body


def test_the_review_page_asks_for_confirmation_and_offers_the_note(signed_in, gallery):
    html = signed_in.get(reverse("portal:review", args=[gallery.public_id])).content.decode()

    assert '<textarea class="form-control mb-3" name="note" id="note"' in html
    assert 'type="checkbox" name="confirm" value="1" id="confirm" required' in html
    assert "I've checked my 3 photos, 1 of them extra (£35.00)" in html


def test_the_receipt_prices_several_extras_each_and_in_all(signed_in, alice):
    gallery = make_ready_gallery(alice, photos=5, limit=2, price_per_extra=Decimal("35.00"))
    for photo in gallery.photos.all():
        Favourite.objects.create(photo=photo, gallery=gallery)
    mail.outbox.clear()

    send(signed_in, gallery)

    (receipt,) = [m for m in mail.outbox if m.to == ["alice.byrne@byrne-cole.example"]]
    assert "The 3 extra photos cost £35.00 each: £105.00 in all." in receipt.body
    assert "Your note" not in receipt.body  # none was written


def test_a_note_of_2000_characters_fits_though_the_browser_sends_its_line_breaks_as_two(signed_in, gallery):
    note = "\r\n".join(["Warm, please."] * 142) + "x" * 13  # 2000 characters as typed, 2141 as sent

    response = send(signed_in, gallery, note=note)

    assert response.status_code == 302
    assert len(Selection.objects.get(gallery=gallery).note) == 2000
