"""Data as real clients bring it: camera file names, long names, a full shoot.

Galleries are built in bulk from a few real renditions (drawn studio-like pictures through the real
image pipeline once per test run), so a 60-photo gallery costs file copies, not 60 pipeline runs.
"""

import functools
import io
import random
from itertools import cycle

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client as DjangoClient

from galleries import photos as gallery_photos
from galleries.models import Gallery, Photo
from photostudio import imaging
from photostudio.demo_drawings import as_jpeg, draw_headshot, draw_portrait
from tests.factories import make_gallery, make_user_client
from tests.imaging_samples import encode, exif, scene

LONG_NAME = "Maximiliana Oyelaran-Fitzgerald de la Cruz"
LONG_EMAIL = "maximiliana.oyelaran-fitzgerald@oyelaran-partners.example"
LONG_TITLE = "Headshots and team portraits for Oyelaran-Fitzgerald Partners"

# The names cameras, phones and editing software give files (20 to 46 characters, most with no
# space to break at).
_NAME_PATTERNS = (
    "IMG_20261120_{n:04d}.jpg",
    "2026-11-20 Bob Mensah {n:04d}.jpg",
    "DSC_{n:04d}-Edit-Final-v2-Bob-Mensah-LinkedIn.jpg",
    "PXL_20261120_10{n:04d}347.PORTRAIT.jpg",
    "_MG_{n:04d}_OyelaranFitzgeraldDeLaCruz.jpg",
    "20261120_Oyelaran-Fitzgerald_{n:04d}.jpg",
)


def camera_file_name(n: int) -> str:
    return _NAME_PATTERNS[n % len(_NAME_PATTERNS)].format(n=142 + n)


@functools.cache
def _sample_renditions() -> tuple[tuple[bytes, imaging.Renditions], ...]:
    """A few originals and their real renditions: upright headshots and portraits, and a landscape
    frame, so the grid holds tiles of different shapes."""
    mark = imaging.Watermark(text="Northlight Studio")
    pictures = [
        draw_headshot(random.Random(1)),
        draw_portrait(random.Random(2)),
        draw_headshot(random.Random(3)),
        draw_portrait(random.Random(4)).crop((0, 300, 960, 940)),  # 3:2 landscape
    ]
    samples = []
    for picture in pictures:
        original = as_jpeg(picture)
        samples.append((original, imaging.make_renditions(io.BytesIO(original), watermark=mark)))
    return tuple(samples)


def make_proof_gallery(client, *, photos: int = 60, limit: int = 10, **fields) -> Gallery:
    """A published gallery of `photos` processed proofs with camera file names."""
    gallery = make_gallery(
        client, **({"title": LONG_TITLE, "status": Gallery.Status.PROOFING, "selection_limit": limit} | fields)
    )
    rows = []
    for n, (original, result) in zip(range(photos), cycle(_sample_renditions()), strict=False):
        photo = Photo(
            gallery=gallery, original_name=camera_file_name(n), content_hash=f"{gallery.pk}-{n}", state="done",
            width=result.width, height=result.height, thumb_width=result.thumb_size[0],
            thumb_height=result.thumb_size[1], placeholder=result.placeholder_data_uri, order=n,
            size_bytes=len(original),
        )  # fmt: skip
        photo.original.save(f"{n}.jpg", ContentFile(original), save=False)
        for field, data in (("proof", result.proof), ("thumb", result.thumb), ("thumb_2x", result.thumb_2x)):
            getattr(photo, field).save(f"proofs/{photo.key}/{field}.jpg", ContentFile(data), save=False)
        rows.append(photo)
    Photo.objects.bulk_create(rows)
    return gallery


def upload_camera_files(gallery: Gallery, files: dict[str, bytes]) -> list[Photo]:
    """Upload files as the admin does (by name, in that order): each is processed by its task,
    in process here, which also stores the gallery's groups of near-identical frames."""
    added = []
    for name, data in files.items():
        upload = ContentFile(data, name=name)
        upload.size = len(data)
        report = gallery_photos.add_photos(gallery, [upload])
        assert report.added, report.skipped
        added += report.added
    return list(Photo.objects.filter(pk__in=[p.pk for p in added]).order_by("original_name"))


def a_burst_and_distinct_frames(*, burst: int = 3, distinct: int = 2) -> dict[str, bytes]:
    """A shoot as the camera wrote it: `burst` frames of one pose a second apart (the camera nudged,
    the light a touch brighter each time), then `distinct` other scenes half a minute on; small
    600 × 400 JPEGs named IMG_20261120_0142.jpg onwards, each with its capture time in its EXIF."""
    frames = [scene(7, (600, 400), shift=(n, 0), brightness=1 + 0.02 * n, grain=8) for n in range(burst)]
    frames += [scene(21 + 12 * n, (600, 400)) for n in range(distinct)]
    seconds = [11 + n if n < burst else 40 + 30 * n for n in range(len(frames))]
    return {
        f"IMG_20261120_{142 + n:04d}.jpg": encode(
            frame, "JPEG", quality=88, exif=exif(taken=f"2026:11:20 14:{2 + s // 60:02d}:{s % 60:02d}")
        )
        for n, (frame, s) in enumerate(zip(frames, seconds, strict=True))
    }


def long_named_client():
    """A client with a portal account, a long double-barrelled name and a long work address."""
    return make_user_client(LONG_NAME, LONG_EMAIL)


def sign_in(page, site: str, client) -> None:
    """Sign the browser in as the client (the emailed-link journey itself is tested elsewhere)."""
    django = DjangoClient()
    django.force_login(client.user)
    cookie = django.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])
