"""Bad and awkward uploads through the image pipeline (photostudio/imaging.py).

Every file of the corpus below is made here, in memory, by a small recipe: empty and non-image files,
formats we don't take, JPEGs and PNGs cut short or damaged in each part, decompression bombs, absurd
sizes, and the odd-but-fine files a photographer does upload (CMYK, 16-bit, greyscale, transparent,
animated, multi-page, one pixel, a 20 000 px strip). Each is either made into proper renditions or
refused with a plain reason, asserted word for word; no other exception ever escapes, and each is
answered within a time budget (bombs in well under a second, without decoding a pixel).
"""

import contextlib
import functools
import gc
import io
import os
import struct
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from photostudio import imaging
from photostudio.imaging import ImageRejected, Renditions, Watermark, make_renditions, read_capture_time
from tests.imaging_samples import (
    compressible_png,
    decode,
    encode,
    exif,
    flat,
    photo,
    png_16bit_rgb,
    png_header,
    tiff,
    webp_header,
    with_jpeg_size,
)

# Pillow warns (and carries on) about the damaged TIFF directories and EXIF blocks it skips over.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning"),
    pytest.mark.filterwarnings("ignore:Truncated File Read:UserWarning"),
]

MARK = Watermark(text="© Studio Lumen")
RED, GREY, BRICK = (255, 0, 0), (128, 128, 128), (200, 60, 60)
BOMB_SECONDS = 0.1  # a bomb is refused from its header: far less than decoding it would take


@dataclass(frozen=True)
class Sample:
    name: str  # the file name it is uploaded under (and the test id)
    make: Callable[[], bytes]
    refused: str | None = None  # the reason it must be refused with, word for word; None: it must be accepted
    upright: tuple[int, int] | None = None  # accepted: its size once upright
    colour: tuple[int, int, int] | None = None  # accepted and flat: the colour at the proof's centre
    seconds: float = 1.0  # generous: the slowest of these takes a few milliseconds


# --- Recipes ------------------------------------------------------------------------------------


@functools.cache
def a_jpeg() -> bytes:
    return encode(photo((600, 400)), "JPEG", quality=90)


@functools.cache
def a_png() -> bytes:
    return encode(photo((300, 200)), "PNG")


def start_of_scan() -> int:
    return a_jpeg().index(b"\xff\xda")


def noise(length: int, seed: int = 41) -> bytes:
    return bytes((i * 73 + seed) % 256 for i in range(length))


def jpeg_with_broken_huffman_table() -> bytes:
    data = bytearray(a_jpeg())
    table = data.index(b"\xff\xc4") + 5  # past the marker, the length and the table class
    data[table : table + 16] = b"\xff" * 16  # code counts adding up to far more codes than exist
    return bytes(data)


def jpeg_with_corrupted_image_data() -> bytes:
    data = bytearray(a_jpeg())
    for i in range(start_of_scan() + 40, len(data) - 100, 97):
        data[i] ^= 0x5A
    return bytes(data)


def jpeg_with_damaged_exif() -> bytes:
    return encode(photo((400, 300)), "JPEG", exif=b"Exif\0\0II*\0\xff\xff\xff\x7f" + bytes(50))


def jpeg_with_unreadable_profile() -> bytes:
    return encode(flat((400, 300), BRICK), "JPEG", quality=95, icc_profile=b"not a profile" * 20)


def png_chunk_offset(data: bytes, kind: bytes) -> int:
    """Where the chunk of `kind` starts (its length field)."""
    return data.index(kind) - 4


def png_with_bad_header_checksum() -> bytes:
    data = bytearray(a_png())
    data[29] ^= 0xFF  # the last byte of IHDR's CRC
    return bytes(data)


def png_with_bad_pixel_checksum() -> bytes:
    data = bytearray(a_png())
    start = png_chunk_offset(data, b"IDAT")
    (length,) = struct.unpack(">I", data[start : start + 4])
    data[start + 8 + length] ^= 0xFF  # IDAT's CRC; zlib's own checksum still vouches for the pixels
    return bytes(data)


def png_with_corrupted_pixels() -> bytes:
    data = bytearray(a_png())
    data[png_chunk_offset(data, b"IDAT") + 108] ^= 0xFF  # inside the compressed stream
    return bytes(data)


def gif(animated: bool = False) -> bytes:
    first = flat((40, 30), RED).convert("P")
    if not animated:
        return encode(first, "GIF")
    second = flat((40, 30), GREY).convert("P")
    return encode(first, "GIF", save_all=True, append_images=[second], duration=100, loop=0)


def zip_of_jpegs() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("IMG_0001.JPG", encode(photo((64, 48)), "JPEG"))
        archive.writestr("IMG_0002.JPG", encode(photo((64, 48)), "JPEG"))
    return buf.getvalue()


def heic() -> bytes:
    """The start of an iPhone photo: an ISO-BMFF 'ftyp' box of brand heic, then the 'meta' box."""
    ftyp = b"ftyp" + b"heic" + bytes(4) + b"mif1heic"
    meta = b"meta" + bytes(4) + b"\0\0\0\x21hdlr" + bytes(8) + b"pict" + bytes(13)
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + struct.pack(">I", 4 + len(meta)) + meta + noise(400)


def canon_cr3() -> bytes:
    ftyp = b"ftyp" + b"crx " + struct.pack(">I", 1) + b"crx isom"
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + noise(400)


def raw_tiff(**kwargs: object) -> bytes:
    """A RAW-like TIFF: its first image is a small preview, as in NEF, ARW, DNG and CR2 files."""
    return tiff((160, 120), bytes(160 * 120 * 3), **kwargs)


def tiff_16bit_rgb() -> bytes:
    width, height = 400, 300
    return tiff((width, height), struct.pack("<3H", *(v * 257 for v in BRICK)) * (width * height), bits=(16, 16, 16))


def tiff_16bit_grey() -> bytes:
    return tiff((400, 300), struct.pack("<H", 128 * 257) * (400 * 300), bits=(16,), photometric=1)


def multi_page_tiff() -> bytes:
    return encode(flat((400, 300), RED), "TIFF", save_all=True, append_images=[flat((800, 600), GREY)])


def animated_webp() -> bytes:
    return encode(flat((400, 300), RED), "WEBP", save_all=True, append_images=[flat((400, 300), GREY)], duration=100)


def palette_png_with_transparency() -> bytes:
    """Every pixel palette entry 0: brick red, which the tRNS chunk makes fully transparent."""
    im = Image.new("P", (400, 300), 0)
    im.putpalette([*BRICK, *RED])
    return encode(im, "PNG", transparency=0)


def half_transparent_png() -> bytes:
    return encode(flat((400, 300), (0, 0, 255, 128), "RGBA"), "PNG")


def cmyk_jpeg() -> bytes:
    """As Photoshop saves CMYK: an Adobe APP14 marker and the ink values inverted."""
    return encode(flat((400, 300), (0, 255, 255, 0), "CMYK"), "JPEG", quality=95)


def cut(make: Callable[[], bytes], fraction: float) -> Callable[[], bytes]:
    return lambda: make()[: int(len(make()) * fraction)]


# --- The corpus ---------------------------------------------------------------------------------

CORPUS = [
    # Not images at all, whatever the name says.
    Sample("empty.jpg", lambda: b"", refused="empty file"),
    Sample("whitespace.jpg", lambda: b"  \n\t \r\n" * 20, refused="not an image"),
    Sample("notes.jpg", lambda: b"Alice prefers the blue backdrop.\n" * 20, refused="not an image"),
    Sample(
        "gallery.jpg", lambda: b"<!DOCTYPE html><html><body><img src=a.jpg></body></html>\n", refused="not an image"
    ),
    Sample(
        "logo.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect fill="red"/></svg>',
        refused="not an image",
    ),
    Sample("shoot.zip", zip_of_jpegs, refused="not an image"),
    Sample("zeros.jpg", lambda: bytes(4096), refused="not an image"),
    Sample("noise.jpg", lambda: noise(5000), refused="not an image"),
    Sample("invoice.jpg", lambda: encode(flat((40, 30), GREY), "PDF"), refused="unsupported format: PDF"),
    # Images in formats the pipeline doesn't take, refused by name.
    Sample("banner.gif", gif, refused="unsupported format: GIF"),
    Sample("animated.gif", lambda: gif(animated=True), refused="unsupported format: GIF"),
    Sample("scan.bmp", lambda: encode(flat((40, 30), GREY), "BMP"), refused="unsupported format: BMP"),
    Sample("IMG_4521.HEIC", heic, refused="unsupported format: HEIC"),
    Sample("IMG_4522.avif", lambda: encode(photo((64, 48)), "AVIF"), refused="unsupported format: AVIF"),
    # Camera RAW files: TIFF containers whose first image is only the camera's preview.
    Sample("DSC_0001.NEF", lambda: raw_tiff(tags={254: 1}), refused="unsupported format: camera RAW"),
    Sample("IMG_0001.DNG", lambda: raw_tiff(tags={50706: 1}), refused="unsupported format: camera RAW"),
    Sample(
        "IMG_0001.CR2",
        lambda: raw_tiff(after_header=b"CR\x02\0" + bytes(4)),
        refused="unsupported format: camera RAW",
    ),
    Sample("IMG_0001.CR3", canon_cr3, refused="unsupported format: camera RAW"),
    Sample(
        "DSCF0001.RAF", lambda: b"FUJIFILMCCD-RAW 0201FF383501" + noise(400), refused="unsupported format: camera RAW"
    ),
    # JPEGs cut short at each stage, and damaged in each part.
    Sample("cut-after-soi.jpg", lambda: a_jpeg()[:2], refused="not an image"),
    Sample("cut-in-headers.jpg", lambda: a_jpeg()[:100], refused="damaged JPEG file"),
    Sample("cut-before-image-data.jpg", lambda: a_jpeg()[: start_of_scan()], refused="damaged file"),
    Sample("cut-at-a-quarter.jpg", cut(a_jpeg, 0.25), refused="truncated file"),
    Sample("cut-in-half.jpg", cut(a_jpeg, 0.5), refused="truncated file"),
    # Cut into the last scan data. (Without only its 2-byte end marker a JPEG can still hold every
    # pixel, depending on the grain; libjpeg then decodes it whole, so that case is not "truncated".)
    Sample("cut-just-before-the-end.jpg", lambda: a_jpeg()[:-16], refused="truncated file"),
    Sample("garbage-after-soi.jpg", lambda: a_jpeg()[:2] + noise(512) + a_jpeg()[2:], refused="not an image"),
    Sample("broken-huffman-table.jpg", jpeg_with_broken_huffman_table, refused="damaged file"),
    Sample("corrupted-image-data.jpg", jpeg_with_corrupted_image_data, refused="damaged file"),
    Sample("zero-size.jpg", lambda: with_jpeg_size(a_jpeg(), 0, 0), refused="damaged JPEG file"),
    # PNGs, TIFFs and WebPs cut short or damaged.
    Sample("bad-header-crc.png", png_with_bad_header_checksum, refused="damaged PNG file"),
    Sample("corrupted-pixels.png", png_with_corrupted_pixels, refused="damaged file"),
    Sample("cut-in-header.png", lambda: a_png()[:40], refused="damaged PNG file"),
    Sample("cut-in-pixels.png", cut(a_png, 0.75), refused="truncated file"),
    Sample("zero-size.png", lambda: png_header(0, 0), refused="damaged PNG file"),
    Sample("cut-in-half.tif", cut(lambda: encode(photo((400, 300)), "TIFF"), 0.5), refused="truncated file"),
    Sample(
        "lzw-without-its-directory.tif",  # Pillow writes a compressed TIFF's directory after the pixels
        cut(lambda: encode(photo((400, 300)), "TIFF", compression="tiff_lzw"), 0.5),
        refused="damaged TIFF file",
    ),
    Sample("cut-in-half.webp", cut(lambda: encode(photo((400, 300)), "WEBP"), 0.5), refused="damaged WEBP file"),
    # Decompression bombs and absurd sizes: refused from the header, before any pixel is decoded.
    Sample(
        "bomb-header.png",
        lambda: png_header(30000, 30000),
        refused="too large: 30 000 × 30 000 px",
        seconds=BOMB_SECONDS,
    ),
    Sample(  # a real, complete image: 156 MP of black in 19 KB
        "bomb-compressible.png",
        lambda: compressible_png(12500, 12500),
        refused="too large: 12 500 × 12 500 px",
        seconds=BOMB_SECONDS,
    ),
    Sample(
        "absurd-size.jpg",
        lambda: with_jpeg_size(a_jpeg(), 65535, 65535),
        refused="too large: 65 535 × 65 535 px",
        seconds=BOMB_SECONDS,
    ),
    Sample(
        "bomb.webp",
        lambda: webp_header(16383, 16383) + bytes(64),
        refused="too large: 16 383 × 16 383 px",
        seconds=BOMB_SECONDS,
    ),
    Sample(
        "bomb.tif",
        lambda: tiff((40000, 40000), bytes(300)),
        refused="too large: 40 000 × 40 000 px",
        seconds=BOMB_SECONDS,
    ),
    Sample(
        "absurd-width.png",
        lambda: png_header(2**31 - 1, 1),
        refused="too large: 2 147 483 647 × 1 px",
        seconds=BOMB_SECONDS,
    ),
    # Odd but fine: each must come out as proper renditions.
    Sample("one-pixel.jpg", lambda: encode(flat((1, 1), GREY), "JPEG"), upright=(1, 1)),
    Sample("one-pixel.png", lambda: encode(flat((1, 1), RED), "PNG"), upright=(1, 1)),
    Sample("tall-strip.png", lambda: encode(flat((1, 20000), GREY), "PNG"), upright=(1, 20000)),
    Sample("wide-strip.jpg", lambda: encode(flat((20000, 1), GREY), "JPEG"), upright=(20000, 1)),
    Sample("cmyk.jpg", cmyk_jpeg, upright=(400, 300), colour=RED),
    Sample("16-bit-rgb.png", lambda: png_16bit_rgb((400, 300), BRICK), upright=(400, 300), colour=BRICK),
    Sample(
        "16-bit-grey.png",
        lambda: encode(Image.new("I;16", (400, 300), 128 * 257), "PNG"),
        upright=(400, 300),
        colour=GREY,
    ),
    Sample("16-bit-rgb.tif", tiff_16bit_rgb, upright=(400, 300), colour=BRICK),
    Sample("16-bit-grey.tif", tiff_16bit_grey, upright=(400, 300), colour=GREY),
    Sample("greyscale.jpg", lambda: encode(flat((400, 300), 90, "L"), "JPEG"), upright=(400, 300), colour=(90, 90, 90)),
    Sample("one-bit.png", lambda: encode(flat((400, 300), 1, "1"), "PNG"), upright=(400, 300), colour=(255, 255, 255)),
    Sample("palette-transparent.png", palette_png_with_transparency, upright=(400, 300), colour=(255, 255, 255)),
    Sample("half-transparent.png", half_transparent_png, upright=(400, 300), colour=(127, 127, 255)),
    Sample(
        "grey-alpha.png",
        lambda: encode(flat((400, 300), (90, 128), "LA"), "PNG"),
        upright=(400, 300),
        colour=(172, 172, 172),  # half-transparent dark grey on white
    ),
    Sample("lossy.webp", lambda: encode(flat((400, 300), BRICK), "WEBP", quality=95), upright=(400, 300), colour=BRICK),
    Sample(
        "lossless-rgba.webp",
        lambda: encode(flat((400, 300), (*BRICK, 255), "RGBA"), "WEBP", lossless=True),
        upright=(400, 300),
        colour=BRICK,
    ),
    Sample("animated.webp", animated_webp, upright=(400, 300), colour=RED),  # its first frame
    Sample("pages.tif", multi_page_tiff, upright=(400, 300), colour=RED),  # its first page
    Sample("progressive.jpg", lambda: encode(photo((400, 300)), "JPEG", progressive=True), upright=(400, 300)),
    Sample(
        "two-frames.jpg",
        lambda: encode(photo((400, 300)), "MPO", save_all=True, append_images=[photo((80, 60))]),
        upright=(400, 300),
    ),
    Sample("damaged-exif.jpg", jpeg_with_damaged_exif, upright=(400, 300)),
    Sample("unreadable-profile.jpg", jpeg_with_unreadable_profile, upright=(400, 300), colour=BRICK),
    Sample("trailing-garbage.jpg", lambda: a_jpeg() + noise(700), upright=(600, 400)),
    Sample("jpeg-named.png", a_jpeg, upright=(600, 400)),
    Sample("bad-pixel-crc.png", png_with_bad_pixel_checksum, upright=(300, 200)),
    Sample("no-end-chunk.png", lambda: a_png()[:-12], upright=(300, 200)),
    Sample(
        "sideways-strip.jpg", lambda: encode(flat((3000, 1), GREY), "JPEG", exif=exif(orientation=6)), upright=(1, 3000)
    ),
]

TOO_LARGE = [sample for sample in CORPUS if (sample.refused or "").startswith("too large")]


def upload(sample: Sample, folder: Path) -> Path:
    path = folder / sample.name
    path.write_bytes(sample.make())
    return path


def outcome(path: Path) -> tuple[Renditions | None, str | None, float]:
    """(renditions, None) or (None, the reason it was refused), and the seconds it took."""
    started = time.perf_counter()
    try:
        result, reason = make_renditions(path, watermark=MARK), None
    except ImageRejected as exc:
        result, reason = None, str(exc)
    except Exception as exc:  # anything but a rejection is a bug, whatever the file
        pytest.fail(f"{type(exc).__name__} escaped for {path.name}: {exc}")
    return result, reason, time.perf_counter() - started


def fitted(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """What a rendition's size must be: `size` shrunk to `long_edge` if longer, short edge at least 1."""
    scale = min(1.0, long_edge / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def assert_proper_renditions(result: Renditions, sample: Sample) -> None:
    assert (result.width, result.height) == sample.upright
    for name, data, long_edge in (
        ("proof", result.proof, imaging.PROOF_LONG_EDGE),
        ("thumb_2x", result.thumb_2x, imaging.THUMB_2X_LONG_EDGE),
        ("thumb", result.thumb, imaging.THUMB_LONG_EDGE),
        ("placeholder", result.placeholder, imaging.PLACEHOLDER_LONG_EDGE),
    ):
        im = decode(data)
        assert (im.format, im.mode) == ("JPEG", "RGB"), name
        assert im.size == getattr(result, f"{name}_size") == fitted(sample.upright, long_edge), name
        assert len(im.getexif()) == 0, name
    if sample.colour is not None:
        proof = decode(result.proof)
        centre = proof.getpixel((proof.width // 2, proof.height // 2))
        assert all(abs(a - b) <= 6 for a, b in zip(centre, sample.colour, strict=True)), (centre, sample.colour)


def test_the_corpus_has_thirty_files_or_more_with_unique_names():
    assert len(CORPUS) >= 30
    assert len({sample.name for sample in CORPUS}) == len(CORPUS)
    assert all((sample.refused is None) == (sample.upright is not None) for sample in CORPUS)


@pytest.mark.parametrize("sample", CORPUS, ids=lambda sample: sample.name)
def test_each_file_is_rendered_or_refused_with_a_plain_reason_in_time(sample, tmp_path):
    path = upload(sample, tmp_path)

    result, reason, seconds = outcome(path)

    assert reason == sample.refused
    assert seconds < sample.seconds, f"{seconds:.3f} s"
    if result is not None:
        assert_proper_renditions(result, sample)


@pytest.mark.parametrize("sample", TOO_LARGE, ids=lambda sample: sample.name)
def test_a_bomb_is_refused_before_a_pixel_is_decoded(sample, tmp_path, monkeypatch):
    def no_decoding(im):
        raise AssertionError("the pixels must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(Image, "new", no_decoding)  # nor any image of that size made

    with pytest.raises(ImageRejected, match="^too large: "):
        make_renditions(upload(sample, tmp_path), watermark=MARK)


@pytest.mark.parametrize("sample", CORPUS, ids=lambda sample: sample.name)
def test_reading_the_capture_time_of_each_file_answers_or_refuses(sample, tmp_path):
    path = upload(sample, tmp_path)
    result, reason, _ = outcome(path)

    try:
        captured = read_capture_time(path)
    except ImageRejected as exc:
        # Only the header is read: a file refused for its pixels may pass, one refused for its header can't.
        assert reason is not None
        assert str(exc) == reason
    else:
        assert captured is None or isinstance(captured, datetime)
        assert reason in (None, "truncated file", "damaged file")
        if result is not None:
            assert captured == result.captured_at


def open_files() -> set[str]:
    gc.collect()  # a file object dropped but not yet collected is not a leak
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="lists open files through /proc")
def test_the_whole_corpus_leaves_no_file_open_and_nothing_in_the_temp_folder(tmp_path, monkeypatch):
    uploads, temp = tmp_path / "uploads", tmp_path / "temp"
    uploads.mkdir()
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # where Pillow, or anything else, would spool
    paths = [upload(sample, uploads) for sample in CORPUS]
    before = open_files()

    for path in paths:
        with contextlib.suppress(ImageRejected):
            make_renditions(path, watermark=MARK)
        with contextlib.suppress(ImageRejected), path.open("rb") as fp:
            make_renditions(fp)

    assert open_files() == before
    assert list(temp.iterdir()) == []
