"""The pipeline's perceptual hash: frames of one scene taken a moment apart (the camera moved a few
pixels, the light a little brighter, new sensor noise) come out a few bits apart; different scenes
come out far apart. Made by make_renditions from the picture it already decoded, before the mark."""

import io

import pytest
from PIL import Image

from galleries.frame_groups import MAX_DISTANCE
from photostudio import imaging
from tests.imaging_samples import encode, exif, scene

SIZE = (960, 640)


@pytest.mark.parametrize(
    "change",
    [
        {"shift": (6, -4)},
        {"brightness": 1.12},
        {"brightness": 0.88, "grain": 20},
        {"shift": (-10, 8), "brightness": 1.1, "grain": 20},
    ],
)
def test_two_frames_of_one_scene_are_within_the_grouping_distance(change):
    for seed in range(8):
        first = imaging.perceptual_hash(scene(seed, SIZE))
        second = imaging.perceptual_hash(scene(seed, SIZE, **change))

        assert imaging.hash_distance(first, second) <= MAX_DISTANCE, (seed, change)


def test_different_scenes_are_far_beyond_the_grouping_distance():
    hashes = [imaging.perceptual_hash(scene(seed, SIZE)) for seed in range(12)]

    closest = min(imaging.hash_distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :])

    assert closest > MAX_DISTANCE + 5


def test_the_hash_is_16_hex_digits_and_the_same_picture_gives_the_same_hash():
    picture = scene(3, SIZE)

    first, again = imaging.perceptual_hash(picture), imaging.perceptual_hash(picture.copy())

    assert first == again
    assert len(first) == 16 and int(first, 16) >= 0
    assert imaging.hash_distance(first, again) == 0


def test_a_grey_or_tiny_picture_still_gets_a_hash():
    assert len(imaging.perceptual_hash(scene(1, SIZE).convert("L"))) == 16
    assert len(imaging.perceptual_hash(scene(1, (20, 12)))) == 16


def test_the_distance_counts_the_bits_that_differ():
    assert imaging.hash_distance("0000000000000000", "ffffffffffffffff") == 64
    assert imaging.hash_distance("00000000000000f0", "0000000000000010") == 3


def test_make_renditions_hashes_the_upright_picture_before_the_watermark():
    picture = scene(5, SIZE)
    data = encode(picture, "JPEG", quality=92, exif=exif(taken="2026:11:20 14:02:11"))
    mark = imaging.Watermark(text="Harbour Light Studio", position="center", size=0.6, opacity=1.0)

    plain = imaging.make_renditions(io.BytesIO(data))
    marked = imaging.make_renditions(io.BytesIO(data), watermark=mark)

    assert marked.phash == plain.phash
    assert imaging.hash_distance(plain.phash, imaging.perceptual_hash(picture)) <= 2


def test_a_turned_camera_file_hashes_as_the_upright_picture():
    picture = scene(7, SIZE)
    stored_sideways = picture.rotate(90, expand=True)  # as stored; orientation 6 turns it back
    data = encode(stored_sideways, "JPEG", quality=92, exif=exif(orientation=6))

    result = imaging.make_renditions(io.BytesIO(data))

    assert imaging.hash_distance(result.phash, imaging.perceptual_hash(picture)) <= 2


def test_a_shoot_of_thirty_bursts_of_four_and_twenty_single_frames_groups_as_taken():
    """The whole chain on one shoot: each frame through make_renditions (its hash taken as the
    pipeline takes it), then grouped. Every frame is taken within the grouping's seconds of the one
    before, singles squeezed between bursts, so only the picture keeps them apart."""
    from datetime import UTC, datetime, timedelta

    from galleries.frame_groups import Frame, group_keys

    changes = [{}, {"shift": (6, -4), "grain": 12}, {"brightness": 1.1, "grain": 12}, {"shift": (-8, 5)}]
    shoot: list[tuple[str, Image.Image]] = []
    for burst in range(30):
        shoot += [
            (f"burst{burst:02d}-{n}", scene(100 + burst, (480, 320), **change)) for n, change in enumerate(changes)
        ]
        if burst < 20:
            shoot.append((f"single{burst:02d}", scene(500 + burst, (480, 320))))
    start = datetime(2026, 11, 20, 14, 2, 11, tzinfo=UTC)
    frames = []
    for second, (name, picture) in enumerate(shoot):
        made = imaging.make_renditions(io.BytesIO(encode(picture, "JPEG", quality=90)))
        frames.append(Frame(key=name, phash=made.phash, captured_at=start + timedelta(seconds=second)))

    groups: dict[str, list[str]] = {}
    for name, first in group_keys(frames).items():
        groups.setdefault(first, []).append(name)

    bursts = sorted(sorted(names) for names in groups.values() if len(names) > 1)
    assert bursts == [[f"burst{b:02d}-{n}" for n in range(4)] for b in range(30)]
    singles = sorted(names[0] for names in groups.values() if len(names) == 1)
    assert singles == [f"single{n:02d}" for n in range(20)]
