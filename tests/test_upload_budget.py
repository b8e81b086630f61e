"""The pixel and memory budget of an upload: a photo whose decoded pixels would take more than
MAX_DECODE_BYTES is refused from its header, with a reason naming its size, before a worker
allocates them; photos within the budget go through."""

import io
import time
import uuid
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import ImageFile

from galleries.models import Photo
from galleries.tasks import process_photo
from photostudio import imaging
from tests.conftest import start_celery_worker
from tests.factories import jpeg_bytes, make_gallery
from tests.imaging_samples import encode, photo, png, png_16bit_rgb, with_jpeg_size

REFUSED_149_MP = (
    "too large: 12 208 × 12 208 px RGBA takes 596 MB to process; the limit is 240 MB (about 60 megapixels): "
    "export it smaller, or as a JPEG"
)


def flat_rgba_png(width: int, height: int, colour=(212, 196, 180, 255)) -> bytes:
    """A real, complete RGBA PNG of one colour: every pixel is there, zlib packs them ~1000:1."""
    row = b"\0" + bytes(colour) * width  # filter "none", then the row's pixels
    packer = zlib.compressobj(1)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return png(width, height, idat, colour_type=6)


@pytest.fixture(scope="module")
def png_149_megapixels() -> bytes:
    return flat_rgba_png(12208, 12208)  # 149.0 MP, 4 bytes a pixel: 596 MB decoded, ~0.6 MB on disk


@pytest.fixture
def no_decoding(monkeypatch):
    def refuse(im):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_a_149_megapixel_rgba_png_is_refused_from_its_header_with_its_size(png_149_megapixels, no_decoding):
    with pytest.raises(imaging.ImageRejected) as refused:
        imaging.make_renditions(io.BytesIO(png_149_megapixels))

    assert str(refused.value) == REFUSED_149_MP
    assert len(str(refused.value)) <= Photo._meta.get_field("error").max_length


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (png(8200, 8200, zlib.compress(bytes(64))), "8 200 × 8 200 px RGB takes 269 MB"),  # 67 MP of 8-bit RGB
        (png(7800, 7800, zlib.compress(bytes(64)), bit_depth=16, colour_type=6), "7 800 × 7 800 px RGBA takes 243"),
        (png(11000, 11000, zlib.compress(bytes(64)), bit_depth=16, colour_type=0), "11 000 × 11 000 px I;16"),
    ],
    ids=["67 MP RGB", "61 MP 16-bit RGBA", "121 MP 16-bit grey"],
)
def test_other_pngs_over_the_memory_budget_are_refused_before_decoding(data, why, no_decoding):
    with pytest.raises(imaging.ImageRejected, match=f"^too large: {why}"):
        imaging.make_renditions(io.BytesIO(data))
    with pytest.raises(imaging.ImageRejected, match="^too large: "):
        imaging.identify(io.BytesIO(data))  # what import_photos checks before adding a file


def test_a_100_megapixel_jpeg_is_within_the_budget_thanks_to_its_reduced_scale_decode():
    header = with_jpeg_size(encode(photo((64, 64)), "JPEG"), 11656, 8742)  # a medium-format frame's size

    assert imaging.identify(io.BytesIO(header)) == ("JPEG", 11656, 8742)
    try:
        imaging.make_renditions(io.BytesIO(header))  # decoded at a quarter scale: 6.4 MP
    except imaging.ImageRejected as exc:
        assert not str(exc).startswith("too large")  # only its (missing) pixel data may be at fault


def test_photos_within_the_budget_are_processed():
    for data in (png_16bit_rgb((1200, 800), (200, 120, 90)), jpeg_bytes(size=(3000, 2000))):
        result = imaging.make_renditions(io.BytesIO(data))
        assert result.proof_size[0] == 2048 or result.proof_size == (1200, 800)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_refuses_a_149_megapixel_png_without_allocating_it_and_goes_on(png_149_megapixels, tmp_path, settings):
    queue = f"images-{uuid.uuid4().hex[:8]}"  # a fresh worker of this test's own: its peak memory is this test's
    worker = start_celery_worker(tmp_path, queues=queue)
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = worker.media_root, worker.private_root
    gallery = make_gallery()
    photos = []
    for name, data in (("Panorama_Thames_stitched.png", png_149_megapixels), ("IMG_20261120_0142.jpg", jpeg_bytes())):
        photo = Photo(gallery=gallery, original_name=name, content_hash=f"{len(photos):064x}", size_bytes=len(data))
        photo.original.save(name, ContentFile(data))
        photos.append(photo)
    try:
        for photo in photos:
            process_photo.apply_async((photo.pk,), queue=queue)
        deadline = time.monotonic() + 120
        while Photo.objects.exclude(state__in=["done", "failed"]).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        peak = _peak_memory_mb(worker.process.pid)
    finally:
        worker.stop()

    states = {p.original_name: (p.state, p.error) for p in Photo.objects.all()}
    assert states == {
        "Panorama_Thames_stitched.png": ("failed", REFUSED_149_MP),
        "IMG_20261120_0142.jpg": ("done", ""),
    }
    assert peak < 400, f"the worker peaked at {peak} MB"


def _peak_memory_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) // 1024
