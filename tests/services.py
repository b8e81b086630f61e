"""Run a command with the local PostgreSQL and Redis filled in when they answer.

`make test` runs the suite through this, so the tests that need PostgreSQL, Redis or a Celery worker
run whenever those services are up on this machine, without any setup. DATABASE_URL and REDIS_URL
already set are left as they are; a service that does not answer is left unset, and its tests are
skipped with the reason printed (or fail, with REQUIRE_SERVICES=1).

    python -m tests.services -- python -m pytest
"""

import os
import socket
import sys

LOCAL_POSTGRES = ("127.0.0.1", 5432, "postgres://postgres@127.0.0.1:5432/photostudio")
LOCAL_REDIS = ("127.0.0.1", 6379, "redis://127.0.0.1:6379/0")


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def main(argv: list[str]) -> None:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        sys.exit("usage: python -m tests.services -- COMMAND [ARGS...]")
    for variable, (host, port, url) in (("DATABASE_URL", LOCAL_POSTGRES), ("REDIS_URL", LOCAL_REDIS)):
        if not os.environ.get(variable) and answers(host, port):
            os.environ[variable] = url
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
