"""Grouping near-identical frames (galleries/frame_groups.py): consecutive frames in the order they
were taken, at most MAX_SECONDS apart and at most MAX_DISTANCE bits of hash apart, form one group
named after its first frame. Frames without a capture time or a hash are never grouped."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from galleries.frame_groups import MAX_DISTANCE, MAX_SECONDS, Frame, group_keys

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 11, 20, 14, 2, 11, tzinfo=LONDON)
BASE = "a5a5a5a5a5a5a5a5"


def near(bits: int, base: str = BASE) -> str:
    """A hash `bits` bits away from `base` (the lowest bits flipped)."""
    return f"{int(base, 16) ^ ((1 << bits) - 1):016x}"


def frame(name: str, seconds: float | None, phash: str = BASE) -> Frame:
    return Frame(key=name, phash=phash, captured_at=None if seconds is None else START + timedelta(seconds=seconds))


def test_a_burst_of_one_pose_is_one_group_named_after_its_first_frame():
    frames = [frame("img_0142", 0), frame("img_0143", 0.8, near(2)), frame("img_0144", 1.6, near(4))]

    assert group_keys(frames) == {"img_0142": "img_0142", "img_0143": "img_0142", "img_0144": "img_0142"}


def test_a_frame_exactly_max_seconds_later_joins_and_one_a_moment_later_does_not():
    at_limit = [frame("a", 0), frame("b", MAX_SECONDS)]
    past_limit = [frame("a", 0), frame("b", MAX_SECONDS + 0.001)]

    assert group_keys(at_limit)["b"] == "a"
    assert group_keys(past_limit)["b"] == "b"


def test_a_hash_at_max_distance_joins_and_one_bit_more_does_not():
    assert group_keys([frame("a", 0), frame("b", 1, near(MAX_DISTANCE))])["b"] == "a"
    assert group_keys([frame("a", 0), frame("b", 1, near(MAX_DISTANCE + 1))])["b"] == "b"


def test_each_frame_is_compared_with_the_one_just_before_so_a_long_burst_stays_one_group():
    frames = [frame(f"f{n}", n * 4) for n in range(6)]  # 20 seconds end to end, 4 between each

    assert set(group_keys(frames).values()) == {"f0"}


def test_a_different_pose_in_the_middle_starts_a_new_group():
    other = near(40)
    frames = [frame("a", 0), frame("b", 1), frame("c", 2, other), frame("d", 3, other), frame("e", 4)]

    assert group_keys(frames) == {"a": "a", "b": "a", "c": "c", "d": "c", "e": "e"}


def test_frames_without_a_capture_time_are_never_grouped():
    frames = [frame("a", 0), frame("scan_1", None), frame("scan_2", None), frame("b", 1)]

    assert group_keys(frames) == {"a": "a", "scan_1": "scan_1", "scan_2": "scan_2", "b": "a"}


def test_frames_without_a_hash_are_never_grouped():
    frames = [frame("a", 0), frame("b", 1, ""), frame("c", 2)]

    assert group_keys(frames) == {"a": "a", "b": "b", "c": "c"}


def test_the_order_given_does_not_matter_only_the_time_taken():
    frames = [frame(f"k{n:02d}", n * 0.5 if n < 5 else 100 * n, near(n % 3)) for n in range(10)]
    expected = group_keys(frames)

    for seed in range(5):
        shuffled = frames[:]
        random.Random(seed).shuffle(shuffled)
        assert group_keys(shuffled) == expected
    assert set(expected.values()) == {"k00", "k05", "k06", "k07", "k08", "k09"}


def test_frames_taken_in_the_same_second_are_ordered_by_key():
    frames = [frame("b", 0), frame("a", 0)]

    assert group_keys(frames) == {"a": "a", "b": "a"}


def test_times_in_different_zones_are_ordered_by_the_instant_they_name():
    london = datetime(2026, 10, 25, 1, 30, 0, tzinfo=LONDON)  # the hour that happens twice
    frames = [
        Frame("second", BASE, london.replace(fold=1)),  # 01:30 GMT, the later one
        Frame("first", BASE, datetime(2026, 10, 25, 0, 29, 58, tzinfo=UTC)),  # 01:29:58 BST
        Frame("third", BASE, datetime(2026, 10, 25, 1, 30, 4, tzinfo=UTC)),
    ]

    groups = group_keys(frames)

    assert groups["first"] == "first"
    assert groups["second"] == "second"  # an hour after the first, on the wall clock a minute
    assert groups["third"] == "second"


def test_no_frames_no_groups():
    assert group_keys([]) == {}
