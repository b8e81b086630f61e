"""Benchmark: Photostudio's image pipeline against easy-thumbnails and sorl-thumbnail.

Run from the repository root:

    .venv/bin/pip install -r bench/requirements.txt     # the peers, pinned
    .venv/bin/python bench/bench_imaging.py [--photos N] [--runs R] [--size 6000x4000]

It makes a handful of camera-like JPEGs (24 MP by default, quality 92, grain and gradients so they
compress like photographs; every other one shot vertically with an EXIF orientation, the others
tagged with an Adobe RGB profile), then times, per photo, the same set of renditions made by each
tool and saved through Django's file storage: a 2048 px proof, 960 and 480 px thumbnails and a
24 px placeholder (long edges; JPEG quality 85/80/80/60 for all three tools). Ours also converts
colour to sRGB, strips the metadata and stamps a text watermark on the proof; the peers do none of
that, so the comparison flatters them.

Each photo is timed `--runs` times per tool (the order of the tools rotating), on a fresh copy of
the file so no tool can answer from its cache; the figure is the median per photo, averaged over the
photos. A warm-up round first loads every plugin and fills every cache a long-running worker has.
"""

import argparse
import gc
import importlib.metadata
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from the repo root: make `galleries` importable

from galleries import imaging  # noqa: E402

RENDITIONS = ((2048, 85), (960, 80), (480, 80), (24, 60))  # long edge, JPEG quality: what ours makes
WATERMARK = imaging.Watermark(text="© Studio Lumen", position="bottom-right")
PEERS = ("easy-thumbnails", "sorl-thumbnail")


# --- Test photographs ---------------------------------------------------------------------------


def make_photo(seed: int, size: tuple[int, int]) -> Image.Image:
    """A studio portrait's worth of structure: a lit backdrop, a soft subject, sensor grain."""
    rng = random.Random(seed)
    width, height = size
    bands = []
    for _ in range(3):
        gradient = Image.linear_gradient("L").rotate(rng.uniform(0, 360), resample=Image.Resampling.BICUBIC)
        bands.append(gradient.crop((48, 48, 208, 208)).resize(size, Image.Resampling.BICUBIC))
    photo = Image.merge("RGB", bands)

    # The subject, drawn small and blurred then enlarged: soft edges like a shallow depth of field.
    small = (width // 8, height // 8)
    skin = tuple(rng.randint(120, 230) for _ in range(3))
    cloth = tuple(rng.randint(10, 120) for _ in range(3))
    subject = Image.new("RGB", small, skin)  # skin, not black, under the soft edges: no dark halo
    mask = Image.new("L", small, 0)
    cx, cy, r = small[0] * rng.uniform(0.35, 0.65), small[1] * 0.4, min(small) * 0.22
    for draw, fill in ((ImageDraw.Draw(subject), None), (ImageDraw.Draw(mask), 255)):
        draw.ellipse((cx - r, cy - r * 1.3, cx + r, cy + r * 1.3), fill=fill or skin)
        draw.ellipse((cx - 3 * r, cy + r * 1.4, cx + 3 * r, cy + 6 * r), fill=fill or cloth)
    blur = ImageFilter.GaussianBlur(3)
    photo.paste(
        subject.filter(blur).resize(size, Image.Resampling.BICUBIC),
        mask=mask.filter(blur).resize(size, Image.Resampling.BICUBIC),
    )

    # Grain at the level of a 24 MP sensor near base ISO, tiled from patches (whole-frame noise is slow).
    grain = Image.new("RGB", size)
    patches = [Image.merge("RGB", [Image.effect_noise((512, 512), 18) for _ in range(3)]) for _ in range(3)]
    for i, x in enumerate(range(0, width, 512)):
        for j, y in enumerate(range(0, height, 512)):
            grain.paste(patches[(i * 7 + j) % 3], (x, y))
    return ImageChops.add(photo, grain, scale=1.0, offset=-128)


def camera_exif(index: int) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS R6"
    exif[ExifTags.Base.Orientation] = 6 if index % 2 else 1  # headshots are mostly shot vertically
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = f"2024:05:17 14:{index:02d}:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    return exif.tobytes()


def write_photos(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    paths = []
    for index in range(count):
        path = folder / f"IMG_{index + 1:04d}.JPG"
        # Half carry an Adobe RGB profile (as exported from an editor), which ours converts to sRGB.
        icc = imaging.adobe_rgb_icc() if index % 2 == 0 else None
        if index % 2:  # shot vertically: the sensor stores it on its side, EXIF says turn it clockwise
            photo = make_photo(index, (size[1], size[0])).transpose(Image.Transpose.ROTATE_90)
        else:
            photo = make_photo(index, size)
        photo.save(path, "JPEG", quality=92, exif=camera_exif(index), icc_profile=icc)
        paths.append(path)
    return paths


# --- The contestants ----------------------------------------------------------------------------


def configure_django(media_root: Path) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    apps = ["django.contrib.contenttypes"]
    apps += [app for app, dist in (("easy_thumbnails", PEERS[0]), ("sorl.thumbnail", PEERS[1])) if installed(dist)]
    settings.configure(
        SECRET_KEY="bench",
        INSTALLED_APPS=apps,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        MEDIA_ROOT=str(media_root),
        MEDIA_URL="/media/",
        USE_TZ=True,
    )
    django.setup()
    call_command("migrate", verbosity=0)  # both peers keep a record of each thumbnail in the database


def installed(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def ours(name: str) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    result = imaging.make_renditions(default_storage.path(name), watermark=WATERMARK)
    stem = name.rsplit(".", 1)[0]
    saved = [
        default_storage.save(f"ours/{stem}_{label}.jpg", ContentFile(data))
        for label, data in (
            ("proof", result.proof),
            ("960", result.thumb_2x),
            ("480", result.thumb),
            ("24", result.placeholder),
        )
    ]
    return saved[0]


def easy_thumbnails(name: str) -> str:
    from easy_thumbnails.files import get_thumbnailer

    thumbnailer = get_thumbnailer(name)  # a name in the default storage, like an ImageField's
    made = [thumbnailer.get_thumbnail({"size": (edge, edge), "quality": quality}) for edge, quality in RENDITIONS]
    return made[0].name


def sorl_thumbnail(name: str) -> str:
    from sorl.thumbnail import get_thumbnail

    made = [get_thumbnail(name, f"{edge}x{edge}", quality=quality) for edge, quality in RENDITIONS]
    return made[0].name


# --- Measuring ----------------------------------------------------------------------------------


def measure(
    tools: dict[str, Callable[[str], str]], photos: list[Path], media: Path, runs: int
) -> dict[str, dict[str, list[float]]]:
    """{tool: {"ms": [median ms per photo], "proof_kb": [...]}}; each run on a fresh copy of the photo."""
    samples: dict[str, list[list[float]]] = {tool: [[] for _ in photos] for tool in tools}
    proof_kb: dict[str, list[float]] = {tool: [] for tool in tools}
    upright = [Image.open(path).size for path in photos]

    def one(tool: str, index: int) -> float:
        name = f"{uuid.uuid4().hex[:8]}_{photos[index].name}"
        shutil.copyfile(photos[index], media / name)
        gc.collect()
        started = time.perf_counter()
        proof = tools[tool](name)
        elapsed = time.perf_counter() - started
        path = media / proof
        with Image.open(path) as im:
            width, height = upright[index]
            if (index % 2) == 1:
                width, height = height, width
            scale = min(1.0, RENDITIONS[0][0] / max(width, height))
            expected = (round(width * scale), round(height * scale))
            if im.size != expected:
                print(f"  note: {tool} made a {im.size} proof of {photos[index].name}, ours is {expected}")
        proof_kb[tool].append(path.stat().st_size / 1024)
        return elapsed

    for tool in tools:  # warm-up: plugins imported, database tables touched, caches filled
        one(tool, 0)
    proof_kb = {tool: [] for tool in tools}

    names = list(tools)
    for run in range(runs):
        for index in range(len(photos)):
            shift = (run + index) % len(names)
            for tool in names[shift:] + names[:shift]:
                samples[tool][index].append(one(tool, index))
        clear(media)
    return {
        tool: {"ms": [statistics.median(per_photo) * 1000 for per_photo in samples[tool]], "proof_kb": proof_kb[tool]}
        for tool in tools
    }


def clear(media: Path) -> None:
    for entry in media.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=4, help="how many test photos (default 4)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per photo and tool (default 3)")
    parser.add_argument("--size", default="6000x4000", help="pixel size of the test photos (default 6000x4000)")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.lower().split("x"))
    assert len(size) == 2, "--size is WIDTHxHEIGHT"

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_imaging_") as tmp:
        originals, media = Path(tmp) / "originals", Path(tmp) / "media"
        originals.mkdir()
        media.mkdir()
        photos = write_photos(originals, args.photos, size)
        configure_django(media)

        tools: dict[str, Callable[[str], str]] = {"ours (galleries.imaging)": ours}
        missing = []
        for dist, function in zip(PEERS, (easy_thumbnails, sorl_thumbnail), strict=True):
            if version := installed(dist):
                tools[f"{dist} {version}"] = function
            else:
                missing.append(dist)

        megapixels = size[0] * size[1] / 1e6
        average_mb = statistics.mean(p.stat().st_size for p in photos) / 1e6
        print(
            f"Image pipeline benchmark: {len(photos)} photos of {size[0]}×{size[1]} ({megapixels:.0f} MP), "
            f"JPEG q92, {average_mb:.1f} MB on average; half shot vertically (EXIF orientation 6), "
            "half tagged Adobe RGB"
        )
        print(
            f"Python {platform.python_version()}, Pillow {Image.__version__}, {os.cpu_count()} CPUs; "
            f"{args.runs} runs per photo and tool, median per photo, mean over photos"
        )
        print("Each tool makes and saves: proof 2048, 960, 480 and 24 px (long edge), JPEG q85/80/80/60\n")

        results = measure(tools, photos, media, args.runs)

    ours_ms = statistics.mean(results["ours (galleries.imaging)"]["ms"])
    print(f"{'tool':<28}{'ms per photo':>14}{'proof KB':>10}{'peer / ours':>13}")
    for tool, figures in results.items():
        ms = statistics.mean(figures["ms"])
        kb = statistics.mean(figures["proof_kb"])
        ratio = "1.00" if tool.startswith("ours") else f"{ms / ours_ms:.2f}×"
        print(f"{tool:<28}{ms:>14.0f}{kb:>10.0f}{ratio:>13}")
    print(
        "\nOurs also converts colour to sRGB through the embedded ICC profile, strips EXIF/GPS/XMP and stamps a\n"
        "text watermark on the proof; neither peer does colour management or watermarking. Ours decodes each\n"
        "photo once, at reduced scale (JPEG draft mode); the peers decode the full original for every rendition."
    )
    if missing:
        print(
            f"\nNot measured, not installed: {', '.join(missing)}. "
            "Install the pinned peers with: .venv/bin/pip install -r bench/requirements.txt"
        )
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
