"""The admin's front page is the studio's day: answering requests there, the one-row settings opening
straight to their form, and the pages only a developer needs kept out of the photographer's way."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bookings.models import Availability, StudioProfile
from galleries.models import GallerySettings
from tests.admin_pages import form_data
from tests.factories import make_session_type, open_every_day

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
