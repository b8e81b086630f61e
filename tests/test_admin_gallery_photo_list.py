"""A big shoot in the admin: the gallery's page lists 30 of its photos (those that failed or still
wait first) and links to the photo list, which is paginated and runs the same queries at any size.
Removing a photo from the gallery's page still works."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from galleries.admin import INLINE_PHOTOS
from galleries.models import Gallery, Photo
from tests.admin_pages import form_data
from tests.factories import make_shoot, make_user_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam.okafor@northlight.example", "pw")
    client.force_login(user)
    return user


@pytest.fixture
def shoot(photographer) -> Gallery:
    """500 photos uploaded, three of which failed (the last ones of the shoot) and one still waiting."""
    gallery = make_shoot(make_user_client("Bob Mensah", "bob.mensah@mensah-architects.example"), 500)
    gallery.status = Gallery.Status.PROCESSING
    gallery.save()
    last = list(gallery.photos.order_by("-order")[:4])
    Photo.objects.filter(pk__in=[p.pk for p in last[:3]]).update(state=Photo.State.FAILED, error="Not an image")
    Photo.objects.filter(pk=last[3].pk).update(state=Photo.State.PENDING)
    return gallery


def change_page(client, gallery: Gallery) -> str:
    return client.get(reverse("admin:galleries_gallery_change", args=[gallery.pk])).content.decode()


def test_a_500_photo_gallerys_page_lists_30_with_the_failed_first_and_links_to_all(client, shoot):
    html = change_page(client, shoot)

    rows = re.findall(r'name="photos-(\d+)-id" value="(\d+)"', html)
    assert len(rows) == INLINE_PHOTOS
    assert 'name="photos-TOTAL_FORMS" value="30"' in html
    listed = [int(pk) for _, pk in rows]
    failed = list(shoot.photos.filter(state=Photo.State.FAILED).values_list("pk", flat=True))
    waiting = shoot.photos.get(state=Photo.State.PENDING).pk
    assert listed[:3] == sorted(failed, key=lambda pk: Photo.objects.get(pk=pk).order) and listed[3] == waiting
    assert html.count('loading="lazy"') <= INLINE_PHOTOS + 5
    link = reverse("admin:galleries_photo_changelist") + f"?gallery__id__exact={shoot.pk}"
    assert f'<a href="{link}">All 500 in the photo list</a>' in html
    assert "Listed here: 30 of the gallery's 500 photos" in html


def test_removing_a_listed_failed_photo_from_the_gallerys_page_still_works(client, shoot):
    html = change_page(client, shoot)
    data = form_data(html)
    first_failed = shoot.photos.filter(state=Photo.State.FAILED).order_by("order").first()
    index = re.search(rf'name="photos-(\d+)-id" value="{first_failed.pk}"', html)[1]
    data[f"photos-{index}-DELETE"] = "on"

    response = client.post(reverse("admin:galleries_gallery_change", args=[shoot.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Photo.objects.filter(pk=first_failed.pk).exists()
    assert shoot.photos.count() == 499


def test_a_small_gallery_lists_every_photo_without_the_note(client, photographer):
    gallery = make_shoot(make_user_client("Priya Raman", "priya.raman@example.org"), 12)

    html = change_page(client, gallery)

    assert len(re.findall(r'name="photos-\d+-id"', html)) == 12
    assert "Listed here" not in html


def test_the_photo_list_is_paginated_and_runs_the_same_queries_for_a_big_shoot(client, shoot):
    url = reverse("admin:galleries_photo_changelist") + f"?gallery__id__exact={shoot.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as big:
        html = client.get(url).content.decode()
    small = make_shoot(make_user_client("Priya Raman", "priya.raman@example.org"), 12)
    small_url = reverse("admin:galleries_photo_changelist") + f"?gallery__id__exact={small.pk}"
    client.get(small_url)
    with CaptureQueriesContext(connection) as few:
        client.get(small_url)

    assert html.count('class="action-select"') == 60
    assert "500 photos" in html
    assert len(big) == len(few)
