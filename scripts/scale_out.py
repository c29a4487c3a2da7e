"""Several app processes behind haproxy on one PostgreSQL database, on this machine.

    python -m scripts.scale_out [--processes 2] [--port 8080] [--address 0.0.0.0]
                                [--database-url postgresql+psycopg://user:pass@host/db]

Without ``--database-url`` it takes ``DATABASE_URL`` if that names PostgreSQL, and otherwise starts
a throwaway PostgreSQL server from Debian's packages (like ``tests/postgres.py``) whose data is
gone when this stops. SQLite is refused: its changes would not cross processes.

Then: the database is brought to the newest schema once (so the processes do not race to create
it), N ``streamlit run app.py`` processes start on free loopback ports with the same
``DATABASE_URL`` and the same cookie secret (made for this launch), and haproxy runs in the
foreground with a configuration made from ``deploy/haproxy.cfg.template`` in a temporary
folder: sticky sessions by cookie, websockets, unbuffered event streams. Every process's output
is shown with its name in front. A process that stops is started again; Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlmodel import Session

from tests.postgres import as_postgres, pg_bin
from tests.support import free_port
from workshop.config import settings
from workshop.db.engine import make_engine, upgrade
from workshop.live.notify import is_postgresql
from workshop.maps.store import install_builtin_maps

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "haproxy.cfg.template"
STICKY_COOKIE = "workshop_process"
START_TIMEOUT_S = 60.0


def say(text: str) -> None:
    sys.stdout.write(f"scale-out | {text}\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- haproxy


def find_haproxy() -> str | None:
    for candidate in (shutil.which("haproxy"), "/usr/sbin/haproxy"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def install_haproxy() -> None:
    """Debian's haproxy package (as root, or with sudo that needs no password)."""
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "haproxy"], env=env, check=False)


def haproxy_config(*, bind: str, app_ports: list[int], cookie: str = STICKY_COOKIE) -> str:
    servers = "\n".join(
        f"    server app{i} 127.0.0.1:{port} cookie app{i}" for i, port in enumerate(app_ports, 1)
    )
    text = TEMPLATE.read_text(encoding="utf-8")
    body = text[text.index("\nglobal") + 1 :]  # the instructions for filling it in stay out
    return body.replace("@BIND@", bind).replace("@COOKIE@", cookie).replace("@SERVERS@", servers)


# --------------------------------------------------------------------------- PostgreSQL


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server from Debian's packages on 127.0.0.1 and a free port, with an empty
    ``workshop`` database; stopped and removed afterwards. Yields its URL."""
    folder = Path(tempfile.mkdtemp(prefix="workshop-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres")
    port = free_port()
    try:
        subprocess.run(
            as_postgres([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=200"
        subprocess.run(
            as_postgres(
                [pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        psql = [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q"]
        for _attempt in range(50):
            if subprocess.run([*psql, "-c", "CREATE DATABASE workshop"], capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/workshop"
    finally:
        if data.exists():
            subprocess.run(
                as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(folder, ignore_errors=True)


def prepare_database(url: str) -> None:
    """The newest schema and the built-in trend maps, once, before any app process starts."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            install_builtin_maps(session=session)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- processes


def _copy_lines(stream: IO[bytes], name: str, log: IO[bytes], echo: bool) -> None:
    for line in iter(stream.readline, b""):
        log.write(line)
        log.flush()
        if echo:
            sys.stdout.write(f"{name:>9} | {line.decode(errors='replace')}")
            sys.stdout.flush()
    stream.close()


@dataclass
class Child:
    """One process of the group: an app process or haproxy, its output in ``log``."""

    name: str
    command: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    echo: bool = False
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    _log_file: IO[bytes] | None = None
    _copier: threading.Thread | None = None

    def start(self) -> None:
        if self._log_file is None:
            self._log_file = self.log.open("ab")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env or None,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Ctrl-C reaches only the launcher, which stops the group in order.
            start_new_session=True,
        )
        self.started_at = time.monotonic()
        assert self.proc.stdout is not None
        if self._copier is not None:
            self._copier.join(timeout=5)  # the previous run's last lines
        self._copier = threading.Thread(
            target=_copy_lines, args=(self.proc.stdout, self.name, self._log_file, self.echo), daemon=True
        )
        self._copier.start()

    @property
    def output(self) -> str:
        return "its output above" if self.echo else str(self.log)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        if self._copier is not None:
            self._copier.join(timeout=5)  # the last lines of output
            self._copier = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def wait_healthy(url: str, child: Child, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.running():
            raise RuntimeError(f"{child.name} stopped while starting; see {child.output}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{child.name} did not answer {url} within {timeout:.0f} s; see {child.output}")


class Cluster:
    """N app processes and haproxy in front of them (see the module's description)."""

    def __init__(
        self,
        *,
        database_url: str,
        processes: int,
        port: int,
        address: str,
        run_dir: Path,
        haproxy: str,
        echo: bool = False,
    ) -> None:
        if processes < 1:
            raise ValueError("at least one app process")
        self.database_url = database_url
        self.port = port
        self.address = address
        self.run_dir = run_dir
        self.cookie_secret = secrets.token_urlsafe(32)
        self.app_ports = [free_port() for _ in range(processes)]
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret,
        }
        self.apps = [
            Child(
                name=f"app{i}",
                command=[
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    "app.py",
                    "--server.address",
                    "127.0.0.1",
                    "--server.port",
                    str(app_port),
                ],
                log=run_dir / f"app{i}.log",
                env=env,
                echo=echo,
            )
            for i, app_port in enumerate(self.app_ports, 1)
        ]
        self.config = run_dir / "haproxy.cfg"
        self.config.write_text(
            haproxy_config(bind=f"{address}:{port}", app_ports=self.app_ports), encoding="utf-8"
        )
        self.haproxy_path = haproxy
        self.proxy = Child(
            name="haproxy",
            command=[haproxy, "-db", "-f", str(self.config)],
            log=run_dir / "haproxy.log",
            echo=echo,
        )

    @property
    def base(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "") else self.address
        return f"http://{host}:{self.port}"

    def app_base(self, index: int) -> str:
        """The address of app process ``index`` (1-based) itself, past the proxy."""
        return f"http://127.0.0.1:{self.app_ports[index - 1]}"

    def start(self) -> None:
        checked = subprocess.run(
            [self.haproxy_path, "-c", "-q", "-f", str(self.config)], capture_output=True, text=True
        )
        if checked.returncode != 0:
            raise RuntimeError(f"haproxy refused {self.config}:\n{checked.stdout}{checked.stderr}")
        for app in self.apps:
            app.start()
        for i, app in enumerate(self.apps, 1):
            wait_healthy(self.app_base(i) + "/_stcore/health", app)
        self.proxy.start()
        wait_healthy(self.base + "/_stcore/health", self.proxy)

    def stop(self) -> None:
        self.proxy.close()
        for app in self.apps:
            app.close()

    def supervise(self) -> None:
        """Until interrupted: start again any app process that stops; stop if haproxy does."""
        while True:
            time.sleep(1)
            if not self.proxy.running():
                raise RuntimeError(f"haproxy stopped; see {self.proxy.output}")
            for app in self.apps:
                if app.running():
                    continue
                if time.monotonic() - app.started_at < 15:
                    raise RuntimeError(f"{app.name} stopped right after it started; see {app.output}")
                say(f"{app.name} stopped; starting it again (its screens reload on another process)")
                app.start()


# --------------------------------------------------------------------------- command line


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=2, help="app processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="where haproxy listens (default 8080)")
    parser.add_argument(
        "--address", default="0.0.0.0", help="haproxy's address (default 0.0.0.0: phones on the network)"
    )
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL (default: DATABASE_URL, or a throwaway)"
    )
    args = parser.parse_args(argv)
    url = args.database_url or settings().database_url
    if url and not is_postgresql(url):
        parser.error(
            "several processes need PostgreSQL: SQLite's changes would not reach the other processes"
        )
    haproxy = find_haproxy()
    if haproxy is None:
        parser.error("haproxy is not installed: `make scale-out` installs Debian's package")

    signal.signal(signal.SIGTERM, _interrupt)
    cluster: Cluster | None = None
    try:
        with contextlib.ExitStack() as stack:
            if not url:
                say("no PostgreSQL given: starting a throwaway one (its data is gone when this stops)")
                url = stack.enter_context(throwaway_postgres())
            say("bringing the database to the newest schema")
            prepare_database(url)
            run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="workshop-scale-out-")))
            cluster = Cluster(
                database_url=url,
                processes=args.processes,
                port=args.port,
                address=args.address,
                run_dir=run_dir,
                haproxy=haproxy,
                echo=True,
            )
            stack.callback(cluster.stop)
            say(f"starting {args.processes} app processes on ports {', '.join(map(str, cluster.app_ports))}")
            cluster.start()
            say(f"ready: {cluster.base} (haproxy config {cluster.config}); Ctrl-C stops everything")
            cluster.supervise()
    except KeyboardInterrupt:
        say("stopped")
        return 0
    except RuntimeError as err:
        say(str(err))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
