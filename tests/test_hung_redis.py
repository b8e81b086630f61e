"""A hung Redis (it accepts connections and never answers) must not slow bookings down.

The Redis here is the test's own: a loopback socket that accepts every connection and never
replies. The machine's Redis is never touched.
"""

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bookings.models import Booking
from photostudio.cache import TolerantRedisCache
from photostudio.models import OutgoingEmail
from tests.conftest import database_url_for_subprocess
from tests.factories import booking_data, local, make_session_type, open_every_day
from tests.helpers import time_a_booking_on_a_real_server

ROOT = Path(__file__).resolve().parent.parent


class SilentRedis:
    """A TCP server on loopback that accepts connections, reads nothing and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.connections: list[socket.socket] = []
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)  # held open, silent

    def close(self) -> None:
        self._stopped.set()
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_redis() -> Iterator[SilentRedis]:
    server = SilentRedis()
    yield server
    server.close()


@pytest.mark.django_db(transaction=True)
def test_a_booking_with_redis_hung_is_quick_and_its_emails_wait_in_the_outbox(silent_redis):
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot", duration_minutes=60)
    # The cache, rate limits and broker all on the hung Redis.
    status, html, took = time_a_booking_on_a_real_server(
        ROOT, database_url_for_subprocess(), silent_redis.url, booking_data(session, local(days=4, hour=11))
    )

    print(f"booking POST with Redis hung: {took:.2f} s")
    assert status == 200 and "your request is in" in html
    assert took < 1.0, f"the client waited {took:.2f} s"
    assert silent_redis.connections, "the server did try the hung Redis"
    Booking.objects.get()
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    assert sorted(pending.values_list("to", flat=True)) == ["alice@example.com", "hello@northlight.example"]


def test_after_one_timeout_the_cache_stops_asking_the_hung_redis_for_a_while(silent_redis):
    cache = TolerantRedisCache(silent_redis.url, {"OPTIONS": {"breaker_seconds": 0.5}})

    started = time.monotonic()
    first = cache.incr("rl:book:203.0.113.7")
    first_took = time.monotonic() - started
    started = time.monotonic()
    later = [cache.add("rl:book:203.0.113.7", 1), cache.get("rl:book:203.0.113.7", "miss"), cache.set("k", 1)]
    later_took = time.monotonic() - started

    assert first is None and later == [False, "miss", None]  # misses, never errors
    assert first_took < 0.5, f"one hung call waited {first_took:.2f} s"
    assert later_took < 0.05, f"calls while the breaker is open waited {later_took:.2f} s"

    # A few moments later it asks again (and times out again, quickly).
    time.sleep(0.6)
    started = time.monotonic()
    assert cache.get("rl:book:203.0.113.7") is None
    assert 0.05 < time.monotonic() - started < 0.5


@pytest.mark.redis
def test_with_redis_answering_the_cache_counts_as_usual(redis_url):
    cache = TolerantRedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    try:
        assert cache.add("rl:book:203.0.113.7", 0, 60) is True
        assert [cache.incr("rl:book:203.0.113.7") for _ in range(3)] == [1, 2, 3]
        assert cache.get("rl:book:203.0.113.7") == 3
    finally:
        cache.delete("rl:book:203.0.113.7")
