"""The configuration as the Streamlit screens see it: the environment (``workshop.config``)
first, then ``.streamlit/secrets.toml`` for what the environment leaves empty.

Only the managers' password and the public address can come from the secrets file; everything
else is the environment's alone.
"""

from __future__ import annotations

import streamlit as st

from workshop.config import settings


def _secret(name: str) -> str:
    try:
        return str(st.secrets.get(name, ""))
    except Exception:  # no secrets file: nothing configured
        return ""


def manager_password() -> str:
    """``MANAGER_PASSWORD``, else ``manager_password`` in the secrets file; may be empty."""
    return settings().manager_password or _secret("manager_password")


def public_base_url() -> str:
    """``PUBLIC_BASE_URL``, else ``public_base_url`` in the secrets file, stripped; may be empty.

    A blank variable still counts as set: it wins over the secrets file (and gives "")."""
    return (settings().public_base_url or _secret("public_base_url")).strip()
