"""How well a perceptual hash tells near-identical frames from different ones, and what it costs.

Run from the repo root: .venv/bin/python bench/near_duplicates.py
(imagehash's figures too when it is installed: pip install imagehash, in a scratch environment)

Generated scenes (tests/imaging_samples.py `scene`): for each of 40 scenes, a second frame of it with
the camera moved a few pixels, the light a little brighter or darker and new sensor noise (a burst a
second apart), against the 40 other scenes. Each hash is measured on the 2048 px picture the pipeline
already holds. The figures that matter: the largest distance between frames of one scene against the
smallest between different scenes (a threshold fits between them when the first is below the second),
and the time per photo.
"""

import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _pure(name: str, path: str):
    """A pure module by its file (not through its package, whose __init__ starts Celery), so this
    runs in a scratch environment holding only Pillow, imagesize and imagehash."""
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


imaging = _pure("imaging", "photostudio/imaging.py")
scene = _pure("imaging_samples", "tests/imaging_samples.py").scene

SIZE = (2048, 1365)
SCENES = 40


def pairs():
    rng = random.Random(7)
    for seed in range(SCENES):
        first = scene(seed, SIZE)
        shift = (rng.randint(-12, 12), rng.randint(-12, 12))
        second = scene(seed, SIZE, shift=shift, brightness=rng.uniform(0.85, 1.15), grain=rng.choice((0, 20)))
        yield first, second


def measure(name: str, hash_of, distance) -> None:
    frames = list(pairs())
    started = time.perf_counter()
    hashes = [(hash_of(a), hash_of(b)) for a, b in frames]
    per_photo = (time.perf_counter() - started) / (2 * len(frames)) * 1000
    same = [distance(a, b) for a, b in hashes]
    different = [distance(hashes[i][0], hashes[j][0]) for i in range(len(hashes)) for j in range(i + 1, len(hashes))]
    print(
        f"{name:<22} {per_photo:6.2f} ms/photo   same scene: max {max(same):2d} (mean {statistics.mean(same):4.1f})"
        f"   different scenes: min {min(different):2d} (mean {statistics.mean(different):4.1f})"
        f"   {'separated' if max(same) < min(different) else 'OVERLAP'}"
    )


def main() -> None:
    measure("ours: pHash on Pillow", imaging.perceptual_hash, imaging.hash_distance)
    try:
        import imagehash
    except ImportError:
        print("imagehash is not installed here: pip install imagehash (pulls numpy, scipy, PyWavelets)")
        return
    for name in ("phash", "dhash", "average_hash"):
        method = getattr(imagehash, name)
        measure(f"imagehash.{name}", method, lambda a, b: a - b)


if __name__ == "__main__":
    main()
