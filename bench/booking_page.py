"""How long one render of the booking page takes, beside the home page and Django's admin sign-in.

Run from the repository root: `.venv/bin/python bench/booking_page.py`. It uses its own throwaway
database (SQLite in a temporary folder, or DATABASE_URL if set to a PostgreSQL server, where it
creates and drops a database named after that one with `_bench` added), the studio's demo session
types, hours and profile, and serves as production does: DEBUG off, the cached template loader, the
cache of REDIS_URL when that is set. It prints the median of repeated requests through Django's full
request cycle (the three pages taking turns), the SQL queries of one request, and each page's ratio
to the home page.

Django's test instrumentation (which copies every template's context for the test client) stays
off, as it is in production: with it on, a page of many small templates looks slower than it is.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photostudio.settings")
os.environ["DEBUG"] = "0"
workdir = tempfile.mkdtemp(prefix="booking-bench-")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["PRIVATE_MEDIA_ROOT"] = f"{workdir}/private"

import django  # noqa: E402
from serving import own_test_database  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Keys of their own in a shared Redis: nothing cached from another database is read back, and the
# bench never has to clear (let alone flush) a cache someone else uses.
settings.CACHES["default"]["KEY_PREFIX"] = f"booking-bench-{os.getpid()}"
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEATS = 200
PAGES = [
    ("home page", "/"),
    ("admin sign-in (yardstick)", "/admin/login/"),
    ("booking page", "/book/?type=headshot"),
]


def measure(browser: Client, urls: list[str]) -> list[tuple[float, int, int]]:
    """For each page: the median milliseconds of REPEATS requests, the queries of one, and its size.
    The pages take turns, request by request, so a busy moment of the machine falls on all alike."""
    shapes = []
    for url in urls:
        for _ in range(5):  # warm up templates, connections and the cache
            browser.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        shapes.append((len(queries), len(response.content)))  # now: the next request clears the query log
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(REPEATS):
        for url, page_times in zip(urls, times, strict=True):
            started = time.perf_counter()
            browser.get(url)
            page_times.append((time.perf_counter() - started) * 1000)
    return [(statistics.median(t), q, size) for t, (q, size) in zip(times, shapes, strict=True)]


def main() -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    own_test_database(connection, workdir)
    creation = connection.creation
    try:
        from photostudio.demo import seed_availability, seed_session_types, seed_studio_profile

        seed_studio_profile()
        seed_session_types()
        seed_availability()
        browser = Client()
        figures = measure(browser, [url for _, url in PAGES])
        rows = [(name, url, *figure) for (name, url), figure in zip(PAGES, figures, strict=True)]
    finally:
        creation.destroy_test_db(creation.connection.settings_dict["NAME"], verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)

    cache_name = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"One render, {connection.vendor}, cache {cache_name}, DEBUG off, "
        f"median of {REPEATS} requests through the full Django stack"
    )
    print(f"{'page':<28} {'url':<22} {'ms':>7} {'SQL queries':>12} {'HTML KB':>8} {'x home':>7}")
    home_ms = rows[0][2]
    for name, url, ms, queries, size in rows:
        print(f"{name:<28} {url:<22} {ms:>7.2f} {queries:>12} {size / 1024:>8.0f} {ms / home_ms:>7.2f}")
    booking_ms, admin_ms = rows[2][2], rows[1][2]
    verdict = "within" if booking_ms <= 2 * home_ms else "NOT within"
    print(
        f"The booking page takes {booking_ms / home_ms:.2f}x the home page ({verdict} 2x) "
        f"and {booking_ms / admin_ms:.2f}x the admin sign-in."
    )


if __name__ == "__main__":
    main()
