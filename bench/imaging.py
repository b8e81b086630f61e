"""Benchmark: Photostudio's image pipeline against easy-thumbnails, sorl-thumbnail and a plain decode.

Run from the repository root:

    .venv/bin/python bench/imaging.py [--photos N] [--runs R] [--size 6000x4000] [--pool-photos M] [--baseline REV]

The peers are not Photostudio's dependencies, so the benchmark has its own virtualenv, bench/.venv:
the first run makes it, installs requirements.txt and bench/requirements.txt into it (all pinned) and
runs itself again there; later runs reuse it, reinstalling only when either file has changed.
`--no-venv` runs in the current interpreter instead (peers that aren't installed there are skipped).

It makes camera-like JPEGs (24 MP by default, quality 92, gradients, a soft subject and grain so they
compress like photographs; every other one shot vertically with an EXIF orientation, the others
tagged with an Adobe RGB profile) and times, per photo, in one run:
- a full decode: `Image.open(path).load()` at full size and nothing else (no resize, no encode):
  what merely reading the photo costs, the yardstick of the second target below;
- Photostudio, `make_renditions()` with a text watermark, and easy-thumbnails and sorl-thumbnail
  through their usual API, each making and saving through Django's file storage the same set: a
  2048 px proof, 960 and 480 px thumbnails and a 24 px placeholder (long edges; JPEG quality
  85/80/80/60). Ours also converts colour to sRGB, strips the metadata and stamps the watermark on
  the proof; the peers do none of that, so the comparison flatters them.
With `--baseline REV` (a git revision, e.g. HEAD or main), the pipeline as it was at REV
(the pipeline at that revision) is timed too, as one more tool in the same rotation, and the
report says how the working tree's pipeline compares with it: a change to the pipeline is judged
against the code it replaces on the same machine, in the same run.
Then photos per minute for Photostudio with two worker processes, as a Celery worker with
concurrency 2 would run it. It ends with the targets, each MET or NOT MET (at least 3x faster than
the faster peer; at most 1.5x the time of a full decode), and one line per peer in the form
`photostudio: 4.2x faster than easy-thumbnails`.

Each photo is timed `--runs` times per tool (the order of the tools rotating), each time on a fresh
copy of the file so no tool can answer from its cache; a tool's figure is the median per photo,
averaged over the photos. A warm-up round first loads every plugin and fills every cache a
long-running worker has.
"""

import argparse
import functools
import gc
import hashlib
import importlib.metadata
import importlib.util
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / "bench" / ".venv"
REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "bench" / "requirements.txt")
sys.path.insert(0, str(ROOT))  # run as a script from the repo root: make `galleries` importable

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter  # noqa: E402

from photostudio import imaging  # noqa: E402

RENDITIONS = ((2048, 85), (960, 80), (480, 80), (24, 60))  # long edge, JPEG quality: what ours makes
WATERMARK = imaging.Watermark(text="© Studio Lumen", position="bottom-right")
PEERS = ("easy-thumbnails", "sorl-thumbnail")
OURS, DECODE, BASELINE = "photostudio", "full decode", "baseline"
TARGET_VS_BASELINE = 1.10  # a change to the pipeline keeps it within 10% of the time it replaces
TARGET_VS_PEER = 3.0  # at least this many times faster than the faster peer
TARGET_VS_DECODE = 1.5  # at most this many times a full decode
WORKERS = 2


# --- The benchmark's own environment ------------------------------------------------------------


def run_in_own_venv() -> None:
    """Re-run this script inside bench/.venv, making it (or bringing it up to date) first."""
    if Path(sys.prefix).resolve() == BENCH_VENV.resolve():
        return
    if os.environ.get("PHOTOSTUDIO_BENCH_REEXEC"):
        raise SystemExit(f"re-ran in {BENCH_VENV} but sys.prefix is {sys.prefix}; run with --no-venv to skip it")
    python = BENCH_VENV / "bin" / "python"
    stamp = BENCH_VENV / "requirements.sha256"
    wanted = hashlib.sha256(b"".join(path.read_bytes() for path in REQUIREMENTS)).hexdigest()
    if not python.exists():
        print(f"Making the benchmark's virtualenv, {BENCH_VENV.relative_to(ROOT)} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print("Installing requirements.txt and bench/requirements.txt into it", flush=True)
        install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        for path in REQUIREMENTS:
            install += ["-r", str(path.relative_to(ROOT))]
        subprocess.run(install, check=True, cwd=ROOT)
        stamp.write_text(wanted + "\n")
    os.environ["PHOTOSTUDIO_BENCH_REEXEC"] = "1"
    os.execv(python, [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


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


def full_decode(name: str) -> None:
    from django.core.files.storage import default_storage

    with Image.open(default_storage.path(name)) as im:
        im.load()  # every pixel at full size, as any tool that reads the original at full size must


def make_and_save(name: str, pipeline=imaging, watermark=WATERMARK, folder: str = "ours") -> str:
    """Renditions of one photo made by `pipeline` and saved under `folder`; the first saved name."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    result = pipeline.make_renditions(default_storage.path(name), watermark=watermark)
    stem = name.rsplit(".", 1)[0]
    saved = [
        default_storage.save(f"{folder}/{stem}_{label}.jpg", ContentFile(data))
        for label, data in (
            ("proof", result.proof),
            ("960", result.thumb_2x),
            ("480", result.thumb),
            ("24", result.placeholder),
        )
    ]
    return saved[0]


def photostudio(name: str) -> str:
    return make_and_save(name)


def load_baseline(revision: str, folder: Path):
    """The pipeline as it was at `revision`, imported as a module of its own (it lived in galleries/
    before it moved to the project package)."""
    for path in ("photostudio/imaging.py", "galleries/imaging.py"):
        shown = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, check=False)
        if not shown.returncode:
            break
    if shown.returncode:
        raise SystemExit(f"--baseline {revision}: {shown.stderr.decode().strip()}")
    path = folder / "imaging_baseline.py"
    path.write_bytes(shown.stdout)
    spec = importlib.util.spec_from_file_location("imaging_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def make_renditions_with(pipeline) -> Callable[[str], str]:
    """The same job as `photostudio()` (renditions made and saved), by another version of the pipeline."""
    mark = pipeline.Watermark(text=WATERMARK.text, position=WATERMARK.position)
    return functools.partial(make_and_save, pipeline=pipeline, watermark=mark, folder="baseline")


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


def fresh_copy(photo: Path, media: Path) -> str:
    """A copy of `photo` under a name no tool has seen, so none can answer from its cache."""
    name = f"{uuid.uuid4().hex[:8]}_{photo.name}"
    shutil.copyfile(photo, media / name)
    return name


def settle() -> None:
    """Write the copies out and collect garbage now, so neither happens while a tool is timed."""
    os.sync()
    gc.collect()


def expected_proof_size(photo: Path) -> tuple[int, int]:
    with Image.open(photo) as im:
        width, height = im.size
        if im.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
            width, height = height, width
    scale = min(1.0, RENDITIONS[0][0] / max(width, height))
    return round(width * scale), round(height * scale)


def measure(
    tools: dict[str, Callable[[str], str | None]], photos: list[Path], media: Path, runs: int
) -> dict[str, dict[str, float]]:
    """{tool: {"ms": mean over photos of the median ms per photo, "proof_kb": mean proof size}}."""
    samples: dict[str, list[list[float]]] = {tool: [[] for _ in photos] for tool in tools}
    proof_kb: dict[str, list[float]] = {tool: [] for tool in tools}
    expected = [expected_proof_size(photo) for photo in photos]
    noted: set[tuple[str, int]] = set()

    def one(tool: str, index: int) -> float:
        name = fresh_copy(photos[index], media)
        settle()
        started = time.perf_counter()
        proof = tools[tool](name)
        elapsed = time.perf_counter() - started
        if proof is not None:
            with Image.open(media / proof) as im:
                if im.size != expected[index] and (tool, index) not in noted:
                    noted.add((tool, index))
                    print(f"  note: {tool} made a {im.size} proof of {photos[index].name}; ours is {expected[index]}")
            proof_kb[tool].append((media / proof).stat().st_size / 1024)
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
        tool: {
            "ms": statistics.mean(statistics.median(per_photo) * 1000 for per_photo in samples[tool]),
            "proof_kb": statistics.mean(proof_kb[tool]) if proof_kb[tool] else 0.0,
        }
        for tool in tools
    }


def photos_per_minute_in_parallel(photos: list[Path], media: Path, count: int, rounds: int = 3) -> float:
    """Photostudio on `count` photos with WORKERS processes, forked after the warm-up (so with warm
    caches, like a long-running worker); the median of `rounds` rounds, each on fresh copies."""
    per_minute = []
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        pool.map(int, range(WORKERS))  # the workers are up before the clock starts
        for _ in range(rounds):
            names = [fresh_copy(photos[i % len(photos)], media) for i in range(count)]
            settle()
            started = time.perf_counter()
            pool.map(photostudio, names, chunksize=1)
            per_minute.append(count / (time.perf_counter() - started) * 60)
            clear(media)
    return statistics.median(per_minute)


def clear(media: Path) -> None:
    for entry in media.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


# --- Report -------------------------------------------------------------------------------------


def environment() -> str:
    prefix = Path(sys.prefix).resolve()
    return str(prefix.relative_to(ROOT)) if prefix.is_relative_to(ROOT) else str(prefix)


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def report(
    results: dict[str, dict[str, float]], labels: dict[str, str], per_minute: float, count: int, seconds: float
) -> None:
    ours_ms, decode_ms = results[OURS]["ms"], results[DECODE]["ms"]
    print(f"{'':<34}{'ms per photo':>13}{'photos/min':>12}{'proof KB':>10}{'time vs ours':>14}")
    for tool, figures in results.items():
        kb = f"{figures['proof_kb']:.0f}" if figures["proof_kb"] else "-"
        print(
            f"{labels[tool]:<34}{figures['ms']:>13.0f}{60_000 / figures['ms']:>12.0f}{kb:>10}"
            f"{figures['ms'] / ours_ms:>13.2f}x"
        )
    single = 60_000 / ours_ms
    print(
        f"\nphotostudio with {WORKERS} worker processes: {per_minute:.0f} photos per minute, median of 3 rounds of "
        f"{count} photos ({per_minute / single:.2f}x one process's {single:.0f}; {os.cpu_count()} CPUs)"
    )

    peers = [tool for tool in PEERS if tool in results]
    decode_ratio = ours_ms / decode_ms
    print(
        "\nOurs also converts colour to sRGB through the embedded ICC profile, strips EXIF/GPS/XMP and stamps a\n"
        "text watermark on the proof; neither peer does colour management or watermarking. Ours decodes each\n"
        "photo once, at reduced scale (JPEG draft mode); the peers decode the full original for every rendition."
    )
    print(f"Total time {seconds:.0f} s\n")
    print(f"photostudio: {decode_ratio:.1f}x the time of a full decode")
    print(
        f"Target, at most {TARGET_VS_DECODE}x the time of a full decode: "
        f"{verdict(decode_ratio <= TARGET_VS_DECODE)} ({decode_ratio:.2f}x)"
    )
    if peers:
        fastest = min(peers, key=lambda tool: results[tool]["ms"])
        ratio = results[fastest]["ms"] / ours_ms
        print(
            f"Target, at least {TARGET_VS_PEER:.0f}x faster than the faster peer ({fastest}): "
            f"{verdict(ratio >= TARGET_VS_PEER)} ({ratio:.2f}x)"
        )
    missing = [tool for tool in PEERS if tool not in results]
    if missing:
        print(f"Not measured, not installed here: {', '.join(missing)} (run without --no-venv)")
    if BASELINE in results:
        ratio = ours_ms / results[BASELINE]["ms"]
        print(
            f"Target, at most {TARGET_VS_BASELINE:.2f}x the time of {labels[BASELINE]}: "
            f"{verdict(ratio <= TARGET_VS_BASELINE)} ({ratio:.3f}x: {ours_ms:.0f} against "
            f"{results[BASELINE]['ms']:.0f} ms per photo)"
        )
    for tool in peers:
        ratio = results[tool]["ms"] / ours_ms
        if ratio >= 1:
            print(f"photostudio: {ratio:.1f}x faster than {tool}")
        else:
            print(f"photostudio: {1 / ratio:.1f}x slower than {tool}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=4, help="how many test photos (default 4)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per photo and tool (default 3)")
    parser.add_argument("--size", default="6000x4000", help="pixel size of the test photos (default 6000x4000)")
    parser.add_argument(
        "--pool-photos", type=int, default=12, help=f"photos for the {WORKERS}-process throughput (default 12)"
    )
    parser.add_argument(
        "--baseline", metavar="REV", help="also time photostudio/imaging.py as it was at this git revision"
    )
    parser.add_argument("--no-venv", action="store_true", help="run in this interpreter, not bench/.venv")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.lower().split("x"))
    if len(size) != 2 or args.photos < 1 or args.runs < 1 or args.pool_photos < 1:
        parser.error("--size is WIDTHxHEIGHT; --photos, --runs and --pool-photos are at least 1")
    if not args.no_venv:
        run_in_own_venv()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_imaging_") as tmp:
        originals, media = Path(tmp) / "originals", Path(tmp) / "media"
        originals.mkdir()
        media.mkdir()
        photos = write_photos(originals, args.photos, size)
        configure_django(media)

        tools: dict[str, Callable[[str], str | None]] = {DECODE: full_decode, OURS: photostudio}
        labels = {DECODE: "full decode (Image.open + load)", OURS: "photostudio (photostudio.imaging)"}
        if args.baseline:
            tools[BASELINE] = make_renditions_with(load_baseline(args.baseline, Path(tmp)))
            labels[BASELINE] = f"photostudio at {args.baseline}"
        for dist, function in zip(PEERS, (easy_thumbnails, sorl_thumbnail), strict=True):
            if version := installed(dist):
                tools[dist] = function
                labels[dist] = f"{dist} {version}"

        megapixels = size[0] * size[1] / 1e6
        average_mb = statistics.mean(p.stat().st_size for p in photos) / 1e6
        print(
            f"Image pipeline benchmark: {len(photos)} photos of {size[0]}×{size[1]} ({megapixels:.0f} MP), "
            f"JPEG q92, {average_mb:.1f} MB on average; half shot vertically (EXIF orientation 6), "
            "half tagged Adobe RGB"
        )
        print(
            f"Python {platform.python_version()} ({environment()}), Pillow {Image.__version__}, {os.cpu_count()} CPUs; "
            f"{args.runs} runs per photo and tool, median per photo, mean over photos"
        )
        print("Each tool makes and saves: proof 2048, 960, 480 and 24 px (long edge), JPEG q85/80/80/60")
        print("Full decode: Image.open(path).load() of the original at full size, nothing made or saved\n")

        results = measure(tools, photos, media, args.runs)
        per_minute = photos_per_minute_in_parallel(photos, media, args.pool_photos)

    report(results, labels, per_minute, args.pool_photos, time.perf_counter() - started)


if __name__ == "__main__":
    main()
