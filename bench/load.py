"""Load test: many clients at once on the pages that matter, through gunicorn, beside Django's admin sign-in.

Run from the repository root: `bench/.venv/bin/python bench/load.py [--clients 50] [--seconds 60]`, in
the benchmarks' own virtualenv, which has locust (`make bench` makes it from requirements.txt and
bench/requirements.txt; the project's .venv never gets locust). It makes its own
throwaway database (a new one on the PostgreSQL server of DATABASE_URL if that is set to one,
else a SQLite file in a temporary folder), migrates it, adds the studio's session types and hours
and a client with a published 500-photo gallery (rows only, no image files), starts gunicorn on a
free loopback port, then runs two phases of closed-loop load with locust, each of `--seconds`:

1. every client loops over its 500-photo gallery page (signed in) and the booking page;
2. the yardstick: the same clients on Django's own admin sign-in page, a page with next to no work.

Only HTML is requested (no thumbnails, CSS or scripts), over loopback only. It prints requests, errors,
requests per second and the 50th/95th/99th percentiles per page, and exits non-zero unless there
were no errors. Gunicorn, the database and the temporary folder are removed at the end, even on failure.

The load generator shares the machine with the server, so the numbers are the server's capacity
minus what locust uses, not the server alone: compare pages with each other, not with another machine.
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from serving import BIN, HOST, ROOT, Failed, free_port, run

# Set by main() for the locust processes it starts; locust imports this file to find the users below.
GALLERY_PATH_VAR = "LOAD_GALLERY_PATH"
LAST_PHOTO_VAR = "LOAD_LAST_PHOTO"
COOKIE_VAR = "LOAD_SESSION_COOKIE"

GALLERY = "GET gallery (500 photos)"
BOOKING = "GET /book/?type=headshot"
ADMIN_LOGIN = "GET /admin/login/ (yardstick)"
ORDER = [GALLERY, BOOKING, ADMIN_LOGIN]


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    errors: int
    rps: float
    p50: str
    p95: str
    p99: str


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="length of each of the two phases (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    args = parser.parse_args()
    if not (BIN / "locust").exists():
        print("locust is not installed here: run it in bench/.venv (`make bench` makes it)", file=sys.stderr)
        return 2

    # Ctrl-C raises KeyboardInterrupt; make a plain `kill` unwind through the same clean-up.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix="photostudio-load-"))
    database = ThrowawayDatabase(os.environ.get("DATABASE_URL", ""), workdir)
    server: subprocess.Popen | None = None
    try:
        env = server_environment(database.url, workdir)
        print(f"Preparing {database.describe()} ...", flush=True)
        database.create()
        run([BIN / "python", "manage.py", "migrate", "--noinput"], env, "migrate")
        fixture = json.loads(run([BIN / "python", "bench/load_setup.py"], env, "load_setup").splitlines()[-1])

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        server = start_gunicorn(env, port, args.workers, args.threads, workdir / "gunicorn.log")
        wait_until_healthy(server, base_url, workdir / "gunicorn.log")

        locust_env = os.environ | {
            GALLERY_PATH_VAR: fixture["gallery_path"],
            LAST_PHOTO_VAR: fixture["last_photo"],
            COOKIE_VAR: f"{fixture['cookie_name']}={fixture['cookie_value']}",
        }
        rows, warnings = [], []
        for user_class in ("StudioClient", "AdminSignInVisitor"):
            print(f"Phase {user_class}: {args.clients} clients for {args.seconds} s ...", flush=True)
            phase_rows, phase_warnings = run_phase(user_class, base_url, args, locust_env, workdir)
            rows += phase_rows
            warnings += phase_warnings
    except Failed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted: stopping gunicorn and removing the database", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            stop(server)
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(
        f"{args.clients} clients, {args.seconds} s per phase, gunicorn {args.workers} workers x {args.threads} "
        f"threads, {database.vendor}, locust {locust_version()} on the same {os.cpu_count()}-core machine"
    )
    print(f"{'endpoint':<32} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        print(
            f"{row.name:<32} {row.requests:>9} {row.errors:>7} {row.rps:>8.1f} {row.p50:>7} {row.p95:>7} {row.p99:>7}"
        )
    for warning in warnings:
        print(warning)
    errors = sum(row.errors for row in rows)
    missing = set(ORDER) - {row.name for row in rows if row.requests}
    if missing:
        print(f"FAIL: no requests recorded for {', '.join(sorted(missing))}")
        return 1
    print("PASS: zero errors" if errors == 0 else f"FAIL: {errors} errors")
    return 0 if errors == 0 else 1


# --- The throwaway database ------------------------------------------------------------------------


class ThrowawayDatabase:
    """A new PostgreSQL database beside DATABASE_URL's (when that is PostgreSQL), else a SQLite file."""

    def __init__(self, url: str, workdir: Path):
        parts = urlsplit(url)
        self.postgres = parts.scheme in ("postgres", "postgresql", "pgsql", "postgis")
        self.created = False
        if self.postgres:
            self.vendor = "postgresql"
            self.name = f"photostudio_load_{os.getpid()}"  # unique, so two runs never share one
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.client_args = ["-h", parts.hostname or HOST, "-p", str(parts.port or 5432)]
            self.client_args += ["-U", parts.username or "postgres"]
            self.client_env = os.environ | ({"PGPASSWORD": parts.password} if parts.password else {})
        else:
            self.vendor = "sqlite"
            self.name = str(workdir / "load.sqlite3")
            self.url = f"sqlite:///{self.name}"

    def describe(self) -> str:
        return f"PostgreSQL database {self.name}" if self.postgres else f"SQLite database {self.name}"

    def create(self) -> None:
        if self.postgres:
            run(["createdb", *self.client_args, self.name], self.client_env, "createdb")
            self.created = True

    def drop(self) -> None:
        if self.postgres and self.created:
            # --force ends any connection left behind by a process that did not stop cleanly.
            dropdb = ["dropdb", *self.client_args, "--if-exists", "--force", self.name]
            done = subprocess.run(dropdb, env=self.client_env, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"Could not drop database {self.name}: {done.stderr.strip()}", file=sys.stderr)


# --- The server ------------------------------------------------------------------------------------


def server_environment(database_url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    command = [
        BIN / "gunicorn", "photostudio.wsgi", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--graceful-timeout", "10",
    ]  # fmt: skip
    with log.open("wb") as out:
        # Its own process group, so stop() reaches the workers too and nothing else.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_until_healthy(server: subprocess.Popen, base_url: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise Failed(f"gunicorn exited with {server.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise Failed(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{tail(log)}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- The load --------------------------------------------------------------------------------------


def run_phase(
    user_class: str, base_url: str, args: argparse.Namespace, env: dict[str, str], workdir: Path
) -> tuple[list[Row], list[str]]:
    prefix = workdir / user_class
    command = [
        BIN / "locust", "-f", Path(__file__).resolve(), "--headless", "--only-summary",
        "--users", str(args.clients), "--spawn-rate", str(args.clients), "--run-time", f"{args.seconds}s",
        "--host", base_url, "--csv", prefix, "--loglevel", "WARNING", user_class,
    ]  # fmt: skip
    log = workdir / f"{user_class}.log"
    with log.open("wb") as out:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            # Locust exits 1 when any request failed: that is counted from its CSV, not treated as a crash.
            returncode = locust.wait(timeout=args.seconds + 60)
        finally:
            stop_child(locust)
    stats = Path(f"{prefix}_stats.csv")
    if returncode not in (0, 1) or not stats.exists():
        raise Failed(f"locust ({user_class}) exited with {returncode}:\n{tail(log)}")
    with stats.open(newline="") as f:
        rows = [
            Row(
                name=line["Name"],
                requests=int(line["Request Count"]),
                errors=int(line["Failure Count"]),
                rps=float(line["Requests/s"]),
                p50=line["50%"],
                p95=line["95%"],
                p99=line["99%"],
            )
            for line in csv.DictReader(f)
            if line["Name"] != "Aggregated"
        ]
    rows.sort(key=lambda row: ORDER.index(row.name) if row.name in ORDER else len(ORDER))
    warnings = []
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as f:
            for line in csv.DictReader(f):
                warnings.append(f"  error x{line['Occurrences']} on {line['Name']}: {line['Error']}")
    if "CPU usage above" in log.read_text(errors="replace"):
        warnings.append(f"  note: locust's own CPU went above 90% in {user_class}: the load generator limited the rate")
    return rows, warnings


def stop_child(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Small helpers ---------------------------------------------------------------------------------


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


# --- The simulated clients: locust imports this file (as module "load") to find them ---------------

if __name__ != "__main__":
    from locust import FastHttpUser, constant, task

    class StudioClient(FastHttpUser):
        """A signed-in client who keeps reloading their 500-photo gallery and the booking page.

        No pause between requests (closed loop): each client sends its next request as soon as the
        last one is answered, so the rate measured is what the server manages.
        """

        wait_time = constant(0)
        network_timeout = 30.0
        connection_timeout = 10.0

        def on_start(self) -> None:
            self.gallery_path = os.environ[GALLERY_PATH_VAR]
            self.last_photo = os.environ[LAST_PHOTO_VAR].encode()
            self.cookie = {"Cookie": os.environ[COOKIE_VAR]}

        @task
        def gallery_then_booking(self) -> None:
            # A redirect to the sign-in page would also end in 200: check the last photo is there.
            with self.client.get(self.gallery_path, headers=self.cookie, name=GALLERY, catch_response=True) as r:
                if r.status_code == 200 and self.last_photo not in r.content:
                    r.failure(f"200 without {self.last_photo.decode()}: not the whole gallery ({r.url})")
            with self.client.get("/book/?type=headshot", headers=self.cookie, name=BOOKING, catch_response=True) as r:
                if r.status_code == 200 and b"Headshot session" not in r.content:
                    r.failure("200 without the headshot session on the page")

    class AdminSignInVisitor(FastHttpUser):
        """The yardstick: Django's own admin sign-in form, about the least work a Django page does."""

        wait_time = constant(0)
        network_timeout = 30.0
        connection_timeout = 10.0

        @task
        def admin_login(self) -> None:
            with self.client.get("/admin/login/", name=ADMIN_LOGIN, catch_response=True) as r:
                if r.status_code == 200 and b"csrfmiddlewaretoken" not in r.content:
                    r.failure("200 without the sign-in form")


if __name__ == "__main__":
    sys.exit(main())
