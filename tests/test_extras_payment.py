"""Photos chosen beyond the package are paid for: sending a selection over the limit goes on to pay
for the extras; paid, the client gets a receipt; the photographer sees which extras are paid."""

import html
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from payments import PaymentStatus

from bookings.models import Payment
from galleries import selection
from galleries.models import Favourite, Selection
from tests.factories import make_ready_gallery, make_user_client, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

PAID = {"status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"}


@pytest.fixture
def alice(db):
    open_every_day(time_zone="Europe/Dublin")
    return make_user_client("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example")


@pytest.fixture
def gallery(alice):
    """Five proofs, two included, extras at £35; Alice chose four."""
    gallery = make_ready_gallery(alice, photos=5, limit=2, price_per_extra=Decimal("35.00"), title="Byrne headshots")
    for photo in gallery.photos.order_by("order")[:4]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    return gallery


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def send(client, gallery):
    return client.post(reverse("portal:submit", args=[gallery.public_id]), {"confirm": "1", "note": ""})


def pay(client, gallery, answer=PAID):
    url = reverse("portal:pay_extras", args=[gallery.public_id])
    client.get(url)
    sent = client.post(url, answer)
    assert sent.status_code == 302, sent.content.decode()[:500]
    return client.get(urlsplit(sent["Location"]).path, follow=True)


def test_sending_a_selection_over_the_limit_asks_for_the_extras(signed_in, gallery):
    response = send(signed_in, gallery)

    assert response["Location"] == f"/portal/galleries/{gallery.public_id}/extras/"
    sent = Selection.objects.get(gallery=gallery)
    assert (sent.extras, sent.extras_price) == (2, Decimal("70.00"))
    page = html.unescape(signed_in.get(response["Location"]).content.decode())
    assert "Pay £70.00" in page
    assert "2 photos beyond the 2 your package includes, at £35.00 each" in page
    payment = Selection.objects.get(pk=sent.pk).payment
    assert payment.purpose == Payment.Purpose.EXTRAS and payment.total == Decimal("70.00")
    assert payment.client.email == "alice.byrne@byrne-cole.example"
    assert payment.status == PaymentStatus.INPUT  # the dummy provider's form is open


def test_paying_the_extras_sends_a_receipt_and_returns_to_the_gallery(signed_in, gallery):
    send(signed_in, gallery)
    mail.outbox.clear()

    back = pay(signed_in, gallery)

    assert back.redirect_chain[-1][0] == f"/portal/galleries/{gallery.public_id}/"
    assert "your payment of £70.00 is received" in back.content.decode()
    payment = Selection.objects.get(gallery=gallery).payment
    assert payment.status == PaymentStatus.CONFIRMED and payment.paid_at
    (receipt,) = mail.outbox
    assert receipt.to == ["alice.byrne@byrne-cole.example"]
    assert receipt.subject == "Receipt: £70.00 paid to Northlight Studio"
    assert "2 extra photos chosen in Byrne headshots" in receipt.body
    assert f"/portal/galleries/{gallery.public_id}/" in receipt.body
    assert "Byrne headshots" in receipt.alternatives[0][0]
    # Nothing more to pay: the page goes back to the gallery.
    again = signed_in.get(reverse("portal:pay_extras", args=[gallery.public_id]))
    assert again["Location"] == f"/portal/galleries/{gallery.public_id}/"


def test_leaving_the_payment_and_coming_back_reuses_it(signed_in, gallery):
    send(signed_in, gallery)
    url = reverse("portal:pay_extras", args=[gallery.public_id])

    signed_in.get(url)
    signed_in.get(url)

    assert Payment.objects.count() == 1


def test_a_selection_within_the_package_asks_for_nothing(signed_in, gallery):
    for favourite in Favourite.objects.filter(gallery=gallery).order_by("-photo__order")[:2]:
        favourite.delete()

    response = send(signed_in, gallery)

    assert response["Location"] == f"/portal/galleries/{gallery.public_id}/"
    assert not Payment.objects.exists()


def test_someone_else_gets_404_for_the_extras_page(client, gallery):
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    selection.submit_selection(gallery)
    client.force_login(bob.user)

    assert client.get(reverse("portal:pay_extras", args=[gallery.public_id])).status_code == 404
    assert client.post(reverse("portal:pay_extras", args=[gallery.public_id]), PAID).status_code == 404
    assert not Payment.objects.exists()


def test_the_photographer_sees_paid_and_unpaid_extras(client, signed_in, alice, gallery):
    send(signed_in, gallery)
    pay(signed_in, gallery)
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    bobs = make_ready_gallery(bob, photos=3, limit=1, price_per_extra=Decimal("20.00"), title="Mensah portraits")
    for photo in bobs.photos.all():
        Favourite.objects.create(photo=photo, gallery=bobs)
    selection.submit_selection(bobs)
    photographer = get_user_model().objects.create_superuser("sam", "sam.okafor@example.com", "pw-for-tests-only")
    client.force_login(photographer)

    everything = client.get("/admin/galleries/selection/").content.decode()
    unpaid = client.get("/admin/galleries/selection/?extras=unpaid").content.decode()
    paid = client.get("/admin/galleries/selection/?extras=paid").content.decode()

    assert "Byrne headshots" in everything and "Mensah portraits" in everything
    assert "Mensah portraits" in unpaid and "Byrne headshots" not in unpaid and ">Unpaid<" in unpaid
    assert "Byrne headshots" in paid and "Mensah portraits" not in paid and ">Paid<" in paid
    byrne = Selection.objects.get(gallery=gallery)
    change = client.get(f"/admin/galleries/selection/{byrne.pk}/change/").content.decode()
    assert f"/admin/bookings/payment/{byrne.payment_id}/change/" in change
    payment_page = client.get(f"/admin/bookings/payment/{byrne.payment_id}/change/")
    assert payment_page.status_code == 200 and "70.00" in payment_page.content.decode()
