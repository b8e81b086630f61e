"""How the client's gallery page scales: render time and SQL queries for 500 photos beside 10.

Run from the repository root: `.venv/bin/python bench/gallery_page.py`. It uses its own throwaway
database (SQLite in a temporary folder, or DATABASE_URL if set to a PostgreSQL server, where it
creates and drops a database named after that one with `_bench` added) and prints median times of
repeated requests through Django's full request cycle.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photostudio.settings")
workdir = tempfile.mkdtemp(prefix="gallery-bench-")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{workdir}/media"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SIZES = (10, 500)
REPEATS = 25


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    # A database of its own, never the test suite's (.test-db.sqlite3, test_<name>), which a test
    # run may be using at this moment: a file in the bench's folder, or a PostgreSQL name of its own.
    db = connection.settings_dict
    own = f"{workdir}/bench-test.sqlite3" if connection.vendor == "sqlite" else f"{db['NAME']}_bench"
    db.setdefault("TEST", {})["NAME"] = own
    creation = connection.creation
    creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from galleries.models import Favourite
        from tests.factories import make_ready_gallery, make_user_client

        alice = make_user_client("Alice Byrne", "alice@example.com")
        browser = Client()
        browser.force_login(alice.user)
        rows = []
        for n in SIZES:
            gallery = make_ready_gallery(alice, photos=n, limit=10, with_files=False)
            for photo in gallery.photos.all()[:5]:
                Favourite.objects.create(photo=photo, gallery=gallery)
            url = f"/portal/galleries/{gallery.public_id}/"
            browser.get(url)  # warm up templates and connections
            with CaptureQueriesContext(connection) as queries:
                response = browser.get(url)
            assert response.status_code == 200
            n_queries = len(queries)  # now: the next request's start clears Django's query log
            times = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                browser.get(url)
                times.append((time.perf_counter() - started) * 1000)
            rows.append((n, statistics.median(times), n_queries, len(response.content)))
    finally:
        creation.destroy_test_db(creation.connection.settings_dict["NAME"], verbosity=0)

    print(f"Client gallery page, {connection.vendor}, median of {REPEATS} requests through the full Django stack")
    print(f"{'photos':>7} {'ms':>8} {'SQL queries':>12} {'HTML KB':>8}")
    for n, ms, queries, size in rows:
        print(f"{n:>7} {ms:>8.1f} {queries:>12} {size / 1024:>8.0f}")
    (small_n, small_ms, small_q, _), (big_n, big_ms, big_q, _) = rows
    print(
        f"500 photos take {big_ms / small_ms:.1f}x the time of 10 ({big_ms / big_n * 1000:.0f} µs per photo); "
        f"queries: {big_q} vs {small_q} ({'the same' if big_q == small_q else 'DIFFERENT'})"
    )


if __name__ == "__main__":
    main()
