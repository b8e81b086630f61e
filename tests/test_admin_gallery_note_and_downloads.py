"""A gallery's admin page shows what the client wrote with their selection, and the log of what they
downloaded (which file, full or web size, how big, when), both read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse

from galleries import delivery, selection
from galleries.models import Download, Favourite, Gallery, Size, ZipArchive
from tests.factories import make_ready_gallery, make_user_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

NOTE = "The second one is for my website header: please keep the window light.\nThanks, Alice"


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser(
        "sam.carter", "sam.carter@northlight-studio.example", "a-test-only-password"
    )
    client.force_login(user)
    return user


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example")


@pytest.fixture
def chosen(alice):
    """Alice's proofs, two of them chosen and sent with a note."""
    gallery = make_ready_gallery(alice, photos=3, limit=2, title="Author portraits, Hackney studio")
    for photo in gallery.photos.order_by("order")[:2]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    selection.submit_selection(gallery, note=NOTE)
    return gallery


def admin_page(client, gallery) -> str:
    response = client.get(reverse("admin:galleries_gallery_change", args=[gallery.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_clients_note_is_shown_with_the_sent_selection(client, photographer, chosen):
    html = admin_page(client, chosen)

    assert "The client's note" in html
    assert "please keep the window light.<br>Thanks, Alice" in html
    assert "Sent with the selection on" in html
    assert '<textarea name="note"' not in html  # read-only: the client's words stay as sent


def test_a_note_is_shown_as_text_not_markup(client, photographer, alice):
    gallery = make_ready_gallery(alice, photos=2, limit=2, title="Headshots")
    Favourite.objects.create(photo=gallery.photos.first(), gallery=gallery)
    selection.submit_selection(gallery, note='Lovely! <img src=x onerror="alert(1)">')

    html = admin_page(client, gallery)

    assert "Lovely! &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<img src=x onerror="alert(1)">' not in html


def test_a_selection_sent_without_a_note_says_so(client, photographer, alice):
    gallery = make_ready_gallery(alice, photos=2, limit=2, title="Headshots")
    Favourite.objects.create(photo=gallery.photos.first(), gallery=gallery)
    selection.submit_selection(gallery)

    assert "No note came with the selection." in admin_page(client, gallery)


def test_a_gallery_still_being_chosen_from_shows_no_note(client, photographer, alice):
    gallery = make_ready_gallery(alice, photos=2, limit=2, title="Headshots")

    html = admin_page(client, gallery)

    assert "The client's note" not in html and "No note came" not in html


def test_the_download_log_names_each_file_its_size_and_when(client, photographer, alice, chosen):
    delivery.deliver(chosen)
    first, second = chosen.photos.filter(delivered=True).order_by("order")
    delivery.record_download(
        chosen, alice.user, photo=first, file=first.original, file_name="IMG_20261120_0142.jpg", size=Size.FULL
    )
    second.refresh_from_db()
    delivery.record_download(
        chosen, alice.user, photo=second, file=second.web, file_name="IMG_20261120_0143-web.jpg", size=Size.WEB
    )
    archive = ZipArchive.objects.create(gallery=chosen, size=Size.WEB, state="ready", expires_at="2030-01-01T00:00Z")
    archive.file.save("x.zip", ContentFile(b"PK" + b"\0" * 3070), save=True)
    delivery.record_download(
        chosen, alice.user, archive=archive, file=archive.file, file_name="Author portraits (web size).zip", size="web"
    )

    html = admin_page(client, chosen)

    assert Gallery.objects.get(pk=chosen.pk).status == Gallery.Status.DELIVERED
    assert "<h3>Downloads</h3>" in html
    assert "<strong>IMG_20261120_0142.jpg</strong>\n        (full size, " in html
    assert f"<strong>IMG_20261120_0143-web.jpg</strong>\n        (web size, {second.web.size // 1024}" in html
    assert "<strong>Author portraits (web size).zip</strong>\n        (web size, zip, 3.0\xa0KB)" in html
    assert html.count("Alice Byrne-Okonkwo downloaded <strong>") == 3  # her name, not her account's
    assert "All 3 downloads" not in html  # every download is on the page


def test_a_long_download_log_shows_the_latest_and_links_to_the_rest(client, photographer, alice, chosen):
    delivery.deliver(chosen)
    photo = chosen.photos.filter(delivered=True).first()
    Download.objects.bulk_create(
        Download(gallery=chosen, user=alice.user, photo=photo, file_name=f"IMG_20261120_{n:04d}.jpg", size_bytes=9_000)
        for n in range(60)
    )

    html = admin_page(client, chosen)

    assert html.count("downloaded <strong>") == 50
    log = reverse("admin:galleries_download_changelist") + f"?gallery__id__exact={chosen.pk}"
    assert f'<a href="{log}">All 60 downloads</a>' in html
    assert client.get(log).status_code == 200


def test_the_download_log_cannot_be_changed_from_the_admin(client, photographer, alice, chosen):
    delivery.deliver(chosen)
    photo = chosen.photos.filter(delivered=True).first()
    entry = delivery.record_download(chosen, alice.user, photo=photo, file=photo.original, file_name="IMG_0142.jpg")

    response = client.post(
        reverse("admin:galleries_download_change", args=[entry.pk]), {"file_name": "something-else.jpg"}
    )

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.file_name == "IMG_0142.jpg"


def test_the_download_log_names_the_client_not_their_portal_account(client, photographer, chosen, alice):
    Download.objects.create(
        gallery=chosen, user=alice.user, size=Size.WEB, file_name="IMG_20261120_0142-web.jpg", size_bytes=812_345
    )
    Download.objects.create(gallery=chosen, user=None, file_name="IMG_20261120_0143.jpg", size_bytes=9_000_000)

    html = admin_page(client, chosen)
    log = client.get(reverse("admin:galleries_download_changelist")).content.decode()

    assert "Alice Byrne-Okonkwo downloaded <strong>IMG_20261120_0142-web.jpg" in html
    assert "someone since removed downloaded <strong>IMG_20261120_0143.jpg" in html
    assert alice.user.username not in html and alice.user.username not in log
    assert "Alice Byrne-Okonkwo" in log
