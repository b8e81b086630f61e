"""Small images made in memory for the image pipeline's tests, and tools to look inside JPEGs.

Nothing here reads a file from the machine: the ICC profiles are built from their published
numbers, so the tests run the same on any box.
"""

import functools
import io
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


def photo(size: tuple[int, int]) -> Image.Image:
    """Gradients plus grain: compresses roughly like a photograph, made in a few milliseconds."""
    width, height = size
    red = Image.linear_gradient("L").resize(size)
    green = Image.linear_gradient("L").rotate(90).resize(size)
    blue = Image.radial_gradient("L").resize(size)
    grain = Image.new("L", size)
    patch = Image.effect_noise((256, 256), 24).convert("L")  # tiled: noise for 12 MP takes too long
    for x in range(0, width, 256):
        for y in range(0, height, 256):
            grain.paste(patch, (x, y))
    return Image.merge("RGB", [Image.blend(band, grain, 0.2) for band in (red, green, blue)])


def marked(size: tuple[int, int], corner: str) -> Image.Image:
    """Mid grey with a red square in one corner of the stored (not yet rotated) pixels."""
    im = flat(size, (128, 128, 128))
    side = min(size) // 4
    x = 0 if "left" in corner else size[0] - side
    y = 0 if "top" in corner else size[1] - side
    im.paste((255, 0, 0), (x, y, x + side, y + side))
    return im


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


def png_header(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims `width` × `height` with one tiny IDAT: a decompression bomb's shape."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(64))) + chunk(b"IEND", b"")


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
