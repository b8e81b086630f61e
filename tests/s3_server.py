"""An S3-compatible server on loopback, for the object-storage tests and for trying the site with
its files in object storage:

    .venv/bin/python -m tests.s3_server --port 9000     # prints the environment to use, then serves

It is s3rver (from the npm registry, pinned by tests/s3rver/package-lock.json), installed once
into a cache folder (S3_SERVER_CACHE, default /tmp/photostudio-s3-server-<digest of the lock>). Unlike
moto's server it refuses, as S3 does, a presigned address once it has expired, so the tests can
show how long a handed-out address works. It is no stand-in for S3's security, though: it takes
only its own access key (S3RVER, secret S3RVER) but does not check a version-4 signature, and it
has no bucket policies (it serves any object to an unsigned GET). So what the tests show of
"private" is what the application does: it hands out no address to a private file but a
presigned one, and only after its access check; a real bucket's policy does the rest.
"""

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent / "s3rver"
ACCESS_KEY = SECRET_KEY = "S3RVER"  # the only keys s3rver takes
REGION = "us-east-1"
PRIVATE_BUCKET, PUBLIC_BUCKET = "photostudio-private", "photostudio-public"


class Unavailable(Exception):
    """The server can't be installed or started here; `str(exc)` says why."""


def install() -> Path:
    """s3rver's program, installed from the lock into the cache folder (once; later calls reuse it)."""
    lock = (HERE / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("S3_SERVER_CACHE") or f"{tempfile.gettempdir()}/photostudio-s3-server-"
                 f"{hashlib.sha256(lock).hexdigest()[:12]}")  # fmt: skip
    program = cache / "node_modules" / "s3rver" / "bin" / "s3rver.js"
    if program.exists():
        return program
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise Unavailable("needs Node.js and npm for the S3-compatible test server (apt-get install nodejs npm)")
    staging = Path(tempfile.mkdtemp(prefix="s3-server-", dir=cache.parent))
    for name in ("package.json", "package-lock.json"):
        shutil.copy(HERE / name, staging / name)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=staging, capture_output=True, text=True
    )
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise Unavailable(f"npm could not install s3rver:\n{done.stderr[-2000:]}")
    try:
        staging.rename(cache)  # whole or not at all, whoever installs at the same time
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another process got there first
    return program


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class S3Server:
    url: str
    process: subprocess.Popen
    folder: Path
    log: Path
    buckets: tuple[str, ...] = field(default=())

    def client(self):
        """A boto3 client signed with the server's keys."""
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, config=Config(signature_version="s3v4"),
        )  # fmt: skip

    def keys(self, bucket: str) -> set[str]:
        """Every object's name in the bucket."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {entry["Key"] for page in pages for entry in page.get("Contents", ())}

    def environment(self, *, lifetime: int = 300) -> dict[str, str]:
        """The settings' variables for a web server or worker storing its files here."""
        return {
            "MEDIA_STORAGE": "s3",
            "S3_ENDPOINT_URL": self.url,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_BUCKET": self.buckets[0],
            "S3_PUBLIC_BUCKET": self.buckets[-1],
            "S3_URL_LIFETIME": str(lifetime),
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=1)  # it keeps idle connections open: don't wait on them
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(folder: Path, *, port: int = 0, buckets: tuple[str, ...] = (PRIVATE_BUCKET, PUBLIC_BUCKET)) -> S3Server:
    """s3rver on 127.0.0.1:`port` (0: a free one), keeping its objects in `folder`, with `buckets`
    made. Waits until it answers."""
    program = install()
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder.parent / f"{folder.name}.log"
    command = ["node", str(program), "-d", str(folder), "-a", "127.0.0.1", "-p", str(port), "--no-vhost-buckets"]
    for bucket in buckets:
        command += ["--configure-bucket", bucket]
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    server = S3Server(f"http://127.0.0.1:{port}", process, folder, log, buckets)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.client().head_bucket(Bucket=buckets[0])
            return server
        except Exception as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise Unavailable(f"s3rver did not start ({exc}):\n{log.read_text()[-2000:]}") from exc
            time.sleep(0.2)


def _die_with_parent() -> None:
    """In the server's process: end when whoever started it ends (Linux), even without a teardown."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="An S3-compatible server on loopback, for trying MEDIA_STORAGE=s3.")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--folder", type=Path, default=Path("var/s3"), help="where it keeps the objects")
    options = parser.parse_args(argv)
    server = start(options.folder.resolve(), port=options.port)
    print("An S3-compatible server on", server.url, "with the buckets", ", ".join(server.buckets))
    print("Serve the site with its files there (in another shell):\n")
    print("  " + " ".join(f"{k}={v}" for k, v in server.environment().items()) + " make run\n")
    print("Ctrl-C to stop.", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
