"""Helpers to run the app as a real server process and drive Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise RuntimeError("Debian's chromium is not installed: run `make browser`")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run app.py`` on a free loopback port with its own database."""

    def __init__(
        self,
        db_url: str,
        log: Path,
        extra_args: list[str] | None = None,
        public_base_url: str = "",
        root: Path = ROOT,
    ) -> None:
        self.root = root
        self.extra_args = extra_args or []
        self.public_base_url = public_base_url
        self.db_url = db_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.started = False
        self._log_file = None

    def start(self, *, tries: int = 3) -> None:
        env = {**os.environ, "DATABASE_URL": self.db_url}
        env.pop("PUBLIC_BASE_URL", None)
        if self.public_base_url:
            env["PUBLIC_BASE_URL"] = self.public_base_url
        if self._log_file is None:
            self._log_file = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                *self.extra_args,
            ],
            cwd=self.root,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break  # it could not start, e.g. the port was taken meanwhile
            try:
                with urllib.request.urlopen(self.base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200 and self.proc.poll() is None:
                        self.started = True
                        return
            except OSError:
                time.sleep(0.3)
        if self.proc.poll() is not None and not self.started and tries > 1:
            # Another test worker took the free port between our look and the server's bind: a
            # first start moves to another port (a restart keeps its port: browsers know it).
            self.port = free_port()
            self.base = f"http://127.0.0.1:{self.port}"
            return self.start(tries=tries - 1)
        raise RuntimeError(f"server did not start; see {self.log}")

    def stop(self, sig: int | None = None) -> None:
        if self.proc and self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


RUN_FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def settled(page, *, quiet_ms: int = 600, timeout_ms: int = 15_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page's script run has finished and its main area has stopped changing for
    ``quiet_ms``: then what is (not) on it is what the person sees."""
    page.wait_for_selector(RUN_FINISHED, state="attached", timeout=timeout_ms)
    page.wait_for_function(
        """(quietMs) => {
            const w = window;
            const n = document.querySelectorAll('[data-testid="stApp"] *').length;
            const now = performance.now();
            if (n !== w.__settledCount) { w.__settledCount = n; w.__settledSince = now; }
            return now - w.__settledSince >= quietMs;
        }""",
        arg=quiet_ms,
        timeout=timeout_ms,
        polling=100,
    )
    page.wait_for_selector(RUN_FINISHED, state="attached", timeout=timeout_ms)


def upload(page, path: Path, *, timeout_ms: int = 5_000, attempts: int = 6) -> None:  # type: ignore[no-untyped-def]
    """Put ``path`` into the page's file uploader and wait until the page lists it by name.

    A file uploader that has just mounted (after a tab switch) may drop a file given to it too
    early: try again a few times, then fail saying so."""
    from playwright.sync_api import expect

    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    running = page.locator('[data-testid="stStatusWidget"]')
    for _attempt in range(attempts):
        # Not while the page reruns: the uploader it is about to draw anew would lose the file.
        expect(running).to_be_hidden(timeout=timeout_ms * 3)
        expect(dropzone).to_be_attached(timeout=timeout_ms * 3)
        dropzone.set_input_files([])  # the same file again must still be a change
        dropzone.set_input_files(str(path))
        try:
            expect(page.get_by_text(path.name)).to_be_visible(timeout=timeout_ms)
            return
        except AssertionError:
            page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload_refused.png"))
    raise AssertionError(f"the file uploader never took {path.name} (see {ARTIFACTS}/upload_refused.png)")


def serious_axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical findings on the page as it is now (empty: none)."""
    if not AXE.exists():
        raise AssertionError("axe-core is missing: run `make test` (it installs node_modules with npm)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`)"""
    )
    return list(found)


def live_ticket(db_url: str, code: str, scope: str = "room", subject: int = 0) -> str:
    """A live ticket for ``code`` as a page of the app would hand its live element."""
    from sqlmodel import Session, select

    from workshop.access import tickets
    from workshop.db.engine import make_engine
    from workshop.db.models import Workshop

    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            workshop_id = session.exec(select(Workshop.id).where(Workshop.code == code)).one()
            secret = tickets.server_secret(session=session)
        return tickets.issue(secret=secret, code=code, workshop_id=workshop_id, scope=scope, subject=subject)
    finally:
        engine.dispose()


class CuttableProxy:
    """A TCP relay in front of a server whose open connections a test can cut at once, as a
    dropped Wi-Fi would: the browser's event stream and websocket break and connect again."""

    def __init__(self, target_port: int) -> None:
        import threading

        self.target_port = target_port
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> int:
        """Close every connection open now; return how many were cut."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
        return len(pairs)

    def close(self) -> None:
        self._listener.close()
        self.cut()
