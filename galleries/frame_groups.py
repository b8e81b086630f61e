"""Near-identical frames: a burst of the same pose, taken seconds apart, shown to the client as one
tile. Pure: plain values in, plain values out (no models), so the rule is tested on its own and the
task that stores its answer stays a few lines.

Frames are taken in shoot order: by capture time, then key, whatever order the photographer gave
them on the page. A frame joins the group of the one taken just before it when it came at most
MAX_SECONDS later and its perceptual hash is at most MAX_DISTANCE bits from that frame's. A group is
named after its first frame's key; a frame on its own is its own group. Frames without a capture
time (a scan, a file whose EXIF was stripped) or without a hash are never grouped.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from photostudio.imaging import hash_distance

MAX_SECONDS = 5.0
# Frames of one scene measured at most 6 bits apart, different scenes at least 20
# (bench/near_duplicates.py); two frames of one pose a blink apart fall well inside 10.
MAX_DISTANCE = 10


@dataclass(frozen=True)
class Frame:
    key: str
    phash: str  # 16 hex digits, or "" when not known
    captured_at: datetime | None  # all aware or all naive within one call


def group_keys(frames: Iterable[Frame]) -> dict[str, str]:
    """Each frame's key -> the key of the first frame of its group (its own key when alone)."""
    frames = list(frames)
    timed = sorted((f for f in frames if f.captured_at is not None), key=lambda f: (f.captured_at, f.key))
    groups: dict[str, str] = {}
    previous: Frame | None = None
    for frame in timed:
        if previous is not None and _close(previous, frame):
            groups[frame.key] = groups[previous.key]
        else:
            groups[frame.key] = frame.key
        previous = frame
    for frame in frames:  # no capture time: on its own
        groups.setdefault(frame.key, frame.key)
    return groups


def _close(before: Frame, after: Frame) -> bool:
    if not before.phash or not after.phash:
        return False
    seconds = (after.captured_at - before.captured_at).total_seconds()
    return seconds <= MAX_SECONDS and hash_distance(before.phash, after.phash) <= MAX_DISTANCE
