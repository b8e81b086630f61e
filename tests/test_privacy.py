"""A client's data can be forgotten completely; originals nobody chose are purged in time."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from bookings import services as bookings
from bookings.models import Booking, Client, ContactMessage
from galleries import delivery, photos, publishing, retention
from galleries.models import Favourite, Gallery, Photo
from photostudio.models import OutgoingEmail, StateChange
from tests.factories import jpeg_bytes, local, make_booking, make_gallery, make_user_client, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


def files_under(*roots) -> set[Path]:
    return {p for root in roots for p in Path(root).rglob("*") if p.is_file()}


def shoot(client: Client, how_many: int = 3) -> Gallery:
    gallery = make_gallery(client)
    for n in range(how_many):
        upload = ContentFile(jpeg_bytes(seed=client.pk * 100 + n), name=f"DSC_{n:04d}.jpg")
        upload.size = len(upload)
        photos.add_photos(gallery, [upload])  # through the pipeline (in-process)
    return gallery


def test_deleting_a_client_removes_every_row_and_file_of_theirs(client, settings):
    open_every_day()
    alice = make_user_client("Alice Byrne", "alice@example.com")
    bob = make_user_client("Bob Mensah", "bob@example.com")
    alices_booking = make_booking(start=local(days=3), email="alice@example.com")
    bobs_booking = make_booking(start=local(days=4), email="bob@example.com")
    alices, bobs = shoot(alice), shoot(bob)
    Favourite.objects.create(photo=alices.photos.first(), gallery=alices)
    publishing.publish_gallery(alices)
    delivery.deliver(alices)
    delivery.request_zip(alices)
    # The history of their bookings and galleries names them and keeps their reasons: it goes too.
    bookings.cancel_booking(alices_booking, by_client=True, reason="Moving to Leeds, sorry.")
    assert alices.state_changes.count() == 3 and alices_booking.state_changes.count() == 2
    bobs_history = {*bobs.state_changes.all(), *bobs_booking.state_changes.all()}
    roots = (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT)
    bobs_files = (
        files_under(*roots)
        - {Path(f.path) for p in alices.photos.all() for f in photos.files_of(p)}
        - {Path(z.file.path) for z in alices.zips.all()}
    )
    staff = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(staff)

    client.post(f"/admin/bookings/client/{alice.pk}/delete/", {"post": "yes"})

    assert files_under(*roots) == bobs_files  # nothing of alice's is left on disk, bob's untouched
    assert not Client.objects.filter(email="alice@example.com").exists()
    assert not Booking.objects.filter(client__email="alice@example.com").exists()
    assert Gallery.objects.get() == bobs and Photo.objects.filter(gallery=bobs).count() == 3
    assert not get_user_model().objects.filter(email="alice@example.com").exists()
    assert not OutgoingEmail.objects.filter(to="alice@example.com").exists()
    assert OutgoingEmail.objects.filter(to="bob@example.com").exists()
    assert set(StateChange.objects.all()) == bobs_history
    assert not StateChange.objects.filter(reason__contains="Leeds").exists()


def test_deleting_clients_from_the_client_list_forgets_each_of_them(client):
    """The list's "delete selected" action forgets too: their galleries, files and accounts go."""
    chiara = make_user_client("Chiara Rossi", "chiara.rossi@example.com")
    dmitri = make_user_client("Dmitri Volkov", "dmitri@volkov.example")
    eilidh = make_user_client("Eilidh MacLeod", "eilidh.macleod@example.com")
    for person in (chiara, dmitri, eilidh):
        shoot(person, how_many=1)
    staff = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(staff)

    response = client.post(
        "/admin/bookings/client/",
        {"action": "delete_selected", "_selected_action": [chiara.pk, dmitri.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert list(Client.objects.values_list("name", flat=True)) == ["Eilidh MacLeod"]
    assert list(Gallery.objects.values_list("client__name", flat=True)) == ["Eilidh MacLeod"]
    assert list(get_user_model().objects.exclude(is_staff=True).values_list("email", flat=True)) == [
        "eilidh.macleod@example.com"
    ]


def test_a_client_can_ask_for_their_data_to_be_deleted(client):
    alice = make_user_client("Alice Byrne", "alice@example.com")
    client.force_login(alice.user)

    response = client.post("/portal/forget-me/", follow=True)

    assert "asked the studio to delete your data" in response.content.decode()
    assert mail.outbox[-1].to == ["hello@northlight.example"]
    assert f"/admin/bookings/client/{alice.pk}/change/" in mail.outbox[-1].body


def test_originals_nobody_chose_are_purged_after_the_set_period():
    alice = make_user_client("Alice Byrne", "alice@example.com")
    gallery = shoot(alice)
    chosen, unchosen, _ = gallery.photos.order_by("original_name")
    Favourite.objects.create(photo=chosen, gallery=gallery)
    publishing.publish_gallery(gallery)
    delivery.deliver(gallery)

    assert retention.purge_unchosen_originals() == 0  # delivered today: too soon
    Gallery.objects.filter(pk=gallery.pk).update(delivered_at=timezone.now() - timedelta(days=200))
    assert retention.purge_unchosen_originals() == 2

    chosen.refresh_from_db()
    unchosen.refresh_from_db()
    assert chosen.original and Path(chosen.original.path).exists()
    assert not unchosen.original and Path(unchosen.proof.path).exists()  # the proof stays


def test_forgetting_a_client_deletes_their_contact_messages_and_every_outbox_copy_about_them(client):
    alice = make_user_client("Alice Byrne", "alice.byrne@byrne-cole.co.uk")
    # Before she booked, she wrote from the contact form, typing her address another way.
    for name, email, message in (
        ("Alice Byrne", "Alice.Byrne@Byrne-Cole.CO.UK", "Do you photograph whole architecture teams on site?"),
        ("Bob Mensah", "bob@mensah-physio.com", "Can we book a Saturday for the clinic's team page?"),
    ):
        client.post("/contact/", {"name": name, "email": email, "phone": "", "message": message})
    client.force_login(alice.user)
    client.post("/portal/forget-me/")  # emails the studio, with her address to reply to
    client.logout()
    assert ContactMessage.objects.filter(email__iexact=alice.email).count() == 1
    assert set(OutgoingEmail.objects.values_list("kind", flat=True)) >= {"contact_message", "client_asks_deletion"}
    staff = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(staff)

    client.post(f"/admin/bookings/client/{alice.pk}/delete/", {"post": "yes"})

    assert list(ContactMessage.objects.values_list("email", flat=True)) == ["bob@mensah-physio.com"]
    left = OutgoingEmail.objects.all()
    assert [(e.kind, e.reply_to) for e in left] == [("contact_message", "bob@mensah-physio.com")]
    assert not any("alice" in f"{e.to} {e.reply_to} {e.subject} {e.text}".lower() for e in left)
