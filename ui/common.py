"""Helpers every page shares: language, messages, actions, and escaped HTML."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from web.engine import new_session
from workshop.access import guessing
from workshop.i18n import LANGUAGES, t
from workshop.rules.errors import WorkshopError
from workshop.rules.text import markdown_literal

FLASH = "_flash"


def lang() -> str:
    """This reader's language: ``?lang=`` in the URL, else the browser's, else Russian."""
    chosen = st.query_params.get("lang")
    if chosen in LANGUAGES:
        return chosen
    locale = (getattr(st.context, "locale", None) or "").lower()
    return "en" if locale.startswith("en") else "ru"


def md_escape(text: str) -> str:
    """Make text literal where Streamlit renders Markdown (messages, headers, widget labels)."""
    return markdown_literal(text)


def tr(key: str, **kwargs: Any) -> str:
    """Text for Markdown contexts: string values (often participant-written) are escaped."""
    return t(key, lang(), **{k: md_escape(v) if isinstance(v, str) else v for k, v in kwargs.items()})


def error_text(err: WorkshopError) -> str:
    args = dict(err.args_dict)
    if "field" in args:
        args["field"] = tr(f"field.{args['field']}")
    return tr(err.key, **args)


def flash(kind: str, message: str, scope: str = "main") -> None:
    st.session_state[f"{FLASH}_{scope}"] = (kind, message)


def show_flash(scope: str = "main") -> None:
    item = st.session_state.pop(f"{FLASH}_{scope}", None)
    if item:
        kind, message = item
        {"error": st.error, "success": st.success, "warning": st.warning}.get(kind, st.info)(message)


def act(
    service: Callable[..., Any],
    *,
    done: str | None = None,
    scope: str = "main",
    **kwargs: Any,
) -> Any:
    """Run a service in its own session; a domain error becomes a message, never a crash."""
    try:
        with new_session() as session:
            result = service(session=session, **kwargs)
    except WorkshopError as err:
        flash("error", error_text(err), scope)
        return None
    if done:
        flash("success", tr(done), scope)
    return result if result is not None else True


def esc(text: object) -> str:
    """Untrusted text made inert for HTML: shown literally, never as markup."""
    return html.escape(str(text), quote=True)


def change_language_link() -> None:
    other = "en" if lang() == "ru" else "ru"
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "lang"}
    params["lang"] = other
    st.html(
        f'<a class="lang-switch" href="?{esc(urlencode(params))}" target="_self">'
        f"{esc(t('lang.switch', other))}</a>"
    )


def client_key() -> str:
    """Who is asking, for the guessing limits: the address the server sees (a trusted proxy's
    X-Forwarded-For), or the one count every client with an unseen address shares."""
    return guessing.client_of(getattr(st.context, "ip_address", None))


def guess_wait(limit: guessing.Limit) -> float:
    """Seconds this client must wait before guessing again (0: it may try)."""
    with new_session() as session:
        return guessing.wait_for(session=session, limit=limit, client=client_key())


def guess_missed(limit: guessing.Limit) -> None:
    with new_session() as session:
        guessing.miss(session=session, limit=limit, client=client_key())
