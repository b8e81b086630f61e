"""The client portal: signing in by link, choosing within the limit, commenting, submitting,
delivery and downloads; and what the photographer sees."""

import io
import re
import threading
import zipfile
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connections
from django.test import Client as WebClient
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_token

from galleries import accounts, delivery, selection
from galleries.gallery_pages import PAGE_SIZE
from galleries.models import Download, Favourite, Gallery, Photo, Selection
from photostudio.models import OutgoingEmail
from tests.factories import make_ready_gallery, make_user_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne", "alice@example.com")


@pytest.fixture
def gallery(alice):
    return make_ready_gallery(alice, photos=4, limit=2)


def press_continue(client, link):
    """Open an emailed link and press the Continue button of the page it shows."""
    page = client.get(link)
    assert page.status_code == 200 and "Continue" in page.content.decode()
    query = parse_qs(urlsplit(link).query)
    return client.post("/portal/login/link/", {"sesame": query["sesame"][0], "next": query.get("next", [""])[0]})


def heart(client, gallery, photo, chosen=True):
    url = reverse("portal:favourite", args=[gallery.public_id, photo.key])
    return client.post(url, {"chosen": "1" if chosen else "0"}, headers={"Accept": "application/json"})


# --- signing in ---


def test_asking_for_a_link_emails_one_that_signs_in_on_continue(client, alice, gallery):
    response = client.post("/portal/login/", {"email": "ALICE@example.com"})

    assert "a sign-in link is on its way" in response.content.decode()
    (message,) = mail.outbox
    link = message.body.split("http://127.0.0.1:8000")[1].split()[0]
    assert client.get(link).status_code == 200  # opening it signs nobody in...
    assert client.get("/portal/").status_code == 302
    assert press_continue(client, link).status_code == 302  # ...its Continue button does
    assert client.get("/portal/").status_code == 200


def test_the_link_opens_the_page_the_client_was_trying_to_reach(client, alice, gallery):
    target = reverse("portal:gallery", args=[gallery.public_id])
    page = client.get(target, follow=True)
    assert f'name="next" value="{target}"' in page.content.decode()

    client.post("/portal/login/", {"email": "alice@example.com", "next": target})
    client.post("/portal/login/", {"email": "alice@example.com", "next": "https://evil.example/"})

    assert quote(target, safe="") in mail.outbox[0].body
    assert "evil" not in mail.outbox[1].body


def test_the_answer_is_the_same_for_an_unknown_address(client, alice):
    known = client.post("/portal/login/", {"email": "alice@example.com"}).content.decode()
    unknown = client.post("/portal/login/", {"email": "stranger@example.com"}).content.decode()

    assert known.replace("alice@example.com", "X") == unknown.replace("stranger@example.com", "X")
    assert len(mail.outbox) == 1


def test_a_requested_link_expires_within_minutes_but_an_emailed_one_lasts_days(client, alice, settings):
    user = alice.user
    requested = get_token(user, scope=accounts.SCOPE_REQUESTED)
    emailed = get_token(user, scope=accounts.SCOPE_EMAILED)
    settings.PORTAL_LOGIN_LINK_MINUTES = 0  # as if the minutes had passed

    assert client.get(f"/portal/login/link/?sesame={requested}").status_code == 403
    assert press_continue(client, f"/portal/login/link/?sesame={emailed}&next=/portal/").status_code == 302


def test_forged_links_and_outside_redirects_are_refused(client, alice):
    assert client.get("/portal/login/link/?sesame=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status_code == 403
    assert client.get("/portal/login/link/").status_code == 403
    assert client.post("/portal/login/link/", {"sesame": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}).status_code == 403
    token = get_token(alice.user, scope=accounts.SCOPE_EMAILED)

    response = press_continue(client, f"/portal/login/link/?sesame={token}&next=https://evil.example/")

    assert response["Location"] == "/portal/"


def test_the_eleventh_link_request_in_a_minute_is_refused_with_a_429(client, alice):
    codes = [client.post("/portal/login/", {"email": f"person{n}@example.com"}).status_code for n in range(11)]

    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    assert "Too many attempts" in client.post("/portal/login/", {"email": "x@example.com"}).content.decode()


def test_signing_out_everywhere_ends_other_sessions_and_old_links(alice):
    phone, laptop = WebClient(), WebClient()
    old_link = accounts.sign_in_url(alice, next_url="/portal/").split("8000")[1]
    phone.force_login(alice.user)
    laptop.force_login(alice.user)

    laptop.post("/portal/logout/", {"everywhere": "1"})

    assert phone.get("/portal/").status_code == 302
    assert WebClient().get(old_link).status_code == 403


def test_bad_email_input_gets_a_plain_message(client):
    response = client.post("/portal/login/", {"email": "not-an-address"})

    assert response.status_code == 400
    assert "Enter the email address you booked with" in response.content.decode()


# --- choosing ---


def test_favourites_stop_at_the_package_limit_with_a_message(client, alice, gallery):
    client.force_login(alice.user)
    a, b, c, _ = gallery.photos.all()

    assert heart(client, gallery, a).json()["count"] == 1
    assert heart(client, gallery, b).json()["count"] == 2
    refused = heart(client, gallery, c)

    assert refused.status_code == 409
    assert refused.json() == {
        "chosen": False, "count": 2, "limit": 2, "extras": 0, "extras_price": "0.00",
        "error": "You've chosen 2 of 2, all your package includes. Remove a favourite to choose this one instead.",
    }  # fmt: skip
    assert heart(client, gallery, a, chosen=False).json()["count"] == 1
    assert heart(client, gallery, c).json()["count"] == 2


def test_extras_beyond_the_limit_are_counted_and_priced_when_the_studio_allows_them(client, alice):
    gallery = make_ready_gallery(alice, photos=4, limit=2, price_per_extra=Decimal("25.00"))
    client.force_login(alice.user)
    for photo in gallery.photos.all()[:3]:
        heart(client, gallery, photo)

    html = client.get(reverse("portal:review", args=[gallery.public_id])).content.decode()

    assert "The 1 extra cost £25.00 each: £25.00 in all." in html


def test_a_double_tap_ends_in_the_state_last_chosen(client, alice, gallery):
    client.force_login(alice.user)
    photo = gallery.photos.first()

    heart(client, gallery, photo)
    heart(client, gallery, photo)  # the same wish twice: still chosen, counted once
    assert Favourite.objects.count() == 1
    heart(client, gallery, photo, chosen=False)
    heart(client, gallery, photo, chosen=False)
    assert Favourite.objects.count() == 0


def test_the_heart_works_without_javascript(client, alice, gallery):
    client.force_login(alice.user)
    photo = gallery.photos.first()
    url = reverse("portal:favourite", args=[gallery.public_id, photo.key])

    response = client.post(url, {"chosen": "1", "next": f"/portal/galleries/{gallery.public_id}/?show=favourites"})

    assert response["Location"] == f"/portal/galleries/{gallery.public_id}/?show=favourites#photo-{photo.key}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="photo-{photo.key}"' in page and page.count('class="photo-tile"') == 1


def test_comments_are_saved_escaped_and_limited(client, alice, gallery):
    client.force_login(alice.user)
    photo = gallery.photos.first()
    url = reverse("portal:comment", args=[gallery.public_id, photo.key])

    client.post(url, {"text": "<b>Can you soften the background?</b>"})
    client.post(url, {"text": "x" * 2001})

    page = client.get(reverse("portal:photo", args=[gallery.public_id, photo.key])).content.decode()
    assert "&lt;b&gt;Can you soften the background?&lt;/b&gt;" in page
    assert photo.comments.count() == 1
    assert "under 2000 characters" in page


def test_submitting_locks_the_selection_and_emails_the_photographer_once(client, alice, gallery):
    client.force_login(alice.user)
    first, second = gallery.photos.all()[:2]
    heart(client, gallery, first)
    heart(client, gallery, second)
    mail.outbox.clear()

    client.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1"})
    client.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1"})

    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.SELECTION_SUBMITTED
    assert Selection.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["hello@northlight.example"], ["alice@example.com"]]  # and a receipt
    assert "DSC_0000 OR DSC_0001" in mail.outbox[0].body
    assert heart(client, gallery, first, chosen=False).status_code == 409  # locked
    page = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()
    assert "Selection received — we're editing your photos" in page

    selection.reopen_selection(gallery)
    assert heart(client, gallery, first, chosen=False).status_code == 200


@pytest.mark.django_db(transaction=True)  # two connections race: real commits
def test_two_clients_racing_on_favourites_never_exceed_the_limit(alice, gallery):
    photos = list(gallery.photos.all())
    phone, laptop = WebClient(), WebClient()
    phone.force_login(alice.user)
    laptop.force_login(alice.user)
    errors = []

    def tap(browser, order):
        try:
            for i in range(15):
                for photo in order:
                    response = heart(browser, gallery, photo, chosen=(i % 3 != 2))
                    assert response.status_code in (200, 409)
                    assert response.json()["count"] <= gallery.selection_limit
        except AssertionError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(b, o)) for b, o in ((phone, photos), (laptop, photos[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert Favourite.objects.filter(gallery=gallery).count() <= gallery.selection_limit
    # The last wish of each tab was "not chosen" (i = 14): every photo ends unchosen.
    assert Favourite.objects.filter(gallery=gallery).count() == 0


@pytest.mark.django_db(transaction=True)  # two connections race: real commits
def test_a_double_submit_from_two_tabs_sends_one_selection_email(alice, gallery):
    for photo in gallery.photos.all()[:2]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    tabs = [WebClient(), WebClient()]
    for tab in tabs:
        tab.force_login(alice.user)
    barrier = threading.Barrier(2)

    def send(tab):
        try:
            barrier.wait()
            tab.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1"})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(t,)) for t in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Selection.objects.count() == 1
    assert OutgoingEmail.objects.filter(kind="selection_submitted").count() == 1


def test_the_gallery_page_makes_the_same_number_of_queries_for_10_and_500_photos(
    client, alice, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice.user)
    client.get(reverse("portal:dashboard"))  # as on a running site: per-site values already cached
    counts = {}
    for n in (10, 500):
        gallery = make_ready_gallery(alice, photos=n, limit=5, with_files=False)
        for photo in gallery.photos.all()[:3]:
            Favourite.objects.create(photo=photo, gallery=gallery)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("portal:gallery", args=[gallery.public_id]))
        # The first page of tiles at any size: the rest come as the client scrolls.
        assert response.content.decode().count('class="photo-tile"') == min(n, PAGE_SIZE)
        counts[n] = len(queries)

    assert 0 < counts[10] == counts[500], counts


# --- delivery ---


def test_delivery_lets_the_client_download_each_chosen_photo_and_a_zip_of_them(client, alice, gallery):
    client.force_login(alice.user)
    chosen = list(gallery.photos.all()[:2])
    for photo in chosen:
        heart(client, gallery, photo)
    client.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1"})
    mail.outbox.clear()

    assert delivery.deliver(gallery) == 2

    assert "ready to download" in mail.outbox[0].subject
    one = client.get(reverse("portal:download", args=[gallery.public_id, chosen[0].key]))
    assert one["Content-Disposition"] == 'attachment; filename="DSC_0000.jpg"'
    assert b"".join(one.streaming_content) == chosen[0].original.open("rb").read()
    unchosen = gallery.photos.exclude(pk__in=[p.pk for p in chosen]).first()
    assert client.get(reverse("portal:download", args=[gallery.public_id, unchosen.key])).status_code == 404

    response = client.post(reverse("portal:request_zip", args=[gallery.public_id]), follow=True)
    archive = gallery.zips.get()
    assert archive.state == "ready" and "Download the zip" in response.content.decode()
    download = client.get(reverse("portal:zip_download", args=[gallery.public_id, archive.key]))
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as zf:
        assert sorted(zf.namelist()) == ["DSC_0000.jpg", "DSC_0001.jpg"]
    assert Download.objects.filter(user=alice.user).count() == 2


def test_an_expired_zip_link_is_404_and_the_zip_is_removed_later(client, alice, gallery):
    Photo.objects.filter(gallery=gallery).update(delivered=True)
    Gallery.objects.filter(pk=gallery.pk).update(status=Gallery.Status.DELIVERED)
    archive = delivery.request_zip(gallery)
    archive.refresh_from_db()
    path = archive.file.path
    gallery.zips.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(alice.user)

    assert client.get(reverse("portal:zip_download", args=[gallery.public_id, archive.key])).status_code == 404
    assert delivery.remove_expired_zips() == 1
    import os

    assert not os.path.exists(path)


# --- expiry ---


def test_after_its_expiry_date_the_client_sees_a_plain_expired_page(client, alice, gallery):
    Gallery.objects.filter(pk=gallery.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    client.force_login(alice.user)

    response = client.get(reverse("portal:gallery", args=[gallery.public_id]))

    assert response.status_code == 410
    assert "This gallery has expired" in response.content.decode()


def test_the_photographer_is_reminded_once_before_a_gallery_expires(alice, gallery):
    Gallery.objects.filter(pk=gallery.pk).update(expires_on=timezone.localdate() + timedelta(days=2))
    mail.outbox.clear()

    assert delivery.remind_expiring() == 1
    assert delivery.remind_expiring() == 0
    assert mail.outbox[0].to == ["hello@northlight.example"]


# --- the photographer ---


def test_the_photographer_sees_the_selection_copies_names_and_exports_csv(client, alice, gallery):
    photos = list(gallery.photos.all()[:2])
    Photo.objects.filter(pk=photos[1].pk).update(original_name="=HYPERLINK(evil).jpg")
    for photo in photos:
        Favourite.objects.create(photo=photo, gallery=gallery)
    staff = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(staff)

    page = client.get(f"/admin/galleries/gallery/{gallery.pk}/change/").content.decode()
    csv = client.get(f"/admin/galleries/gallery/{gallery.pk}/selection.csv").content.decode()

    assert "=HYPERLINK(evil) OR DSC_0000" in page
    assert 'id="copy-names"' in page
    assert csv.splitlines()[0] == "file name,comments,chosen at,crops,retouching,orders price"
    assert "'=HYPERLINK(evil).jpg" in csv  # a spreadsheet won't run it


def test_behind_nginx_a_download_is_handed_to_nginx_after_the_access_check(client, alice, gallery, settings):
    settings.PROTECTED_MEDIA_PREFIX = "/protected/"
    photo = gallery.photos.first()
    Photo.objects.filter(pk=photo.pk).update(delivered=True)
    Gallery.objects.filter(pk=gallery.pk).update(status=Gallery.Status.DELIVERED)
    client.force_login(alice.user)

    response = client.get(reverse("portal:download", args=[gallery.public_id, photo.key]))

    assert response["X-Accel-Redirect"] == f"/protected/{photo.original.name}"
    assert response.content == b""


def test_finals_uploaded_after_the_selection_are_what_gets_delivered(alice, gallery):
    from django.core.files.base import ContentFile

    from galleries import photos
    from tests.factories import jpeg_bytes

    Favourite.objects.create(photo=gallery.photos.first(), gallery=gallery)
    selection.submit_selection(gallery)
    final = ContentFile(jpeg_bytes(seed=77), name="DSC_0000-edit.jpg")
    final.size = len(final)

    (added,) = photos.add_photos(gallery, [final]).added
    count = delivery.deliver(gallery)

    added.refresh_from_db()
    assert added.is_final and added.state == Photo.State.DONE and added.delivered
    assert count == 1
    assert list(gallery.photos.filter(delivered=True)) == [added]  # not the unedited original


def test_the_gallery_shows_the_shoot_in_the_order_it_was_taken(client, alice):
    gallery = make_ready_gallery(alice, photos=4, with_files=False)
    taken = timezone.now() - timedelta(days=1)
    for n, photo in enumerate(gallery.photos.order_by("-original_name")):  # shot in reverse name order
        Photo.objects.filter(pk=photo.pk).update(order=0, captured_at=taken + timedelta(minutes=n))
    client.force_login(alice.user)

    html = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()

    names = re.findall(r'alt="Proof \d+: (DSC_\d+\.jpg)"', html)
    assert names == ["DSC_0003.jpg", "DSC_0002.jpg", "DSC_0001.jpg", "DSC_0000.jpg"]
