"""Live tickets: what a screen shows the live routes instead of a join code.

A page that has checked who is looking (the room's projector, the facilitator by the key, a
participant by the token) hands its live element a ticket: the workshop's code, the scope of
the screen, whom it is for, and when it runs out, signed with a key the server processes share
through the database. The live routes (event stream, board data, the safety-net poll) answer
only a valid ticket for the code asked about — so a code alone opens nothing there, and an
unknown code and a known one get the same refusal. Checking a ticket needs no database read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from workshop.db.engine import begin_write, database_key
from workshop.db.models import ServerSecret

ROOM = "room"
FACILITATOR = "facilitator"
PHONE = "phone"
SCOPES = frozenset({ROOM, FACILITATOR, PHONE})
TTL_S = 24 * 3600
SECRET_NAME = "live-tickets"

_secrets: dict[str, bytes] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Ticket:
    code: str
    workshop_id: int
    scope: str
    subject: int  # a participant's id for a phone, else 0
    expires: int

    @property
    def sees_board(self) -> bool:
        """The room's projector and the facilitator receive the board's data; a phone does not."""
        return self.scope in (ROOM, FACILITATOR)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def server_secret(*, session: Session, name: str = SECRET_NAME) -> bytes:
    """The key called ``name``, made on first use and shared by every process on the database."""
    where = f"{database_key(session)}#{name}"
    with _lock:
        known = _secrets.get(where)
    if known is not None:
        return known
    row = session.get(ServerSecret, name)
    if row is None:
        begin_write(session)
        row = session.get(ServerSecret, name)
        if row is None:
            session.add(ServerSecret(name=name, value=secrets.token_urlsafe(32)))
            try:
                session.commit()
            except IntegrityError:  # another process made it first: use theirs
                session.rollback()
        row = session.get(ServerSecret, name, populate_existing=True)
        assert row is not None
    value = row.value.encode("ascii")
    with _lock:
        _secrets[where] = value
    return value


def _mac(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, body.encode("utf-8", "replace"), hashlib.sha256).digest()[:18])


def issue(
    *,
    secret: bytes,
    code: str,
    workshop_id: int,
    scope: str,
    subject: int = 0,
    now: float | None = None,
    ttl: int = TTL_S,
) -> str:
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    # Rounded up to the hour: a page's runs within the hour hand out the same ticket, so its live
    # element keeps its connection instead of opening a new one on every run.
    expires = -(-int((time.time() if now is None else now) + ttl) // 3600) * 3600
    body = f"{code}.{int(workshop_id)}.{scope}.{int(subject)}.{expires}"
    return f"{body}.{_mac(secret, body)}"


def read(*, secret: bytes, ticket: str | None, code: str, now: float | None = None) -> Ticket | None:
    """The ticket if it is well formed, signed by us, for ``code`` and not run out; else None."""
    if not ticket or len(ticket) > 200:
        return None
    parts = ticket.split(".")
    if len(parts) != 6:
        return None
    t_code, workshop_id, scope, subject, expires, mac = parts
    body = ".".join(parts[:5])
    if not hmac.compare_digest(_mac(secret, body), mac):
        return None
    if t_code != code or scope not in SCOPES:
        return None
    if not (workshop_id.isdigit() and subject.isdigit() and expires.isdigit()):
        return None
    if int(expires) < (time.time() if now is None else now):
        return None
    return Ticket(
        code=t_code, workshop_id=int(workshop_id), scope=scope, subject=int(subject), expires=int(expires)
    )
