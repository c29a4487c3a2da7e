"""Run a command against a throwaway PostgreSQL server started from Debian's packages.

    python -m tests.postgres pytest tests/services/test_services.py ...

initdb + pg_ctl on 127.0.0.1 and a free port, a data folder in /tmp (owned by the postgres user
when run as root: initdb refuses root), the URL in TEST_DATABASE_URL for the command, and the
server stopped and removed afterwards whatever the command's outcome.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support import free_port


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found: install Debian's postgresql package (make postgres)")
    return path


def as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit("usage: python -m tests.postgres COMMAND [ARGS...]")
    folder = Path(tempfile.mkdtemp(prefix="workshop-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres")
    port = free_port()
    subprocess.run(
        as_postgres([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=200"
    subprocess.run(
        as_postgres(
            [pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(50):
            made = subprocess.run(
                [
                    pg_bin("psql"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "-c",
                    "CREATE DATABASE workshop",
                ],
                capture_output=True,
            )
            if made.returncode == 0:
                break
            time.sleep(0.2)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/workshop"
        print(f"PostgreSQL for the tests: {url}", flush=True)  # noqa: T201
        return subprocess.run(argv, env={**os.environ, "TEST_DATABASE_URL": url}).returncode
    finally:
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
