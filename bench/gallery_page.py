"""How the client's gallery page scales: its first response at 10, 500 and 2,000 photos.

Run from the repository root: `.venv/bin/python bench/gallery_page.py`. It uses its own throwaway
database (SQLite in a temporary folder, or DATABASE_URL if set to a PostgreSQL server, where it
creates and drops a database named after that one with `_bench` added) and Django's cache as
configured (Redis when REDIS_URL is set). It prints, for each size, median times of repeated requests
through Django's full request cycle: with the tiles' HTML already cached (as for every visit after the
first since the photos last changed), with nothing cached (the first visit), and a returning browser's
revalidation (If-None-Match, answered 304); the HTML's size and the SQL queries of one request.

The photos have real placeholders (the pipeline's 24 px JPEGs as data: URIs), thumbnail names as the
pipeline makes them and camera file names, so the bytes are those a client receives.
"""

import os
import secrets
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
from serving import own_test_database  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SIZES = (10, 500, 2000)
REPEATS = 31
COLD_REPEATS = 9
TARGET_RATIO = 1.5


def make_gallery(client, n: int):
    """A published gallery of n processed proofs with the pipeline's real rendition sizes and
    placeholders, rows only (no files: the page reads none), five of them chosen."""
    from galleries.models import Favourite
    from tests.browser.realistic import _sample_renditions
    from tests.factories import make_shoot

    looks = [(r.width, r.height, *r.thumb_size, r.placeholder_data_uri) for _, r in _sample_renditions()]
    gallery = make_shoot(client, n, looks=looks, title="Bob Mensah, headshots")
    for photo in gallery.photos.order_by("order")[:5]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    return gallery


def medians_ms(requests: dict, repeats: int, before=None) -> dict:
    """Median milliseconds of each request, taken in turns (one of each per round), so a busy moment
    on the machine slows every size alike rather than whichever ran then."""
    times = {name: [] for name in requests}
    for _ in range(repeats):
        for name, request in requests.items():
            if before:
                before()
            started = time.perf_counter()
            response = request()
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 304), response.status_code
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    own_test_database(connection, workdir)
    creation = connection.creation
    try:
        from galleries import gallery_pages
        from tests.factories import make_user_client

        alice = make_user_client("Alice Byrne", "alice.byrne@example.com")
        browser = Client()
        browser.force_login(alice.user)
        galleries = {n: make_gallery(alice, n) for n in SIZES}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum keeps them on a running site
        pages, facts = {}, {}
        for n, gallery in galleries.items():
            url = pages[n] = f"/portal/galleries/{gallery.public_id}/"
            browser.get(url)  # warm up templates, connections and the tiles' cache
            with CaptureQueriesContext(connection) as queries:
                response = browser.get(url)
            n_queries = len(queries)  # now: the next request's start clears Django's query log
            assert response.status_code == 200
            tiles = response.content.decode().count('class="photo-tile"')
            etag = response["ETag"]
            assert browser.get(url, headers={"If-None-Match": etag}).status_code == 304
            facts[n] = (n_queries, len(response.content), tiles, etag)

        def forget_tiles() -> None:
            # A new digest for the templates: every tile's cache key is new, as after a deploy.
            gallery_pages.TEMPLATES_DIGEST = secrets.token_hex(8)

        get = {n: (lambda url=url: browser.get(url)) for n, url in pages.items()}
        revalidate = {
            n: (lambda url=url, etag=facts[n][3]: browser.get(url, headers={"If-None-Match": etag}))
            for n, url in pages.items()
        }
        warm = medians_ms(get, REPEATS)
        revalidated = medians_ms(revalidate, REPEATS)
        cold = medians_ms(get, COLD_REPEATS, before=forget_tiles)
        rows = [(n, warm[n], cold[n], revalidated[n], *facts[n][:3]) for n in SIZES]
    finally:
        creation.destroy_test_db(creation.connection.settings_dict["NAME"], verbosity=0)

    cache_name = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"Client gallery page, first response: {connection.vendor}, cache {cache_name}; "
        f"median of {REPEATS} requests through the full Django stack, the sizes in turns "
        f"({COLD_REPEATS} for the uncached render)"
    )
    print(
        f"{'photos':>7} {'tiles':>6} {'cached ms':>10} {'uncached ms':>12} {'304 ms':>7} {'SQL queries':>12} "
        f"{'HTML KB':>8}"
    )
    for n, warm, cold, revalidate, queries, size, tiles in rows:
        print(f"{n:>7} {tiles:>6} {warm:>10.1f} {cold:>12.1f} {revalidate:>7.1f} {queries:>12} {size / 1024:>8.1f}")
    small, big = rows[0], rows[-1]
    ratio = big[1] / small[1]
    same_queries = len({row[4] for row in rows}) == 1
    print(
        f"{big[0]} photos take {ratio:.2f}x the time of {small[0]} with the tiles cached "
        f"({'within' if ratio <= TARGET_RATIO else 'OVER'} the {TARGET_RATIO}x target), "
        f"{big[2] / small[2]:.2f}x uncached; queries: {', '.join(str(row[4]) for row in rows)} "
        f"({'the same at every size' if same_queries else 'DIFFERENT'}); "
        f"largest first response {max(row[5] for row in rows) / 1024:.1f} KB "
        f"({'under' if max(row[5] for row in rows) < 100 * 1024 else 'OVER'} 100 KB)"
    )


if __name__ == "__main__":
    main()
