"""The image pipeline (photostudio/imaging.py): renditions, orientation, colour, privacy, watermarks
and the files it refuses. Pure Pillow, no database; every image is made in memory."""

import ast
import inspect
import io
import logging
import os
import time
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageFile, JpegImagePlugin

from photostudio import imaging
from photostudio.imaging import ImageRejected, Renditions, Watermark, make_renditions, read_capture_time
from tests.imaging_samples import (
    adobe_rgb_profile,
    adobe_rgb_to_srgb,
    big_photo_jpeg,
    corner_colours,
    corner_pattern,
    decode,
    display_p3_profile,
    encode,
    exif,
    flat,
    jpeg_segments,
    photo,
    png_header,
    srgb_reference,
    webp_header,
    with_jpeg_size,
)

GREY = (128, 128, 128)
APP0, APP1, APP2, COM = 0xE0, 0xE1, 0xE2, 0xFE


def renditions(im: Image.Image, fmt: str = "JPEG", watermark: Watermark | None = None, **params) -> Renditions:
    return make_renditions(io.BytesIO(encode(im, fmt, **params)), watermark=watermark)


def outputs(result: Renditions) -> dict[str, bytes]:
    return {
        "proof": result.proof,
        "thumb": result.thumb,
        "thumb_2x": result.thumb_2x,
        "placeholder": result.placeholder,
    }


def centre(data: bytes) -> tuple[int, int, int]:
    im = decode(data)
    return im.getpixel((im.width // 2, im.height // 2))


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 3) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def rejection(data: bytes) -> str:
    with pytest.raises(ImageRejected) as caught:
        make_renditions(io.BytesIO(data))
    return str(caught.value)


# --- Sizes --------------------------------------------------------------------------------------


def test_it_makes_each_rendition_at_its_long_edge():
    result = make_renditions(io.BytesIO(big_photo_jpeg()))

    assert (result.width, result.height) == (4096, 2732)
    assert result.proof_size == (2048, 1366)
    assert result.thumb_2x_size == (960, 640)
    assert result.thumb_size == (480, 320)
    assert result.placeholder_size == (24, 16)
    for name, data in outputs(result).items():
        im = decode(data)
        assert (im.format, im.mode) == ("JPEG", "RGB"), name
        assert im.size == getattr(result, f"{name}_size"), name


def test_it_never_enlarges_a_small_source():
    result = renditions(photo((300, 200)))

    assert result.proof_size == (300, 200)
    assert result.thumb_2x_size == (300, 200)
    assert result.thumb_size == (300, 200)
    assert result.placeholder_size == (24, 16)
    assert decode(result.proof).size == (300, 200)


def test_a_tiny_source_keeps_its_size_everywhere():
    result = renditions(flat((10, 7), GREY), "PNG")

    assert result.proof_size == result.thumb_size == result.placeholder_size == (10, 7)


def test_a_big_jpeg_is_decoded_once_at_reduced_scale(monkeypatch):
    decodes = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def counting_load(im):
        if im.tile:  # later calls find the pixels already there and return at once
            decodes.append(im.size)
        return real_load(im)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", counting_load)

    make_renditions(io.BytesIO(big_photo_jpeg()))

    # Half scale still covers the 2048 px proof; the thumbnails come from the proof, not the file.
    assert decodes == [(2048, 1366)]


def test_a_path_is_accepted_as_well_as_a_file(tmp_path):
    path = tmp_path / "IMG_0001.JPG"
    path.write_bytes(encode(photo((400, 300)), "JPEG"))

    assert make_renditions(path).proof_size == (400, 300)
    assert make_renditions(str(path)).proof_size == (400, 300)


def test_a_file_object_is_read_from_its_start_and_left_open():
    fp = io.BytesIO(encode(photo((400, 300)), "JPEG"))
    fp.seek(100)

    make_renditions(fp)

    assert not fp.closed


def test_a_stream_that_cannot_seek_is_read_whole():
    class Stream:
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def read(self, size: int = -1) -> bytes:
            return self.data.read(size)

    result = make_renditions(Stream(encode(photo((400, 300)), "JPEG")))

    assert result.proof_size == (400, 300)


def test_the_placeholder_is_ready_for_a_data_uri():
    result = renditions(photo((400, 300)))

    assert result.placeholder_data_uri.startswith("data:image/jpeg;base64,/9j/")
    assert len(result.placeholder) < 1500


# --- Orientation --------------------------------------------------------------------------------


# Where the stored red (top-left), green (top-right) and blue (bottom-left) corners of
# `corner_pattern()` must be once the photo is upright: (top-left, top-right, bottom-left, bottom-right).
# Worked out from the EXIF specification, which says for each value which side of the picture the
# stored first row and first column are: 1 top/left, 2 top/right, 3 bottom/right, 4 bottom/left,
# 5 left/top, 6 right/top, 7 right/bottom, 8 left/bottom. 2, 4, 5 and 7 are mirror images: going
# clockwise from red they meet blue first, where 1, 3, 6 and 8 meet green.
CORNER_NAMES = ("top-left", "top-right", "bottom-left", "bottom-right")
UPRIGHT_CORNERS = {
    1: ("red", "green", "blue", "grey"),
    2: ("green", "red", "grey", "blue"),
    3: ("grey", "blue", "green", "red"),
    4: ("blue", "grey", "red", "green"),
    5: ("red", "blue", "green", "grey"),
    6: ("blue", "red", "grey", "green"),
    7: ("grey", "green", "blue", "red"),
    8: ("green", "grey", "red", "blue"),
}


@pytest.mark.parametrize("orientation", list(UPRIGHT_CORNERS))
@pytest.mark.parametrize(
    ("fmt", "stored"),
    [("JPEG", (4096, 2732)), ("PNG", (300, 200))],
    ids=["big-jpeg-in-draft-mode", "small-png"],
)
def test_every_exif_orientation_comes_out_upright_and_unmirrored(orientation, fmt, stored):
    result = renditions(corner_pattern(stored), fmt, exif=exif(orientation=orientation))

    sideways = orientation >= 5  # 5 to 8 swap width and height
    assert (result.width, result.height) == ((stored[1], stored[0]) if sideways else stored)
    expected = dict(zip(CORNER_NAMES, UPRIGHT_CORNERS[orientation], strict=True))
    for name, data in outputs(result).items():
        im = decode(data)
        assert im.size == getattr(result, f"{name}_size"), name
        assert (im.height > im.width) == sideways, name
        assert corner_colours(im) == expected, name


def test_an_unknown_orientation_value_is_ignored():
    result = renditions(photo((300, 200)), exif=exif(orientation=9))

    assert (result.width, result.height) == (300, 200)


# --- Privacy ------------------------------------------------------------------------------------


def test_no_rendition_carries_exif_gps_xmp_or_comments():
    source = exif(orientation=6, taken="2024:05:17 14:03:22", gps=True, private=True)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/>Jane Photographer, Brighton</x:xmpmeta>'

    result = renditions(photo((2400, 1600)), exif=source, xmp=xmp, comment=b"shot for Alice", quality=90)

    for name, data in outputs(result).items():
        im = decode(data)
        assert len(im.getexif()) == 0, name
        assert not {"exif", "xmp", "comment"} & im.info.keys(), name
        markers = {marker for marker, _ in jpeg_segments(data)}
        assert APP1 not in markers and COM not in markers, name  # APP1 holds EXIF and XMP
        assert b"Canon" not in data and b"Brighton" not in data and b"Alice" not in data, name


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_no_rendition_of_any_accepted_format_keeps_exif_or_gps(fmt):
    source = encode(photo((600, 400)), fmt, exif=exif(taken="2024:05:17 14:03:22", gps=True, private=True))
    assert decode(source).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the source should carry a location"

    result = make_renditions(io.BytesIO(source))

    assert result.captured_at == datetime(2024, 5, 17, 14, 3, 22)  # read, then left behind
    for name, data in outputs(result).items():
        im = decode(data)
        assert len(im.getexif()) == 0 and not im.getexif().get_ifd(ExifTags.IFD.GPSInfo), name
        assert APP1 not in {marker for marker, _ in jpeg_segments(data)}, name
        assert b"Exif\0\0" not in data and b"012345678901" not in data and b"Canon" not in data, name


def test_proofs_and_thumbnails_carry_an_srgb_profile():
    result = renditions(photo((400, 300)), icc_profile=adobe_rgb_profile())

    for name in ("proof", "thumb", "thumb_2x"):
        icc = decode(getattr(result, name)).info.get("icc_profile")
        assert icc == imaging.SRGB_ICC, name
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
        assert description.strip().startswith("sRGB"), name
    # The placeholder is inlined as a data: URI, where a profile would triple its size.
    assert "icc_profile" not in decode(result.placeholder).info


# --- Colour -------------------------------------------------------------------------------------

ADOBE_RED = (200, 60, 60)


def test_an_adobe_rgb_photo_is_converted_to_srgb():
    expected = srgb_reference(ADOBE_RED, adobe_rgb_profile())
    assert expected[0] - ADOBE_RED[0] > 20  # read as sRGB, the same numbers would look dull

    result = renditions(flat((400, 300), ADOBE_RED), "PNG", icc_profile=adobe_rgb_profile())

    for name in ("proof", "thumb", "thumb_2x"):
        assert close(centre(getattr(result, name)), expected), (name, centre(getattr(result, name)), expected)


@pytest.mark.parametrize("color", [ADOBE_RED, (60, 160, 80), (40, 90, 200), (230, 200, 150), (128, 128, 128)])
@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("JPEG", {"icc_profile": adobe_rgb_profile(), "quality": 100, "subsampling": 0}),  # exported from an editor
        ("JPEG", {"exif": exif(adobe_rgb=True), "quality": 100, "subsampling": 0}),  # straight from a camera
        ("PNG", {"icc_profile": adobe_rgb_profile()}),
    ],
    ids=["jpeg-with-profile", "camera-jpeg-marked-adobe-rgb", "png-with-profile"],
)
def test_an_adobe_rgb_pixel_lands_where_the_published_matrices_put_it(color, fmt, params):
    expected = adobe_rgb_to_srgb(color)  # e.g. (200, 60, 60) → (231, 57, 57)

    result = renditions(flat((400, 300), color), fmt, **params)

    for name, data in outputs(result).items():
        assert close(centre(data), expected, 3), (name, centre(data), expected)


def test_a_display_p3_photo_is_converted_to_srgb():
    expected = srgb_reference(ADOBE_RED, display_p3_profile())

    result = renditions(flat((400, 300), ADOBE_RED), "JPEG", icc_profile=display_p3_profile(), quality=100)

    assert close(centre(result.proof), expected, 4), (centre(result.proof), expected)
    assert not close(centre(result.proof), ADOBE_RED, 10)


def test_a_big_tagged_jpeg_is_converted_on_the_draft_mode_path():
    expected = srgb_reference(ADOBE_RED, adobe_rgb_profile())

    result = renditions(flat((4096, 2732), ADOBE_RED), icc_profile=adobe_rgb_profile(), quality=100, subsampling=0)

    assert close(centre(result.proof), expected), (centre(result.proof), expected)


def test_a_camera_jpeg_marked_adobe_rgb_without_a_profile_is_converted():
    expected = srgb_reference(ADOBE_RED, adobe_rgb_profile())

    result = renditions(flat((400, 300), ADOBE_RED), exif=exif(adobe_rgb=True), quality=100, subsampling=0)

    assert close(centre(result.proof), expected), (centre(result.proof), expected)


def test_an_untagged_photo_is_taken_as_srgb():
    result = renditions(flat((400, 300), ADOBE_RED), "PNG")

    assert close(centre(result.proof), ADOBE_RED, 2)


def test_an_srgb_tagged_photo_keeps_its_colours():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    result = renditions(flat((400, 300), ADOBE_RED), "PNG", icc_profile=srgb)

    assert close(centre(result.proof), ADOBE_RED, 2)


def test_a_broken_profile_is_ignored_and_the_photo_read_as_srgb():
    result = renditions(flat((400, 300), ADOBE_RED), "PNG", icc_profile=b"not really a profile" * 10)

    assert close(centre(result.proof), ADOBE_RED, 2)


def test_a_profile_for_another_colour_space_is_ignored():
    # An RGB profile on a greyscale image can't be applied; the grey is kept as it is.
    result = renditions(flat((400, 300), 90, "L"), "PNG", icc_profile=adobe_rgb_profile())

    assert close(centre(result.proof), (90, 90, 90), 2)


def test_a_cmyk_jpeg_becomes_rgb():
    result = renditions(flat((400, 300), (0, 255, 255, 0), "CMYK"), "JPEG", quality=95)

    im = decode(result.proof)
    assert im.mode == "RGB"
    red, green, blue = centre(result.proof)
    assert red > 200 and green < 60 and blue < 60


def test_a_transparent_png_is_put_on_white():
    im = flat((400, 300), (0, 0, 0, 0), "RGBA")
    im.paste((20, 40, 200, 255), (200, 0, 400, 300))

    result = renditions(im, "PNG")

    proof = decode(result.proof)
    assert close(proof.getpixel((50, 150)), (255, 255, 255), 2)
    assert close(proof.getpixel((350, 150)), (20, 40, 200), 3)


def test_a_16_bit_greyscale_tiff_keeps_its_tones():
    im = Image.new("I;16", (400, 300), 0x8000)  # half of full scale, not "brighter than white"

    result = renditions(im, "TIFF")

    assert close(centre(result.proof), GREY, 2)


@pytest.mark.parametrize(
    ("mode", "fmt", "color"),
    [
        ("L", "TIFF", 128),
        ("L", "JPEG", 128),
        ("LA", "PNG", (128, 255)),
        ("P", "PNG", None),
        ("1", "PNG", 1),
        ("RGB", "TIFF", GREY),
        ("RGB", "WEBP", GREY),
        ("RGBA", "WEBP", (128, 128, 128, 255)),
        ("CMYK", "TIFF", (0, 0, 0, 127)),
        ("I;16", "PNG", 0x8000),
        ("I", "TIFF", 128),
        ("F", "TIFF", 0.5),
        ("LAB", "TIFF", (127, 128, 128)),
    ],
)
def test_every_accepted_format_and_mode_ends_as_an_rgb_jpeg(mode, fmt, color):
    im = Image.new(mode, (400, 300), color) if color is not None else flat((400, 300), GREY).convert("P")

    result = renditions(im, fmt)

    proof = decode(result.proof)
    assert (proof.format, proof.mode, proof.size) == ("JPEG", "RGB", (400, 300))
    assert result.source_format == fmt


def test_a_camera_jpeg_with_a_preview_frame_is_read_as_a_jpeg():
    # Many cameras write MPO: the photo, then a preview, in one .JPG.
    data = encode(photo((800, 600)), "MPO", save_all=True, append_images=[photo((160, 120))])

    result = make_renditions(io.BytesIO(data))

    assert (result.source_format, result.proof_size) == ("JPEG", (800, 600))


# --- Watermark ----------------------------------------------------------------------------------

CORNERS = {
    "top-left": (0, 0),
    "top-right": (1, 0),
    "bottom-left": (0, 1),
    "bottom-right": (1, 1),
}


def quadrant_changed(before: Image.Image, after: Image.Image, qx: int, qy: int) -> bool:
    w, h = before.width // 2, before.height // 2
    box = (qx * w, qy * h, qx * w + w, qy * h + h)
    extrema = ImageChops.difference(before.crop(box), after.crop(box)).getextrema()
    return max(high for _, high in extrema) > 30


@pytest.mark.parametrize("position", list(CORNERS))
def test_a_text_watermark_marks_its_corner_and_not_the_opposite_one(position):
    source = flat((1800, 1200), GREY)
    plain = decode(renditions(source, "PNG").proof)

    marked_proof = decode(renditions(source, "PNG", Watermark(text="© Studio Lumen", position=position)).proof)

    qx, qy = CORNERS[position]
    assert quadrant_changed(plain, marked_proof, qx, qy)
    assert not quadrant_changed(plain, marked_proof, 1 - qx, 1 - qy)


def test_a_centred_watermark_leaves_the_corners_alone():
    source = flat((1200, 800), GREY)
    plain = decode(renditions(source, "PNG").proof)

    proof = decode(renditions(source, "PNG", Watermark(text="PROOF", position="center", size=0.3)).proof)

    assert (
        proof.getpixel((600, 400)) != plain.getpixel((600, 400))
        or proof.crop((450, 350, 750, 450)).tobytes() != plain.crop((450, 350, 750, 450)).tobytes()
    )
    for qx, qy in CORNERS.values():
        x, y = qx * 1199, qy * 799
        assert proof.getpixel((x, y)) == plain.getpixel((x, y))


def test_a_tiled_watermark_covers_every_quadrant():
    source = flat((1600, 1200), GREY)
    plain = decode(renditions(source, "PNG").proof)

    proof = decode(renditions(source, "PNG", Watermark(text="PROOF", position="tiled", size=0.2)).proof)

    assert all(quadrant_changed(plain, proof, qx, qy) for qx, qy in CORNERS.values())


def test_a_logo_watermark_is_blended_at_its_opacity_and_size():
    logo = flat((200, 100), (255, 0, 0, 255), "RGBA")
    logo.paste((0, 0, 0, 0), (0, 0, 100, 100))  # left half fully transparent
    mark = Watermark(logo_png=encode(logo, "PNG"), position="bottom-left", size=0.5, opacity=0.5)

    result = renditions(flat((2048, 1024), GREY), "PNG", mark)

    proof = decode(result.proof)
    margin = round(1024 * 0.03)
    mark_width, mark_height = 1024, 512  # half the proof's width, the logo's 2:1 shape
    top = 1024 - margin - mark_height
    opaque_half = proof.getpixel((margin + 3 * mark_width // 4, top + mark_height // 2))
    clear_half = proof.getpixel((margin + mark_width // 4, top + mark_height // 2))
    assert close(opaque_half, (191, 64, 64), 4), opaque_half  # half red over half grey
    assert close(clear_half, GREY, 2), clear_half
    assert close(proof.getpixel((margin + mark_width + 24, top + 24)), GREY, 2)  # past its right edge
    assert close(proof.getpixel((margin + mark_width - 24, top + 24)), (191, 64, 64), 4)  # inside it


def test_the_thumbnails_are_made_from_the_watermarked_proof():
    source = flat((2400, 1600), GREY)
    mark = Watermark(logo_png=encode(flat((100, 100), (255, 0, 0, 255), "RGBA"), "PNG"), position="center", opacity=1)

    result = renditions(source, "PNG", mark)

    assert close(centre(result.thumb), (255, 0, 0), 12)
    assert close(centre(result.thumb_2x), (255, 0, 0), 12)


def test_a_camera_jpeg_comes_out_upright_in_srgb_without_metadata_and_watermarked():
    stored = flat((4096, 2732), ADOBE_RED)  # shot vertically: the sensor stores it on its side
    params = {"icc_profile": adobe_rgb_profile(), "quality": 95, "subsampling": 0}
    params["exif"] = exif(orientation=6, taken="2024:05:17 14:03:22", gps=True, private=True)
    plain = renditions(stored, **params)
    mark = Watermark(text="© Studio Lumen", position="bottom-right")

    result = renditions(stored, watermark=mark, **params)

    proof, before = decode(result.proof), decode(plain.proof)
    assert proof.size == result.proof_size == (1366, 2048)
    assert proof.info["icc_profile"] == imaging.SRGB_ICC and len(proof.getexif()) == 0
    assert close(proof.getpixel((100, 100)), adobe_rgb_to_srgb(ADOBE_RED), 3)  # away from the mark
    assert quadrant_changed(before, proof, 1, 1)  # the mark, bottom right of the upright proof
    assert not any(quadrant_changed(before, proof, qx, qy) for qx, qy in ((0, 0), (1, 0), (0, 1)))
    assert quadrant_changed(decode(plain.thumb), decode(result.thumb), 1, 1)


def test_a_mark_too_big_for_a_panorama_is_shrunk_to_fit():
    logo = encode(flat((100, 100), (255, 0, 0, 255), "RGBA"), "PNG")

    result = renditions(flat((2048, 200), GREY), "PNG", Watermark(logo_png=logo, size=1.0, opacity=1))

    proof = decode(result.proof)
    red = [x for x in range(proof.width) if proof.getpixel((x, 100))[0] > 192]
    margin = round(200 * 0.03)
    assert 150 < len(red) <= 200 - 2 * margin  # as tall as the margins allow, so as wide
    assert red[-1] < proof.width - margin


@pytest.mark.parametrize(
    "fields",
    [
        {"text": ""},
        {"text": "x", "position": "middle"},
        {"text": "x", "size": 0},
        {"text": "x", "size": 1.5},
        {"text": "x", "opacity": 2},
    ],
)
def test_a_watermark_with_impossible_settings_is_refused(fields):
    with pytest.raises(ValueError):
        Watermark(**fields)


def test_a_logo_that_is_not_a_png_is_refused():
    with pytest.raises(ImageRejected, match="watermark logo"):
        imaging.check_logo(encode(flat((50, 50), GREY), "JPEG"))
    with pytest.raises(ImageRejected, match="watermark logo"):
        renditions(flat((50, 50), GREY), "PNG", Watermark(logo_png=b"\x89PNG\r\n\x1a\n broken"))
    assert imaging.check_logo(encode(flat((50, 40), (1, 2, 3, 4), "RGBA"), "PNG")) == (50, 40)


# --- Capture time -------------------------------------------------------------------------------


def test_the_capture_time_comes_from_date_time_original():
    data = encode(photo((400, 300)), "JPEG", exif=exif(taken="2024:05:17 14:03:22", subsec="27"))

    result = make_renditions(io.BytesIO(data))

    assert result.captured_at == datetime(2024, 5, 17, 14, 3, 22, 270000)


def test_reading_the_capture_time_alone_decodes_no_pixels(monkeypatch):
    data = encode(photo((400, 300)), "JPEG", exif=exif(taken="2024:05:17 14:03:22"))
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda im: pytest.fail("decoded the pixels"))

    assert read_capture_time(io.BytesIO(data)) == datetime(2024, 5, 17, 14, 3, 22)


def test_a_png_keeps_its_capture_time():
    result = renditions(photo((400, 300)), "PNG", exif=exif(taken="2023:12:31 23:59:59"))

    assert result.captured_at == datetime(2023, 12, 31, 23, 59, 59)


@pytest.mark.parametrize("value", [None, "0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday"])
def test_a_missing_or_blank_capture_time_is_none(value):
    data = encode(photo((100, 80)), "JPEG", exif=exif(taken=value))

    assert make_renditions(io.BytesIO(data)).captured_at is None
    assert read_capture_time(io.BytesIO(data)) is None


# --- Refusals -----------------------------------------------------------------------------------


def test_random_bytes_are_not_an_image():
    assert rejection(bytes((i * 73 + 41) % 256 for i in range(5000))) == "not an image"
    assert rejection(b"Notes from the shoot: Alice prefers the blue backdrop.\n" * 20) == "not an image"


def test_an_empty_file_is_refused():
    assert rejection(b"") == "empty file"


def test_a_jpeg_cut_in_half_is_a_truncated_file():
    data = encode(photo((600, 400)), "JPEG")

    assert rejection(data[: len(data) // 2]) == "truncated file"


def test_a_big_jpeg_cut_in_half_is_refused_on_the_draft_mode_path_too():
    data = big_photo_jpeg()

    assert rejection(data[: len(data) // 2]) == "truncated file"


def test_a_png_cut_short_is_a_truncated_file():
    data = encode(photo((300, 200)), "PNG")

    assert rejection(data[: len(data) * 3 // 4]) == "truncated file"


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("BMP", "BMP")])
def test_other_formats_are_refused_by_name(fmt, name):
    assert rejection(encode(flat((40, 30), GREY), fmt)) == f"unsupported format: {name}"


def test_a_pdf_is_refused_by_name():
    assert rejection(encode(flat((40, 30), GREY), "PDF")) == "unsupported format: PDF"


def test_a_camera_raw_is_refused_rather_than_shown_as_its_tiny_preview():
    preview = flat((160, 120), GREY)
    nef_like = encode(preview, "TIFF", tiffinfo={254: 1})  # first image is a "reduced-resolution copy"
    dng_like = encode(preview, "TIFF", tiffinfo={50706: b"\x01\x04\x00\x00"})
    heic = b"\0\0\0\x18ftypheic" + bytes(200)

    assert rejection(nef_like) == "unsupported format: camera RAW"
    assert rejection(dng_like) == "unsupported format: camera RAW"
    assert rejection(heic) == "unsupported format: HEIC"


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(monkeypatch):
    def no_decoding(im):
        raise AssertionError("the pixels must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    started = time.perf_counter()

    assert rejection(png_header(30000, 30000)) == "too large: 30 000 × 30 000 px"
    assert rejection(with_jpeg_size(encode(photo((64, 64)), "JPEG"), 20000, 15000)) == "too large: 20 000 × 15 000 px"
    assert rejection(webp_header(16383, 16383) + bytes(64)) == "too large: 16 383 × 16 383 px"
    assert time.perf_counter() - started < 0.5


def test_a_100_megapixel_frame_is_within_the_limit():
    assert imaging.MAX_PIXELS >= 11656 * 8742  # a 100 MP medium-format frame


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the damaged TIFF tags it skips
def test_no_raw_pillow_error_escapes_from_a_damaged_file():
    sources = [
        encode(photo((64, 48)), "JPEG", exif=exif(orientation=6, taken="2024:01:01 10:00:00")),
        encode(photo((64, 48)), "PNG", icc_profile=adobe_rgb_profile()),
        encode(photo((64, 48)), "TIFF", compression="tiff_lzw"),
        encode(photo((64, 48)), "WEBP"),
    ]
    reasons = set()
    for data in sources:
        for cut in range(1, len(data), max(1, len(data) // 40)):
            for damaged in (data[:cut], data[:cut] + bytes(16) + data[cut + 16 :], data[:cut] + b"\xff" * 8):
                try:  # anything but ImageRejected fails the test
                    make_renditions(io.BytesIO(damaged))
                except ImageRejected as exc:
                    reasons.add(str(exc))
    # Each is the file's fault, said so; none is taken for a bug of ours.
    assert "truncated file" in reasons and "damaged file" in reasons
    assert imaging.UNEXPECTED_ERROR not in reasons


def test_it_leaves_pillows_global_settings_alone():
    limit, truncated = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES

    make_renditions(io.BytesIO(big_photo_jpeg()))
    with pytest.raises(ImageRejected):
        make_renditions(io.BytesIO(png_header(30000, 30000)))

    assert (limit, truncated) == (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)


def test_a_missing_path_is_not_mistaken_for_a_bad_image(tmp_path):
    # A storage problem is the caller's to retry, not the photographer's to fix.
    with pytest.raises(FileNotFoundError):
        make_renditions(os.fspath(tmp_path / "gone.jpg"))


# --- Whose fault: the file's, or ours -----------------------------------------------------------


def test_a_damaged_file_is_refused_as_damaged_and_logged_at_info_only(caplog, tmp_path):
    # Seeded grain: with random grain, libjpeg decodes about one overwrite in eight without an error.
    good = encode(photo((600, 400), seed=1), "JPEG", quality=90)
    scan = good.index(b"\xff\xda") + 200
    damaged = tmp_path / "IMG_20261120_0142.jpg"  # its image data overwritten partway through
    damaged.write_bytes(good[:scan] + bytes(range(256)) * 4 + good[scan + 1024 :])
    caplog.set_level("INFO", logger="photostudio.imaging")

    with pytest.raises(ImageRejected, match="^damaged file$"):
        make_renditions(os.fspath(damaged))

    assert [record.levelname for record in caplog.records if record.name == "photostudio.imaging"] == ["INFO"]
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.parametrize("bug", [TypeError, KeyError, ZeroDivisionError, AttributeError])
def test_a_bug_of_ours_is_logged_at_warning_with_its_traceback_and_not_blamed_on_the_file(
    bug, monkeypatch, caplog, tmp_path
):
    def broken_watermark(proof, mark):
        raise bug("a mistake in the watermark code")

    monkeypatch.setattr(imaging, "_apply_watermark", broken_watermark)
    shot = tmp_path / "2026-11-20 Bob Mensah 0142.jpg"
    shot.write_bytes(encode(photo((600, 400)), "JPEG", quality=90))

    with pytest.raises(ImageRejected) as refused:
        make_renditions(os.fspath(shot), watermark=Watermark(text="© Northlight Studio"))

    assert str(refused.value) == imaging.UNEXPECTED_ERROR
    assert "damaged" not in str(refused.value)
    [record] = [record for record in caplog.records if record.levelname == "WARNING"]
    assert record.name == "photostudio.imaging" and record.exc_info[0] is bug
    assert "broken_watermark" in caplog.text  # the traceback, down to the failing line


def test_running_out_of_memory_is_left_to_the_caller_to_retry(monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(imaging, "_encode", out_of_memory)

    with pytest.raises(MemoryError):  # not a refusal: the photo is fine, the worker was short
        make_renditions(io.BytesIO(encode(photo((600, 400)), "JPEG")))


# --- Pillow's documented API only ---------------------------------------------------------------

# Registries and decoder state Pillow keeps for itself (its docs: plugins and Pillow's own code only).
PILLOW_INTERNALS = {"OPEN", "SAVE", "MIME", "ID", "EXTENSION", "DECODERS", "ENCODERS", "decoderconfig", "tile"}


def test_the_pipeline_uses_only_documented_pillow_api():
    tree = ast.parse(inspect.getsource(imaging))
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}

    assert attributes & PILLOW_INTERNALS == set()
    assert [name for name in attributes if name.startswith("_") and not name.startswith("__")] == []


def test_pillow_is_required_as_a_range_that_the_installed_version_meets():
    lines = (Path(__file__).parent.parent / "requirements.txt").read_text().splitlines()
    [pillow] = [Requirement(line) for line in lines if line.lower().startswith("pillow")]

    assert {spec.operator for spec in pillow.specifier} == {">=", "<"}  # a range with an upper bound
    assert pillow.specifier.contains(version("Pillow"))
