"""The admin's front page is the studio's day: answering requests there, the one-row settings opening
straight to their form, and the pages only a developer needs kept out of the photographer's way."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from bookings import services
from bookings.models import Availability, Booking, StudioProfile
from galleries.models import GallerySettings
from tests.admin_pages import form_data
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam.carter@northlight.example", "pw-for-tests-only")
    client.force_login(user)
    open_every_day()
    make_session_type(kind="headshot", name="Business headshot", slug="headshot")
    return user


# --- the one-row settings ---


@pytest.mark.parametrize(
    "model",
    [pytest.param(Availability, id="availability"), pytest.param(GallerySettings, id="gallery settings")],
)
def test_a_one_row_settings_list_opens_the_rows_form(client, photographer, model):
    model.load().save()
    opts = model._meta

    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert response.status_code == 302
    assert response["Location"] == reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[1])
    assert client.get(response["Location"]).status_code == 200


def test_the_studio_profile_not_yet_saved_opens_the_form_to_write_it(client, photographer):
    assert not StudioProfile.objects.exists()

    response = client.get(reverse("admin:bookings_studioprofile_changelist"))

    assert response["Location"] == reverse("admin:bookings_studioprofile_add")
    form = client.get(response["Location"])
    assert form.status_code == 200
    assert 'name="tagline"' in form.content.decode()


def test_saving_a_one_row_setting_comes_back_to_its_form_with_the_message(client, photographer):
    profile = StudioProfile.objects.create(tagline="Portraits in natural light")
    url = reverse("admin:bookings_studioprofile_change", args=[profile.pk])
    data = form_data(client.get(url).content.decode()) | {"tagline": "Headshots and portraits in Leeds"}

    response = client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == url
    assert "was changed successfully" in response.content.decode()
    profile.refresh_from_db()
    assert profile.tagline == "Headshots and portraits in Leeds"


def test_the_one_row_settings_list_still_refuses_staff_without_permission(client, photographer):
    staff = get_user_model().objects.create_user("jo", "jo@northlight.example", "pw-for-tests-only", is_staff=True)
    client.force_login(staff)

    assert client.get(reverse("admin:bookings_availability_changelist")).status_code == 403


# --- answering requests from the front page ---


def waiting_request(**fields):
    fields.setdefault("name", "Priya Raman-Whitfield")
    fields.setdefault("email", "priya.raman@example.org")
    return make_booking(start=fields.pop("start", local(days=4, hour=11)), **fields)


def test_each_waiting_request_on_the_front_page_carries_confirm_and_decline(client, photographer):
    booking = waiting_request()

    html = client.get(reverse("admin:index")).content.decode()

    assert f'action="{reverse("admin:bookings_booking_confirm", args=[booking.pk])}"' in html
    assert reverse("admin:bookings_booking_decline", args=[booking.pk]) in html
    assert "csrfmiddlewaretoken" in html
    assert "Priya Raman-Whitfield" in html and "Business headshot" in html


def test_confirming_from_the_front_page_confirms_and_emails_the_client(client, photographer):
    booking = waiting_request()
    mail.outbox.clear()

    response = client.post(
        reverse("admin:bookings_booking_confirm", args=[booking.pk]), {"next": "/admin/"}, follow=True
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [["priya.raman@example.org"]]
    assert mail.outbox[0].subject.startswith("Confirmed:")
    assert response.redirect_chain == [("/admin/", 302)]
    html = response.content.decode()
    assert f"{booking.reference} is confirmed: Priya Raman-Whitfield has been emailed." in html
    assert "Requests waiting for your answer (0)" in html


def test_declining_from_the_front_page_asks_for_the_reason_on_its_own_page_then_emails_it(client, photographer):
    booking = waiting_request()
    mail.outbox.clear()
    url = reverse("admin:bookings_booking_decline", args=[booking.pk])

    ask = client.get(url + "?next=/admin/")
    assert ask.status_code == 200
    page = ask.content.decode()
    assert "Reason (shown to the client)" in page and booking.reference in page
    assert not mail.outbox

    reason = "I'm away at a wedding that Saturday; could you try the week after?"
    response = client.post(url, {"reason": reason, "next": "/admin/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    booking.refresh_from_db()
    assert (booking.status, booking.decline_reason) == (Booking.Status.DECLINED, reason)
    assert len(mail.outbox) == 1 and "away at a wedding" in mail.outbox[0].body


def test_declining_without_a_reason_asks_again_and_changes_nothing(client, photographer):
    booking = waiting_request()
    mail.outbox.clear()

    response = client.post(reverse("admin:bookings_booking_decline", args=[booking.pk]), {"reason": "   "})

    assert response.status_code == 400
    assert "Write the reason" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert not mail.outbox


def test_opening_the_confirm_address_confirms_nothing_and_says_so(client, photographer):
    booking = waiting_request()
    mail.outbox.clear()

    response = client.get(reverse("admin:bookings_booking_confirm", args=[booking.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "confirms nothing" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert not mail.outbox


@pytest.mark.parametrize("answer", ["confirm", "decline"])
def test_answering_a_request_no_longer_waiting_says_so_and_changes_nothing(client, photographer, answer):
    booking = waiting_request()
    services.cancel_booking(booking, by_client=True)
    mail.outbox.clear()

    response = client.post(
        reverse(f"admin:bookings_booking_{answer}", args=[booking.pk]), {"reason": "Fully booked."}, follow=True
    )

    assert response.status_code == 200
    assert f"{booking.reference} (Priya Raman-Whitfield) is no longer waiting for an answer: it is cancelled" in (
        response.content.decode()
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not mail.outbox


def test_confirming_twice_from_two_tabs_confirms_once_and_emails_once(client, photographer):
    booking = waiting_request()
    url = reverse("admin:bookings_booking_confirm", args=[booking.pk])
    mail.outbox.clear()

    client.post(url)
    second = client.post(url, follow=True)

    assert len(mail.outbox) == 1
    assert "no longer waiting for an answer: it is confirmed" in second.content.decode()


def test_answering_returns_only_to_a_page_of_this_site(client, photographer):
    booking = waiting_request()

    response = client.post(
        reverse("admin:bookings_booking_confirm", args=[booking.pk]), {"next": "https://evil.example/admin/"}
    )

    assert response["Location"] == reverse("admin:index")


def test_answering_a_booking_that_does_not_exist_is_not_found(client, photographer):
    assert client.post(reverse("admin:bookings_booking_confirm", args=[987654])).status_code == 404
    assert client.get(reverse("admin:bookings_booking_decline", args=[987654])).status_code == 404


def test_staff_who_may_only_view_bookings_cannot_answer_them(client, photographer):
    booking = waiting_request()
    viewer = get_user_model().objects.create_user("jo", "jo@northlight.example", "pw-for-tests-only", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_booking"))
    client.force_login(viewer)

    assert client.post(reverse("admin:bookings_booking_confirm", args=[booking.pk])).status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


# --- pages for developers ---

DEVELOPER_PAGES = [
    "auth/group",
    "auth/user",
    "axes/accessattempt",
    "photostudio/failedtask",
    "photostudio/outgoingemail",
]


def test_the_developers_pages_are_in_their_own_section_at_the_bottom_of_the_front_page(client, photographer):
    html = client.get(reverse("admin:index")).content.decode()

    studio, developers = html.split('id="developers-heading"')
    for page in DEVELOPER_PAGES:
        assert f'href="/admin/{page}/"' not in studio, page
        assert f'href="/admin/{page}/"' in developers, page
    assert 'href="/admin/bookings/booking/"' in studio
    assert 'href="/admin/galleries/gallery/"' in studio


def test_staff_who_are_not_superusers_do_not_see_the_developers_pages(client, photographer):
    assistant = get_user_model().objects.create_user("jo", "jo@northlight.example", "pw-for-tests-only", is_staff=True)
    assistant.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_booking", "change_booking", "view_outgoingemail"])
    )
    client.force_login(assistant)

    html = client.get(reverse("admin:index")).content.decode()

    assert "For developers" not in html
    assert 'href="/admin/photostudio/outgoingemail/"' not in html
    assert 'href="/admin/bookings/booking/"' in html


def test_the_sidebar_of_every_page_puts_the_developers_pages_last_and_only_for_superusers(client, photographer):
    html = client.get(reverse("admin:bookings_client_changelist")).content.decode()
    sidebar = html.split('id="nav-sidebar"')[1].split("</nav>")[0]
    studio, developers = sidebar.split("For developers")
    assert 'href="/admin/bookings/booking/"' in studio
    assert 'href="/admin/photostudio/failedtask/"' in developers and "failedtask" not in studio

    assistant = get_user_model().objects.create_user("jo", "jo@northlight.example", "pw-for-tests-only", is_staff=True)
    assistant.user_permissions.add(*Permission.objects.filter(codename__in=["view_client", "view_failedtask"]))
    client.force_login(assistant)
    sidebar = client.get(reverse("admin:bookings_client_changelist")).content.decode().split('id="nav-sidebar"')[1]
    assert "For developers" not in sidebar and "failedtask" not in sidebar.split("</nav>")[0]
