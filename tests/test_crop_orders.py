"""A client orders crops and retouching of a chosen photo: each crop's frame placed on the proof
(checked again by the server), the totals on the review page, stored when the selection is sent,
asked for with the extras, listed in the emails, the photographer's selection view and the CSV."""

import csv
import html
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from bookings.models import Payment
from galleries import extras, selection
from galleries.models import CropOption, CropOrder, Favourite, Gallery, Photo, RetouchLevel, RetouchOrder, Selection
from tests.factories import make_ready_gallery, make_user_client, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

# On a 1200 × 800 proof: a centred square, and a square at its left edge.
SQUARE = {"left": "0.166667", "top": "0", "width": "0.666667", "height": "1"}
LEFT_SQUARE = {"left": "0", "top": "0", "width": "0.666667", "height": "1"}


@pytest.fixture
def alice(db):
    open_every_day(time_zone="Europe/Dublin")
    return make_user_client("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example")


@pytest.fixture
def studio(db):
    return {
        "linkedin": CropOption.objects.create(name="LinkedIn 1:1", ratio_width=1, ratio_height=1, order=1),
        "profile": CropOption.objects.create(name="Profile 4:5", ratio_width=4, ratio_height=5, order=2),
        "banner": CropOption.objects.create(
            name="Website banner 4:1", ratio_width=4, ratio_height=1, price=Decimal("15.00"), order=3
        ),
        "natural": RetouchLevel.objects.create(name="Natural", order=1),
        "polished": RetouchLevel.objects.create(name="Polished", price=Decimal("20.00"), order=2),
    }


@pytest.fixture
def gallery(alice, studio):
    """Four proofs (1200 × 800), two included, extras at £35; Alice chose three."""
    gallery = make_ready_gallery(
        alice, photos=4, limit=2, price_per_extra=Decimal("35.00"), title="Byrne-Okonkwo headshots, November"
    )
    for photo in gallery.photos.order_by("order")[:3]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    return gallery


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def chosen(gallery: Gallery, n: int = 0) -> Photo:
    return gallery.photos.order_by("order")[n]


def orders_url(gallery: Gallery, photo: Photo) -> str:
    return reverse("portal:orders", args=[gallery.public_id, photo.key])


def form(crops: dict | None = None, retouch=None) -> dict:
    data = {"crop": [str(option.pk) for option in (crops or {})]}
    for option, frame in (crops or {}).items():
        data |= {f"crop-{option.pk}-{side}": value for side, value in frame.items()}
    if retouch is not None:
        data["retouch"] = str(retouch.pk)
    return data


# --- the page ---


def test_the_page_lists_the_studios_offered_crops_and_retouching_with_their_prices(signed_in, gallery, studio):
    CropOption.objects.create(name="Old passport crop", ratio_width=7, ratio_height=9, is_active=False)

    page = signed_in.get(orders_url(gallery, chosen(gallery))).content.decode()

    assert "LinkedIn 1:1" in page and "Website banner 4:1" in page and "£15.00" in page
    assert "Polished" in page and "£20.00" in page
    assert "Old passport crop" not in page
    assert 'src="/static/js/crops.js' in page or "crops." in page


def test_without_javascript_each_crop_starts_as_the_largest_centred_frame(signed_in, gallery, studio):
    page = signed_in.get(orders_url(gallery, chosen(gallery))).content.decode()

    linkedin = studio["linkedin"].pk
    assert f'name="crop-{linkedin}-left" id="crop-{linkedin}-left" value="0.166667"' in page
    assert f'name="crop-{linkedin}-width" id="crop-{linkedin}-width" value="0.666667"' in page


def test_the_chosen_photo_links_to_its_orders_from_the_review_page_and_the_viewer(signed_in, gallery):
    photo = chosen(gallery)

    review = signed_in.get(reverse("portal:review", args=[gallery.public_id])).content.decode()
    viewer = signed_in.get(reverse("portal:photo", args=[gallery.public_id, photo.key])).content.decode()

    assert orders_url(gallery, photo) in review and orders_url(gallery, photo) in viewer


def test_saving_crops_and_a_retouch_stores_them_with_the_prices_as_offered(signed_in, gallery, studio):
    photo = chosen(gallery)

    response = signed_in.post(
        orders_url(gallery, photo), form({studio["linkedin"]: LEFT_SQUARE, studio["banner"]: {}}, studio["polished"])
    )

    assert response.status_code == 302 and response["Location"].endswith("/review/")
    square = CropOrder.objects.get(photo=photo, option=studio["linkedin"])
    assert (square.left, square.top, round(square.width, 4), square.height) == (0, 0, 0.6667, 1)
    banner = CropOrder.objects.get(photo=photo, option=studio["banner"])
    assert banner.price == Decimal("15.00") and banner.width == 1  # no frame sent: the centred one
    assert RetouchOrder.objects.get(photo=photo).price == Decimal("20.00")


def test_saving_again_replaces_the_photos_orders(signed_in, gallery, studio):
    photo = chosen(gallery)
    signed_in.post(
        orders_url(gallery, photo), form({studio["linkedin"]: SQUARE, studio["banner"]: {}}, studio["polished"])
    )

    signed_in.post(orders_url(gallery, photo), form({studio["profile"]: {}}))

    assert list(CropOrder.objects.filter(photo=photo).values_list("option__name", flat=True)) == ["Profile 4:5"]
    assert not RetouchOrder.objects.filter(photo=photo).exists()


def test_the_review_page_shows_each_photos_orders_and_their_total(signed_in, gallery, studio):
    signed_in.post(orders_url(gallery, chosen(gallery, 0)), form({studio["banner"]: {}}, studio["polished"]))
    signed_in.post(orders_url(gallery, chosen(gallery, 1)), form({studio["banner"]: {}}))

    page = signed_in.get(reverse("portal:review", args=[gallery.public_id])).content.decode()

    assert "Website banner 4:1; Polished retouching: £35.00" in page
    assert "Crops and retouching: £50.00 in all" in page


# --- refused ---


@pytest.mark.parametrize(
    "frame, words",
    [
        ({"left": "NaN", "top": "0", "width": "0.666667", "height": "1"}, "could not be read"),
        ({"left": "-0.2", "top": "0", "width": "0.666667", "height": "1"}, "beyond the photo"),
        ({"left": "0.5", "top": "0", "width": "0.666667", "height": "1"}, "beyond the photo"),
        ({"left": "0", "top": "0", "width": "1.2", "height": "1"}, "beyond the photo"),
        ({"left": "0", "top": "0", "width": "1", "height": "1"}, "isn't 1:1"),
        ({"left": "1e400", "top": "0", "width": "0.666667", "height": "1"}, "could not be read"),
    ],
)
def test_a_hostile_frame_is_refused_with_a_message_and_nothing_is_stored(signed_in, gallery, studio, frame, words):
    response = signed_in.post(orders_url(gallery, chosen(gallery)), form({studio["linkedin"]: frame}))

    assert response.status_code == 400
    assert words in html.unescape(response.content.decode())
    assert not CropOrder.objects.exists()


@pytest.mark.parametrize("value", ["999999", "99999999999999999999", "LinkedIn", "-1", "1 OR 1=1", "１"])
def test_an_unknown_crop_or_retouch_is_refused_with_a_message(signed_in, gallery, studio, value):
    url = orders_url(gallery, chosen(gallery))

    crop = signed_in.post(url, {"crop": [value]})
    retouch = signed_in.post(url, {"retouch": value})

    assert crop.status_code == 400 and "isn't offered" in html.unescape(crop.content.decode())
    assert retouch.status_code == 400 and "isn't offered" in html.unescape(retouch.content.decode())


def test_a_refused_form_shows_each_frame_where_the_client_placed_it_and_what_they_ticked(signed_in, gallery, studio):
    linkedin = studio["linkedin"]
    # On the 1200 × 800 proof a square is 800 × 800: moved to the left edge (the centred one is at 1/6).
    placed = {"left": "0", "top": "0", "width": str(800 / 1200), "height": "1"}
    data = form({linkedin: placed}) | {"retouch": "999999"}  # a retouch no longer offered

    response = signed_in.post(orders_url(gallery, chosen(gallery)), data)

    page = response.content.decode()
    assert response.status_code == 400 and "isn't offered" in html.unescape(page)
    assert f'name="crop-{linkedin.pk}-left" id="crop-{linkedin.pk}-left" value="0.000000"' in page
    assert f'value="{linkedin.pk}" id="crop-{linkedin.pk}" data-option="{linkedin.pk}" checked' in page
    assert not CropOrder.objects.exists()


def test_a_crop_the_studio_stopped_offering_is_refused(signed_in, gallery, studio):
    CropOption.objects.filter(pk=studio["banner"].pk).update(is_active=False)

    response = signed_in.post(orders_url(gallery, chosen(gallery)), form({studio["banner"]: {}}))

    assert response.status_code == 400 and not CropOrder.objects.exists()


def test_a_photo_not_chosen_gets_no_orders_and_says_why(signed_in, gallery, studio):
    unchosen = chosen(gallery, 3)

    page = signed_in.get(orders_url(gallery, unchosen))
    response = signed_in.post(orders_url(gallery, unchosen), form({studio["linkedin"]: SQUARE}))

    assert "Choose this photo with the heart first" in page.content.decode()
    assert response.status_code == 409 and "Choose this photo with the heart first" in response.content.decode()
    assert not CropOrder.objects.exists()


def test_orders_cannot_change_once_the_selection_is_sent(signed_in, gallery, studio):
    photo = chosen(gallery)
    signed_in.post(orders_url(gallery, photo), form({studio["linkedin"]: SQUARE}))
    selection.submit_selection(gallery)

    page = signed_in.get(orders_url(gallery, photo)).content.decode()
    response = signed_in.post(orders_url(gallery, photo), form({studio["banner"]: {}}))

    assert "can't be changed" in html.unescape(page) and "LinkedIn 1:1" in page
    assert response.status_code == 409
    assert list(CropOrder.objects.values_list("option__name", flat=True)) == ["LinkedIn 1:1"]


def test_another_gallerys_photo_is_404(signed_in, gallery, alice, studio):
    other = make_ready_gallery(alice, title="Alice, team day")
    photo = other.photos.first()
    Favourite.objects.create(photo=photo, gallery=other)

    assert signed_in.post(orders_url(gallery, photo), form({studio["linkedin"]: SQUARE})).status_code == 404
    assert not CropOrder.objects.exists()


def test_bob_gets_404_for_alices_orders_page_and_changes_nothing(client, gallery, studio):
    bob = make_user_client("Bob Mensah", "bob.mensah@harbourline.example")
    client.force_login(bob.user)
    url = orders_url(gallery, chosen(gallery))

    assert client.get(url).status_code == 404
    assert client.post(url, form({studio["linkedin"]: SQUARE})).status_code == 404
    assert not CropOrder.objects.exists()


def test_taking_the_heart_off_a_photo_removes_its_orders(signed_in, gallery, studio):
    photo = chosen(gallery)
    signed_in.post(orders_url(gallery, photo), form({studio["banner"]: {}}, studio["polished"]))

    selection.set_favourite(gallery, photo, chosen=False)

    assert not CropOrder.objects.filter(photo=photo).exists()
    assert not RetouchOrder.objects.filter(photo=photo).exists()


# --- sent, paid, told ---


def test_sending_stores_the_orders_total_and_the_payment_asks_for_extras_plus_orders(signed_in, gallery, studio):
    signed_in.post(orders_url(gallery, chosen(gallery, 0)), form({studio["banner"]: {}}, studio["polished"]))
    signed_in.post(orders_url(gallery, chosen(gallery, 1)), form({studio["linkedin"]: SQUARE}, studio["natural"]))

    sent = signed_in.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1", "note": ""})
    pay_page = signed_in.get(sent["Location"]).content.decode()

    stored = Selection.objects.get(gallery=gallery)
    assert (stored.extras_price, stored.orders_price) == (Decimal("35.00"), Decimal("35.00"))
    assert Payment.objects.get().total == Decimal("70.00")
    assert "crops and retouching you ordered come to £35.00" in pay_page


def test_orders_alone_within_the_package_are_still_asked_for(signed_in, alice, studio):
    gallery = make_ready_gallery(alice, photos=2, limit=2, title="Byrne-Okonkwo, portraits")
    Favourite.objects.create(photo=chosen(gallery), gallery=gallery)
    signed_in.post(orders_url(gallery, chosen(gallery)), form({studio["banner"]: {}}))

    sent = signed_in.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1", "note": ""})

    assert sent["Location"].endswith("/extras/")
    assert extras.extras_payment(gallery).total == Decimal("15.00")


def test_the_orders_of_a_photo_no_longer_chosen_do_not_count(gallery, studio):
    photo = chosen(gallery)
    CropOrder.objects.create(photo=photo, option=studio["banner"], left=0, top=0.4, width=1, height=1 / 6, price=15)
    Favourite.objects.filter(photo=photo).delete()

    assert selection.submit_selection(gallery).orders_price == 0


def test_the_emails_list_each_photos_orders(signed_in, gallery, studio):
    photo = chosen(gallery)
    signed_in.post(
        orders_url(gallery, photo), form({studio["linkedin"]: SQUARE, studio["banner"]: {}}, studio["polished"])
    )
    mail.outbox.clear()

    signed_in.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1", "note": ""})

    receipt = next(m for m in mail.outbox if m.to == ["alice.byrne@byrne-cole.example"])
    to_studio = next(m for m in mail.outbox if m.to != ["alice.byrne@byrne-cole.example"])
    line = f"{photo.original_name} (LinkedIn 1:1, Website banner 4:1; Polished retouching: £35.00)"
    assert line in receipt.body and "Your crops and retouching: £35.00 in all." in receipt.body
    assert "Ordered: LinkedIn 1:1, Website banner 4:1; Polished retouching (£35.00)" in to_studio.body
    assert "Crops and retouching ordered: <strong>£35.00</strong>" in to_studio.alternatives[0][0]


# --- the photographer ---


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@northlight.example", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_the_selection_view_in_the_admin_lists_each_files_orders(photographer, gallery, studio):
    photo = chosen(gallery)
    CropOrder.objects.create(photo=photo, option=studio["linkedin"], left=0.2, top=0, width=2 / 3, height=1)
    RetouchOrder.objects.create(photo=photo, level=studio["polished"], price=20)
    sent = selection.submit_selection(gallery)

    page = photographer.get(reverse("admin:galleries_selection_change", args=[sent.pk])).content.decode()

    assert f"<li>{photo.original_name}: LinkedIn 1:1; Polished retouching</li>" in page
    assert f"<li>{chosen(gallery, 1).original_name}: no crops or retouching</li>" in page


def test_the_selection_csv_has_columns_for_crops_and_retouching_kept_inert(photographer, gallery, studio):
    photo = chosen(gallery)
    hostile = CropOption.objects.create(name='=HYPERLINK("http://evil.example")', ratio_width=1, ratio_height=1)
    CropOrder.objects.create(photo=photo, option=hostile, left=0.2, top=0, width=2 / 3, height=1)
    CropOrder.objects.create(photo=photo, option=studio["banner"], left=0, top=0.4, width=1, height=1 / 6, price=15)
    RetouchOrder.objects.create(photo=photo, level=studio["polished"], price=20)

    response = photographer.get(reverse("admin:galleries_gallery_selection_csv", args=[gallery.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["file name", "comments", "chosen at", "crops", "retouching", "orders price"]
    row = next(r for r in rows if r[0] == photo.original_name)
    assert row[3] == '\'=HYPERLINK("http://evil.example"), Website banner 4:1'
    assert row[4:] == ["Polished", "35.00"]


@pytest.mark.parametrize("page", ["galleries_cropoption_changelist", "galleries_retouchlevel_changelist"])
def test_the_studios_crops_and_retouching_are_listed_for_editing(photographer, studio, page):
    response = photographer.get(reverse(f"admin:{page}"))

    assert (
        response.status_code == 200
        and "Polished" in response.content.decode()
        or "LinkedIn" in response.content.decode()
    )


def test_a_selection_owing_only_for_crops_is_listed_as_unpaid_in_the_admin(photographer, alice, studio):
    gallery = make_ready_gallery(alice, photos=2, limit=2, title="Byrne-Okonkwo, portraits")
    Favourite.objects.create(photo=chosen(gallery), gallery=gallery)
    CropOrder.objects.create(
        photo=chosen(gallery), option=studio["banner"], left=0, top=0.4, width=1, height=1 / 6, price=15
    )
    selection.submit_selection(gallery)
    changelist = reverse("admin:galleries_selection_changelist")

    unpaid = photographer.get(changelist + "?extras=unpaid").content.decode()
    none = photographer.get(changelist + "?extras=none").content.decode()

    assert "Byrne-Okonkwo, portraits" in unpaid and "Byrne-Okonkwo, portraits" not in none
