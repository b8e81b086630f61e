"""Crop frames: where a client places a crop on a proof, as a rectangle relative to the image.

Pure: plain numbers in, plain numbers out. A frame is (left, top, width, height), each a fraction
of the upright image's width or height from its top left, so the same frame fits the edited final
whatever its size. Whatever a browser sends is checked here again: inside the image, and of the
crop's ratio on the photo's own pixel shape (a 1:1 frame on a 3:2 photo is 2/3 as wide as it is
tall in relative terms)."""

import math
from dataclasses import dataclass

# How far a frame's shape may stray from its ratio: a browser rounds a dragged frame to whole
# screen pixels, so a frame a few hundred pixels across is off by a fraction of a percent.
RATIO_TOLERANCE = 0.02
# Relative values are stored as floats; a frame that ends at 1.0000000001 is at the edge.
EDGE = 1e-6


class FrameRejected(ValueError):
    """A frame that can't be used; the message says why, in the client's words."""


@dataclass(frozen=True)
class Frame:
    left: float
    top: float
    width: float
    height: float

    def as_dict(self) -> dict[str, float]:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}


def centred_frame(ratio: tuple[int, int], image_size: tuple[int, int]) -> Frame:
    """The largest frame of `ratio` (width, height) on an image of `image_size` pixels, centred."""
    ratio_w, ratio_h = ratio
    image_w, image_h = image_size
    if image_w * ratio_h >= image_h * ratio_w:  # the image is wider than the crop: full height
        width = (image_h * ratio_w / ratio_h) / image_w
        return Frame(left=(1 - width) / 2, top=0.0, width=width, height=1.0)
    height = (image_w * ratio_h / ratio_w) / image_h
    return Frame(left=0.0, top=(1 - height) / 2, width=1.0, height=height)


def checked_frame(values: dict[str, str], *, ratio: tuple[int, int], image_size: tuple[int, int]) -> Frame:
    """The frame a form sent (`left`, `top`, `width`, `height` as text), or FrameRejected saying why."""
    numbers = {}
    for name in ("left", "top", "width", "height"):
        text = str(values.get(name, "")).strip()
        try:
            number = float(text)
        except ValueError:
            raise FrameRejected("The crop's frame could not be read. Please place it again.") from None
        if not math.isfinite(number):
            raise FrameRejected("The crop's frame could not be read. Please place it again.")
        numbers[name] = number
    frame = Frame(**numbers)
    if frame.width <= 0 or frame.height <= 0:
        raise FrameRejected("The crop's frame has no size. Please place it again.")
    if (
        frame.left < -EDGE
        or frame.top < -EDGE
        or frame.left + frame.width > 1 + EDGE
        or frame.top + frame.height > 1 + EDGE
    ):
        raise FrameRejected("The crop's frame goes beyond the photo. Please keep it inside.")
    frame = Frame(
        left=min(max(frame.left, 0.0), 1 - frame.width),
        top=min(max(frame.top, 0.0), 1 - frame.height),
        width=min(frame.width, 1.0),
        height=min(frame.height, 1.0),
    )
    if not matches_ratio(frame, ratio=ratio, image_size=image_size):
        raise FrameRejected(f"The crop's frame isn't {ratio[0]}:{ratio[1]}. Please place it again.")
    return frame


def matches_ratio(frame: Frame, *, ratio: tuple[int, int], image_size: tuple[int, int]) -> bool:
    """True if the frame, on an image of `image_size` pixels, has the shape `ratio` (within tolerance)."""
    image_w, image_h = image_size
    shape = (frame.width * image_w) / (frame.height * image_h)
    wanted = ratio[0] / ratio[1]
    return abs(shape / wanted - 1) <= RATIO_TOLERANCE
