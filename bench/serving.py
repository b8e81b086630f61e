"""What the benchmarks that serve the site (load.py, lighthouse.py) share: where things are, how a
failed step is reported, a free loopback port and running a set-up command."""

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # this interpreter's virtualenv (bench/.venv under `make bench`)
HOST = "127.0.0.1"  # loopback only: nothing here may leave the machine


class Failed(Exception):
    """A step of the set-up failed; the message says which and why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def run(command: list, env: dict[str, str], step: str) -> str:
    """Runs a set-up step from the repository root; its output, or Failed with the end of it."""
    done = subprocess.run([str(part) for part in command], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failed(f"{step} exited with {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return done.stdout


def own_test_database(connection, workdir) -> None:
    """Make a database of the bench's own, never the test suite's (.test-db.sqlite3, test_<name>),
    which a test run may be using at this moment: a file in the bench's folder, or a PostgreSQL
    name of its own. Drop it with `connection.creation.destroy_test_db(...)` when done."""
    db = connection.settings_dict
    own = f"{workdir}/bench-test.sqlite3" if connection.vendor == "sqlite" else f"{db['NAME']}_bench"
    db.setdefault("TEST", {})["NAME"] = own
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
