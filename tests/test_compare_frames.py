"""The compare page: two to four of the gallery's proofs side by side, named in the address
(`?photo=<key>` each, as the grid's and the group page's boxes send them), each with its access-
checked proof and its heart. Anything else gets a page saying why (4xx), never an error; another
client gets 404.

Alice (a client) has a shoot of camera files; Bob is another client."""

from urllib.parse import urlencode

import pytest
from django.test import Client as Browser
from django.urls import reverse

from galleries.models import Favourite, Gallery
from tests.factories import make_shoot, make_user_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_user_client("Alice Oyelaran-Fitzgerald", "alice.oyelaran@oyelaran-partners.example")


@pytest.fixture
def shoot(alice) -> Gallery:
    return make_shoot(alice, 6)


@pytest.fixture
def browser(alice) -> Browser:
    browser = Browser()
    browser.force_login(alice.user)
    return browser


def keys_of(gallery: Gallery) -> list[str]:
    return list(gallery.photos.order_by("order").values_list("key", flat=True))


def compare_url(gallery: Gallery, keys: list[str]) -> str:
    return reverse("portal:compare", args=[gallery.public_id]) + "?" + urlencode([("photo", k) for k in keys])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_two_to_four_frames_show_side_by_side_in_the_order_picked(browser, shoot, n):
    keys = keys_of(shoot)[::-1][:n]

    response = browser.get(compare_url(shoot, keys))

    html = response.content.decode()
    assert response.status_code == 200
    proofs = [reverse("portal:proof", args=[shoot.public_id, key]) for key in keys]
    positions = [html.index(proof) for proof in proofs]
    assert positions == sorted(positions)
    assert html.count('class="compare-pane"') == n
    for key in keys:
        assert reverse("portal:favourite", args=[shoot.public_id, key]) in html
    assert f"Comparing {n} frames" in html
    assert 'src="/static/js/compare.js"' in html


def test_each_frame_carries_its_heart_as_chosen_or_not(browser, shoot):
    first, second = keys_of(shoot)[:2]
    Favourite.objects.create(photo=shoot.photos.get(key=first), gallery=shoot)

    html = browser.get(compare_url(shoot, [first, second])).content.decode()

    assert html.count('aria-pressed="true"') == 1
    assert html.count('aria-pressed="false"') == 1


def test_a_heart_without_javascript_comes_back_to_the_same_comparison(browser, shoot):
    keys = keys_of(shoot)[:3]
    url = compare_url(shoot, keys)

    response = browser.post(reverse("portal:favourite", args=[shoot.public_id, keys[1]]), {"chosen": "1", "next": url})

    assert response.status_code == 302
    assert response["Location"] == f"{url}#photo-{keys[1]}"
    assert Favourite.objects.filter(photo__key=keys[1]).exists()


def test_a_key_named_twice_counts_once(browser, shoot):
    first, second = keys_of(shoot)[:2]

    html = browser.get(compare_url(shoot, [first, second, first])).content.decode()

    assert html.count('class="compare-pane"') == 2


@pytest.mark.parametrize(
    ("picked", "status", "message"),
    [
        (1, 400, "Tick at least 2 frames"),
        (5, 400, "You can compare up to 4 frames at a time; you ticked 5."),
        (6, 400, "You can compare up to 4 frames at a time; you ticked 6."),
    ],
)
def test_too_few_or_too_many_frames_get_a_page_saying_so(browser, shoot, picked, status, message):
    response = browser.get(compare_url(shoot, keys_of(shoot)[:picked]))

    assert response.status_code == status
    assert message in response.content.decode()
    assert reverse("portal:gallery", args=[shoot.public_id]) in response.content.decode()


def test_no_frames_named_goes_back_to_the_gallery_with_a_message(browser, shoot):
    response = browser.get(reverse("portal:compare", args=[shoot.public_id]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:gallery", args=[shoot.public_id])
    assert "Tick 2 to 4 frames, then compare them." in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        "0" * 32,
        "not-a-key",
        "IMG_20261120_0142.jpg",
        "x" * 5000,
        "' OR 1=1 --",
        "ÅÄÖ" * 11,
        "",
    ],
)
def test_a_key_that_is_not_one_of_the_gallerys_is_a_clear_404(browser, shoot, bad):
    response = browser.get(compare_url(shoot, [keys_of(shoot)[0], bad]))

    assert response.status_code == 404
    assert "One of these frames is not in this gallery." in response.content.decode()


def test_a_nul_byte_in_a_key_is_refused_before_the_page(browser, shoot):
    response = browser.get(compare_url(shoot, [keys_of(shoot)[0], "a\x00b"]))

    assert response.status_code == 400


def test_a_frame_of_another_gallery_is_refused_even_for_its_own_client(browser, alice, shoot):
    other = make_shoot(alice, 2)

    response = browser.get(compare_url(shoot, [keys_of(shoot)[0], keys_of(other)[0]]))

    assert response.status_code == 404


def test_a_final_is_not_a_proof_to_compare(browser, shoot):
    first, second = keys_of(shoot)[:2]
    shoot.photos.filter(key=second).update(is_final=True)

    assert browser.get(compare_url(shoot, [first, second])).status_code == 404


def test_bob_gets_404_for_alices_comparison_and_sees_nothing_of_it(shoot):
    bob = make_user_client("Bob Mensah", "bob.mensah@mensah-architects.example")
    browser = Browser()
    browser.force_login(bob.user)
    keys = keys_of(shoot)[:2]
    bobs = make_shoot(bob, 2)

    response = browser.get(compare_url(shoot, keys))
    mixed = browser.get(compare_url(bobs, [keys_of(bobs)[0], keys[0]]))

    assert response.status_code == 404
    assert mixed.status_code == 404
    assert shoot.photos.get(key=keys[0]).original_name not in response.content.decode()


def test_signed_out_the_comparison_asks_to_sign_in_and_comes_back(shoot):
    url = compare_url(shoot, keys_of(shoot)[:2])

    response = Browser().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=")


def test_the_grid_and_the_group_page_send_their_boxes_to_the_compare_page(browser, shoot):
    html = browser.get(reverse("portal:gallery", args=[shoot.public_id])).content.decode()

    action = reverse("portal:compare", args=[shoot.public_id])
    assert f'<form id="cmp" method="get" action="{action}"' in html
    for key in keys_of(shoot):
        assert f"<input type=checkbox name=photo value={key} form=cmp>" in html
