"""Files in S3-compatible object storage (MEDIA_STORAGE=s3), against a real S3 API on loopback
(tests/s3_server.py: s3rver, which refuses a presigned address once it has expired, as S3 does).

The journey runs the web server as deployed (gunicorn behind deploy/nginx-site.conf) and a Celery
worker in processes of their own, each with empty media folders of its own (machines that share no
disk), on the same bucket, database and Redis database; the other tests point this process's
storages at the bucket."""

import hashlib
import http.client
import io
import os
import random
import re
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client as DjangoClient
from PIL import Image

from galleries import delivery, photos
from galleries.models import Gallery, Photo, ZipArchive
from photostudio import imaging
from photostudio.object_storage import origin_of, s3_storages
from photostudio.storage import private_storage, rendition_storage
from tests import s3_server
from tests.conftest import REQUIRE_SERVICES, ROOT, database_url_for_subprocess, start_celery_worker
from tests.factories import jpeg_bytes, make_gallery, make_user_client, processed_photo
from tests.helpers import closed_port, wait_until
from tests.loopback_deploy import (
    NGINX,
    forget_cached_studio_facts,
    procfile_command,
    stop_processes,
    write_nginx_config,
)

MB = 1024 * 1024


# --- the server, and buckets of each test's own ---


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[s3_server.S3Server]:
    try:
        server = s3_server.start(tmp_path_factory.mktemp("s3") / "objects")
    except s3_server.Unavailable as exc:
        pytest.fail(str(exc)) if REQUIRE_SERVICES else pytest.skip(str(exc))
    yield server
    server.stop()


@dataclass
class Buckets:
    server: s3_server.S3Server
    private: str
    public: str

    def objects(self) -> set[str]:
        """Every object in both buckets, as bucket/name."""
        return {f"{self.private}/{k}" for k in self.server.keys(self.private)} | {
            f"{self.public}/{k}" for k in self.server.keys(self.public)
        }

    def environment(self, *, lifetime: int = 300) -> dict[str, str]:
        return self.server.environment(lifetime=lifetime) | {"S3_BUCKET": self.private, "S3_PUBLIC_BUCKET": self.public}


@pytest.fixture
def buckets(s3: s3_server.S3Server) -> Buckets:
    """A private and a public bucket that no other test writes to."""
    run = uuid.uuid4().hex[:10]
    made = Buckets(s3, f"studio-{run}-private", f"studio-{run}-public")
    for name in (made.private, made.public):
        s3.client().create_bucket(Bucket=name)
    return made


@pytest.fixture
def in_s3(buckets: Buckets, settings, monkeypatch: pytest.MonkeyPatch) -> Buckets:
    """This process's storages on the test's buckets, as MEDIA_STORAGE=s3 sets them up. (A model's
    file field holds its storage from the start: each is pointed at its new one.)"""
    settings.STORAGES = settings.STORAGES | s3_storages(
        bucket=buckets.private, public_bucket=buckets.public, endpoint_url=buckets.server.url, region=s3_server.REGION,
        access_key=s3_server.ACCESS_KEY, secret_key=s3_server.SECRET_KEY,
    )  # fmt: skip
    settings.MEDIA_STORAGE, settings.S3_URL_LIFETIME = "s3", 300
    aliases = {private_storage: "private", rendition_storage: "renditions"}
    for model in apps.get_models():
        for field_ in model._meta.get_fields():
            if alias := aliases.get(getattr(field_, "_storage_callable", None)):
                monkeypatch.setattr(field_, "storage", storages[alias])
    return buckets


# --- HTTP, as a browser does it (redirects shown, not followed) ---


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Browser:
    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        parts = urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers |= {"X-CSRFToken": self.cookies.get("csrftoken", ""), "Referer": self.base + path}
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for value in reply.headers.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(value).items()})
        return reply

    def get(self, path: str, **headers) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict, **headers) -> Reply:
        body = urllib.parse.urlencode(form).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded", **headers})

    def upload(self, path: str, name: str, data: bytes) -> Reply:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{name}"\r\n'
                f"Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            "POST",
            path,
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"},
        )


def signed_in_browser(base: str, user) -> Browser:
    """A browser with the user's session (made here, in the shared database) and a CSRF cookie."""
    django_client = DjangoClient()
    django_client.force_login(user)
    browser = Browser(base, {settings.SESSION_COOKIE_NAME: django_client.cookies[settings.SESSION_COOKIE_NAME].value})
    browser.get("/portal/login/")  # a page with a form: sets the CSRF cookie
    return browser


def fetch(url: str) -> Reply:
    """A GET of an absolute address (the bucket's), as the browser follows a redirect to it."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return Reply(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read())


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


# --- the test server itself ---


def test_the_s3_server_refuses_a_presigned_address_once_it_has_expired(buckets):
    client = buckets.server.client()
    client.put_object(Bucket=buckets.private, Key="proofs/check/proof.jpg", Body=b"a proof")
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": buckets.private, "Key": "proofs/check/proof.jpg"}, ExpiresIn=1
    )

    assert fetch(url).body == b"a proof"
    time.sleep(2.2)
    refused = fetch(url)
    assert refused.status == 403 and b"Request has expired" in refused.body


# --- must show (3): web server and worker on machines that share no disk, one bucket ---


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_photos_uploaded_to_the_web_server_are_processed_by_a_worker_elsewhere_and_delivered_from_the_bucket(
    buckets, tmp_path
):
    # Two machines: the web server and the worker, each with its own empty media folders.
    web_folders = [tmp_path / "web" / "media", tmp_path / "web" / "private"]
    worker_folders = [tmp_path / "worker" / "media", tmp_path / "worker" / "private"]
    for folder in web_folders + worker_folders:
        folder.mkdir(parents=True)
    s3_env = buckets.environment()
    others = _pause_other_workers()  # the suite's own worker keeps its files on this machine's disk
    worker = start_celery_worker(tmp_path / "worker", env=s3_env)
    port = closed_port()
    web_log = (tmp_path / "web.log").open("w")
    web = _start_web_server(
        port, s3_env | {"MEDIA_ROOT": str(web_folders[0]), "PRIVATE_MEDIA_ROOT": str(web_folders[1])}, web_log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        sam = get_user_model().objects.create_superuser("sam.okafor", "sam@northlight.example", "pw-for-tests-only")
        photographer = signed_in_browser(base, sam)
        alice = make_user_client("Alice Byrne-Okonkwo", "alice.byrne-okonkwo@example.com")
        bob = make_user_client("Bob Mensah", "bob.mensah@example.org")
        shoot = make_gallery(alice, title="Headshots, November")
        bobs = make_gallery(bob, title="Team portraits")
        originals = {
            "IMG_20261120_0142.jpg": jpeg_bytes(size=(3000, 2000), seed=142),
            "2026-11-20 Alice Byrne-Okonkwo 0143.jpg": jpeg_bytes(size=(2000, 3000), seed=143),
            "IMG_20261120_0144.jpg": jpeg_bytes(size=(3000, 2000), seed=144),
        }

        # Upload, as the admin's page does: one photo per request, to the web server.
        for name, data in originals.items():
            reply = photographer.upload(f"/admin/galleries/gallery/{shoot.pk}/upload/", name, data)
            assert reply.status == 200, reply.body
        assert (
            photographer.upload(
                f"/admin/galleries/gallery/{bobs.pk}/upload/", "DSC_0001.jpg", jpeg_bytes(seed=1)
            ).status
            == 200
        )

        # Processed by the worker, which reads each original from the bucket and writes renditions back.
        for gallery in (shoot, bobs):
            progress = wait_until(
                lambda g=gallery: (
                    (p := _json(photographer.get(f"/admin/galleries/gallery/{g.pk}/progress/")))["finished"] and p
                ),
                timeout=120,
                every=0.3,
            )
            assert progress["failed"] == 0, worker.log.read_text()
            assert photographer.post(f"/admin/galleries/gallery/{gallery.pk}/publish/", {}).status == 302
        assert Gallery.objects.get(pk=shoot.pk).status == Gallery.Status.PROOFING

        # The client sees the proofs: thumbnails from the public bucket, at plain addresses the page
        # allows; the proof through the access-checked view, redirected to a presigned address.
        client = signed_in_browser(base, alice.user)
        page = client.get(f"/portal/galleries/{shoot.public_id}/")
        assert page.status == 200
        img_src = re.search(r"img-src ([^;]+)", page.headers["Content-Security-Policy"])[1].split()
        assert buckets.server.url in img_src
        thumbs = set(re.findall(rf'src="({re.escape(buckets.server.url)}/{buckets.public}/[^"]+)"', page.body.decode()))
        assert len(thumbs) == 3
        for url in thumbs:
            thumb = fetch(url.replace("&amp;", "&"))
            assert "X-Amz-Signature" not in url and thumb.status == 200
            assert Image.open(io.BytesIO(thumb.body)).format == "JPEG"
        mark = photos.current_watermark()
        for photo in Photo.objects.filter(gallery=shoot):
            redirect = client.get(f"/portal/galleries/{shoot.public_id}/photos/{photo.key}/proof.jpg")
            assert redirect.status == 302 and redirect.headers["Cache-Control"].startswith("private")
            assert redirect.headers["Location"].startswith(
                f"{buckets.server.url}/{buckets.private}/proofs/{photo.key}/"
            )
            proof = fetch(redirect.headers["Location"])
            assert proof.status == 200 and proof.headers["Content-Type"] == "image/jpeg"
            made_here = imaging.make_renditions(io.BytesIO(originals[photo.original_name]), watermark=mark).proof
            # The watermarked proof, as the pipeline makes it (pixel for pixel: the embedded colour
            # profile carries the time it was made).
            assert _pixels(proof.body) == _pixels(made_here)

        # She chooses two, sends her choice; the photographer delivers; she asks for the zip, which
        # the worker builds into the bucket; she downloads it.
        chosen = sorted(Photo.objects.filter(gallery=shoot).values_list("key", "original_name"))[:2]
        for key, _ in chosen:
            assert (
                client.post(f"/portal/galleries/{shoot.public_id}/photos/{key}/favourite/", {"chosen": "1"}).status
                == 302
            )
        assert client.post(f"/portal/galleries/{shoot.public_id}/submit/", {"confirm": "1", "note": ""}).status == 302
        assert photographer.post(f"/admin/galleries/gallery/{shoot.pk}/deliver/", {}).status == 302
        asked = client.post(f"/portal/galleries/{shoot.public_id}/zip/", {"size": "full"})
        assert asked.status == 302, asked.body
        ready = ZipArchive.objects.filter(gallery=shoot, state=ZipArchive.State.READY)
        archive = wait_until(lambda: ready.first(), timeout=120, every=0.3)
        redirect = client.get(f"/portal/galleries/{shoot.public_id}/zip/{archive.key}/download/")
        assert redirect.status == 302 and "X-Amz-Signature=" in redirect.headers["Location"]
        download = fetch(redirect.headers["Location"])
        assert download.headers["Content-Type"] == "application/zip"
        assert download.headers["Content-Disposition"].startswith('attachment; filename="Headshots, November')
        with zipfile.ZipFile(io.BytesIO(download.body)) as zf:
            assert zf.testzip() is None
            assert {n: zf.read(n) for n in zf.namelist()} == {name: originals[name] for _, name in chosen}
        full = fetch(
            client.get(f"/portal/galleries/{shoot.public_id}/photos/{chosen[0][0]}/download/").headers["Location"]
        )
        assert full.body == originals[chosen[0][1]]

        # Deleting Alice in the admin leaves no object of hers in either bucket; Bob's stay.
        alices = {
            key
            for key in buckets.objects()
            if shoot.public_id in key
            or archive.key in key
            or any(k in key for k in Photo.objects.filter(gallery=shoot).values_list("key", flat=True))
        }
        everything = buckets.objects()
        assert len(alices) >= 3 * 4 + 1  # originals, proofs, two thumbnails each, the zip
        assert photographer.post(f"/admin/bookings/client/{alice.pk}/delete/", {"post": "yes"}).status == 302
        assert not Gallery.objects.filter(pk=shoot.pk).exists()
        assert buckets.objects() == everything - alices
        assert any(str(bobs.public_id) in key for key in buckets.objects())

        # Neither machine ever kept a file on its own disk.
        assert files_under(*web_folders, *worker_folders) == []
    finally:
        web.stop()
        worker.stop()
        _resume(others)


# --- must show (4): a handed-out address, to whom, and for how long ---


@pytest.fixture
def delivered_shoot(in_s3, settings):
    """Alice's delivered gallery with its zip, every file in the test's buckets."""
    alice = make_user_client("Alice Byrne", "alice.byrne@example.com")
    gallery = make_gallery(alice, title="Headshots, November", status=Gallery.Status.DELIVERED, keep_location=True)
    photo = processed_photo(gallery, "IMG_20261120_0142.jpg", jpeg_bytes(size=(3000, 2000), seed=142))
    gallery.photos.update(delivered=True)
    archive = delivery.request_zip(gallery)
    delivery.build_zip(archive.pk)
    delivery.make_web_size(photo.pk)
    archive.refresh_from_db()
    photo.refresh_from_db()
    assert archive.state == ZipArchive.State.READY and photo.web
    return gallery, photo, archive


def _private_urls(gallery, photo, archive) -> list[str]:
    base = f"/portal/galleries/{gallery.public_id}"
    return [
        f"{base}/photos/{photo.key}/proof.jpg",
        f"{base}/photos/{photo.key}/download/",
        f"{base}/photos/{photo.key}/download/?size=web",
        f"{base}/photos/{photo.key}/web.jpg",
        f"{base}/zip/{archive.key}/download/",
    ]


@pytest.mark.django_db
def test_a_handed_out_proof_or_original_address_is_refused_once_it_expires(delivered_shoot, client, settings):
    gallery, photo, _ = delivered_shoot
    # Short, but not so short that a busy machine's first fetch comes too late: the address's
    # time is in whole seconds, so it works between 3 and 4 seconds.
    settings.S3_URL_LIFETIME = 4
    client.force_login(gallery.client.user)
    base = f"/portal/galleries/{gallery.public_id}/photos/{photo.key}"
    wanted = {
        "proof": (f"{base}/proof.jpg", photo.proof, None),
        "original": (f"{base}/download/", photo.original, 'attachment; filename="IMG_20261120_0142.jpg"'),
    }
    handed_out = {}

    for what, (path, stored, disposition) in wanted.items():
        url = handed_out[what] = client.get(path)["Location"]
        served = fetch(url)  # at once, as the browser follows the redirect
        assert "X-Amz-Expires=4&" in url, what
        assert served.status == 200, what
        assert served.headers["Content-Type"] == "image/jpeg", what
        assert served.headers["Content-Disposition"] == disposition, what
        assert served.body == stored.storage.open(stored.name).read(), what
    time.sleep(5)
    for what, url in handed_out.items():
        refused = fetch(url)
        assert refused.status == 403 and b"Request has expired" in refused.body, what


@pytest.mark.django_db
def test_only_the_gallery_s_client_and_staff_are_handed_a_presigned_address(delivered_shoot, client):
    gallery, photo, archive = delivered_shoot
    bob = make_user_client("Bob Mensah", "bob.mensah@example.org")
    staff = get_user_model().objects.create_user("sam.okafor", "sam@northlight.example", "pw", is_staff=True)
    bucket = f"{in_s3_url(gallery)}/"

    for url in _private_urls(gallery, photo, archive):
        for who in (gallery.client.user, staff):
            client.force_login(who)
            handed = client.get(url)
            assert handed.status_code == 302 and handed["Location"].startswith(bucket), (url, who)
            assert fetch(handed["Location"]).status == 200, url
        client.force_login(bob.user)
        refused = client.get(url)
        assert refused.status_code == 404 and "Location" not in refused, url
        client.logout()
        refused = client.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith("/portal/login/"), url


def in_s3_url(gallery) -> str:
    """The private bucket's address, as presigned addresses start."""
    storage = Photo.original.field.storage
    return f"{storage.endpoint_url}/{storage.bucket_name}"


@pytest.mark.django_db
def test_sending_an_original_that_records_no_location_fetches_only_its_start_from_the_bucket(in_s3, client):
    alice = make_user_client("Alice Byrne", "alice.byrne@example.com")
    gallery = make_gallery(alice, status=Gallery.Status.DELIVERED)
    noise = random.Random(142).randbytes(3000 * 2000 * 3)  # grain: a JPEG of several megabytes
    out = io.BytesIO()
    Image.frombytes("RGB", (3000, 2000), noise).save(out, "JPEG", quality=92)
    photo = processed_photo(gallery, "IMG_20261120_0142.jpg", out.getvalue())
    Photo.objects.filter(pk=photo.pk).update(delivered=True)
    fetched = []  # the size of each object (or part of one) read from the bucket
    s3 = Photo.original.field.storage.connection.meta.client
    s3.meta.events.register("after-call.s3.GetObject", lambda parsed, **_: fetched.append(parsed["ContentLength"]))
    client.force_login(alice.user)

    reply = client.get(f"/portal/galleries/{gallery.public_id}/photos/{photo.key}/download/")

    assert reply.status_code == 302 and fetch(reply["Location"]).body == out.getvalue()
    assert len(out.getvalue()) > 4 * MB and 0 < sum(fetched) <= 256 * 1024, fetched


@pytest.mark.django_db
def test_a_session_type_s_example_photo_is_a_public_file_in_the_bucket_shown_at_its_own_address(in_s3, client):
    from bookings import services
    from bookings.models import SessionTypePhoto
    from tests.factories import make_session_type

    session = make_session_type(kind="headshot", slug="headshot")
    photo = SessionTypePhoto.objects.create(
        session_type=session, alt="A headshot on grey",
        original=ContentFile(jpeg_bytes(size=(1600, 2000), seed=7), name="IMG_20261120_0007.jpg"),
    )  # fmt: skip
    services.prepare_example_photo(photo.pk)
    photo.refresh_from_db()

    html = client.get("/sessions/headshot/").content.decode()

    url = f"{in_s3.server.url}/{in_s3.public}/public/{photo.image.name}"
    assert f'src="{url}"' in html and f'<meta property="og:image" content="{url}">' in html
    assert fetch(url).status == 200  # plain, unsigned
    assert photo.original.name in in_s3.server.keys(in_s3.private)


@pytest.mark.django_db
def test_forgetting_a_client_deletes_files_of_theirs_that_no_row_names_any_more(in_s3):
    from photostudio.privacy import forget_client

    alice = make_user_client("Alice Byrne", "alice.byrne@example.com")
    bob = make_user_client("Bob Mensah", "bob.mensah@example.org")
    hers = processed_photo(make_gallery(alice), "IMG_20261120_0142.jpg", jpeg_bytes(seed=142))
    his = processed_photo(make_gallery(bob), "IMG_20261120_0142.jpg", jpeg_bytes(seed=142))
    bucket = in_s3.server.client()
    # What a job wrote before it stopped, never recorded: a copy for download, an earlier proof.
    strays = [f"downloads/{hers.gallery.public_id}/4f1c9a.jpg", f"proofs/{hers.key}/proof-0123456789abcdef.jpg"]
    for name in strays:
        bucket.put_object(Bucket=in_s3.private, Key=name, Body=b"\xff\xd8 a stray file")
    before = in_s3.objects()

    forget_client(alice)

    left = in_s3.objects()
    assert not [name for name in left if hers.gallery.public_id in name or hers.key in name]
    assert left == {name for name in before if hers.gallery.public_id not in name and hers.key not in name}
    assert [name for name in left if his.key in name]  # Bob's proof and thumbnails stay


# --- memory: an upload and a zip stream, never whole in memory ---


@pytest.mark.django_db
def test_a_30_mb_upload_goes_to_the_bucket_without_ever_being_whole_in_memory(in_s3, client, tmp_path):
    staff = get_user_model().objects.create_superuser("sam.okafor", "sam@northlight.example", "pw")
    client.force_login(staff)
    gallery = make_gallery(make_user_client("Alice Byrne", "alice.byrne@example.com"))
    data = os.urandom(30 * MB)
    boundary = uuid.uuid4().hex
    body = tmp_path / "request-body"
    body.write_bytes(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_20261120_0142.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    digest = hashlib.sha256(data).hexdigest()
    del data

    Photo.original.field.storage.exists("warm-up")  # boto3's client, made once per process, is not the upload
    with body.open("rb") as stream:  # the request body arrives as a stream, as from a socket
        tracemalloc.start()
        try:
            response = client.generic(
                "POST", f"/admin/galleries/gallery/{gallery.pk}/upload/",
                headers={"Accept": "application/json"},
                **{"wsgi.input": stream, "CONTENT_LENGTH": str(body.stat().st_size),
                   "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}"},
            )  # fmt: skip
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert response.status_code == 200, response.content
    photo = Photo.objects.get(gallery=gallery)
    stored = in_s3.server.client().get_object(Bucket=in_s3.private, Key=photo.original.name)["Body"].read()
    assert len(stored) == 30 * MB and hashlib.sha256(stored).hexdigest() == digest == photo.content_hash
    assert peak < 15 * MB, f"peak {peak / MB:.1f} MB for a 30 MB upload"  # measured: 11.6 (an 8 MB part at a time)


@pytest.mark.django_db
def test_a_zip_of_48_mb_of_photos_is_written_into_the_bucket_as_it_is_made(in_s3):
    gallery = make_gallery(make_user_client("Alice Byrne", "alice.byrne@example.com"), keep_location=True,
                           status=Gallery.Status.DELIVERED)  # fmt: skip
    originals = {f"IMG_20261120_{n:04d}.jpg": os.urandom(6 * MB) for n in range(140, 148)}
    for name, data in originals.items():
        photo = Photo(gallery=gallery, original_name=name, content_hash=hashlib.sha256(data).hexdigest(),
                      state=Photo.State.DONE, delivered=True)  # fmt: skip
        photo.original.save(name, ContentFile(data), save=False)
        photo.save()
    archive = ZipArchive.objects.create(gallery=gallery, expires_at=gallery.created_at + delivery.ZIP_LIFETIME)

    ZipArchive.file.field.storage.exists("warm-up")  # boto3's client, made once per process, is not the zip
    tracemalloc.start()
    try:
        assert delivery.build_zip(archive.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    archive.refresh_from_db()
    stored = in_s3.server.client().get_object(Bucket=in_s3.private, Key=archive.file.name)["Body"].read()
    assert len(stored) == archive.size_bytes > 48 * MB
    with zipfile.ZipFile(io.BytesIO(stored)) as zf:
        assert zf.testzip() is None
        assert {n: zf.read(n) for n in zf.namelist()} == originals
    assert peak < 24 * MB, f"peak {peak / MB:.1f} MB for a {archive.size_bytes / MB:.0f} MB zip"  # measured: 12.9


@pytest.mark.django_db
def test_a_zip_whose_build_fails_half_way_leaves_nothing_in_the_bucket(in_s3):
    gallery = make_gallery(make_user_client("Alice Byrne", "alice.byrne@example.com"), keep_location=True,
                           status=Gallery.Status.DELIVERED)  # fmt: skip
    for n in range(140, 143):
        data = os.urandom(5 * MB)
        photo = Photo(gallery=gallery, original_name=f"IMG_20261120_{n:04d}.jpg", state=Photo.State.DONE,
                      content_hash=hashlib.sha256(data).hexdigest(), delivered=True)  # fmt: skip
        photo.original.save(photo.original_name, ContentFile(data), save=False)
        photo.save()
    last = gallery.photos.order_by("original_name").last()
    in_s3.server.client().delete_object(Bucket=in_s3.private, Key=last.original.name)  # gone from the bucket
    archive = ZipArchive.objects.create(gallery=gallery, expires_at=gallery.created_at + delivery.ZIP_LIFETIME)

    with pytest.raises(FileNotFoundError):
        delivery.build_zip(archive.pk)  # after two photos: 10 MB of it already sent in a part

    assert not [name for name in in_s3.objects() if "/zips/" in name]
    archive.refresh_from_db()
    assert (archive.state, archive.file.name) == (ZipArchive.State.BUILDING, "")


# --- settings ---


def test_the_content_security_policy_allows_the_buckets_addresses_as_boto3_builds_them():
    on_aws = origin_of(bucket="northlight-private", endpoint_url=None, region="eu-west-2", addressing_style=None)
    assert on_aws.startswith("https://northlight-private.s3.") and on_aws.endswith(".amazonaws.com")
    local = origin_of(
        bucket="northlight-private", endpoint_url="http://127.0.0.1:9000", region=None, addressing_style=None
    )
    assert local == "http://127.0.0.1:9000"


# --- helpers of the journey ---


def _pixels(jpeg: bytes) -> tuple:
    with Image.open(io.BytesIO(jpeg)) as image:
        return image.size, hashlib.sha256(image.tobytes()).hexdigest()


def _json(reply: Reply) -> dict:
    import json

    assert reply.status == 200, reply.body[:500]
    return json.loads(reply.body)


@dataclass
class _WebServer:
    """The production stack on loopback: gunicorn as the Procfile starts it, behind
    deploy/nginx-site.conf, each in a process group of its own."""

    processes: list

    def stop(self) -> None:
        stop_processes(self.processes, patience=5)


def _start_web_server(port: int, env: dict, log) -> _WebServer:
    """The web server as deployed, answering on `port`: nginx in front, so uploads, redirects to the
    bucket and headers are tested as a client meets them. Its folders are the env's (left empty)."""
    if not os.path.exists(NGINX):
        problem = "needs nginx (apt-get install nginx-light)"
        pytest.fail(problem) if REQUIRE_SERVICES else pytest.skip(problem)
    folder = Path(log.name).parent / "stack"
    folder.mkdir()
    forget_cached_studio_facts(settings.REDIS_URL)
    app_port = closed_port()
    environment = {
        **os.environ,
        "HOME": str(folder),  # gunicorn's control socket goes under ~/.gunicorn: not the machine's
        "PORT": str(app_port),
        "WEB_WORKERS": "2",
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,  # sessions signed in here are signed with it
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PROTECTED_MEDIA_PREFIX": "/protected/",
        "TRUSTED_PROXY_COUNT": "1",
        **env,
    }
    web = procfile_command("web").replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    server = _WebServer([])
    server.processes.append(
        subprocess.Popen(
            ["/bin/sh", "-c", f"exec {web}"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    )
    config = write_nginx_config(
        folder, media=Path(env["MEDIA_ROOT"]), private=Path(env["PRIVATE_MEDIA_ROOT"]), app_port=app_port, port=port,
        server_name="studio.test",
    )  # fmt: skip
    server.processes.append(
        subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    )
    wait_until(lambda: _answers(port) or any(p.poll() is not None for p in server.processes), timeout=30, every=0.2)
    if any(p.poll() is not None for p in server.processes):
        server.stop()
        pytest.fail(Path(log.name).read_text())
    return server


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1):
            return True
    except OSError:
        return False


def _pause_other_workers() -> list[str]:
    """Workers already on this Redis database (the suite's shared one) stop taking tasks from the
    queues for the journey, which a worker with its files elsewhere must not take."""
    from photostudio.celery import app

    names = [name for reply in app.control.ping(timeout=0.5) or [] for name in reply]
    for name in names:
        for queue in ("default", "email", "images"):
            app.control.cancel_consumer(queue, destination=[name], reply=True)
    return names


def _resume(names: list[str]) -> None:
    from photostudio.celery import app

    for name in names:
        for queue in ("default", "email", "images"):
            app.control.add_consumer(queue, destination=[name], reply=True)


@pytest.mark.django_db
def test_healthz_checks_the_bucket_of_originals(in_s3, client, settings):
    body = client.get("/healthz").json()
    assert body["checks"]["storage"] == {"ok": True, "detail": "object storage"}

    in_s3.server.client().delete_bucket(Bucket=in_s3.private)  # empty: nothing was uploaded
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
    assert response.json()["checks"]["storage"]["detail"] == "object storage not answering"


@pytest.mark.django_db
def test_healthz_fails_quickly_when_object_storage_does_not_answer(in_s3, client, settings):
    settings.STORAGES = settings.STORAGES | s3_storages(
        bucket=in_s3.private, public_bucket=in_s3.public, endpoint_url=f"http://127.0.0.1:{closed_port()}",
        region=s3_server.REGION, access_key=s3_server.ACCESS_KEY, secret_key=s3_server.SECRET_KEY,
    )  # fmt: skip

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
