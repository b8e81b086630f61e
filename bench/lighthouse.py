"""Lighthouse 12 (mobile) on the studio served as it is deployed: figures, not a test.

Run from the repository root: `bench/.venv/bin/python bench/lighthouse.py [--runs 3] [--keep DIR]`
(`make bench` runs it; the project's .venv works too). It needs PostgreSQL (DATABASE_URL names the
server; default postgres@127.0.0.1:5432), Debian's nginx and chromium, and Node 20 with npm.

What it does, in order:
1. drops and recreates the PostgreSQL database `ps_lighthouse` on DATABASE_URL's server, migrates
   it and loads the demo data (`seed_demo`, which needs DEBUG=1: for that step only);
2. adds a client with a portal account and a 60-photo proof gallery with camera file names
   (the real image pipeline's renditions, as tests/browser/realistic.py makes them), and signs
   that client in, keeping the session cookie;
3. collects the static files into a temporary folder and serves with DEBUG=0: gunicorn started with
   the Procfile's own `web` line, behind nginx running deploy/nginx-site.conf as it is (the thumbnails
   under /media/ and the access-checked proofs through X-Accel-Redirect), inside an nginx.conf that
   mirrors Debian's (gzip on), all on free loopback ports;
4. runs Lighthouse 12.2.3, mobile (its default throttling), `--runs` times per page on the home page,
   /book/ and the signed-in client's gallery (the session cookie passed with --extra-headers), from
   an npm cache folder (ACCEPTANCE_TOOLS_CACHE, by default /tmp/acceptance-tools; installed there
   with npm once when missing), on Debian's Chromium (CHROME_PATH, by default /usr/bin/chromium);
5. prints per page the median of the runs for performance, accessibility, best practices, SEO and
   cumulative layout shift, MET / NOT MET against the studio's targets (performance >= 95, the
   other three 100, no layout shift on the gallery), and what kept a category short of 100.

Production settings apply (SECRET_KEY of its own, ALLOWED_HOSTS and SITE_URL for loopback), and
`manage.py check --deploy` must pass except for what only HTTPS gives: on loopback there is no TLS, so
HTTPS=1 stays off and its four warnings (HSTS, the https redirect, secure session and CSRF cookies:
security.W004, W008, W012, W016) are expected and printed. Everything else it reports stops the run.

Nothing leaves the machine: the server listens on 127.0.0.1 only. The database, the servers and the
temporary folder are removed at the end, even on failure. The machine's own load moves the
performance score by a few points between runs; hence the median.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
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

sys.path.insert(0, str(ROOT))  # the project's packages (and tests.loopback_deploy, shared with the tests)
DATABASE = "ps_lighthouse"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE_VERSION = "12.2.3"
# One npm cache folder for the pinned command-line tools, so Lighthouse is installed once per machine.
TOOLS_CACHE = Path(
    os.environ.get("ACCEPTANCE_TOOLS_CACHE") or Path(os.environ.get("TMPDIR", "/tmp")) / "acceptance-tools"
)
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--no-first-run"
)
PHOTOS = 60
CATEGORIES = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
# HTTPS=1 gives these; a loopback server without TLS cannot.
HTTPS_ONLY_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")
# What deploy/nginx-site.conf says on a server, and what stands for it here.


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    cookie: str = ""  # "name=value", sent with every request of the page
    no_layout_shift: bool = False  # a target of its own: CLS exactly 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (default 3; the median counts)")
    parser.add_argument("--keep", type=Path, help="a folder to keep every run's JSON report in")
    parser.add_argument(
        "--page", action="append", default=[], metavar="PATH", help="another public page to measure too, e.g. /guide/"
    )
    parser.add_argument("--make-gallery", action="store_true", help=argparse.SUPPRESS)  # step 2, in a subprocess
    args = parser.parse_args()
    if args.make_gallery:
        return make_gallery()
    for tool, hint in ((NGINX, "apt-get install nginx-light"), (CHROME, "apt-get install chromium")):
        if not Path(tool).exists():
            print(f"needs {tool} ({hint})", file=sys.stderr)
            return 2

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix="photostudio-lighthouse-"))
    database = Database(os.environ.get("DATABASE_URL") or f"postgres://postgres@{HOST}:5432/postgres")
    servers: list[subprocess.Popen] = []
    try:
        lighthouse = ensure_lighthouse()
        print(f"Preparing PostgreSQL database {DATABASE} ...", flush=True)
        database.recreate()
        port, app_port = free_port(), free_port()
        base_url = f"http://{HOST}:{port}"
        env = server_environment(database.url, workdir, base_url)
        run([BIN / "python", "manage.py", "migrate", "--noinput"], env, "migrate")
        # The demo data refuses to load without DEBUG (its admin's password is public); only this step.
        run([BIN / "python", "manage.py", "seed_demo"], env | {"DEBUG": "1"}, "seed_demo")
        gallery = json.loads(
            run([BIN / "python", __file__, "--make-gallery"], env, "make the gallery").splitlines()[-1]
        )
        run([BIN / "python", "manage.py", "collectstatic", "--noinput"], env, "collectstatic")
        check_deploy(env)

        servers.append(start_gunicorn(env, app_port, workdir))
        servers.append(start_nginx(workdir, port, app_port))
        wait_until_up(servers, base_url, workdir)

        pages = [
            Page("home", "/"),
            Page("/book/", "/book/"),
            Page(f"gallery ({PHOTOS} photos, signed in)", gallery["path"], gallery["cookie"], no_layout_shift=True),
            *(Page(path, path) for path in args.page),
        ]
        results = {}
        for page in pages:
            reports = []
            for n in range(1, args.runs + 1):
                print(f"Lighthouse {page.name}: run {n} of {args.runs} ...", flush=True)
                reports.append(run_lighthouse(lighthouse, base_url + page.path, page.cookie, workdir))
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", page.path.strip("/")) or "home"
                    (args.keep / f"lighthouse-{slug}-{n}.json").write_text(json.dumps(reports[-1]))
            results[page] = reports
    except Failed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted: stopping the servers and removing the database", file=sys.stderr)
        return 130
    finally:
        for server in reversed(servers):
            stop(server)
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(
        f"Lighthouse {LIGHTHOUSE_VERSION}, mobile, median of {args.runs} runs per page; gunicorn (Procfile) behind "
        f"nginx (deploy/nginx-site.conf), DEBUG=0, PostgreSQL; on this {os.cpu_count()}-core machine"
    )
    width = max(len(page.name) for page in results)
    print(f"{'page':<{width}} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'CLS':>7}  targets")
    all_met = True
    for page, reports in results.items():
        medians = {key: statistics.median(score(r, category) for r in reports) for category, key in CATEGORIES.items()}
        cls = statistics.median(r["audits"]["cumulative-layout-shift"]["numericValue"] for r in reports)
        short = [f"perf {medians['perf']:g} < 95"] if medians["perf"] < 95 else []
        short += [f"{key} {medians[key]:g} < 100" for key in ("a11y", "bp", "seo") if medians[key] < 100]
        if page.no_layout_shift and cls > 0:
            short.append(f"CLS {cls:.3f} > 0")
        all_met = all_met and not short
        verdict = "MET" if not short else "NOT MET: " + ", ".join(short)
        print(
            f"{page.name:<{width}} {medians['perf']:>5g} {medians['a11y']:>5g} {medians['bp']:>5g} "
            f"{medians['seo']:>5g} {cls:>7.3f}  {verdict}"
        )
        for line in shortfalls(reports):
            print(f"    {line}")
    print("All targets MET" if all_met else "Some targets NOT MET (above)")
    return 0  # figures, not a verdict: a benchmark never fails the build on them


# --- Step 2: the signed-in client's gallery (in a subprocess with the server's environment) ------------


def make_gallery() -> int:
    """Prints one line of JSON: the gallery's address and the client's session cookie."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photostudio.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from tests.browser.realistic import long_named_client, make_proof_gallery

    client = long_named_client()
    gallery = make_proof_gallery(client, photos=PHOTOS, limit=10)
    # force_login saves the session in the database, where gunicorn finds it; its auth hash is signed
    # with SECRET_KEY, which gunicorn gets too.
    browser = Client()
    browser.force_login(client.user)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME]
    print(json.dumps({"path": f"/portal/galleries/{gallery.public_id}/", "cookie": f"{cookie.key}={cookie.value}"}))
    return 0


# --- The database ------------------------------------------------------------------------------------


class Database:
    """ps_lighthouse on DATABASE_URL's PostgreSQL server, dropped and made anew for every run."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise SystemExit("DATABASE_URL must name a PostgreSQL server (the production database)")
        self.url = urlunsplit(parts._replace(path=f"/{DATABASE}"))
        self.args = ["-h", parts.hostname or HOST, "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
        self.env = os.environ | ({"PGPASSWORD": parts.password} if parts.password else {})

    def recreate(self) -> None:
        self.drop()
        run(["createdb", *self.args, DATABASE], self.env, "createdb")

    def drop(self) -> None:
        # --force ends connections a server that did not stop cleanly left behind.
        done = subprocess.run(
            ["dropdb", *self.args, "--if-exists", "--force", DATABASE], env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            print(f"Could not drop database {DATABASE}: {done.stderr.strip()}", file=sys.stderr)


# --- The servers ---------------------------------------------------------------------------------------


def server_environment(database_url: str, workdir: Path, base_url: str) -> dict[str, str]:
    # REDIS_URL passes through when set (the shared cache behind rate limits, as in production);
    # without it tasks run in-process, which is what seed_demo's photo processing wants anyway.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "HTTPS", "DEBUG")}
    return env | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SITE_URL": base_url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "PROTECTED_MEDIA_PREFIX": "/protected/",
        "TRUSTED_PROXY_COUNT": "1",
        "HOME": str(workdir),  # anything a process keeps under ~ stays in the temporary folder
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def check_deploy(env: dict[str, str]) -> None:
    done = subprocess.run(
        [BIN / "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    output = done.stdout + done.stderr
    found = set(re.findall(r"\((\w+\.[CEW]\d+)\)", output))  # "?: (security.W004) You have not set ..."
    if (found - set(HTTPS_ONLY_WARNINGS)) or (done.returncode != 0 and not found):
        raise Failed("manage.py check --deploy:\n" + output[-3000:])
    print(f"check --deploy: only what HTTPS gives is missing ({', '.join(sorted(found)) or 'nothing'})", flush=True)


def procfile_web(port: int) -> str:
    from tests.loopback_deploy import procfile_command

    try:
        # This interpreter's virtualenv stands for .venv (the benchmarks' own, under `make bench`).
        return procfile_command("web").replace(".venv/bin/", f"{BIN}/")
    except LookupError as exc:
        raise Failed(str(exc)) from exc


def start_gunicorn(env: dict[str, str], port: int, workdir: Path) -> subprocess.Popen:
    command = ["/bin/sh", "-c", f"exec {procfile_web(port)}"]
    log = (workdir / "gunicorn.log").open("w")
    environment = env | {"PORT": str(port), "WEB_WORKERS": "2"}
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def start_nginx(workdir: Path, port: int, app_port: int) -> subprocess.Popen:
    from tests.loopback_deploy import write_nginx_config

    try:
        media, private = workdir / "media", workdir / "private"
        config = write_nginx_config(
            workdir, media=media, private=private, app_port=app_port, port=port, server_name=HOST
        )
    except LookupError as exc:
        raise Failed(str(exc)) from exc
    log = (workdir / "nginx.log").open("w")
    return subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_up(servers: list[subprocess.Popen], base_url: str, workdir: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(server.poll() is not None for server in servers):
            break
        try:
            with urllib.request.urlopen(f"{base_url}/robots.txt", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(workdir.glob("*.log")))
    raise Failed(f"the server did not start:\n{logs}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # quick shutdown, for gunicorn and nginx alike
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own group: its workers too
        process.wait()


# --- Lighthouse --------------------------------------------------------------------------------------


def ensure_lighthouse() -> Path:
    """Lighthouse's CLI in the tools' npm cache folder, installed there with npm once when missing."""
    cli = TOOLS_CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
    package = TOOLS_CACHE / "node_modules" / "lighthouse" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != LIGHTHOUSE_VERSION:
        print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {TOOLS_CACHE} (once) ...", flush=True)
        TOOLS_CACHE.mkdir(parents=True, exist_ok=True)
        npm = ["npm", "install", "--prefix", TOOLS_CACHE, "--save-exact", "--ignore-scripts", "--no-audit", "--no-fund"]
        run([*npm, "--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"], dict(os.environ), "npm install lighthouse")
    return cli


def run_lighthouse(cli: Path, url: str, cookie: str, workdir: Path, attempts: int = 3) -> dict:
    """One Lighthouse report. A run whose trace Chromium failed to record (NO_NAVSTART, NO_FCP under
    load: Lighthouse itself says to run it again) is run again, up to `attempts` times in all."""
    report = workdir / "report.json"
    command = [
        "node", cli, url, "--quiet", "--no-enable-error-reporting", "--output=json", f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    problem = ""
    for _ in range(attempts):
        report.unlink(missing_ok=True)
        done = subprocess.run(
            [str(part) for part in command], env=os.environ | {"CHROME_PATH": CHROME}, capture_output=True, text=True
        )
        if not report.exists() or not report.stat().st_size:
            problem = f"wrote no report (exit {done.returncode}):\n{done.stderr[-3000:]}"
            continue
        result = json.loads(report.read_text())
        if error := result.get("runtimeError"):
            problem = f"{error.get('code')} {error.get('message')}"
            print(f"    Lighthouse could not measure this run ({error.get('code')}): running it again", flush=True)
            continue
        if result["finalDisplayedUrl"].rstrip("/") != url.rstrip("/"):
            raise Failed(f"Lighthouse on {url} ended on {result['finalDisplayedUrl']} (signed out?)")
        return result
    raise Failed(f"Lighthouse on {url}, {attempts} attempts: {problem}")


def score(report: dict, category: str) -> float:
    value = report["categories"][category]["score"]
    return round(value * 100) if value is not None else 0


def shortfalls(reports: list[dict]) -> list[str]:
    """What cost points, from the run whose performance is the median: failing audits of the other
    categories, and the performance metrics that scored below 0.9."""
    report = sorted(reports, key=lambda r: score(r, "performance"))[len(reports) // 2]
    lines = []
    for category, key in CATEGORIES.items():
        enough = 0.9 if category == "performance" else 1
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < enough:
                shown = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                lines.append(f"{key}: {audit['id']}{shown}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
