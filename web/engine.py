"""One engine per database URL for the whole process, tables and built-in maps ready.

On PostgreSQL the engine's first use also starts this process's LISTEN/NOTIFY bridge, so that
changes made here reach screens served by other processes, and theirs reach screens here."""

from __future__ import annotations

import threading
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlmodel import Session

from workshop.db.engine import database_url, make_engine, upgrade
from workshop.live import notify
from workshop.maps.store import install_builtin_maps

_lock = threading.Lock()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    with _lock:
        upgrade(engine)
        with Session(engine) as session:
            install_builtin_maps(session=session)
    notify.start(url)
    return engine


def get_engine() -> Engine:
    return _engine_for(database_url())


def new_session() -> Session:
    return Session(get_engine())
