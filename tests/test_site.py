import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bookings.models import StudioProfile

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_studio(client, settings):
    settings.STUDIO_NAME = "Lumen & Co"

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>Lumen &amp; Co[^<]*</title>", html)
    assert 'name="viewport"' in html


def test_pages_load_front_end_libraries_from_the_site_not_a_cdn(client):
    html = client.get("/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert "/static/vendor/bootstrap/bootstrap.min.css" in sources
    assert all(s.startswith("/static/") for s in sources), sources


def test_home_page_shows_the_profile_once_seeded(client, capsys, settings):
    settings.DEBUG = True  # demo data loads on a development machine only
    call_command("seed_demo")

    html = client.get("/").content.decode()

    assert StudioProfile.load().tagline in html


def test_seed_demo_prints_an_admin_sign_in_that_works(client, capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")

    out = capsys.readouterr().out
    username, password = re.search(r"username: (\S+)\s+password: (\S+)", out).groups()
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.context["user"].is_superuser


def test_seed_demo_can_run_again_without_duplicating(capsys, settings):
    settings.DEBUG = True
    from bookings.models import Booking, SessionType
    from galleries.models import Gallery, Photo

    models = (get_user_model(), StudioProfile, SessionType, Booking, Gallery, Photo)
    call_command("seed_demo")
    first = {m.__name__: m.objects.count() for m in models}
    call_command("seed_demo")

    assert {m.__name__: m.objects.count() for m in models} == first
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
    assert first["Photo"] == 12 and Photo.objects.filter(state="done").count() == 12


def test_unknown_pages_are_a_plain_404(client):
    assert client.get("/no-such-page/").status_code == 404


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
