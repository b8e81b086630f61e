"""Generated example pictures for the demo: simple studio-like illustrations, so the demo needs no
files (the session types' examples and the demo gallery both use them)."""

import functools
import io
import random

from PIL import Image, ImageDraw, ImageFilter


def _backdrop(rng: random.Random, size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    w, h = size
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    glow = Image.new("L", size, 0)
    ImageDraw.Draw(glow).ellipse([w * 0.15, h * 0.05, w * 0.85, h * 0.7], fill=70)
    light = Image.new("RGB", size, tuple(min(255, c + 40) for c in top))
    return Image.composite(light, image, glow.filter(ImageFilter.GaussianBlur(w // 6)))


def _person(draw: ImageDraw.ImageDraw, rng: random.Random, cx: float, top: float, scale: float) -> None:
    skin = rng.choice([(234, 192, 164), (198, 144, 110), (141, 94, 66), (224, 172, 135)])
    hair = rng.choice([(40, 30, 25), (90, 60, 35), (20, 20, 20), (150, 120, 90)])
    jacket = rng.choice([(35, 45, 70), (40, 40, 42), (90, 30, 40), (60, 70, 60)])
    s = scale
    draw.rounded_rectangle([cx - 210 * s, top + 330 * s, cx + 210 * s, top + 900 * s], radius=int(120 * s), fill=jacket)
    draw.polygon(
        [(cx - 60 * s, top + 330 * s), (cx + 60 * s, top + 330 * s), (cx, top + 470 * s)], fill=(245, 245, 240)
    )
    draw.rectangle([cx - 38 * s, top + 230 * s, cx + 38 * s, top + 345 * s], fill=skin)
    draw.ellipse([cx - 95 * s, top + 40 * s, cx + 95 * s, top + 290 * s], fill=skin)
    draw.chord([cx - 102 * s, top + 20 * s, cx + 102 * s, top + 210 * s], 180, 360, fill=hair)


def draw_headshot(rng: random.Random) -> Image.Image:
    size = (960, 1200)
    shade = rng.choice([(200, 202, 205), (120, 130, 140), (215, 208, 196)])
    image = _backdrop(rng, size, shade, tuple(int(c * 0.7) for c in shade))
    _person(ImageDraw.Draw(image), rng, cx=480, top=260, scale=1.35)
    return image.filter(ImageFilter.GaussianBlur(1.2))


def draw_portrait(rng: random.Random) -> Image.Image:
    size = (960, 1200)
    image = _backdrop(rng, size, (226, 222, 214), (150, 140, 128))
    draw = ImageDraw.Draw(image)
    for x in (90, 330):  # a window behind
        draw.rectangle([x, 140, x + 200, 560], fill=(236, 240, 244), outline=(120, 110, 100), width=10)
    draw.rectangle([600, 250, 880, 300], fill=(120, 90, 60))  # a shelf with books
    for i in range(7):
        draw.rectangle([615 + i * 36, 150 + rng.randint(0, 30), 642 + i * 36, 250], fill=rng.choice(
            [(160, 50, 40), (40, 80, 120), (200, 170, 80), (60, 100, 70)]
        ))  # fmt: skip
    _person(draw, rng, cx=430, top=420, scale=0.95)
    draw.rectangle([0, 980, 960, 1200], fill=(110, 80, 55))  # a desk in front
    draw.ellipse([720, 900, 840, 1000], fill=(60, 110, 60))  # a plant
    return image.filter(ImageFilter.GaussianBlur(1.5))


def as_jpeg(image: Image.Image, quality: int = 82) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


@functools.cache
def drawn_jpeg(drawing: str, seed: str, quality: int = 82) -> bytes:
    """The "headshot" or "portrait" drawing for `seed`, as a JPEG. A seed always gives the same
    picture, so each is drawn once per process: drawing one costs a tenth of a second or more.
    Another `quality` gives other bytes of the same picture: frames of one burst, as a camera takes."""
    draw = {"headshot": draw_headshot, "portrait": draw_portrait}[drawing]
    return as_jpeg(draw(random.Random(seed)), quality)
