"""Shared fixtures and the rules for tests that need real services.

Markers: `postgres`, `redis` and `celery_worker` (see pyproject.toml). Such a test runs when its
service answers; otherwise it is skipped with the reason, or fails when REQUIRE_SERVICES=1 (CI).
Every other test runs Celery tasks in-process, at once, so the unit suite needs no server.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import redis
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django_ratelimit import core as django_ratelimit_core

from photostudio.celery import app as celery_app
from tests.helpers import closed_port

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
# The Redis database every test uses, whatever REDIS_URL names: database 0 is a developer's (or the
# studio's) own queues and cache, and parallel test runs each take a number of their own.
# In parallel runs (pytest-xdist) each worker takes the next number down (gw0: 15, gw1: 14, ...),
# so workers never share a queue, a lock or a cache key.
FIRST_TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB") or 15)
TEST_REDIS_DB = FIRST_TEST_REDIS_DB - int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker per core, and never more than there are Redis databases for them."""
    return max(1, min(os.cpu_count() or 1, FIRST_TEST_REDIS_DB))


def with_redis_database(url: str, number: int) -> str:
    """`url` pointing at Redis database `number` (the path of a redis:// URL; a ?db= is dropped)."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "db"])
    return urlunsplit(parts._replace(path=f"/{number}", query=query))


def _use_the_test_redis_database() -> None:
    """Point the settings, the Celery app, the cache and (through the environment) every worker or
    server a test starts at TEST_REDIS_DB, before anything connects."""
    if TEST_REDIS_DB <= 0:
        raise pytest.UsageError(
            f"TEST_REDIS_DB={TEST_REDIS_DB} would let tests flush the Redis database apps use (or is not one): "
            "pick 1-15, and no more parallel workers than that number."
        )
    if not settings.REDIS_URL:
        return
    url = with_redis_database(settings.REDIS_URL, TEST_REDIS_DB)
    for cache in settings.CACHES.values():
        if cache.get("LOCATION") == settings.REDIS_URL:
            cache["LOCATION"] = url
    os.environ["REDIS_URL"] = settings.REDIS_URL = settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    celery_app.conf.broker_url = celery_app.conf.result_backend = url


_use_the_test_redis_database()


def _commit_without_waiting_for_the_disk() -> None:
    """The test database is thrown away, so its commits need not wait for the disk (PostgreSQL's
    synchronous_commit=off): the migrations that build it and every commit of a transactional test
    save about a millisecond each. Other connections still see a commit at once; only a crash of
    the server could lose one."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


_commit_without_waiting_for_the_disk()


def _redis_problem() -> str | None:
    if not settings.REDIS_URL:
        return "needs Redis: REDIS_URL is not set and none answered on 127.0.0.1:6379"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"needs Redis: {settings.REDIS_URL} does not answer ({exc})"
    finally:
        client.close()
    return None


def _postgres_problem() -> str | None:
    if connection.vendor != "postgresql":
        return f"needs PostgreSQL: the database is {connection.vendor} (set DATABASE_URL=postgres://...)"
    return None


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or ''}" if db.get("HOST") else db["NAME"]
    return [
        f"database: {connection.vendor} ({where})",
        f"broker: {settings.REDIS_URL or 'none (tasks run in-process)'}",
        f"missing services: {'fail' if REQUIRE_SERVICES else 'skip'} the tests that need them",
    ]


def pytest_runtest_setup(item: pytest.Item) -> None:
    markers = {m.name for m in item.iter_markers()}
    problems = []
    if "postgres" in markers:
        problems.append(_postgres_problem())
    if markers & {"redis", "celery_worker"}:
        problems.append(_redis_problem())
    problems = [p for p in problems if p]
    if problems:
        if REQUIRE_SERVICES:
            pytest.fail("; ".join(problems) + " (REQUIRE_SERVICES=1)", pytrace=False)
        pytest.skip("; ".join(problems))


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Hash test passwords with MD5: PBKDF2's deliberate slowness (a third of a second per
    password) is for attackers, and would otherwise dominate every test that makes an account."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _tasks_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run tasks at once in the test's own process, unless the test asked for a real worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    # Celery marks "inside a task" in one process-wide flag around each in-process task; tasks run
    # by several threads at once (the live server, racing clients) can leave it set, which would
    # make a later test's result.get() refuse to wait.
    _set_task_join_will_block(False)


@pytest.fixture
def on_commit_as_in_production(request: pytest.FixtureRequest, db, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `transaction.on_commit()` callbacks the moment the code under test commits, though the
    test's own transaction is rolled back at its end: when its outermost `atomic()` block ends
    well, or at once outside any. So a test sees each email handed to its task when the change it
    reports commits, as in production, without the cost of a real commit and a flush per test
    (`transaction=True`). Tests whose work crosses threads or processes still need real commits
    (mark them `django_db(transaction=True)`: then this does nothing)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return
    test_connection = transaction.get_connection()
    depth = len(test_connection.savepoint_ids)  # the test's own blocks: leaving a deeper one commits

    def run_committed() -> None:
        if len(test_connection.savepoint_ids) != depth or test_connection.needs_rollback:
            return
        while test_connection.run_on_commit:  # callbacks may add more: they run too, in order
            _, callback, robust = test_connection.run_on_commit.pop(0)
            if robust:
                try:
                    callback()
                except Exception:
                    logging.getLogger("django.db.backends.base").exception("Error calling %s in on_commit()", callback)
            else:
                callback()

    leave_block = transaction.Atomic.__exit__

    def leave_then_commit(self, exc_type, exc_value, traceback):
        suppressed = leave_block(self, exc_type, exc_value, traceback)
        if transaction.get_connection(self.using) is test_connection:
            run_committed()
        return suppressed

    def on_commit(func, robust=False) -> None:
        type(test_connection).on_commit(test_connection, func, robust)
        run_committed()

    monkeypatch.setattr(transaction.Atomic, "__exit__", leave_then_commit)
    monkeypatch.setattr(test_connection, "on_commit", on_commit)
    run_committed()  # what fixtures made before this one "committed" too


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path: Path) -> None:
    """Uploads and renditions made by a test never land in the project's own media folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _a_fresh_cache_per_test(settings) -> None:
    """Rate-limit counters and other cached values never leak from one test into the next."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


@pytest.fixture(autouse=True)
def _one_rate_limit_window_per_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test's requests count against one rate-limit window per key. django-ratelimit's windows
    end at a second of each minute that depends on the key, so "the eleventh request in a minute"
    could otherwise straddle a window's end and find its count started again. (Tests through
    gunicorn pick an address whose window has time left: tests/test_deployed_stack.py.)"""
    windows: dict[tuple[str, int], int] = {}
    window_now = django_ratelimit_core._get_window
    monkeypatch.setattr(
        django_ratelimit_core,
        "_get_window",
        lambda value, period: windows.setdefault((value, period), window_now(value, period)),
    )


@pytest.fixture
def redis_url() -> str:
    return settings.REDIS_URL


def database_url_for_subprocess() -> str:
    """The URL of the test database, so a worker in another process reads what the test wrote."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


class MailSink:
    """A real SMTP server on loopback that keeps what it receives (for worker and server tests)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                import email

                sink.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
                return "250 OK"

        port = closed_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{port}"

    def wait_for(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    yield sink
    sink.controller.stop()


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen
    log: Path
    media_root: Path
    private_root: Path

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _die_with_parent() -> None:
    """In the worker's process: end when the test run ends, even if pytest is killed before its
    teardown (Linux), so no stray worker takes a later run's tasks."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _answers(name: str) -> bool:
    try:
        return bool(celery_app.control.ping(destination=[name], timeout=0.5))
    except redis.ConnectionError:  # a connection from before a Redis restart: start afresh
        celery_app.close()
        return False


def start_celery_worker(
    folder: Path,
    *,
    queues: str = "default,email,images",
    env: dict | None = None,
    email_url: str = "",
    like: WorkerProcess | None = None,
) -> WorkerProcess:
    """A real `celery -A photostudio worker` in its own process, on the real broker and the test
    database, with media folders of its own (or those of the worker `like`). Waits until it answers."""
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log = folder / f"{name}.log"
    media, private = (like.media_root, like.private_root) if like else (folder / "media", folder / "private")
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": str(private),
        **({"EMAIL_URL": email_url} if email_url else {}),
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "photostudio", "worker", "--pool=solo", f"--queues={queues}",
         "--without-mingle", "--without-gossip", "--loglevel=INFO", f"--hostname={name}"],
        cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
    )  # fmt: skip
    worker = WorkerProcess(name, process, log, media, private)
    deadline = time.monotonic() + 60
    while not _answers(name):
        if process.poll() is not None or time.monotonic() > deadline:
            worker.stop(signal.SIGKILL)
            pytest.fail(f"the Celery worker did not start:\n{log.read_text()}")
    return worker


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup, tmp_path_factory: pytest.TempPathFactory, mail_sink: MailSink
) -> Iterator[WorkerProcess]:
    """The suite's shared worker. Tests that use it should use `transactional_db`: the worker
    only sees rows the test has committed."""
    if problem := _redis_problem():
        pytest.fail(problem) if REQUIRE_SERVICES else pytest.skip(problem)
    celery_app.control.purge()  # nothing left over from an earlier run
    worker = start_celery_worker(tmp_path_factory.mktemp("celery"), email_url=mail_sink.url)
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(celery_worker_process: WorkerProcess, settings) -> Iterator[WorkerProcess]:
    """Send tasks through the broker to the real worker (instead of running them in-process);
    the test's files live where the worker reads and writes them."""
    settings.MEDIA_ROOT = celery_worker_process.media_root
    settings.PRIVATE_MEDIA_ROOT = celery_worker_process.private_root
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    # What the test set off, and what that queued in turn (a freed time offered to the waitlist),
    # is finished before the test's tables are emptied under it: the queue answers a ping after them.
    from photostudio.tasks import ping

    try:
        ping.delay().get(timeout=60)
    finally:
        celery_app.conf.task_always_eager = eager
