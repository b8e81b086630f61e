"""The pure pieces of per-photo orders: where a crop's frame may go and its shape, what orders cost,
which proof a final was made from, and cutting a crop from a final of any size or orientation."""

import io
import math
from decimal import Decimal

import pytest
from PIL import ExifTags, Image

from galleries import crop_frames, finals
from galleries.crop_frames import Frame, FrameRejected, centred_frame, checked_frame
from galleries.order_totals import PhotoOrders, orders_total
from photostudio import imaging
from tests.imaging_samples import encode

LANDSCAPE = (6000, 4000)  # a 24 MP frame, 3:2


def as_text(frame: Frame) -> dict[str, str]:
    return {k: f"{v:.6f}" for k, v in frame.as_dict().items()}


# --- frames ---


def test_the_default_square_on_a_landscape_photo_is_full_height_and_centred():
    frame = centred_frame((1, 1), LANDSCAPE)

    assert frame.top == 0 and frame.height == 1
    assert frame.width == pytest.approx(4000 / 6000)
    assert frame.left == pytest.approx((1 - 4000 / 6000) / 2)


def test_the_default_banner_on_a_portrait_photo_is_full_width_and_centred():
    frame = centred_frame((4, 1), (4000, 6000))

    assert frame.left == 0 and frame.width == 1
    assert frame.height == pytest.approx(1000 / 6000)
    assert frame.top == pytest.approx((1 - 1000 / 6000) / 2)


@pytest.mark.parametrize("ratio", [(1, 1), (4, 5), (4, 1), (16, 9)])
@pytest.mark.parametrize("size", [LANDSCAPE, (4000, 6000), (3000, 3000)])
def test_every_default_frame_is_inside_the_photo_and_of_its_ratio(ratio, size):
    frame = centred_frame(ratio, size)

    kept = checked_frame(as_text(frame), ratio=ratio, image_size=size)

    assert list(kept.as_dict().values()) == pytest.approx(list(frame.as_dict().values()), abs=1e-6)


def test_a_frame_moved_to_the_left_edge_is_kept():
    moved = {"left": "0", "top": "0", "width": "0.666667", "height": "1"}

    assert checked_frame(moved, ratio=(1, 1), image_size=LANDSCAPE).left == 0


@pytest.mark.parametrize(
    "values, words",
    [
        ({"left": "nan", "top": "0", "width": "0.666667", "height": "1"}, "could not be read"),
        ({"left": "inf", "top": "0", "width": "0.666667", "height": "1"}, "could not be read"),
        ({"left": "", "top": "0", "width": "0.666667", "height": "1"}, "could not be read"),
        ({"left": "a third", "top": "0", "width": "0.666667", "height": "1"}, "could not be read"),
        ({"left": "-0.1", "top": "0", "width": "0.666667", "height": "1"}, "beyond the photo"),
        ({"left": "0.5", "top": "0", "width": "0.666667", "height": "1"}, "beyond the photo"),
        ({"left": "0", "top": "0", "width": "1.5", "height": "1"}, "beyond the photo"),
        ({"left": "0", "top": "0", "width": "0", "height": "1"}, "has no size"),
        ({"left": "0", "top": "0", "width": "-0.5", "height": "1"}, "has no size"),
        ({"left": "0", "top": "0", "width": "1", "height": "1"}, "isn't 1:1"),
    ],
)
def test_a_frame_that_is_not_a_number_outside_the_photo_or_of_another_shape_is_refused(values, words):
    with pytest.raises(FrameRejected, match=words):
        checked_frame(values, ratio=(1, 1), image_size=LANDSCAPE)


def test_the_ratio_is_checked_on_the_photos_pixel_shape_not_on_the_relative_numbers():
    relative_square = {"left": "0", "top": "0", "width": "0.5", "height": "0.5"}  # 3000 × 2000 px: 3:2

    with pytest.raises(FrameRejected):
        checked_frame(relative_square, ratio=(1, 1), image_size=LANDSCAPE)
    assert checked_frame(relative_square, ratio=(3, 2), image_size=LANDSCAPE)


def test_a_frame_a_pixel_off_its_ratio_as_a_browser_rounds_it_is_accepted():
    frame = {"left": "0.1", "top": "0", "width": f"{4004 / 6000:.6f}", "height": "1"}

    assert crop_frames.matches_ratio(
        checked_frame(frame, ratio=(1, 1), image_size=LANDSCAPE), ratio=(1, 1), image_size=LANDSCAPE
    )


# --- money ---


def test_a_photos_orders_cost_its_crops_and_its_retouching():
    orders = PhotoOrders(
        "IMG_20261120_0142.jpg",
        crops=(("LinkedIn 1:1", Decimal("0")), ("Website banner 4:1", Decimal("15.00"))),
        retouch=("Polished", Decimal("20.00")),
    )

    assert orders.total == Decimal("35.00")
    assert orders.summary == "LinkedIn 1:1, Website banner 4:1; Polished retouching"


def test_the_selections_orders_add_up_to_the_penny():
    photos = [
        PhotoOrders("IMG_0142.jpg", crops=(("Banner", Decimal("15.10")),)),
        PhotoOrders("IMG_0143.jpg", retouch=("Background cleaned", Decimal("35.20"))),
        PhotoOrders("IMG_0144.jpg"),
    ]

    assert orders_total(photos) == Decimal("50.30")
    assert orders_total([]) == Decimal("0.00")


# --- which proof a final is of ---

PROOFS = {1: "IMG_0142.jpg", 2: "IMG_0143.jpg", 3: "IMG_20261120_0150.jpg", 4: "DSC_0150.jpg"}


@pytest.mark.parametrize(
    "final_name, proof",
    [
        ("IMG_0142.jpg", 1),
        ("IMG_0142-edit.tif", 1),
        ("IMG_0142_final.jpg", 1),
        ("img_0142-Edit-2.jpg", 1),
        ("2026-11-20 Bob Mensah 0142 retouched.jpg", 1),
        ("IMG_0143 edited.png", 2),
        ("IMG_20261120_0150-edit.jpg", 3),
    ],
)
def test_a_final_is_matched_to_the_proof_it_was_made_from_by_its_file_name(final_name, proof):
    assert finals.match_proof(final_name, PROOFS) == proof


@pytest.mark.parametrize("final_name", ["Bob Mensah 0150 retouched.jpg", "team-photo.jpg", "IMG_9999.jpg"])
def test_a_final_that_fits_two_proofs_or_none_is_left_for_the_photographer(final_name):
    assert finals.match_proof(final_name, PROOFS) is None


def test_an_exact_name_wins_over_a_frame_number_shared_with_another_proof():
    assert finals.match_proof("DSC_0150.jpg", PROOFS) == 4


# --- cutting a crop from the final ---

# A grid of distinct colours, 6 columns by 4 rows: where a crop lands shows in which cells it holds.
COLOURS = [
    [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180)],
    [(70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255)],
    [(170, 110, 40), (255, 250, 200), (128, 0, 0), (170, 255, 195), (128, 128, 0), (255, 215, 180)],
    [(0, 0, 128), (128, 128, 128), (255, 255, 255), (0, 0, 0), (200, 60, 60), (60, 60, 200)],
]


def grid(size: tuple[int, int]) -> Image.Image:
    im = Image.new("RGB", size)
    cell_w, cell_h = size[0] / 6, size[1] / 4
    for row, colours in enumerate(COLOURS):
        for col, colour in enumerate(colours):
            box = (round(col * cell_w), round(row * cell_h), round((col + 1) * cell_w), round((row + 1) * cell_h))
            im.paste(colour, box)
    return im


def colour_at(im: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    return im.getpixel((int(x * im.width), int(y * im.height)))


def assert_close(found, wanted, tolerance: int = 14):
    assert all(abs(a - b) <= tolerance for a, b in zip(found, wanted, strict=True)), (found, wanted)


# The client's square on the 600 × 400 proof: columns 1 to 4 of the grid, full height.
SQUARE = (1 / 6, 0.0, 4 / 6, 1.0)


def assert_holds_columns_one_to_four(data: bytes) -> Image.Image:
    crop = Image.open(io.BytesIO(data))
    crop.load()
    for row in range(4):
        for col in range(4):
            assert_close(colour_at(crop, (col + 0.5) / 4, (row + 0.5) / 4), COLOURS[row][col + 1])
    return crop


def jpeg(im: Image.Image, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    if orientation != 1:
        exif[ExifTags.Base.Orientation] = orientation
    return encode(im, "JPEG", quality=95, exif=exif)


def test_a_crop_cut_from_a_final_of_the_proofs_size_holds_the_framed_cells():
    (crop,) = imaging.cut_crops(io.BytesIO(jpeg(grid((600, 400)))), [SQUARE])

    assert crop.size == (400, 400)
    assert_holds_columns_one_to_four(crop.full)


def test_a_crop_cut_from_a_final_twice_the_size_holds_the_same_cells_at_full_resolution():
    (crop,) = imaging.cut_crops(io.BytesIO(jpeg(grid((1200, 800)))), [SQUARE])

    assert crop.size == (800, 800)
    assert_holds_columns_one_to_four(crop.full)


def test_a_crop_cut_from_a_final_stored_on_its_side_follows_its_exif_orientation():
    upright = grid((1200, 800))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # as a camera held upright writes it: 800 × 1200

    (crop,) = imaging.cut_crops(io.BytesIO(jpeg(stored, orientation=6)), [SQUARE])

    assert crop.size == (800, 800)
    assert_holds_columns_one_to_four(crop.full)


def test_a_final_of_another_shape_gets_the_same_relative_frame_and_its_shape_follows():
    (crop,) = imaging.cut_crops(io.BytesIO(jpeg(grid((1200, 900)))), [SQUARE])

    assert crop.size == (800, 900)
    assert_holds_columns_one_to_four(crop.full)


def test_the_web_size_of_a_large_crop_is_2048_on_its_long_edge_and_neither_carries_metadata():
    big = grid((4800, 3200))
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    data = encode(big, "JPEG", quality=80, exif=exif)

    (crop,) = imaging.cut_crops(io.BytesIO(data), [(0.0, 0.0, 1.0, 1.0)])

    assert crop.size == (4800, 3200) and crop.web_size == (2048, 1365)
    for made in (crop.full, crop.web):
        with Image.open(io.BytesIO(made)) as im:
            assert not im.getexif() and "exif" not in im.info
            assert im.info.get("icc_profile") == imaging.SRGB_ICC


def test_several_crops_are_cut_from_one_decode_in_the_order_asked():
    banner = (0.0, 0.25, 1.0, 0.25)

    square, wide = imaging.cut_crops(io.BytesIO(jpeg(grid((1200, 800)))), [SQUARE, banner])

    assert square.size == (800, 800) and wide.size == (1200, 200)
    assert math.isclose(wide.size[0] / wide.size[1], 6)


def test_a_final_that_is_not_an_image_is_refused_with_a_reason():
    with pytest.raises(imaging.ImageRejected, match="not an image"):
        imaging.cut_crops(io.BytesIO(b"a note, not a photo"), [SQUARE])
