"""The server's configuration, read from the environment in one place.

``settings()`` gives the current values. The environment is read on every call, so a test that
sets a variable (``monkeypatch.setenv``) sees it at once; the parsed result is kept while the
variables stay the same, so the call is cheap on every request. A bad value stops with
``ConfigError`` naming the variable.

The Streamlit screens layer ``.streamlit/secrets.toml`` under the environment for the managers'
password and the public address (``ui/config.py``); nothing here imports Streamlit.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(ValueError):
    """A variable of the environment holds a value the app cannot use."""


class AppConfig(BaseSettings):
    """Every environment variable the app reads; each field's alias is the variable's name."""

    model_config = SettingsConfigDict(case_sensitive=True, populate_by_name=True, extra="ignore", frozen=True)

    # SQLite or PostgreSQL; empty: an SQLite file under data/ (workshop.db.engine.database_url).
    database_url: str = Field(default="", alias="DATABASE_URL")
    # Empty: the managers' area stays locked (unless .streamlit/secrets.toml sets one).
    manager_password: str = Field(default="", alias="MANAGER_PASSWORD")
    # The address phones join at; empty: the address the projector's browser used. Kept as given
    # (the screens strip it), so a blank value still counts as set, as it always did.
    public_base_url: str = Field(default="", alias="PUBLIC_BASE_URL")
    # The live event streams one client (address) may hold at once in a process.
    live_streams_per_client: int = Field(default=24, ge=1, le=10_000, alias="LIVE_STREAMS_PER_CLIENT")

    @field_validator("database_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


NAMES: tuple[str, ...] = tuple(field.alias or name for name, field in AppConfig.model_fields.items())
# Never echoed in a message: a password, and a URL that may carry one.
SECRET = frozenset({"DATABASE_URL", "MANAGER_PASSWORD"})


def _problem(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "configuration"
        given = "" if name in SECRET else f" (it is {item.get('input')!r})"
        lines.append(f"the environment variable {name}{given}: {item['msg']}")
    return "; ".join(lines)


@lru_cache(maxsize=4)
def _parsed(_values: tuple[str | None, ...]) -> AppConfig:
    """``AppConfig()`` for the environment whose variables are ``_values`` (the cache key)."""
    try:
        return AppConfig()
    except ValidationError as error:
        raise ConfigError(_problem(error)) from None


def settings() -> AppConfig:
    """The configuration as the environment says now."""
    return _parsed(tuple(os.environ.get(name) for name in NAMES))
