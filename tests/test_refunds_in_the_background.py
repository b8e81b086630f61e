"""A refund is asked of the payment provider by a Celery task once the decline or cancellation that
causes it is saved: never inside the photographer's or the client's request, so neither waits on the
provider nor loses their change when it is slow or refuses. Each refund is sent once, however often
its task runs; one whose task was lost is sent by the sweep; one the provider refuses is paid back by
hand, and both the client and the studio are told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from payments import PaymentStatus

from bookings import deposits, links, services
from bookings.models import Booking, DepositStatus, Refund
from tests.factories import make_deposit_studio
from tests.test_deposits import pay, request_a_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def studio():
    return make_deposit_studio()


PRIYA = {"name": "Priya Raman-Oyelaran", "email": "priya.raman-oyelaran@example.org"}


@pytest.fixture
def paid(client, studio, django_capture_on_commit_callbacks) -> Booking:
    with django_capture_on_commit_callbacks(execute=True):
        booking, _ = request_a_session(client, studio, **PRIYA)
        pay(client, booking)
    mail.outbox.clear()
    return booking


def subjects() -> list[str]:
    return [m.subject for m in mail.outbox]


def test_declining_saves_at_once_and_the_provider_is_asked_only_after(paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        services.decline_booking(paid, reason="I'm away that week, sorry.")

        refund = Refund.objects.get()
        assert (refund.status, refund.amount) == (Refund.Status.PENDING, Decimal("60.00"))
        assert refund.payment.captured_amount == Decimal("60.00")  # nothing asked of the provider yet
    paid.refresh_from_db()
    assert paid.status == Booking.Status.DECLINED and paid.deposit_status == DepositStatus.REFUNDED

    with django_capture_on_commit_callbacks(execute=True):
        for callback in after_commit:
            callback()

    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED
    assert refund.payment.status == PaymentStatus.REFUNDED and refund.payment.captured_amount == 0
    assert f"Your deposit is being refunded ({paid.reference})" in subjects()


def test_a_refund_is_sent_once_however_often_its_task_runs(paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.decline_booking(paid, reason="Fully booked that day.")
    refund = Refund.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        assert deposits.send_refund(refund.pk) is True
        assert deposits.send_refund(refund.pk) is False

    refund.payment.refresh_from_db()
    assert refund.payment.captured_amount == 0  # given back once, not twice
    assert len([s for s in subjects() if s.startswith("Your deposit is being refunded")]) == 1


def test_a_refund_whose_task_was_lost_is_sent_by_the_sweep_and_one_left_sending_is_not(
    paid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: the task never ran
        services.decline_booking(paid, reason="Fully booked that day.")
    refund = Refund.objects.get()
    assert deposits.send_waiting_refunds() == 0  # too fresh: its own task may still come

    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert deposits.send_waiting_refunds() == 1

    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED
    # A worker that died mid-call leaves it sending: only the provider's records can tell, so it is
    # never asked again by itself.
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SENDING)
    assert deposits.send_waiting_refunds() == 0


def test_the_photographer_is_told_to_check_the_provider_for_a_refund_left_sending(
    client, paid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.decline_booking(paid, reason="Fully booked that day.")
    refund = Refund.objects.get()
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SENDING)  # its worker died mid-call
    photographer = get_user_model().objects.create_superuser("sam", "sam.okafor@example.com", "pw-for-tests-only")
    client.force_login(photographer)

    for page in (
        "/admin/bookings/refund/",
        f"/admin/bookings/refund/{refund.pk}/change/",
        f"/admin/bookings/payment/{refund.payment_id}/change/",
    ):
        html = client.get(page).content.decode()
        assert "Sent to the provider, no answer recorded" in html
        assert "Look for this refund in the provider&#x27;s dashboard" in html, page


def test_a_refund_the_provider_refuses_is_paid_back_by_hand_and_both_sides_are_told(
    paid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.decline_booking(paid, reason="Fully booked that day.")
    refund = Refund.objects.get()
    # Meanwhile the photographer refunded part of it in the provider's own dashboard.
    refund.payment.captured_amount = Decimal("20.00")
    refund.payment.save(update_fields=["captured_amount"])

    with django_capture_on_commit_callbacks(execute=True):
        assert deposits.send_refund(refund.pk) is True

    refund.refresh_from_db()
    assert refund.status == Refund.Status.BY_HAND
    assert refund.reason.startswith("the photographer declined the booking; the provider refused: ")
    (to_client,) = [m for m in mail.outbox if m.to == [PRIYA["email"]]]
    assert "We'll pay back your deposit of £60.00 the way you paid it" in to_client.body
    (to_studio,) = [m for m in mail.outbox if m.subject.startswith("Refund to pay back by hand")]
    assert to_studio.subject == "Refund to pay back by hand: Priya Raman-Oyelaran, £60.00"
    assert "the provider refused" in to_studio.body and "Check the provider's dashboard first" in to_studio.body
    assert to_studio.reply_to == [PRIYA["email"]]


def test_the_studio_reads_a_client_name_with_an_apostrophe_as_written_in_a_refused_refund_subject(
    paid, django_capture_on_commit_callbacks
):
    paid.client.name = "Siobhán O'Connor-Raman"
    paid.client.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=False):
        services.decline_booking(paid, reason="Fully booked that day.")
    refund = Refund.objects.get()
    refund.payment.captured_amount = Decimal("20.00")  # less than asked: the provider refuses
    refund.payment.save(update_fields=["captured_amount"])

    with django_capture_on_commit_callbacks(execute=True):
        deposits.send_refund(refund.pk)

    assert "Refund to pay back by hand: Siobhán O'Connor-Raman, £60.00" in subjects()


def test_a_client_cancelling_in_time_is_answered_before_the_provider_is_asked(
    client, paid, django_capture_on_commit_callbacks
):
    services.confirm_booking(paid)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = client.post(f"/bookings/{links.manage_token(paid)}/cancel/", {"reason": "My flight moved."})

    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CANCELLED and Refund.objects.get().status == Refund.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        for callback in after_commit:
            callback()
    assert Refund.objects.get().status == Refund.Status.REFUNDED
    assert f"Your deposit is being refunded ({paid.reference})" in subjects()
