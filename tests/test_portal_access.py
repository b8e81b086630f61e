"""Only a gallery's client (and the studio) reach it, its photos, files, zips and comments. Everyone
else gets 404 whatever the address; someone signed out is sent to sign in. Every URL of the portal
must have a case here: adding one without it fails the last test."""

import secrets
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.utils import timezone

from galleries import urls as portal_urls
from galleries.models import Comment, CropOption, CropOrder, Favourite, FinishedCrop, Gallery, Photo, ZipArchive
from tests.factories import make_ready_gallery, make_user_client

pytestmark = pytest.mark.django_db

# name -> (method, what the URL needs): "gallery", "photo", "zip" or "crop".
PRIVATE = {
    "gallery": ("get", "gallery"),
    "tiles": ("get", "gallery"),
    "review": ("get", "gallery"),
    "submit": ("post", "gallery"),
    "pay_extras": ("get", "gallery"),
    "compare": ("get", "gallery"),  # without frames named: back to the gallery, with a message
    "photo": ("get", "photo"),
    "similar": ("get", "photo"),
    "proof": ("get", "photo"),
    "favourite": ("post", "photo"),
    "comment": ("post", "photo"),
    "download": ("get", "photo"),
    "web": ("get", "photo"),
    "orders": ("get", "photo"),
    "crop_download": ("get", "crop"),
    "request_zip": ("post", "gallery"),
    "zip": ("get", "zip"),
    "zip_download": ("get", "zip"),
}
# Pages about no one gallery: checked in test_portal.py (sign-in) and below (dashboard).
NOT_OBJECT_PAGES = {"dashboard", "sign_in", "link", "sign_out", "forget_me"}
# A team day's coordinator pages, reached by the day's own link: checked below.
TEAM_DAY_PAGES = {"team_photos", "team_summary"}


@pytest.fixture
def world(db):
    alice = make_user_client("Alice Byrne", "alice@example.com")
    bob = make_user_client("Bob Mensah", "bob@example.com")
    alices = make_ready_gallery(alice, status=Gallery.Status.DELIVERED)
    bobs = make_ready_gallery(bob)
    Photo.objects.filter(gallery=alices).update(delivered=True)
    photo = alices.photos.first()
    Favourite.objects.create(photo=photo, gallery=alices)
    Comment.objects.create(photo=photo, author=alice.user, text="Softer background, please")
    archive = ZipArchive.objects.create(
        gallery=alices, state="ready", expires_at=timezone.now() + timedelta(days=1), files_total=3
    )
    archive.file.save("x.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    staff = get_user_model().objects.create_user("sam", "sam@example.com", "pw", is_staff=True)
    crop = delivered_crop(alices, photo)  # a crop she ordered of it, cut from its edited final
    return {
        "alice": alice, "bob": bob, "alices": alices, "bobs": bobs, "photo": photo, "zip": archive, "staff": staff,
        "crop": crop,
    }  # fmt: skip


def delivered_crop(gallery: Gallery, photo: Photo) -> FinishedCrop:
    """A crop ordered of `photo`, cut from its edited final (another photo of the gallery)."""
    linkedin = CropOption.objects.get_or_create(name="LinkedIn 1:1", ratio_width=1, ratio_height=1)[0]
    order = CropOrder.objects.create(photo=photo, option=linkedin, left=0.2, top=0, width=2 / 3, height=1)
    final = gallery.photos.exclude(pk=photo.pk).first()
    Photo.objects.filter(pk=final.pk).update(is_final=True, final_of=photo)
    crop = FinishedCrop(order=order, final=final, file_name="DSC_0001 - LinkedIn 1-1.jpg", state="done")
    crop.file.save("c.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
    crop.web.save("c-web.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
    crop.save()
    return crop


def url_for(name: str, gallery: Gallery, photo: Photo | None = None, archive=None, crop=None) -> str:
    needs = PRIVATE[name][1]
    args = [gallery.public_id] + ([photo.key] if needs == "photo" else []) + ([archive.key] if needs == "zip" else [])
    args += [crop.pk] if needs == "crop" else []
    return reverse(f"portal:{name}", args=args)


def fetch(client, name: str, url: str):
    method = PRIVATE[name][0]
    data = {"chosen": "1", "text": "hello"} if method == "post" else None
    return getattr(client, method)(url, data) if data else getattr(client, method)(url)


@pytest.mark.parametrize("name", sorted(PRIVATE))
def test_alice_reaches_her_own(client, world, name):
    client.force_login(world["alice"].user)

    response = fetch(client, name, url_for(name, world["alices"], world["photo"], world["zip"], world["crop"]))

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert "/login/" not in response["Location"]


@pytest.mark.parametrize("name", sorted(PRIVATE))
def test_the_studio_reaches_every_gallery(client, world, name):
    client.force_login(world["staff"])

    response = fetch(client, name, url_for(name, world["alices"], world["photo"], world["zip"], world["crop"]))

    assert response.status_code in (200, 302)


@pytest.mark.parametrize("name", sorted(PRIVATE))
def test_bob_gets_404_for_everything_of_alices(client, world, name):
    client.force_login(world["bob"].user)

    response = fetch(client, name, url_for(name, world["alices"], world["photo"], world["zip"], world["crop"]))

    assert response.status_code == 404
    assert b"Softer background" not in response.content


@pytest.mark.parametrize("name", sorted(PRIVATE))
def test_someone_signed_out_is_sent_to_sign_in(client, world, name):
    response = fetch(client, name, url_for(name, world["alices"], world["photo"], world["zip"], world["crop"]))

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=")


@pytest.mark.parametrize("name", sorted(PRIVATE))
def test_altered_ids_are_404_even_for_alice(client, world, name):
    client.force_login(world["alice"].user)
    alices, bobs, photo, archive = world["alices"], world["bobs"], world["photo"], world["zip"]
    fake_gallery = Gallery(public_id=secrets.token_urlsafe(16))
    fake_photo = Photo(key=secrets.token_hex(16))
    fake_zip = ZipArchive(key=secrets.token_hex(16))

    attempts = [url_for(name, fake_gallery, photo, archive, world["crop"])]
    if PRIVATE[name][1] == "photo":
        attempts += [url_for(name, alices, fake_photo), url_for(name, bobs, bobs.photos.first())]
        attempts += [url_for(name, bobs, photo)]  # her photo under someone else's gallery
    if PRIVATE[name][1] == "zip":
        attempts += [url_for(name, alices, archive=fake_zip), url_for(name, bobs, archive=archive)]
    if PRIVATE[name][1] == "crop":
        attempts = [url_for(name, fake_gallery, crop=world["crop"]), url_for(name, bobs, crop=world["crop"])]
        attempts += [url_for(name, alices, crop=FinishedCrop(pk=world["crop"].pk + 1000))]
    for url in attempts:
        assert fetch(client, name, url).status_code == 404, url


def test_a_gallery_not_yet_published_is_404_for_its_own_client(client, world):
    client.force_login(world["alice"].user)
    draft = make_ready_gallery(world["alice"], status=Gallery.Status.PROCESSING)

    assert client.get(reverse("portal:gallery", args=[draft.public_id])).status_code == 404


def test_originals_proofs_and_zips_are_never_under_the_public_media_address(world, settings):
    from pathlib import Path

    for f in (world["photo"].original, world["photo"].proof, world["zip"].file):
        assert Path(f.path).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
        with pytest.raises(ValueError):
            f.url  # noqa: B018


def test_the_dashboard_shows_only_the_signed_in_clients_galleries(client, world):
    client.force_login(world["bob"].user)

    html = client.get("/portal/").content.decode()

    assert world["bobs"].public_id in html
    assert world["alices"].public_id not in html


def test_public_ids_and_keys_carry_128_random_bits(world):
    gallery, photo = world["alices"], world["photo"]

    assert len(gallery.public_id) >= 22 and len(photo.key) == 32  # 16 bytes of urlsafe base64 / hex
    assert f"/{gallery.pk}/" not in reverse("portal:gallery", args=[gallery.public_id])  # no sequential id


def test_every_portal_url_has_an_access_case():
    names = {p.name for p in get_resolver(portal_urls).url_patterns}

    assert names == set(PRIVATE) | NOT_OBJECT_PAGES | TEAM_DAY_PAGES, "add an access case for each new portal URL"


# --- team days: private links instead of sign-in ---
# name -> (method, whose token: "member" or "coordinator"). A forged token is a 404 for everyone,
# signed in or not, and one day's link never shows another day's people.
TEAM_PRIVATE = {
    "team_member": ("get", "member"),
    "team_coordinator": ("get", "coordinator"),
    "team_schedule_csv": ("get", "coordinator"),
    "team_schedule_ics": ("get", "coordinator"),
}


@pytest.fixture
def team_world(world):
    from bookings import team_days
    from tests.factories import make_session_type, make_team_day

    make_session_type(kind="headshot", slug="headshot")
    ours = make_team_day(company="Halden & Roe Architects")
    theirs = make_team_day(company="Okafor Dental", coordinator_email="amara@okafordental.example")
    (priya,) = team_days.invite_people(ours, [team_days.Person("Priya Raman", "priya.raman@haldenroe.example")]).added
    (lena,) = team_days.invite_people(theirs, [team_days.Person("Lena Fischer", "lena@okafordental.example")]).added
    return {"ours": ours, "theirs": theirs, "priya": priya, "lena": lena}


def team_url(name: str, day, member, token: str | None = None) -> str:
    kind = TEAM_PRIVATE[name][1]
    return reverse(name, args=[token or (member.token if kind == "member" else day.coordinator_token)])


@pytest.mark.parametrize("name", sorted(TEAM_PRIVATE))
def test_a_team_link_opens_its_own_page_for_anyone_holding_it(client, team_world, name):
    response = client.get(team_url(name, team_world["ours"], team_world["priya"]))

    assert response.status_code == 200
    assert b"Okafor Dental" not in response.content and b"Lena Fischer" not in response.content


@pytest.mark.parametrize("name", sorted(TEAM_PRIVATE))
@pytest.mark.parametrize("who", ["nobody", "alice", "staff"])
def test_a_forged_team_link_is_404_whoever_asks(client, world, team_world, name, who):
    if who != "nobody":
        client.force_login(world["alice"].user if who == "alice" else world["staff"])
    forged = secrets.token_urlsafe(24)

    response = getattr(client, TEAM_PRIVATE[name][0])(team_url(name, team_world["ours"], team_world["priya"], forged))

    assert response.status_code == 404


# --- a team day: each person's gallery is theirs alone; the coordinator's pages need the day's link ---


@pytest.fixture
def team_day(db):
    from tests.team_photos import member, published_day

    day, shoot = published_day()
    amara, bob = member(day, "Amara Okafor"), member(day, "Bob Mensah")
    return {
        "day": day,
        "amara": amara.team_gallery.gallery,
        "bobs": bob.team_gallery.gallery,
        "amara_user": amara.team_gallery.gallery.client.user,
    }


@pytest.mark.parametrize("name", sorted(PRIVATE))
def test_one_person_of_a_team_day_gets_404_for_everything_of_a_colleagues(client, team_day, name):
    bobs = team_day["bobs"]
    Photo.objects.filter(gallery=bobs).update(delivered=True)
    archive = ZipArchive.objects.create(gallery=bobs, state="ready", expires_at=timezone.now() + timedelta(days=1))
    client.force_login(team_day["amara_user"])

    crop = delivered_crop(bobs, bobs.photos.first())

    response = fetch(client, name, url_for(name, bobs, bobs.photos.first(), archive, crop))

    assert response.status_code == 404


def test_a_persons_link_is_not_their_days_coordinator_link_nor_the_other_way(client, team_world):
    ours, priya = team_world["ours"], team_world["priya"]

    assert client.get(reverse("team_coordinator", args=[priya.token])).status_code == 404
    assert client.get(reverse("team_member", args=[ours.coordinator_token])).status_code == 404


def test_every_team_url_has_an_access_case():
    from bookings import urls as booking_urls

    names = {p.name for p in get_resolver(booking_urls).url_patterns if p.name and p.name.startswith("team_")}

    assert names == set(TEAM_PRIVATE), "add an access case for each new team day URL"


@pytest.mark.parametrize("name", ["gallery", "tiles", "review", "photo", "favourite", "comment"])
def test_a_person_of_a_team_day_reaches_their_own_gallery(client, team_day, name):
    own = team_day["amara"]
    client.force_login(team_day["amara_user"])

    response = fetch(client, name, url_for(name, own, own.photos.first()))

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "/login/" not in response["Location"]


@pytest.mark.parametrize("name", sorted(TEAM_DAY_PAGES))
def test_the_coordinators_pages_need_the_days_own_link(client, team_day, name):
    day = team_day["day"]
    assert client.get(reverse(f"portal:{name}", args=[day.coordinator_token])).status_code == 200

    for forged in (secrets.token_urlsafe(32), day.coordinator_token[:-1], day.coordinator_token + "x", "x" * 500):
        assert client.get(reverse(f"portal:{name}", args=[forged])).status_code == 404, forged


def test_the_coordinator_sees_no_photo_unless_the_day_allows_it(client, team_day):
    day = team_day["day"]
    url = reverse("portal:team_photos", args=[day.coordinator_token])
    thumbs = {p.thumb.url for p in Photo.objects.filter(gallery__team_member_gallery__shoot__day=day)}

    hidden = client.get(url).content.decode()
    assert "Bob Mensah" in hidden and "<img" not in hidden and not any(t in hidden for t in thumbs)

    type(day).objects.filter(pk=day.pk).update(coordinator_sees_photos=True)
    shown = client.get(url).content.decode()
    assert all(t in shown for t in thumbs)
