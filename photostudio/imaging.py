"""The image pipeline: a photographer's upload in, web renditions out.

Pure Pillow: no models, no storage, no Django. `make_renditions()` takes a file (or a path) and returns
JPEG bytes for the proof, the two thumbnails and a tiny placeholder, plus the facts the gallery needs
(upright size, capture time). Every file it cannot use raises `ImageRejected` with a plain reason.

The choices, each made for a reason:
- One decode per photo. JPEGs are decoded at a reduced scale (libjpeg's DCT scaling via `draft()`),
  just large enough for the proof, so a 24 MP frame costs a 6 MP decode; each smaller rendition is
  made from the next larger one, never from the original again.
- The pixel limit and the memory budget (MAX_DECODE_BYTES: what the decoded pixels take) are checked
  from the header, before anything is decoded, so a decompression bomb never allocates memory. The
  size is read with `imagesize` before Pillow opens the file: Pillow's own guard uses the
  process-wide `Image.MAX_IMAGE_PIXELS` (too low for 100 MP medium format, and it warns on every such
  frame), refuses without saying the width and height, and WebP's opener allocates its canvas.
- Only Pillow's documented API: `Image.open(fp, formats=[...])` restricted to the formats we take,
  `Image.draft()` for the reduced-scale decode, and our own pixel and memory checks.
- Pillow's errors for a file it cannot read mean a damaged file (logged at INFO); any other error is
  a bug of ours, logged at WARNING with its traceback, and the photo is refused with a neutral reason
  rather than blamed on its file.
- Colours are converted to sRGB from the embedded ICC profile; files without one are taken as sRGB,
  except camera JPEGs that say "Adobe RGB" the DCF way (EXIF colour space "uncalibrated" plus the
  interoperability index R03), which get an Adobe RGB (1998) profile.
- Outputs carry an sRGB profile and nothing else: no EXIF (so no GPS or serial numbers), no XMP, no
  comments. The placeholder carries no profile at all: it is a 24 px image meant to be blurred in a
  data: URI, and the profile's 588 bytes would more than double it.
- The thumbnails are made from the watermarked proof, so they carry the mark too: a 480–960 px
  headshot is already the size of a profile photo, and an unmarked one would give the session away.
"""

import base64
import functools
import io
import logging
import math
import os
import re
import statistics
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

import imagesize
from PIL import ExifTags, Image, ImageCms, ImageDraw, ImageFile, ImageFont, UnidentifiedImageError

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "TIFF", "WEBP")
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp"}
# 150 MP admits 100 MP medium format (11 656 × 8 742) with room to spare, as a JPEG: JPEGs (nearly
# every upload) are decoded at a reduced scale (draft mode), a 100 MP frame at a quarter of its pixels.
MAX_PIXELS: int = 150_000_000
# The memory budget of one decode: the pixels actually decoded (after a JPEG's reduced-scale decode)
# times the bytes Pillow keeps each in: 4 for RGB, RGBA, CMYK and 32-bit modes, 2 for 16-bit grey,
# 1 for 8-bit grey and palettes. 240 MB is 60 megapixels of colour, with or without transparency, so
# a worker processing one photo stays near 300 MB. Checked from the header, before anything is
# decoded: a 149 MP RGBA PNG (596 MB of pixels) is refused without allocating them.
MAX_DECODE_BYTES: int = 240_000_000
# A watermark logo is a small graphic; anything bigger than this is a mistake or an attack.
MAX_LOGO_PIXELS: int = 4096 * 4096

PROOF_LONG_EDGE = 2048
THUMB_2X_LONG_EDGE = 960
THUMB_LONG_EDGE = 480
PLACEHOLDER_LONG_EDGE = 24

PROOF_QUALITY = 85
THUMB_QUALITY = 80
PLACEHOLDER_QUALITY = 60

WATERMARK_POSITIONS: tuple[str, ...] = ("center", "bottom-right", "bottom-left", "top-right", "top-left", "tiled")

# Perceptual with black-point compensation: matrix profiles (Adobe RGB, Display P3) fall back to
# relative colorimetric, and CMYK profiles keep their shadow detail. NOCACHE makes a shared transform
# safe to use from several threads.
RENDERING_INTENT = ImageCms.Intent.PERCEPTUAL
TRANSFORM_FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION | ImageCms.Flags.NOCACHE

_SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC: bytes = _SRGB_PROFILE.tobytes()

# What Pillow raises for image data it cannot read: OSError (UnidentifiedImageError, "image file is
# truncated", decoder errors), SyntaxError and ValueError from the format plugins, EOFError,
# struct.error from a header cut short, the decompression-bomb error and colour-management errors.
# Not TypeError, KeyError, ZeroDivisionError and the like: those are bugs of ours, not damaged files.
_DATA_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    Image.DecompressionBombError,
    ImageCms.PyCMSError,
)
# A bug of ours while making renditions. Anything else (MemoryError, a worker's time limit) goes
# up to the caller, which knows whether trying again may help.
_OUR_ERRORS = (TypeError, AttributeError, LookupError, ArithmeticError, NameError, AssertionError)
# The reason a photo is refused with when the fault is ours, not its file's.
UNEXPECTED_ERROR = "could not be processed: an unexpected error, recorded in the server log"


class ImageRejected(Exception):
    """A file that can't be processed. `str(exc)` is a plain reason to show the photographer, e.g.
    'not an image', 'truncated file', 'too large: 30 000 × 30 000 px', 'unsupported format: GIF'."""


@dataclass(frozen=True)
class Watermark:
    """A mark composited onto the proof: the logo if there is one, else the text."""

    text: str = ""
    logo_png: bytes | None = None
    position: str = "bottom-right"
    size: float = 0.25  # fraction of the proof's width the mark spans
    opacity: float = 0.35  # 0..1

    def __post_init__(self) -> None:
        if not self.text.strip() and not self.logo_png:
            raise ValueError("a watermark needs text or a logo")
        if self.position not in WATERMARK_POSITIONS:
            raise ValueError(f"unknown watermark position {self.position!r}; use one of {WATERMARK_POSITIONS}")
        if not 0 < self.size <= 1:
            raise ValueError("watermark size is a fraction of the width, above 0 and at most 1")
        if not 0 <= self.opacity <= 1:
            raise ValueError("watermark opacity is between 0 and 1")


@dataclass(frozen=True)
class Renditions:
    """What one photo becomes. Sizes are (width, height) of the upright image."""

    # repr=False: a log line or a failed assertion should not print megabytes of JPEG.
    proof: bytes = field(repr=False)  # JPEG, long edge PROOF_LONG_EDGE (never upscaled), watermarked, sRGB
    thumb: bytes = field(repr=False)  # JPEG, long edge THUMB_LONG_EDGE, made from the proof (so watermarked too)
    thumb_2x: bytes = field(repr=False)  # JPEG, long edge THUMB_2X_LONG_EDGE, for high-density screens
    placeholder: bytes = field(repr=False)  # JPEG, long edge PLACEHOLDER_LONG_EDGE, no profile: blur it with CSS
    width: int  # of the upright original, after EXIF orientation
    height: int
    captured_at: datetime | None  # EXIF DateTimeOriginal: naive, the camera's own clock and zone
    source_format: str = ""  # "JPEG", "PNG", "TIFF" or "WEBP"
    proof_size: tuple[int, int] = (0, 0)
    thumb_size: tuple[int, int] = (0, 0)
    thumb_2x_size: tuple[int, int] = (0, 0)
    placeholder_size: tuple[int, int] = (0, 0)
    phash: str = ""  # perceptual_hash() of the upright sRGB picture, before the watermark

    @property
    def placeholder_data_uri(self) -> str:
        return "data:image/jpeg;base64," + base64.b64encode(self.placeholder).decode("ascii")

    @property
    def source_content_type(self) -> str:
        """The original's media type, from its decoded format (its file name may say anything)."""
        return MEDIA_TYPES.get(self.source_format, "")


Source = BinaryIO | str | os.PathLike[str]


def make_renditions(source: Source, *, watermark: Watermark | None = None) -> Renditions:
    """Decode `source` once and return its web renditions; raise ImageRejected for a bad file.

    A file object is read from its start and left open; a path is opened and closed here.
    """
    with _opened(source) as fp:
        im = _identify(fp)
        try:
            return _render(im, watermark)
        except ImageRejected:
            raise
        except Image.DecompressionBombError as exc:  # a TIFF tile or WebP frame bigger than the header said
            raise ImageRejected("too large") from exc
        except _DATA_ERRORS as exc:
            logger.info("could not process a %s image", im.format, exc_info=True)
            raise ImageRejected("damaged file") from exc
        except _OUR_ERRORS as exc:
            logger.warning("unexpected error making the renditions of a %s image", im.format, exc_info=True)
            raise ImageRejected(UNEXPECTED_ERROR) from exc


@dataclass(frozen=True)
class Crop:
    """One crop cut from a final: full resolution and web size (long edge PROOF_LONG_EDGE), sRGB JPEGs."""

    full: bytes = field(repr=False)
    web: bytes = field(repr=False)
    size: tuple[int, int] = (0, 0)  # of the full-resolution crop
    web_size: tuple[int, int] = (0, 0)


CROP_QUALITY = 92  # a delivered file, not a proof: kept close to the final


def cut_crops(source: Source, frames: list[tuple[float, float, float, float]]) -> list[Crop]:
    """Cut each frame (left, top, width, height, each 0..1 of the upright image) from `source` at
    full resolution, decoding it once. The frames are relative, so a final of any size (or turned by
    its EXIF orientation) gives the crop the client placed on the proof. The crops carry an sRGB
    profile and no other metadata (no location). Raises ImageRejected for a file it can't use."""
    with _opened(source) as fp:
        im = _identify(fp)
        try:
            _check_decode_budget(im.size, im.mode)
            _load(im)
            exif = _exif(im)
            work = _workable(im)
            source_profile = _source_profile(work.mode, im.info.get("icc_profile") or None, exif)
            frame = _to_srgb(_flatten(work), source_profile)
            orientation = _orientation(exif)
            if orientation in _TRANSPOSE:
                frame = frame.transpose(_TRANSPOSE[orientation])
            crops = []
            for rect in frames:
                piece = frame.crop(_pixel_box(rect, frame.size))
                web = _resize(piece, _fit(piece.size, PROOF_LONG_EDGE))
                crops.append(
                    Crop(full=_encode(piece, CROP_QUALITY), web=_encode(web, PROOF_QUALITY), size=piece.size,
                         web_size=web.size)
                )  # fmt: skip
            return crops
        except ImageRejected:
            raise
        except Image.DecompressionBombError as exc:
            raise ImageRejected("too large") from exc
        except _DATA_ERRORS as exc:
            logger.info("could not crop a %s image", im.format, exc_info=True)
            raise ImageRejected("damaged file") from exc
        except _OUR_ERRORS as exc:
            logger.warning("unexpected error cropping a %s image", im.format, exc_info=True)
            raise ImageRejected(UNEXPECTED_ERROR) from exc


def _pixel_box(rect: tuple[float, float, float, float], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A relative (left, top, width, height) on an image of `size`: Pillow's (left, upper, right,
    lower), at least a pixel and never beyond the image."""
    left, top, width, height = rect
    image_w, image_h = size
    x0 = min(max(round(left * image_w), 0), image_w - 1)
    y0 = min(max(round(top * image_h), 0), image_h - 1)
    x1 = min(max(round((left + width) * image_w), x0 + 1), image_w)
    y1 = min(max(round((top + height) * image_h), y0 + 1), image_h)
    return x0, y0, x1, y1


def identify(source: Source) -> tuple[str, int, int]:
    """(format, width, height) of an image we accept, from its header alone (nothing is decoded).
    Raises ImageRejected with the reason for anything else, as `make_renditions()` would."""
    with _opened(source) as fp:
        im = _identify(fp)
        return ("JPEG" if im.format == "MPO" else im.format or ""), *im.size


def read_capture_time(source: Source) -> datetime | None:
    """The EXIF DateTimeOriginal of `source` without decoding its pixels (naive camera time).

    Raises ImageRejected for a file that is not an accepted image. PNGs that keep their EXIF after
    the pixel data (rare) read as None here; `make_renditions()` still finds it.
    """
    with _opened(source) as fp:
        im = _identify(fp)
        if im.format == "PNG" and "exif" not in im.info:
            return None  # Pillow would decode the whole image to look for a later eXIf chunk
        return _capture_time(_exif(im))


def check_logo(png: bytes) -> tuple[int, int]:
    """Validate an uploaded watermark logo; return its size or raise ImageRejected."""
    return _open_logo(png).size


# --- Near-identical frames ---------------------------------------------------------------------

# A pHash written here over Pillow rather than the `imagehash` library: bench/near_duplicates.py
# measured both on generated 2048 px scenes (the same scene moved up to 12 px, 15 % brighter or darker,
# with new sensor noise, against 40 different scenes). It takes imagehash.phash's steps (a 32 × 32
# grey copy, the low 8 × 8 of its cosine transform, each above or below their median), after a box
# reduce() that halves its time: 7.6 ms a photo against imagehash's 22 ms, frames of one scene at
# most 6 bits apart (imagehash: 4), different scenes at least 20 (the same). Without the reduce its
# bits are imagehash's exactly. It needs nothing beyond Pillow, where imagehash pulls in numpy, scipy
# and PyWavelets (some 170 MB installed). A dHash (brighter-than-its-neighbour bits, 6 ms) left
# different scenes as close as 8 bits, too near the 5 of one scene's frames.
HASH_SIDE = 8  # 8 × 8 low frequencies: 64 bits, 16 hex digits
_HASH_SAMPLE = 32  # the grey copy's side: four times the frequencies kept
_COSINES = [
    [math.cos(math.pi * (2 * x + 1) * u / (2 * _HASH_SAMPLE)) for x in range(_HASH_SAMPLE)] for u in range(HASH_SIDE)
]


def perceptual_hash(im: Image.Image) -> str:
    """64 bits (16 hex digits) that change little when the picture does: brightness, contrast, a
    few pixels of shift or a blink flip a few; another scene flips about half of them."""
    grey = im.convert("L") if im.mode != "L" else im
    # reduce() first: a box average to near the target size, cheap, so the resize reads few pixels.
    factor = max(1, min(grey.width, grey.height) // (_HASH_SAMPLE * 4))
    if factor > 1:
        grey = grey.reduce(factor)
    pixels = grey.resize((_HASH_SAMPLE, _HASH_SAMPLE), Image.Resampling.LANCZOS).tobytes()
    rows = [pixels[y * _HASH_SAMPLE : (y + 1) * _HASH_SAMPLE] for y in range(_HASH_SAMPLE)]
    # The cosine transform, separable: along each row, then down each of the 8 columns kept.
    across = [[sum(c * p for c, p in zip(cos, row, strict=True)) for cos in _COSINES] for row in rows]
    low = [
        sum(c * across[y][u] for y, c in enumerate(cos)) for cos in _COSINES for u in range(HASH_SIDE)
    ]  # row-major: vertical frequency, then horizontal
    median = statistics.median(low)
    bits = 0
    for value in low:
        bits = (bits << 1) | (value > median)
    return f"{bits:016x}"


def hash_distance(a: str, b: str) -> int:
    """How many of the 64 bits two perceptual hashes differ in (0: the same picture, near 32: unrelated)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


# --- Reading and validating ---------------------------------------------------------------------


class _opened:
    """Context manager giving a seekable binary file for a path or a file object."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.owned: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        if isinstance(self.source, str | os.PathLike):
            self.owned = open(self.source, "rb")  # noqa: SIM115  (closed in __exit__)
            return self.owned
        fp = self.source
        try:
            fp.seek(0)
        except (AttributeError, OSError):
            # Some storage backends hand out streams that can't seek; Pillow needs to.
            fp = io.BytesIO(fp.read())
        return fp

    def __exit__(self, *exc: object) -> None:
        if self.owned is not None:
            self.owned.close()


def _identify(fp: BinaryIO) -> ImageFile.ImageFile:
    """Open the file as one of the accepted formats, checking its size from the header first."""
    head = fp.read(64)
    if not head:
        raise ImageRejected("empty file")
    fmt = _accepted_format(head)
    if fmt is None:
        raise ImageRejected(_why_not_accepted(fp, head))
    fp.seek(0)
    width, height = imagesize.get(fp, exif_rotation=False)  # (-1, -1) when it can't tell
    if width > 0 and height > 0:
        _check_pixels(width, height)
        if fmt == "WEBP":  # its opener allocates the canvas, before we would see im.mode
            _check_decode_budget((width, height), "RGBA")
    fp.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP on; ours is the limit that counts, and it was checked above.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(fp, formats=[fmt])
    except Image.DecompressionBombError:  # a size the header reader could not see
        raise ImageRejected("too large") from None
    except (UnidentifiedImageError, *_DATA_ERRORS) as exc:
        raise ImageRejected(f"damaged {fmt} file") from exc
    _check_pixels(*im.size)
    if fmt != "JPEG":  # decoded whole (a JPEG's reduced-scale decode is checked in _render)
        _check_decode_budget(im.size, im.mode)
    if fmt == "TIFF" and _is_camera_raw(im, head):
        # Opening it as a TIFF would give the camera's little preview, not the photo.
        raise ImageRejected("unsupported format: camera RAW")
    return im


def _accepted_format(head: bytes) -> str | None:
    """The accepted format a file's first bytes announce (its signature), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(_PNG_SIGNATURE):
        return "PNG"
    if head[:4] in _TIFF_SIGNATURES:
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


# Classic and BigTIFF, in either byte order (and the swapped forms some writers get wrong).
_TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II\x00*", b"MM*\x00", b"II+\x00", b"MM\x00+")


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageRejected(f"too large: {_grouped(width)} × {_grouped(height)} px")


def _check_decode_budget(size: tuple[int, int], mode: str) -> None:
    width, height = size
    needed = width * height * _bytes_per_pixel(mode)
    if needed > MAX_DECODE_BYTES:
        raise ImageRejected(
            f"too large: {_grouped(width)} × {_grouped(height)} px {mode} takes {needed / 1e6:,.0f} MB to "
            f"process; the limit is {MAX_DECODE_BYTES / 1e6:,.0f} MB (about {MAX_DECODE_BYTES // 4_000_000} "
            "megapixels): export it smaller, or as a JPEG"
        )


def _bytes_per_pixel(mode: str) -> int:
    """What Pillow keeps a decoded pixel in (three-band modes are stored in four bytes too)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _is_camera_raw(im: ImageFile.ImageFile, head: bytes) -> bool:
    """Many RAW files (NEF, ARW, DNG, CR2, PEF) are TIFF containers whose first image is a preview."""
    if head[8:10] == b"CR":  # Canon CR2
        return True
    tags = getattr(im, "tag_v2", {})
    return 50706 in tags or tags.get(254) == 1  # DNGVersion; NewSubfileType "reduced-resolution copy"


# Formats photographers upload by mistake that Pillow can't name (or would call something vaguer).
_OTHER_SIGNATURES = (
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypheix", "HEIC"),
    (4, b"ftypmif1", "HEIC"),
    (4, b"ftypcrx ", "camera RAW"),  # Canon CR3
    (0, b"FUJIFILMCCD-RAW", "camera RAW"),  # RAF
    (0, b"IIRO", "camera RAW"),  # Olympus ORF
    (0, b"IIU\0", "camera RAW"),  # Panasonic RW2
    (0, b"%PDF", "PDF"),
)


def _why_not_accepted(fp: BinaryIO, head: bytes) -> str:
    """Name the format of a file we refuse, if we can (header only; nothing is decoded)."""
    for offset, signature, name in _OTHER_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return f"unsupported format: {name}"
    fp.seek(0)
    try:
        other = Image.open(fp)
    except Exception:  # anything at all: the file is refused either way, this only picks the words
        return "not an image"
    return f"unsupported format: {other.format}"


# --- The pipeline -------------------------------------------------------------------------------


def _render(im: ImageFile.ImageFile, watermark: Watermark | None) -> Renditions:
    source_format = "JPEG" if im.format == "MPO" else (im.format or "")
    stored_size = im.size
    proof_target = _fit(stored_size, PROOF_LONG_EDGE)

    if source_format == "JPEG" and proof_target != stored_size:
        _draft(im, proof_target)
    _check_decode_budget(im.size, im.mode)  # after draft(): the size libjpeg will decode at
    _load(im)

    exif = _exif(im)
    icc = im.info.get("icc_profile") or None
    orientation = _orientation(exif)
    if orientation in (5, 6, 7, 8):
        width, height = stored_size[1], stored_size[0]
    else:
        width, height = stored_size

    frame = _workable(im)
    source_profile = _source_profile(frame.mode, icc, exif)
    frame = _resize(frame, proof_target)
    frame = _flatten(frame)
    frame = _to_srgb(frame, source_profile)
    if orientation in _TRANSPOSE:
        frame = frame.transpose(_TRANSPOSE[orientation])
    phash = perceptual_hash(frame)  # before the mark, which every proof shares
    if watermark is not None:
        _apply_watermark(frame, watermark)

    upright = (width, height)
    thumb_2x = _resize(frame, _fit(upright, THUMB_2X_LONG_EDGE))
    thumb = _resize(thumb_2x, _fit(upright, THUMB_LONG_EDGE))
    placeholder = _resize(thumb, _fit(upright, PLACEHOLDER_LONG_EDGE))

    return Renditions(
        proof=_encode(frame, PROOF_QUALITY),
        thumb=_encode(thumb, THUMB_QUALITY),
        thumb_2x=_encode(thumb_2x, THUMB_QUALITY),
        placeholder=_encode(placeholder, PLACEHOLDER_QUALITY, icc=False),
        width=width,
        height=height,
        captured_at=_capture_time(exif),
        source_format=source_format,
        proof_size=frame.size,
        thumb_size=thumb.size,
        thumb_2x_size=thumb_2x.size,
        placeholder_size=placeholder.size,
        phash=phash,
    )


def _draft(im: ImageFile.ImageFile, size: tuple[int, int]) -> None:
    """Have libjpeg decode at 1/2, 1/4 or 1/8 scale, the smallest that still covers `size`
    (`Image.draft()`, documented for JPEG): a 24 MP frame costs a 6 MP decode for a 2048 px proof."""
    im.draft(im.mode, size)


def _load(im: ImageFile.ImageFile) -> None:
    """Decode every pixel now, so a truncated file is refused here and not half-shown later."""
    try:
        im.load()
    except Image.DecompressionBombError as exc:
        raise ImageRejected("too large") from exc
    except _DATA_ERRORS as exc:
        logger.info("could not decode a %s image: %s", im.format, exc)
        truncated = isinstance(exc, EOFError) or "truncated" in str(exc).lower()
        raise ImageRejected("truncated file" if truncated else "damaged file") from exc


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """`size` scaled so its long edge is at most `long_edge`; never enlarged."""
    width, height = size
    scale = long_edge / max(width, height)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resize(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`im` at `size` with Pillow's bicubic (Catmull-Rom) filter, which Pillow widens by the
    reduction factor, as all its filters, so shrinking is properly low-passed.

    Bicubic rather than Lanczos: each output pixel weighs 4 source pixels per step of the reduction
    instead of 6, so the proof (3000 → 2048 px from a half-scale decode) costs two thirds of the time.
    Once saved as JPEG the two are within 0.1 dB of each other on photographs; only hairlines at the
    limit of the proof's resolution come out a shade softer.
    """
    if im.size == size:
        return im
    # reducing_gap lets big non-JPEG sources shrink by a cheap box filter first, then bicubic.
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _workable(im: Image.Image) -> Image.Image:
    """An 8-bit mode that resizes well: L, LA, RGB, RGBA, CMYK or LAB."""
    mode = im.mode
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK", "LAB"):
        return im
    if mode == "P":
        return im.convert("RGBA" if "transparency" in im.info else "RGB")
    if mode == "PA":
        return im.convert("RGBA")
    if mode == "1":
        return im.convert("L")
    if mode.startswith("I;16"):
        # 16-bit greyscale: map 0..65535 onto 0..255 (a plain convert would clip at 255).
        return im.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if mode == "I":
        _, high = im.getextrema()
        scale = 1 if high <= 255 else 257 if high <= 65535 else high / 255
        return im.point(lambda v: v * (1 / scale)).convert("L")
    if mode == "F":
        _, high = im.getextrema()
        scale = 1 / 255 if high <= 1 else high / 255
        return im.point(lambda v: v * (1 / scale)).convert("L")
    try:
        return im.convert("RGBA" if mode.endswith(("A", "a")) else "RGB")
    except ValueError as exc:
        raise ImageRejected(f"unsupported colour mode: {mode}") from exc


def _flatten(im: Image.Image) -> Image.Image:
    """Put a transparent image on white: proofs are JPEGs, and white is what a print would show."""
    if im.mode not in ("RGBA", "LA"):
        return im
    background = Image.new(im.mode[:-1], im.size, 255 if im.mode == "LA" else (255, 255, 255))
    background.paste(im, mask=im.getchannel("A"))
    return background


def _encode(im: Image.Image, quality: int, *, icc: bool = True) -> bytes:
    """JPEG bytes carrying an sRGB profile and no other metadata.

    Baseline with optimised Huffman tables, the proof included: progressive would let a slow phone
    paint a rough picture early, but costs twice the encoding time (31 against 15 ms for a 2048 px
    proof) for a file of the same size (within 1 %).
    """
    out = im if im.mode == "RGB" else im.convert("RGB")
    buf = io.BytesIO()
    # Saving passes no exif/xmp, and comment=b"" stops Pillow reusing a comment from the source.
    out.save(
        buf,
        "JPEG",
        quality=quality,
        optimize=True,
        icc_profile=SRGB_ICC if icc else None,
        comment=b"",
    )
    return buf.getvalue()


# --- Colour -------------------------------------------------------------------------------------

_PROFILE_SPACE = {"RGB": "RGB", "RGBA": "RGB", "CMYK": "CMYK", "L": "GRAY", "LA": "GRAY", "LAB": "LAB"}


def _source_profile(mode: str, icc: bytes | None, exif: Image.Exif) -> bytes | None:
    """The ICC profile to read the pixels with, or None to take them as they are (sRGB)."""
    if mode == "LAB":
        return b"LAB"
    if icc:
        return icc
    if mode in ("RGB", "RGBA") and _says_adobe_rgb(exif):
        return adobe_rgb_icc()
    return None


def _to_srgb(im: Image.Image, profile: bytes | None) -> Image.Image:
    transform = _transform_to_srgb(profile, im.mode) if profile else None
    if transform is None:
        return im if im.mode == "RGB" else im.convert("RGB")
    if im.mode == "RGB" and not im.readonly:
        # `im` is ours to change (a resized copy, or the decoded source, used for nothing else).
        transform.apply_in_place(im)
        return im
    return transform.apply(im)


@functools.lru_cache(maxsize=32)
def _transform_to_srgb(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A cached transform from `icc` to sRGB, or None when converting is pointless or impossible.

    Building a transform costs milliseconds and a studio's photos share a handful of profiles.
    """
    try:
        if icc == b"LAB":
            profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
        else:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip().upper()
        if space != _PROFILE_SPACE.get(mode):
            logger.info("ignoring a %s ICC profile on a %s image", space, mode)
            return None
        if space == "RGB" and ImageCms.getProfileDescription(profile).strip().lower().startswith("srgb"):
            return None  # already sRGB: converting would only cost time
        return ImageCms.buildTransform(profile, _SRGB_PROFILE, mode, "RGB", RENDERING_INTENT, TRANSFORM_FLAGS)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        # A broken profile is no reason to lose the photo: read it as sRGB, like an untagged file.
        logger.info("ignoring an unreadable ICC profile: %r", exc)
        return None


def _says_adobe_rgb(exif: Image.Exif) -> bool:
    """Camera JPEGs shot in Adobe RGB rarely embed a profile; DCF marks them this way instead."""
    try:
        if exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.ColorSpace) != 0xFFFF:
            return False
        index = exif.get_ifd(ExifTags.IFD.Interop).get(ExifTags.Interop.InteropIndex)
    except Exception:  # damaged EXIF is common and never worth refusing a photo over
        return False
    if isinstance(index, bytes):
        index = index.decode("ascii", "replace")
    return isinstance(index, str) and index.strip("\x00 ").upper() == "R03"


@functools.cache
def adobe_rgb_icc() -> bytes:
    """A minimal ICC v2 profile equivalent to Adobe RGB (1998): its D50 colorants and 563/256 gamma."""
    return _matrix_icc(
        "Adobe RGB (1998) compatible",
        white=(0.95045, 1.0, 1.08905),
        red=(0.60974, 0.31111, 0.01947),
        green=(0.20528, 0.62567, 0.06087),
        blue=(0.14919, 0.06322, 0.74457),
        gamma=563 / 256,
    )


def _matrix_icc(
    description: str,
    *,
    white: tuple[float, float, float],
    red: tuple[float, float, float],
    green: tuple[float, float, float],
    blue: tuple[float, float, float],
    gamma: float,
) -> bytes:
    """Bytes of a display-class RGB matrix/TRC ICC v2 profile (what Adobe RGB (1998) is)."""

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    text = description.encode("ascii")
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + bytes(4 + 4 + 2 + 1 + 67)
    trc = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\0\0\0\0No copyright, use freely\0"),
        (b"wtpt", xyz(white)),
        (b"rXYZ", xyz(red)),
        (b"gXYZ", xyz(green)),
        (b"bXYZ", xyz(blue)),
        (b"rTRC", trc),
        (b"gTRC", trc),
        (b"bTRC", trc),
    ]
    table_end = 128 + 4 + 12 * len(tags)
    body = b""
    entries = b""
    for signature, data in tags:
        offset = table_end + len(body)
        entries += signature + struct.pack(">II", offset, len(data))
        body += data + bytes(-len(data) % 4)  # tags start on 4-byte boundaries
    size = table_end + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"  # preferred CMM
        + struct.pack(">I", 0x02100000)  # version 2.1
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 8 + 4)  # platform, flags, manufacturer, model, attributes, intent
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)  # PCS illuminant D50
        + bytes(4 + 16 + 28)  # creator, profile id, reserved
    )
    return header + struct.pack(">I", len(tags)) + entries + body


# --- Metadata -----------------------------------------------------------------------------------

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _exif(im: Image.Image) -> Image.Exif:
    """The image's EXIF, or an empty one when it is absent or damaged (never a reason to refuse)."""
    try:
        return im.getexif()
    except Exception:
        logger.info("ignoring damaged EXIF", exc_info=True)
        return Image.Exif()


def _orientation(exif: Image.Exif) -> int:
    try:
        value = int(exif.get(ExifTags.Base.Orientation, 1))
    except (TypeError, ValueError):
        return 1
    return value if value in _TRANSPOSE else 1


def _capture_time(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal (with its sub-seconds, which order a burst), else DateTimeDigitized."""
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:
        return None
    for tag, subsec_tag in (
        (ExifTags.Base.DateTimeOriginal, ExifTags.Base.SubsecTimeOriginal),
        (ExifTags.Base.DateTimeDigitized, ExifTags.Base.SubsecTimeDigitized),
    ):
        moment = _parse_exif_datetime(details.get(tag))
        if moment is not None:
            digits = _text(details.get(subsec_tag)).strip()
            if digits.isdigit():
                moment = moment.replace(microsecond=int(digits[:6].ljust(6, "0")))
            return moment
    return None


def _parse_exif_datetime(value: object) -> datetime | None:
    text = _text(value).strip()[:19]
    for layout in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    return None  # absent, blank ("    :  :  ") or zeroed ("0000:00:00 00:00:00") by the camera


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.replace("\x00", "") if isinstance(value, str) else ""


# --- Watermark ----------------------------------------------------------------------------------


def _apply_watermark(proof: Image.Image, mark: Watermark) -> None:
    """Composite `mark` onto the (RGB, upright) proof in place."""
    width, height = proof.size
    margin = round(min(width, height) * 0.03)
    rgb, alpha = _mark_tile(mark, _mark_width(mark, proof.size, margin))
    w, h = rgb.size
    if mark.position == "tiled":
        step_x, step_y = w + w // 2, h * 3
        for row, y in enumerate(range(-h // 2, height, step_y)):
            for x in range(-w // 2 + (step_x // 2 if row % 2 else 0), width, step_x):
                proof.paste(rgb, (x, y), alpha)
        return
    left, top, right, bottom = margin, margin, width - w - margin, height - h - margin
    x, y = {
        "center": ((width - w) // 2, (height - h) // 2),
        "bottom-right": (right, bottom),
        "bottom-left": (left, bottom),
        "top-right": (right, top),
        "top-left": (left, top),
    }[mark.position]
    proof.paste(rgb, (x, y), alpha)


def _mark_width(mark: Watermark, proof_size: tuple[int, int], margin: int) -> int:
    """The mark's width: `size` of the proof's width, shrunk if it would not fit inside the margins."""
    width, height = proof_size
    aspect = _mark_source(mark).width / _mark_source(mark).height
    wanted = width * mark.size
    room_w, room_h = max(1, width - 2 * margin), max(1, height - 2 * margin)
    return max(1, round(min(wanted, room_w, room_h * aspect)))


@functools.lru_cache(maxsize=8)
def _mark_tile(mark: Watermark, width: int) -> tuple[Image.Image, Image.Image]:
    """The mark scaled to `width` as (RGB, alpha with opacity applied), cached across photos."""
    source = _mark_source(mark)
    height = max(1, round(source.height * width / source.width))
    tile = source.resize((width, height), Image.Resampling.LANCZOS)  # RGBA resizes premultiplied
    alpha = tile.getchannel("A").point(_opacity_table(mark.opacity))
    return tile.convert("RGB"), alpha


def _opacity_table(opacity: float) -> list[int]:
    return [round(a * opacity) for a in range(256)]


@functools.lru_cache(maxsize=8)
def _mark_source(mark: Watermark) -> Image.Image:
    """The mark at its reference size, RGBA."""
    if mark.logo_png:
        return _open_logo(mark.logo_png)
    return _render_text(mark.text.strip())


def _render_text(text: str) -> Image.Image:
    """White text with a dark outline, so it reads on both bright and dark backgrounds.

    Drawn large once with Pillow's bundled font (no system fonts needed) and scaled to fit later.
    """
    font_size = 120
    font = ImageFont.load_default(size=font_size)
    stroke = max(1, font_size // 24)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox(
        (0, 0), text, font=font, stroke_width=stroke
    )
    pad = stroke * 2
    canvas = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (255, 255, 255, 0))
    ImageDraw.Draw(canvas).text(
        (pad - left, pad - top),
        text,
        font=font,
        fill=(255, 255, 255, 255),
        stroke_width=stroke,
        stroke_fill=(0, 0, 0, 255),
    )
    return canvas


def _open_logo(png: bytes) -> Image.Image:
    if not png:
        raise ImageRejected("watermark logo: empty file")
    if not png.startswith(_PNG_SIGNATURE):
        raise ImageRejected("watermark logo: not a PNG image")
    fp = io.BytesIO(png)
    width, height = imagesize.get(fp, exif_rotation=False)  # from the header: before Pillow's own guard
    if width * height > MAX_LOGO_PIXELS:
        raise ImageRejected(f"watermark logo too large: {_grouped(width)} × {_grouped(height)} px")
    try:
        logo = Image.open(fp, formats=["PNG"])
        width, height = logo.size
        if width * height > MAX_LOGO_PIXELS:
            raise ImageRejected(f"watermark logo too large: {_grouped(width)} × {_grouped(height)} px")
        logo.load()
        return logo.convert("RGBA")
    except ImageRejected:
        raise
    except (UnidentifiedImageError, *_DATA_ERRORS) as exc:
        raise ImageRejected("watermark logo: damaged PNG file") from exc


# --- Delivered files: where it was taken removed, everything else kept ----------------------------

# XMP properties that say where a photo was taken: its GPS position, and the names of the place.
_XMP_PLACE = (
    rb"(?:exif|exifEX):GPS\w*|photoshop:(?:City|State|Country)|Iptc4xmpCore:(?:Location|CountryCode)"
    rb"|Iptc4xmpExt:(?:LocationCreated|LocationShown)"
)
_XMP_PLACE_ATTRIBUTE = re.compile(rb"\s(?:" + _XMP_PLACE + rb")\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_XMP_PLACE_ELEMENT = re.compile(rb"<(" + _XMP_PLACE + rb")\b(?:[^>]*/>|[^>]*>.*?</\1\s*>)", re.DOTALL)
_XMP_JPEG_NAMESPACE = b"http://ns.adobe.com/xap/1.0/\x00"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def without_location(data: bytes) -> bytes:
    """The file with where it was taken removed: EXIF's GPS directory, the GPS position and place
    names in its XMP, and (JPEG) the place names in its IPTC record. Nothing else changes: the
    pixels are not re-encoded, and copyright, artist, camera, orientation, capture time and the ICC
    profile stay. JPEG, PNG and WebP are rewritten segment by segment; a TIFF is saved again
    losslessly. EXIF too damaged to read is dropped whole rather than risk leaving a position in.
    ImageRejected for other formats."""
    if data[:2] == b"\xff\xd8":
        return _jpeg_without_location(data)
    if data[:8] == _PNG_SIGNATURE:
        return _png_without_location(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_without_location(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _tiff_without_location(data)
    raise ImageRejected("unsupported format")


def says_where(source: Source) -> bool:
    """Whether the file records where it was taken (what `without_location()` would remove). A
    JPEG's metadata comes before its pixels, so its first 256 KB are enough; other formats are
    read whole. Anything unreadable counts as saying where."""
    with _opened(source) as fp:
        head = fp.read(256 * 1024)
        data = head if head[:2] == b"\xff\xd8" else head + fp.read()
    try:
        return without_location(data) != data
    except Exception:
        return True


def _exif_without_gps(tiff: bytes) -> bytes | None:
    """EXIF (TIFF-structured, without the "Exif" prefix) minus its GPS directory; the same bytes
    when it has none; None when it can't be read."""
    exif = Image.Exif()
    try:
        exif.load(tiff)
        if ExifTags.IFD.GPSInfo not in exif:
            return tiff
        # Read now, so they are written back (the Interop directory hangs off the Exif one, if any).
        if ExifTags.IFD.Interop in exif.get_ifd(ExifTags.IFD.Exif):
            exif.get_ifd(ExifTags.IFD.Interop)
        del exif[ExifTags.IFD.GPSInfo]
        out = exif.tobytes()
    except Exception:  # damaged EXIF is common: it goes, the photo stays
        logger.info("dropping unreadable EXIF from a delivered file", exc_info=True)
        return None
    return out.removeprefix(b"Exif\x00\x00")


def _xmp_without_location(xmp: bytes) -> bytes:
    return _XMP_PLACE_ELEMENT.sub(b"", _XMP_PLACE_ATTRIBUTE.sub(b"", xmp))


def _jpeg_without_location(data: bytes) -> bytes:
    out, pos = bytearray(data[:2]), 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte
            out.append(0xFF)
            pos += 1
            continue
        if marker in (0xDA, 0xD9):  # start of scan (the pixels) or end of image: the rest as it is
            break
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        segment, payload = data[pos:end], data[pos + 4 : end]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            exif = _exif_without_gps(payload[6:])
            segment = b"" if exif is None else _jpeg_segment(0xE1, b"Exif\x00\x00" + exif)
        elif marker == 0xE1 and payload.startswith(_XMP_JPEG_NAMESPACE):
            xmp = _xmp_without_location(payload[len(_XMP_JPEG_NAMESPACE) :])
            segment = _jpeg_segment(0xE1, _XMP_JPEG_NAMESPACE + xmp)
        elif marker == 0xED and payload.startswith(_PHOTOSHOP):
            resources = _photoshop_without_location(payload[len(_PHOTOSHOP) :])
            segment = _jpeg_segment(0xED, _PHOTOSHOP + resources)
        out += segment
        pos = end
    return bytes(out + data[pos:])


# IPTC-IIM, as Photoshop and Lightroom also write it (APP13): the place's name, by dataset number.
_PHOTOSHOP = b"Photoshop 3.0\x00"
_IPTC_NAA, _IPTC_DIGEST = 0x0404, 0x0425
_IIM_PLACE = {90, 92, 95, 100, 101}  # city, sub-location, province or state, country code, country


def _photoshop_without_location(data: bytes) -> bytes:
    """Photoshop's image resources with the place names taken out of their IPTC record (and the
    record's digest, which would no longer match). Unreadable resources are dropped."""
    out, pos = bytearray(), 0
    while pos + 12 <= len(data) and data[pos : pos + 4] == b"8BIM":
        kind = int.from_bytes(data[pos + 4 : pos + 6], "big")
        name_end = pos + 6 + (1 + data[pos + 6] + 1) // 2 * 2  # a Pascal string, padded to even
        size = int.from_bytes(data[name_end : name_end + 4], "big")
        body = data[name_end + 4 : name_end + 4 + size]
        if kind == _IPTC_NAA:
            body = _iim_without_location(body)
        if kind != _IPTC_DIGEST:
            out += data[pos:name_end] + len(body).to_bytes(4, "big") + body + b"\x00" * (len(body) % 2)
        pos = name_end + 4 + size + size % 2
    return bytes(out)


def _iim_without_location(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while pos + 5 <= len(data) and data[pos] == 0x1C:
        record, dataset = data[pos + 1], data[pos + 2]
        size = int.from_bytes(data[pos + 3 : pos + 5], "big")
        if size & 0x8000:  # an extended length: never used for place names; keep the rest as it is
            return bytes(out + data[pos:])
        if not (record == 2 and dataset in _IIM_PLACE):
            out += data[pos : pos + 5 + size]
        pos += 5 + size
    return bytes(out)


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    if len(payload) + 2 > 0xFFFF:
        return b""  # cannot happen for what only shrinks; never write a broken segment
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _png_without_location(data: bytes) -> bytes:
    out, pos = bytearray(data[:8]), 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        chunk = data[pos : pos + 12 + length]
        if kind == b"eXIf":
            exif = _exif_without_gps(body)
            chunk = b"" if exif is None else _png_chunk(b"eXIf", exif)
        elif kind == b"iTXt" and body.startswith(b"XML:com.adobe.xmp\x00"):
            chunk = _png_xmp_without_location(body)
        out += chunk
        pos += 12 + length
        if kind == b"IEND":
            break
    return bytes(out + data[pos:])


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_xmp_without_location(body: bytes) -> bytes:
    """An iTXt chunk: keyword, compressed?, method, language, translated keyword, then the text."""
    keyword, _, rest = body.partition(b"\x00")
    compressed, rest = rest[0], rest[2:]
    language, _, rest = rest.partition(b"\x00")
    translated, _, text = rest.partition(b"\x00")
    try:
        xmp = zlib.decompress(text) if compressed else text
    except zlib.error:
        return b""  # unreadable: it goes
    fields = b"\x00".join((keyword, b"\x00\x00" + language, translated, _xmp_without_location(xmp)))
    return _png_chunk(b"iTXt", fields)


def _webp_without_location(data: bytes) -> bytes:
    out, pos = bytearray(), 12
    dropped_exif = False
    while pos + 8 <= len(data):
        kind, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = data[pos + 8 : pos + 8 + size]
        if kind == b"EXIF":
            prefixed = body.startswith(b"Exif\x00\x00")
            exif = _exif_without_gps(body.removeprefix(b"Exif\x00\x00"))
            dropped_exif = exif is None
            body = b"" if exif is None else (b"Exif\x00\x00" if prefixed else b"") + exif
        elif kind == b"XMP ":
            body = _xmp_without_location(body)
        if body or kind not in (b"EXIF", b"XMP "):
            out += kind + len(body).to_bytes(4, "little") + body + b"\x00" * (len(body) % 2)
        pos += 8 + size + size % 2
    if dropped_exif and out[:4] == b"VP8X":
        out[8] &= ~0x08  # the "has EXIF" flag
    return b"RIFF" + (4 + len(out)).to_bytes(4, "little") + b"WEBP" + bytes(out)


def _tiff_without_location(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
        xmp = im.tag_v2.get(700)
        xmp = xmp if isinstance(xmp, bytes) else str(xmp or "").encode()
        if ExifTags.IFD.GPSInfo not in exif and not re.search(_XMP_PLACE, xmp):
            return data
        exif.get_ifd(ExifTags.IFD.Exif)  # read now, so it is written back
        exif.pop(ExifTags.IFD.GPSInfo, None)
        if xmp:
            im.tag_v2[700] = _xmp_without_location(xmp)  # Pillow copies the XMP tag when it saves
        out = io.BytesIO()
        im.save(out, "TIFF", exif=exif, compression=im.info.get("compression", "raw"), save_all=True)
        return out.getvalue()
