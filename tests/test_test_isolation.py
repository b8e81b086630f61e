"""Tests stay off what they don't own: their own Redis database, never the machine's Redis server.

The studio's (or a developer's) queues and cache live in Redis database 0 on 127.0.0.1:6379, and
several test runs may share that server at once. So every test uses the database TEST_REDIS_DB
(tests/conftest.py), no test flushes a database, and a test that needs to crash Redis starts a
redis-server of its own on a free port (tests/test_faults.py).
"""

import ast
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from photostudio.celery import app as celery_app
from tests import conftest

TESTS = Path(__file__).resolve().parent


def redis_abuse(source: str) -> list[str]:
    """What in `source` flushes a Redis database, shuts a Redis server down or restarts the
    machine's: each as 'line N: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _touches_redis(node):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        words = _words(node)
        if words is None:
            continue
        text = " ".join(words).lower()
        if "redis-cli" in text and any(w in text for w in ("shutdown", "flushdb", "flushall")):
            found.append(f"line {node.lineno}: {text}")
        elif "redis-server" in text and "6379" in text:
            found.append(f"line {node.lineno}: starts a redis-server on the machine's port: {text}")
        elif re.search(r"systemctl\s+\w+\s+redis|service\s+redis\S*\s+\w+|init\.d/redis", text):
            found.append(f"line {node.lineno}: restarts the machine's Redis: {text}")
    return found


def _touches_redis(call: ast.Call) -> bool:
    name = getattr(call.func, "attr", getattr(call.func, "id", ""))
    if name.lower() in ("flushdb", "flushall"):
        return True
    if name == "shutdown":
        return "redis" in ast.unparse(call.func).lower() or bool({k.arg for k in call.keywords} & {"nosave", "save"})
    if name == "execute_command":
        commands = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        return any(c.upper() in ("FLUSHDB", "FLUSHALL", "SHUTDOWN") for c in commands)
    return False


def _words(node: ast.AST) -> list[str] | None:
    """The words of a command: a string, or a list or tuple of strings."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    strings = isinstance(node, ast.List | ast.Tuple) and node.elts
    if strings and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    return None


@pytest.mark.parametrize("module", sorted(TESTS.rglob("*.py")), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_flushes_redis_or_shuts_down_or_restarts_the_machines_redis(module):
    if module.name == Path(__file__).name:
        return  # this file names what it looks for
    assert redis_abuse(module.read_text()) == [], f"{module.name} must leave the machine's Redis alone"


@pytest.mark.parametrize(
    "code",
    [
        "redis.Redis.from_url(url).flushdb()",
        "client.flushall(asynchronous=True)",
        "redis.Redis(host='127.0.0.1', port=6379).shutdown(nosave=True)",
        "subprocess.run(['redis-cli', '-p', '6379', 'shutdown'])",
        "subprocess.run(['redis-server', '--daemonize', 'yes', '--port', '6379'])",
        "os.system('sudo systemctl restart redis-server')",
        "conn.execute_command('FLUSHALL')",
    ],
)
def test_the_guard_spots_each_way_of_touching_the_machines_redis(code):
    assert redis_abuse(code)


def test_the_guard_lets_a_test_crash_a_redis_server_of_its_own():
    own = "process = subprocess.Popen(['redis-server', '--port', str(port), '--save', ''])\nprocess.kill()"
    assert redis_abuse(own) == []


def test_the_test_session_uses_its_own_redis_database_everywhere():
    if not settings.REDIS_URL:
        pytest.skip("no Redis configured: tasks run in-process")
    assert conftest.TEST_REDIS_DB != 0
    expected = conftest.with_redis_database(settings.REDIS_URL, conftest.TEST_REDIS_DB)
    assert expected == settings.REDIS_URL
    assert os.environ["REDIS_URL"] == expected  # what workers and servers started by tests get
    assert celery_app.conf.broker_url == celery_app.conf.result_backend == expected
    assert celery_app.connection_for_write().as_uri().endswith(f"/{conftest.TEST_REDIS_DB}")


@pytest.mark.django_db
def test_each_parallel_test_worker_has_a_redis_database_and_a_test_database_of_its_own():
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... when make test runs in parallel
    index = int(worker.removeprefix("gw")) if worker else 0
    assert conftest.FIRST_TEST_REDIS_DB - index == conftest.TEST_REDIS_DB
    if worker:
        assert connection.settings_dict["NAME"].endswith(f"_{worker}")


def test_parallel_runs_never_ask_for_more_workers_than_there_are_redis_databases_for_them():
    assert 1 <= conftest.pytest_xdist_auto_num_workers(None) <= conftest.FIRST_TEST_REDIS_DB


def test_a_redis_url_is_moved_to_the_test_database_whatever_it_names():
    assert conftest.with_redis_database("redis://127.0.0.1:6379/0", 7) == "redis://127.0.0.1:6379/7"
    assert conftest.with_redis_database("redis://127.0.0.1:6379", 15) == "redis://127.0.0.1:6379/15"
    assert conftest.with_redis_database("redis://:secret@cache:6380/2?db=2&ssl_cert_reqs=none", 9) == (
        "redis://:secret@cache:6380/9?ssl_cert_reqs=none"
    )
