"""One engine per database URL for the whole process, tables and built-in maps ready."""

from __future__ import annotations

import threading
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlmodel import Session

from workshop.db import database_url, make_engine, upgrade
from workshop.trend_maps import install_builtin_maps

_lock = threading.Lock()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    with _lock:
        upgrade(engine)
        with Session(engine) as session:
            install_builtin_maps(session=session)
    return engine


def get_engine() -> Engine:
    return _engine_for(database_url())


def new_session() -> Session:
    return Session(get_engine())
