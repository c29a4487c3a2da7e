"""The Streamlit settings the product relies on stay set; the environment is read in one place,
with the secrets file under it for the screens."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from pydantic import ValidationError

from ui import config as ui_config
from workshop.config import NAMES, AppConfig, ConfigError, _problem, settings
from workshop.db.engine import DEFAULT_DATA_DIR, database_url

CONFIG = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())


def test_xsrf_protection_stays_on() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True


def test_the_garbage_collection_after_every_rerun_is_off() -> None:
    assert CONFIG["runner"]["postScriptGC"] is False


def test_streamlit_does_not_show_its_page_menu_or_error_details() -> None:
    assert CONFIG["client"]["showSidebarNavigation"] is False
    assert CONFIG["client"]["showErrorDetails"] == "none"


# --------------------------------------------------------------------------- the environment


def test_without_variables_every_setting_has_its_default(monkeypatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    assert settings() == AppConfig(
        database_url="", manager_password="", public_base_url="", live_streams_per_client=24
    )


def test_a_changed_variable_is_seen_at_once(monkeypatch) -> None:
    monkeypatch.setenv("LIVE_STREAMS_PER_CLIENT", "3")
    assert settings().live_streams_per_client == 3
    monkeypatch.setenv("LIVE_STREAMS_PER_CLIENT", " 40 ")
    assert settings().live_streams_per_client == 40
    monkeypatch.delenv("LIVE_STREAMS_PER_CLIENT")
    assert settings().live_streams_per_client == 24


def test_the_database_url_is_stripped_and_an_empty_one_means_the_sqlite_file(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "  sqlite:///elsewhere.db \n")
    assert settings().database_url == database_url() == "sqlite:///elsewhere.db"
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert database_url() == f"sqlite:///{DEFAULT_DATA_DIR / 'workshop.db'}"


def test_variable_names_are_exact(monkeypatch) -> None:
    monkeypatch.delenv("MANAGER_PASSWORD", raising=False)
    monkeypatch.setenv("manager_password", "lower case is another variable")
    assert settings().manager_password == ""


@pytest.mark.parametrize("value", ["abc", "", "2.5", "0", "-1", "10001"])
def test_a_bad_number_of_streams_names_the_variable(monkeypatch, value: str) -> None:
    monkeypatch.setenv("LIVE_STREAMS_PER_CLIENT", value)
    with pytest.raises(ConfigError, match=f"LIVE_STREAMS_PER_CLIENT \\(it is '{re.escape(value)}'\\)"):
        settings()
    monkeypatch.setenv("LIVE_STREAMS_PER_CLIENT", "10000")
    assert settings().live_streams_per_client == 10000


def test_a_message_never_shows_a_password_or_a_database_url() -> None:
    with pytest.raises(ValidationError) as raised:
        AppConfig.model_validate({"MANAGER_PASSWORD": 7, "DATABASE_URL": 8})
    message = _problem(raised.value)
    assert "MANAGER_PASSWORD" in message and "DATABASE_URL" in message
    assert "7" not in message and "8" not in message


# --------------------------------------------------------------------------- secrets.toml under it


class FakeStreamlit:
    def __init__(self, secrets: dict[str, str] | None) -> None:
        self._secrets = secrets

    @property
    def secrets(self) -> dict[str, str]:
        if self._secrets is None:
            raise FileNotFoundError("no secrets.toml")
        return self._secrets


SECRETS = {"manager_password": "from secrets", "public_base_url": " https://secrets.example "}


def test_the_environment_wins_over_the_secrets_file(monkeypatch) -> None:
    monkeypatch.setattr(ui_config, "st", FakeStreamlit(SECRETS))
    monkeypatch.setenv("MANAGER_PASSWORD", " from env ")
    monkeypatch.setenv("PUBLIC_BASE_URL", " https://env.example ")
    assert ui_config.manager_password() == " from env "  # a password is taken as given
    assert ui_config.public_base_url() == "https://env.example"


def test_the_secrets_file_fills_in_what_the_environment_leaves_empty(monkeypatch) -> None:
    monkeypatch.setattr(ui_config, "st", FakeStreamlit(SECRETS))
    monkeypatch.setenv("MANAGER_PASSWORD", "")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert ui_config.manager_password() == "from secrets"
    assert ui_config.public_base_url() == "https://secrets.example"


def test_a_blank_public_address_in_the_environment_still_wins(monkeypatch) -> None:
    monkeypatch.setattr(ui_config, "st", FakeStreamlit(SECRETS))
    monkeypatch.setenv("PUBLIC_BASE_URL", "   ")
    assert ui_config.public_base_url() == ""


def test_without_a_secrets_file_nothing_is_configured(monkeypatch) -> None:
    monkeypatch.setattr(ui_config, "st", FakeStreamlit(None))
    monkeypatch.delenv("MANAGER_PASSWORD", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert ui_config.manager_password() == ""
    assert ui_config.public_base_url() == ""


def test_the_requirements_pin_pydantic_settings() -> None:
    requirements = (Path(__file__).resolve().parents[1] / "requirements.txt").read_text().split()
    assert f"pydantic-settings=={version('pydantic-settings')}" in requirements
