"""`make run` serves where it says, and the links in its emails point there too."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_run(tmp_path: Path, *args: str, env: dict | None = None) -> list[str]:
    """The run target's real recipe, with a stand-in Python that prints what each command receives
    (the install step is taken as done, so nothing is installed and nothing is served)."""
    fake_python = tmp_path / "python"
    fake_python.write_text('#!/bin/sh\necho "SITE_URL=$SITE_URL :: $*"\n')
    fake_python.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "MAKEFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", ".venv/.installed", "run", f"PY={fake_python}", *args],
        cwd=ROOT,
        env=environment | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if line.startswith("SITE_URL=")]


def test_make_run_on_another_port_puts_that_port_in_emailed_links(tmp_path):
    commands = make_run(tmp_path, "PORT=8123")

    assert commands == [
        "SITE_URL=http://127.0.0.1:8123 :: manage.py migrate --noinput",
        "SITE_URL=http://127.0.0.1:8123 :: manage.py seed_demo",
        "SITE_URL=http://127.0.0.1:8123 :: manage.py runserver 127.0.0.1:8123",
    ]


def test_make_run_follows_the_host_too(tmp_path):
    commands = make_run(tmp_path, "HOST=localhost", "PORT=9000")

    assert commands[-1] == "SITE_URL=http://localhost:9000 :: manage.py runserver localhost:9000"


def test_a_site_url_set_in_the_environment_wins(tmp_path):
    commands = make_run(tmp_path, "PORT=8123", env={"SITE_URL": "https://studio.example"})

    assert {line.split(" :: ")[0] for line in commands} == {"SITE_URL=https://studio.example"}


def test_the_settings_read_the_site_url_that_make_run_passes():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "photostudio.settings", "SITE_URL": "http://127.0.0.1:8123"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "http://127.0.0.1:8123"


def test_every_migration_applies_to_the_embedded_default_database(tmp_path):
    """`make run` with no DATABASE_URL migrates a new SQLite file: a migration that only PostgreSQL
    takes (an index SQLite refuses, say) would stop a new user at the first step, while the suite,
    on PostgreSQL, stays green."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment |= {"DATABASE_URL": f"sqlite:///{tmp_path}/new.sqlite3", "DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Applying galleries" in result.stdout
