"""Small images made in memory for the image pipeline's tests, and tools to look inside JPEGs.

Nothing here reads a file from the machine: the ICC profiles are built from their published
numbers, so the tests run the same on any box.
"""

import functools
import io
import random
import struct
import zlib

from PIL import ExifTags, Image, ImageCms


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def flat(size: tuple[int, int], color: tuple[int, ...] | int, mode: str = "RGB") -> Image.Image:
    return Image.new(mode, size, color)


@functools.cache
def big_photo_jpeg() -> bytes:
    """A 4096 × 2732 JPEG with gradients and grain: at half scale it still covers a 2048 px proof."""
    return encode(photo((4096, 2732)), "JPEG", quality=90)


def photo(size: tuple[int, int], seed: int | None = None) -> Image.Image:
    """Gradients plus grain: compresses roughly like a photograph, made in a few milliseconds. With
    a seed the grain, and so every encoded byte, is the same on every run."""
    width, height = size
    red = Image.linear_gradient("L").resize(size)
    green = Image.linear_gradient("L").rotate(90).resize(size)
    blue = Image.radial_gradient("L").resize(size)
    grain = Image.new("L", size)
    if seed is None:  # tiled: noise for 12 MP takes too long
        patch = Image.effect_noise((256, 256), 24).convert("L")
    else:
        noise = random.Random(seed).randbytes(256 * 256)
        patch = Image.frombytes("L", (256, 256), noise).point(lambda v: 116 + v // 10)
    for x in range(0, width, 256):
        for y in range(0, height, 256):
            grain.paste(patch, (x, y))
    return Image.merge("RGB", [Image.blend(band, grain, 0.2) for band in (red, green, blue)])


# Corner colours of `corner_pattern()`, and the grey the rest of it is.
RED, GREEN, BLUE, GREY = (255, 0, 0), (0, 255, 0), (0, 0, 255), (128, 128, 128)


def corner_pattern(size: tuple[int, int]) -> Image.Image:
    """Grey with a red top-left, green top-right and blue bottom-left corner (of the stored pixels).

    Three different corners pin down all eight orientations: a turn or a mirror each move them
    somewhere else, and the bottom-right corner, grey, tells a mirror from a turn.
    """
    width, height = size
    im = flat(size, GREY)
    side = min(size) // 4
    im.paste(RED, (0, 0, side, side))
    im.paste(GREEN, (width - side, 0, width, side))
    im.paste(BLUE, (0, height - side, side, height))
    return im


def corner_colours(im: Image.Image) -> dict[str, str]:
    """{"top-left": "red", ...}: the named colour nearest to each corner of `im` (JPEG noise allowed)."""
    names = {"red": RED, "green": GREEN, "blue": BLUE, "grey": GREY}
    rgb = im.convert("RGB")
    inset = max(0, min(rgb.size) // 8 - 1)  # inside the corner squares, which span a quarter
    right, bottom = rgb.width - 1 - inset, rgb.height - 1 - inset
    found = {}
    for corner, xy in (
        ("top-left", (inset, inset)),
        ("top-right", (right, inset)),
        ("bottom-left", (inset, bottom)),
        ("bottom-right", (right, bottom)),
    ):
        pixel = rgb.getpixel(xy)
        found[corner] = min(names, key=lambda name: sum((a - b) ** 2 for a, b in zip(pixel, names[name], strict=True)))
    return found


def exif(
    *,
    orientation: int | None = None,
    taken: str | None = None,
    subsec: str | None = None,
    gps: bool = False,
    private: bool = False,
    adobe_rgb: bool = False,
) -> bytes:
    """EXIF as a camera would write it: optional orientation, capture time, location and identity.

    Returned as bytes: Pillow's PNG and WebP writers skip an Exif object that has no top-level tag.
    """
    data = Image.Exif()
    if orientation is not None:
        data[ExifTags.Base.Orientation] = orientation
    details = data.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if subsec is not None:
        details[ExifTags.Base.SubsecTimeOriginal] = subsec
    if private:
        data[ExifTags.Base.Make] = "Canon"
        data[ExifTags.Base.Model] = "EOS R5"
        data[ExifTags.Base.Artist] = "Jane Photographer"
        details[ExifTags.Base.BodySerialNumber] = "012345678901"
        details[ExifTags.Base.MakerNote] = b"Canon\0" + bytes(range(64))
    if gps:
        location = data.get_ifd(ExifTags.IFD.GPSInfo)
        location[ExifTags.GPS.GPSLatitudeRef] = "N"
        location[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
        location[ExifTags.GPS.GPSLongitudeRef] = "W"
        location[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    if adobe_rgb:
        # How cameras mark Adobe RGB without embedding a profile (DCF option file).
        details[ExifTags.Base.ColorSpace] = 0xFFFF
        details[ExifTags.IFD.Interop] = {ExifTags.Interop.InteropIndex: "R03"}
    return data.tobytes()


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """The marker segments of a JPEG up to the image data: [(marker, payload), ...]."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments = []
    pos = 2
    while pos < len(data):
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        segments.append((marker, data[pos + 4 : pos + 2 + length]))
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        pos += 2 + length
    return segments


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png(width: int, height: int, idat: bytes, *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A PNG from its parts: IHDR with these values, one IDAT holding `idat` as it is, IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png_header(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims `width` × `height` with one tiny IDAT: a decompression bomb's shape."""
    return png(width, height, zlib.compress(bytes(64)))


def compressible_png(width: int, height: int) -> bytes:
    """A real, complete black 1-bit PNG: `width` × `height` pixels in a few kilobytes (zlib's ~1000:1)."""
    row = b"\0" + bytes((width + 7) // 8)  # filter type "none", then the row's bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return png(width, height, idat, bit_depth=1, colour_type=0)


def png_16bit_rgb(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    """A 16-bit RGB PNG (as Lightroom exports) of one 8-bit colour widened to 16 bits (v * 257)."""
    width, height = size
    row = b"\0" + struct.pack(">3H", *(v * 257 for v in colour)) * width
    return png(width, height, zlib.compress(row * height), bit_depth=16, colour_type=2)


def tiff(
    size: tuple[int, int],
    pixels: bytes,
    *,
    bits: tuple[int, ...] = (8, 8, 8),
    photometric: int = 2,
    after_header: bytes = b"",
    tags: dict[int, int] | None = None,
) -> bytes:
    """A little-endian, uncompressed, one-strip TIFF, written field by field.

    For what Pillow can't save (16-bit RGB) and for headers that must be just so: `after_header`
    goes between the 8-byte header and the first IFD (where a Canon CR2 keeps "CR" and a version).
    `tags` adds SHORT fields, e.g. {254: 1} for NewSubfileType "reduced-resolution copy".
    """
    width, height = size
    ifd_at = 8 + len(after_header)
    fields: dict[int, tuple[int, tuple[int, ...]]] = {  # tag: (TIFF type: 3 SHORT, 4 LONG; values)
        256: (4, (width,)),
        257: (4, (height,)),
        258: (3, bits),
        259: (3, (1,)),  # no compression
        262: (3, (photometric,)),  # 1 black is zero, 2 RGB
        273: (4, (0,)),  # StripOffsets: filled in below
        277: (3, (len(bits),)),
        278: (4, (height,)),
        279: (4, (len(pixels),)),
    }
    fields.update({tag: (3, (value,)) for tag, value in (tags or {}).items()})
    extra_at = ifd_at + 2 + 12 * len(fields) + 4  # values longer than 4 bytes follow the IFD

    def packed(tag: int) -> bytes:
        kind, values = fields[tag]
        return struct.pack("<" + ("H" if kind == 3 else "I") * len(values), *values)

    out_of_line = sum(len(packed(tag)) for tag in fields if len(packed(tag)) > 4)
    fields[273] = (4, (extra_at + out_of_line,))  # the pixels come last
    entries, extra = b"", b""
    for tag in sorted(fields):  # TIFF wants its fields in tag order
        kind, values = fields[tag]
        if len(packed(tag)) > 4:
            entries += struct.pack("<HHII", tag, kind, len(values), extra_at + len(extra))
            extra += packed(tag)
        else:
            entries += struct.pack("<HHI", tag, kind, len(values)) + packed(tag).ljust(4, b"\0")
    ifd = struct.pack("<H", len(fields)) + entries + struct.pack("<I", 0)  # 0: no next IFD
    return b"II*\0" + struct.pack("<I", ifd_at) + after_header + ifd + extra + pixels


def with_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """`data` (a baseline JPEG) with its frame header rewritten to claim another size."""
    sof = data.index(b"\xff\xc0")
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]


def webp_header(width: int, height: int) -> bytes:
    """An extended-format WebP header (VP8X) claiming a canvas of `width` × `height`."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0" + (width - 1).to_bytes(3, "little")
    vp8x += (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


# --- ICC profiles, from published primaries -----------------------------------------------------


@functools.cache
def adobe_rgb_profile() -> bytes:
    """Adobe RGB (1998): D50-adapted colorants from the specification, gamma 563/256."""
    return matrix_profile(
        "Test Adobe RGB",
        red=(0.6097, 0.3111, 0.0195),
        green=(0.2053, 0.6257, 0.0609),
        blue=(0.1492, 0.0632, 0.7446),
        gamma=2.19921875,
    )


@functools.cache
def display_p3_profile() -> bytes:
    """Display P3: D50-adapted P3 primaries; sRGB's tone curve approximated by gamma 2.2."""
    return matrix_profile(
        "Test Display P3",
        red=(0.5151, 0.2412, -0.0011),
        green=(0.2920, 0.6922, 0.0419),
        blue=(0.1571, 0.0666, 0.7841),
        gamma=2.2,
    )


def matrix_profile(
    name: str,
    *,
    red: tuple[float, float, float],
    green: tuple[float, float, float],
    blue: tuple[float, float, float],
    gamma: float,
) -> bytes:
    """An ICC v2 RGB display profile: header, tag table, then the tags, each 4-byte aligned."""

    def fixed(*values: float) -> bytes:
        return b"".join(struct.pack(">i", int(round(v * 65536))) for v in values)

    text = name.encode()
    tags = {
        b"desc": b"desc" + bytes(4) + struct.pack(">I", len(text) + 1) + text + bytes(1 + 8 + 3 + 67),
        b"wtpt": b"XYZ " + bytes(4) + fixed(0.9642, 1.0, 0.8249),
        b"rXYZ": b"XYZ " + bytes(4) + fixed(*red),
        b"gXYZ": b"XYZ " + bytes(4) + fixed(*green),
        b"bXYZ": b"XYZ " + bytes(4) + fixed(*blue),
        b"rTRC": b"curv" + bytes(4) + struct.pack(">IH", 1, int(round(gamma * 256))) + bytes(2),
        b"cprt": b"text" + bytes(4) + b"public domain\0\0\0",
    }
    tags[b"gTRC"] = tags[b"bTRC"] = tags[b"rTRC"]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, payload in tags.items():
        table += signature + struct.pack(">II", offset + len(body), len(payload))
        body += payload
    size = offset + len(body)
    header = struct.pack(">I4sI4s4s4s12s4s", size, b"", 0x02100000, b"mntr", b"RGB ", b"XYZ ", bytes(12), b"acsp")
    header += bytes(24) + struct.pack(">I", 0) + fixed(0.9642, 1.0, 0.8249) + bytes(48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def srgb_reference(color: tuple[int, int, int], icc: bytes) -> tuple[int, int, int]:
    """What LittleCMS makes of `color` in the `icc` space, in sRGB (the answer the pipeline owes)."""
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    srgb = ImageCms.createProfile("sRGB")
    pixel = ImageCms.profileToProfile(flat((1, 1), color), source, srgb, outputMode="RGB")
    return pixel.getpixel((0, 0))


# Adobe RGB (1998) → XYZ (D65) and XYZ → linear sRGB, as published in the two specifications.
ADOBE_RGB_TO_XYZ = (
    (0.5767309, 0.1855540, 0.1881852),
    (0.2973769, 0.6273491, 0.0752741),
    (0.0270343, 0.0706872, 0.9911085),
)
XYZ_TO_SRGB = (
    (3.2404542, -1.5371385, -0.4985314),
    (-0.9692660, 1.8760108, 0.0415560),
    (0.0556434, -0.2040259, 1.0572252),
)


def adobe_rgb_to_srgb(color: tuple[int, int, int]) -> tuple[int, int, int]:
    """`color` read as Adobe RGB (1998), in sRGB: worked out by hand with the published matrices and
    tone curves, so no colour engine (and none of the pipeline's code) is involved in the answer."""

    def times(matrix: tuple[tuple[float, ...], ...], vector: tuple[float, ...]) -> tuple[float, ...]:
        return tuple(sum(m * v for m, v in zip(row, vector, strict=True)) for row in matrix)

    linear = tuple((v / 255) ** (563 / 256) for v in color)
    srgb_linear = times(XYZ_TO_SRGB, times(ADOBE_RGB_TO_XYZ, linear))
    encoded = (12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055 for v in srgb_linear)
    return tuple(round(255 * min(1.0, max(0.0, v))) for v in encoded)


def scene(
    seed: int,
    size: tuple[int, int] = (640, 480),
    *,
    shift: tuple[int, int] = (0, 0),
    brightness: float = 1.0,
    grain: int = 0,
) -> Image.Image:
    """A made-up scene: a backdrop gradient and a dozen shapes placed by `seed` (a different seed, a
    different scene). `shift` moves the camera by that many pixels, `brightness` scales the light
    and `grain` adds that much sensor noise, as between two frames taken a second apart."""
    from PIL import ImageDraw, ImageEnhance

    rng = random.Random(seed)
    width, height = size
    margin = 32
    canvas = (
        Image.linear_gradient("L")
        .rotate(rng.choice((0, 90, 180, 270)))
        .resize((width + 2 * margin, height + 2 * margin))
        .convert("RGB")
    )
    draw = ImageDraw.Draw(canvas)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 10, width // 2), rng.randrange(height // 10, height // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([x, y, x + w, y + h], fill=colour)
    dx, dy = shift
    frame = canvas.crop((margin + dx, margin + dy, margin + dx + width, margin + dy + height))
    if brightness != 1.0:
        frame = ImageEnhance.Brightness(frame).enhance(brightness)
    if grain:
        noise = Image.effect_noise(size, grain).convert("RGB")
        frame = Image.blend(frame, noise, 0.08)
    return frame
