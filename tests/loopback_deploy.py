"""The production stack's configuration, moved onto loopback: what tests/test_deployed_stack.py and
bench/lighthouse.py both run (the Procfile's commands, deploy/nginx-site.conf inside an nginx.conf
whose every path is in one folder)."""

import os
import shutil
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx-site.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# What the site configuration says on a server, and what stands for it here.
ON_A_SERVER = {"media": "/srv/photostudio/media/", "private": "/srv/photostudio/private/", "app": "127.0.0.1:8000;"}


def procfile_command(name: str) -> str:
    """The command of the Procfile's `name` line (web, worker, beat...)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise LookupError(f"the Procfile has no {name!r} line")


def write_nginx_config(folder: Path, *, media: Path, private: Path, app_port: int, port: int, server_name: str) -> Path:
    """deploy/nginx-site.conf with these folders and this application port, inside an nginx.conf like
    Debian's in what matters for speed (sendfile, gzip), every path under `folder`. Returns its path."""
    site = SITE.read_text()
    for value in ON_A_SERVER.values():
        if value not in site:
            raise LookupError(f"deploy/nginx-site.conf no longer says {value!r}: update ON_A_SERVER")
    site = (
        site.replace(ON_A_SERVER["media"], f"{media}/")
        .replace(ON_A_SERVER["private"], f"{private}/")
        .replace(ON_A_SERVER["app"], f"127.0.0.1:{app_port};")
    )
    (folder / "site.conf").write_text(site)
    temp = {name: folder / "nginx-temp" / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    gzip on;
    access_log {folder}/nginx-access.log;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    server {{
        listen 127.0.0.1:{port};
        server_name {server_name};
        include {folder}/site.conf;
    }}
}}
""")
    return config


def stop_processes(processes: list[subprocess.Popen], *, patience: float = 2) -> None:
    """Stop gunicorn and nginx (each started in a process group of its own): a quick shutdown, then
    their whole group ended if one takes longer than `patience` seconds (gunicorn's master can)."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # quick shutdown, for gunicorn and nginx alike
    for process in processes:
        try:
            process.wait(timeout=patience)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def forget_cached_studio_facts(redis_url: str) -> None:
    """A stack started by a test caches the studio's facts (terms, session types, hours, pages kept
    whole) in the test's Redis database, which outlives a run of the suite, while the test's own
    process caches elsewhere (a fresh cache per test): its saves can't make the stack forget. Called
    as each such test starts, so none of an earlier run's are read back, as after a new deploy."""
    from django.core.cache.backends.redis import RedisCache

    from photostudio.cache import FORGET_ON_CHANGE

    if redis_url:
        RedisCache(redis_url, {}).delete_many(sorted({key for keys in FORGET_ON_CHANGE.values() for key in keys}))
