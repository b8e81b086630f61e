"""Load test: many clients at once on the pages that matter, through gunicorn, beside Django's admin sign-in.

Run from the repository root: `.venv/bin/python bench/load.py [--connections 50] [--seconds 60]` (or in
bench/.venv, as `make bench` does). The load comes from wrk (Debian's package `wrk`), a small C load
generator that leaves the server most of the CPU. It makes its own throwaway database (a new one on
the PostgreSQL server of DATABASE_URL if that is set to one, else a SQLite file in a temporary
folder), migrates it, adds the studio's session types, hours and profile and a client with a
published 500-photo gallery (rows only, no image files: bench/load_setup.py), starts gunicorn
(2 workers x 4 threads, DEBUG off) on a free loopback port, then runs closed-loop load on three
pages, `--seconds` each with the same `--connections`, in `--rounds` turns (by default three wrk runs
of 20 s per page, the pages taking turns, so a stretch when the machine is slower weighs on every
page alike; the percentiles printed for a page are the highest of its turns'):

1. the 500-photo gallery page, signed in as its client (its session cookie, and the CSRF cookie its
   first page set, in a header, as the client's browser sends them);
2. the booking page, /book/?type=headshot;
3. the yardstick: Django's own admin sign-in page, about the least work a Django page does.

Each connection sends its next request as soon as the last is answered. bench/load.lua checks every
response: only a 200 holding the page's marker counts (a photo tile, "Headshot session", the sign-in
form's csrfmiddlewaretoken); anything else, and every socket error and timeout, is an error. Only HTML
is requested (no thumbnails, CSS or scripts), over loopback only. It prints one table (requests,
errors, requests per second, the 50th/95th/99th latency percentiles, and each page's requests per
second over the yardstick's), then PASS or FAIL against the targets below, and exits non-zero on FAIL.
Gunicorn, the database and the temporary folder are removed at the end, even on failure or Ctrl-C.

The load generator shares the machine with the server, so compare pages with each other in one run,
not with another machine.
"""

import argparse
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
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from serving import BIN, HOST, ROOT, Failed, free_port, run

WRK_SCRIPT = Path(__file__).resolve().with_name("load.lua")

# The targets: no errors at all; each page's requests per second at least this share of the admin
# sign-in's, measured in the same run; and 95% of requests answered within P95_LIMIT_MS.
MIN_SHARE_OF_YARDSTICK = {"gallery": 0.25, "booking": 0.5}
P95_LIMIT_MS = 1000


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    path: str
    marker: str  # what the body of a good answer holds
    signed_in: bool = False


@dataclass(frozen=True)
class Row:
    phase: Phase
    requests: int
    errors: int
    rps: float
    p50: float  # milliseconds
    p95: float
    p99: float
    problems: str  # what the errors were, for the reader


def phases(gallery_path: str) -> list[Phase]:
    return [
        # A tile, not the last photo: the page may send only its first photos and page the rest.
        Phase("gallery", "gallery (500 photos, signed in)", gallery_path, 'class="photo-tile"', signed_in=True),
        Phase("booking", "/book/?type=headshot", "/book/?type=headshot", "Headshot session"),
        Phase("admin", "/admin/login/ (yardstick)", "/admin/login/", "csrfmiddlewaretoken"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="length of each of the three phases (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="slices each phase is run in, in turns (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk's own threads (default 2)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds before wrk counts a request as timed out")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2

    # Ctrl-C raises KeyboardInterrupt; make a plain `kill` unwind through the same clean-up.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix="photostudio-load-"))
    database = ThrowawayDatabase(os.environ.get("DATABASE_URL", ""), workdir)
    server: subprocess.Popen | None = None
    rows: list[Row] = []
    rounds: dict[str, list[Row]] = {}
    try:
        env = server_environment(database.url, workdir)
        print(f"Preparing {database.describe()} ...", flush=True)
        database.create()
        run([BIN / "python", "manage.py", "migrate", "--noinput"], env, "migrate")
        fixture = json.loads(run([BIN / "python", "bench/load_setup.py"], env, "load_setup").splitlines()[-1])
        cookie = f"{fixture['cookie_name']}={fixture['cookie_value']}"

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        server = start_gunicorn(env, port, args.workers, args.threads, workdir / "gunicorn.log")
        wait_until_healthy(server, base_url, workdir / "gunicorn.log")

        pages = phases(fixture["gallery_path"])
        headers = {phase.key: {"Cookie": cookie} if phase.signed_in else {} for phase in pages}
        for phase in pages:
            set_cookies = check_once(base_url, phase, headers[phase.key])  # a page wrong before any load says so
            set_cookies.pop(fixture["cookie_name"], None)  # its session cookie is there already
            if phase.signed_in and set_cookies:
                # The client's browser sends back what its first page set (its CSRF cookie), as every
                # browser does; the signed-out pages are each a new visitor's first request.
                headers[phase.key]["Cookie"] += "".join(f"; {name}={value}" for name, value in set_cookies.items())
        # The pages take turns, a slice of each phase at a time: a machine that is faster or slower
        # for a while (a shared host) then weighs on every page alike, not on whichever ran then.
        seconds = max(1, round(args.seconds / args.rounds))
        rounds = {phase.key: [] for phase in pages}
        for n in range(1, args.rounds + 1):
            for phase in pages:
                print(f"Round {n} of {args.rounds}, {phase.name}: {args.connections} connections for {seconds} s ...",
                      flush=True)  # fmt: skip
                rounds[phase.key].append(run_phase(wrk, base_url, phase, headers[phase.key], args, workdir, seconds))
        rows = [merged(rounds[phase.key]) for phase in pages]
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
        f"{args.connections} connections, {args.seconds} s per page in {args.rounds} turns, gunicorn "
        f"{args.workers} workers x {args.threads} threads, DEBUG off, {database.vendor}, {wrk_version(wrk)} "
        f"({args.wrk_threads} threads) on the same {os.cpu_count()}-core machine"
    )
    print_table(rows)
    for phase in phases(""):
        turns = ", ".join(f"{row.rps:.1f}" for row in rounds[phase.key])
        print(f"  {phase.name}: req/s in each turn {turns}")
    failures = verdict(rows)
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        shares = ", ".join(f"{key} at least {share:g}x" for key, share in MIN_SHARE_OF_YARDSTICK.items())
        print(f"PASS: zero errors; req/s of the yardstick's: {shares}; p95 under {P95_LIMIT_MS} ms on every page")
    return 1 if failures else 0


def print_table(rows: list[Row]) -> None:
    yardstick = rows[-1].rps
    print(
        f"{'page':<34} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'x admin req/s':>14}"
    )
    for row in rows:
        share = row.rps / yardstick if yardstick else 0.0
        print(
            f"{row.phase.name:<34} {row.requests:>9} {row.errors:>7} {row.rps:>8.1f} {row.p50:>8.0f} "
            f"{row.p95:>8.0f} {row.p99:>8.0f} {share:>14.2f}"
        )
    for row in rows:
        if row.errors:
            print(f"  errors on {row.phase.name}: {row.problems}")


def verdict(rows: list[Row]) -> list[str]:
    """What misses a target, one line each (nothing: PASS)."""
    by_key = {row.phase.key: row for row in rows}
    yardstick = by_key["admin"].rps
    failures = []
    errors = sum(row.errors for row in rows)
    if errors:
        failures.append(f"{errors} errors")
    for key, share in MIN_SHARE_OF_YARDSTICK.items():
        row = by_key[key]
        if row.rps < share * yardstick:
            failures.append(
                f"{row.phase.name}: {row.rps:.1f} req/s, under {share:g}x the yardstick's {yardstick:.1f} "
                f"({row.rps / yardstick if yardstick else 0:.2f}x)"
            )
    for row in rows:
        if row.requests == 0:
            failures.append(f"{row.phase.name}: no request answered")
        elif row.p95 >= P95_LIMIT_MS:
            failures.append(f"{row.phase.name}: p95 {row.p95:.0f} ms, not under {P95_LIMIT_MS} ms")
    return failures


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


# --- The load ---------------------------------------------------------------------------------------


def check_once(base_url: str, phase: Phase, headers: dict[str, str]) -> dict[str, str]:
    """One request before the phase: the page must answer 200 with its marker (no redirect followed).
    Returns the cookies the page set."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base_url + phase.path, headers=headers)
    try:
        with opener.open(request, timeout=60) as response:
            status, body = response.status, response.read().decode(errors="replace")
            cookies = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
    except urllib.error.HTTPError as error:
        status, body = error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise Failed(f"{phase.path} did not answer: {error}") from error
    if status != 200 or phase.marker not in body:
        raise Failed(f"{phase.path} answered {status} without {phase.marker!r} before any load")
    return {name: morsel.value for name, morsel in cookies.items()}


def merged(rounds: list[Row]) -> Row:
    """A page's rounds as one row: requests and errors added up, requests per second over the
    rounds' time together, and each latency percentile the highest of the rounds' (never a figure
    better than a round's own)."""
    requests = sum(row.requests for row in rounds)
    seconds = sum(row.requests / row.rps for row in rounds if row.rps)
    return Row(
        phase=rounds[0].phase,
        requests=requests,
        errors=sum(row.errors for row in rounds),
        rps=requests / seconds if seconds else 0.0,
        p50=max(row.p50 for row in rounds),
        p95=max(row.p95 for row in rounds),
        p99=max(row.p99 for row in rounds),
        problems="; ".join(row.problems for row in rounds if row.problems),
    )


def run_phase(
    wrk: str,
    base_url: str,
    phase: Phase,
    headers: dict[str, str],
    args: argparse.Namespace,
    workdir: Path,
    seconds: int,
) -> Row:
    command = [
        wrk, "--threads", str(min(args.wrk_threads, args.connections)), "--connections", str(args.connections),
        "--duration", f"{seconds}s", "--timeout", f"{args.timeout}s", "--script", str(WRK_SCRIPT),
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command += [base_url + phase.path, "--", phase.marker]
    log = workdir / f"wrk-{phase.key}-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            returncode = process.wait(timeout=seconds + args.timeout + 60)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            stop_child(process)
    output = log.read_text(errors="replace")
    line = next((line for line in output.splitlines() if line.startswith("LOAD ")), None)
    if returncode != 0 or line is None:
        raise Failed(f"wrk ({phase.name}) exited with {returncode}:\n{tail(log)}")
    figures = json.loads(line.removeprefix("LOAD "))
    kinds = {
        "connect_errors": "could not connect",
        "read_errors": "read errors",
        "write_errors": "write errors",
        "timeouts": f"no answer within {args.timeout} s",
        "not_200": "not 200",
        "no_marker": f"a 200 without {phase.marker!r}",
    }
    errors = {label: figures[key] for key, label in kinds.items() if figures[key]}
    problems = ", ".join(f"{count} {label}" for label, count in errors.items())
    if figures["problem"]:
        problems += f" (first: {figures['problem']})"
    duration = figures["duration_us"] / 1e6
    return Row(
        phase=phase,
        requests=figures["requests"],
        errors=sum(errors.values()),
        rps=figures["requests"] / duration if duration else 0.0,
        p50=figures["p50_us"] / 1000,
        p95=figures["p95_us"] / 1000,
        p99=figures["p99_us"] / 1000,
        problems=problems,
    )


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


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).splitlines()[0] if (done.stdout or done.stderr) else "wrk"
    return " ".join(first.split()[:2])  # "wrk debian/4.1.0-3+b2"


if __name__ == "__main__":
    sys.exit(main())
