"""A participant's phone as light pages on the app's own routes.

- ``GET /join?code=…`` the join form (name, department); a phone that joined this workshop
  before is offered "continue as …". ``POST /join`` joins and sets the phone's cookie.
- ``GET /phone?w=CODE`` the phone's page for the current step. ``GET /phone?p=TOKEN`` (a link
  that carries the token) keeps the token in the cookie and sends the phone on without it.
- ``GET /phone/screen?w=CODE[&phase=…]`` the step's part of the page, for the page's script when
  the event stream announces a change (``204`` when ``phase`` shows nothing changed: the safety
  net's cheap answer).
- ``POST /phone/pick``, ``/phone/note``, ``/phone/withdraw``, ``/phone/vote`` (``?w=CODE``): one
  tap each; the answer is the part of the page to show next, with a message.

Identity is the participant's token in an HttpOnly cookie per workshop (``p_CODE``), resolved
in the database on every request: a reload, a locked screen or a server restart is the same
person, and scanning the QR code again finds them. Every state-changing request must come from
this site (``Origin``, else ``Sec-Fetch-Site``) and carry the page's anti-forgery token (an HMAC
of the participant's token, or of the join form's own cookie); bodies over ``MAX_BODY`` bytes
are refused unread. Texts are limited by the services; a refused text comes back in its field
with the message, so nothing typed is lost.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web.engine import new_session
from workshop import services
from workshop.access import guessing, tickets
from workshop.db.models import Participant, PollOption, Trend, Workshop
from workshop.i18n import LANGUAGES, localized, t
from workshop.live.board import epoch_ms
from workshop.live.phone_screen import phone_screen
from workshop.rules import steps
from workshop.rules.enums import PollStatus, Subject
from workshop.rules.errors import WorkshopError
from workshop.rules.limits import DEPARTMENT_MAX, NAME_MAX, NOTE_MAX, RATIONALE_MAX
from workshop.rules.security import normalise_join_code
from workshop.rules.steps import Step

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
HTMX = HERE.parent / "node_modules" / "htmx.org" / "dist"
COOKIE = "p_"
FORM_COOKIE = "wsf"
LANG_COOKIE = "lang"
COOKIE_AGE_S = 30 * 24 * 3600
MAX_BODY = 16 * 1024
CSRF_HEADER = "x-csrf-token"
GZIP_FROM = 1024

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# The templates compare with the names, not with bare strings.
_env.globals.update(Step=Step, Subject=Subject, PollStatus=PollStatus)


def _version() -> str:
    files = [ASSETS / "phone.js", ASSETS / "phone.css"]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]


VERSION = _version()


# --------------------------------------------------------------------------- requests


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "ru"


def _client(request: Request) -> str:
    return guessing.client_of(request.client.host if request.client else None)


def _same_site(request: Request) -> bool:
    """A state-changing request must come from a page of this site."""
    origin = request.headers.get("origin")
    if origin:
        host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
        return urlparse(origin).netloc.lower() == host.split(",")[0].strip().lower()
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _secret() -> bytes:
    with new_session() as session:
        return tickets.server_secret(session=session, name="phone-forms")


_secrets: dict[str, bytes] = {}


def _form_key() -> bytes:
    from workshop.db.engine import database_url

    url = database_url()
    if url not in _secrets:
        _secrets[url] = _secret()
    return _secrets[url]


def anti_forgery(seed: str) -> str:
    mac = hmac.new(_form_key(), seed.encode("utf-8"), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode("ascii")


class Refused(Exception):
    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


async def _read_form(request: Request) -> dict[str, str]:
    """The posted fields, read only from this site and only up to ``MAX_BODY`` bytes."""
    if not _same_site(request):
        raise Refused(403, "error.forged_request")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise Refused(413, "error.body_too_large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise Refused(413, "error.body_too_large")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError) as err:
        raise Refused(400, "error.invalid_input") from err
    return {k: v[-1] for k, v in fields.items()}


def _check_token(request: Request, fields: dict[str, str], seed: str) -> None:
    sent = request.headers.get(CSRF_HEADER) or fields.get("csrf", "")
    if not hmac.compare_digest(sent.encode(), anti_forgery(seed).encode()):
        raise Refused(403, "error.forged_request")


def _html(
    request: Request, body: str, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    raw = body.encode("utf-8")
    extra = {"Cache-Control": "no-store", "Vary": "Accept-Encoding", **(headers or {})}
    if len(raw) >= GZIP_FROM and "gzip" in request.headers.get("accept-encoding", ""):
        raw = gzip.compress(raw, compresslevel=6)
        extra["Content-Encoding"] = "gzip"
    return Response(raw, status_code=status, media_type="text/html; charset=utf-8", headers=extra)


def _render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)


def _words(lang: str) -> Callable[..., str]:
    def say(key: str, in_lang: str | None = None, **kwargs: Any) -> str:
        return t(key, in_lang or lang, **kwargs)

    return say


def _page(request: Request, lang: str, **context: Any) -> dict[str, Any]:
    other = "en" if lang == "ru" else "ru"
    query = {k: v for k, v in request.query_params.items() if k not in ("lang", "p", "phase")}
    return {
        "lang_query": urlencode({**query, "lang": other}),
        "t": _words(lang),
        "lang": lang,
        "other_lang": other,
        "version": VERSION,
        **context,
    }


def _set_lang(request: Request, response: Response) -> Response:
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


def _missed(client: str) -> float:
    """Count a code or token that did not check out; the seconds to wait, once over the limit."""
    with new_session() as session:
        wait = guessing.wait_for(session=session, limit=guessing.CODES, client=client)
        if not wait:
            guessing.miss(session=session, limit=guessing.CODES, client=client)
        return wait


def _waiting(client: str) -> float:
    with new_session() as session:
        return guessing.wait_for(session=session, limit=guessing.CODES, client=client)


def _notice(request: Request, lang: str, key: str, *, status: int, **kwargs: Any) -> Response:
    say = _words(lang)
    body = _render("notice.html", **_page(request, lang, message=say(key, **kwargs), title=say("app.title")))
    return _html(request, body, status=status)


def _too_many(request: Request, lang: str, wait: float) -> Response:
    response = _notice(request, lang, "error.too_many_codes", status=429, seconds=int(wait) + 1)
    response.headers["Retry-After"] = str(int(wait) + 1)
    return response


# --------------------------------------------------------------------------- join


def _join_context(code: str, token: str | None) -> tuple[Any, Participant | None]:
    with new_session() as session:
        workshop = services.workshop_by_code(session=session, code=code)
        known = services.participant_by_token(session=session, token=token) if token else None
        if known is not None and known.workshop_id != workshop.id:
            known = None
        session.expunge_all()
        return workshop, known


def _join_page(
    request: Request, lang: str, code: str, *, values: dict[str, str] | None = None, error: str = ""
) -> Response:
    client = _client(request)
    wait = _waiting(client)
    if wait:
        return _too_many(request, lang, wait)
    code = normalise_join_code(code)
    try:
        workshop, known = _join_context(code, request.cookies.get(COOKIE + code))
    except WorkshopError:
        wait = _missed(client)
        if wait:
            return _too_many(request, lang, wait)
        return _notice(request, lang, "error.workshop_not_found", status=404)
    nonce = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(16)
    body = _render(
        "join.html",
        **_page(
            request,
            lang,
            workshop=workshop,
            code=code,
            known=known,
            finished=workshop.step == steps.FINISHED,
            values=values or {},
            error=error,
            csrf=anti_forgery("join:" + nonce),
            name_max=NAME_MAX,
            department_max=DEPARTMENT_MAX,
            title=t("join.title", lang),
        ),
    )
    response = _html(request, body, status=422 if error else 200)
    if FORM_COOKIE not in request.cookies:
        response.set_cookie(FORM_COOKIE, nonce, httponly=True, samesite="strict", path="/")
    return _set_lang(request, response)


async def join_page(request: Request) -> Response:
    lang = language(request)
    return await run_in_threadpool(_join_page, request, lang, request.query_params.get("code", ""))


def _join(code: str, name: str, department: str) -> tuple[str, str]:
    with new_session() as session:
        participant, token = services.join(session=session, code=code, name=name, department=department)
        return participant.name, token


async def join_post(request: Request) -> Response:
    lang = language(request)
    try:
        fields = await _read_form(request)
        _check_token(request, fields, "join:" + request.cookies.get(FORM_COOKIE, ""))
    except Refused as refused:
        return _notice(request, lang, refused.key, status=refused.status)
    code = normalise_join_code(fields.get("code", ""))
    values = {"name": fields.get("name", ""), "department": fields.get("department", "")}
    try:
        _name, token = await run_in_threadpool(_join, code, values["name"], values["department"])
    except WorkshopError as err:
        return await run_in_threadpool(
            _join_page, request, lang, code, values=values, error=error_text(err, lang)
        )
    response = RedirectResponse(f"/phone?{urlencode({'w': code})}", status_code=303)
    _keep_token(response, code, token)
    return response


def _keep_token(response: Response, code: str, token: str) -> None:
    response.set_cookie(COOKIE + code, token, max_age=COOKIE_AGE_S, httponly=True, samesite="lax", path="/")


def error_text(err: WorkshopError, lang: str) -> str:
    args = dict(err.args_dict)
    if "field" in args:
        args["field"] = t(f"field.{args['field']}", lang)
    return t(err.key, lang, **args)


# --------------------------------------------------------------------------- the phone


@dataclass
class Phone:
    """Who is asking, resolved from the cookie on this request."""

    participant: Participant
    code: str
    token: str


def _who(request: Request) -> tuple[str, str | None]:
    code = normalise_join_code(request.query_params.get("w", ""))
    return code, request.cookies.get(COOKIE + code) if code else None


def _resolve(session: Any, code: str, token: str | None) -> Phone | None:
    if not code or not token:
        return None
    me = services.participant_by_token(session=session, token=token)
    if me is None:
        return None
    workshop = session.get(Workshop, me.workshop_id)
    if workshop is None or workshop.code != code:
        return None
    return Phone(participant=me, code=code, token=token)


def trend_title(trend: Trend, lang: str) -> str:
    return localized(trend, "title", lang)


def _option_text(trends: dict[int, Trend], option: PollOption, lang: str) -> str:
    if option.trend_id is not None:
        trend = trends.get(option.trend_id)
        if trend is not None:
            return f"{trend.code} · {trend_title(trend, lang)}"
    return option.label


def _screen_context(
    session: Any, phone: Phone, lang: str, *, flash: tuple[str, str] | None, drafts: dict[str, str]
) -> dict[str, Any]:
    screen = phone_screen(session=session, participant=phone.participant)
    w = screen.workshop
    step = w.step
    ctx: dict[str, Any] = {
        "view": screen,
        "w": w,
        "me": phone.participant,
        "code": phone.code,
        "step": step,
        "method_step": steps.METHOD_STEP[step],
        "phase": f"{screen.phase}|{screen.admission}",
        "flash": flash,
        "drafts": drafts,
        "admission": screen.admission,
        "deadline_ms": epoch_ms(w.deadline) if w.deadline else 0,
        "paused_s": w.paused_remaining or 0,
        "now_ms": int(time.time() * 1000),
        "timer_over": screen.timer_over,
        "timed": steps.is_timed(step),
        "note_max": NOTE_MAX,
        "rationale_max": RATIONALE_MAX,
        "trend_title": lambda tr: trend_title(tr, lang),
        "trend_description": lambda tr: localized(tr, "description", lang),
        "trend_category": lambda tr: localized(tr, "category", lang),
    }
    if step == steps.TRENDS_PICK:
        ctx["picked"] = set(screen.picked)
        ctx["codes"] = screen.picked_codes
        ctx["categories"] = list(dict.fromkeys(ctx["trend_category"](tr) for tr in screen.trends))
    elif step in steps.NOTE_KIND:
        kind = steps.NOTE_KIND[step]
        ctx["kind"] = kind
        ctx["mine"] = screen.mine
        ctx["limit"] = w.notes_max if kind == Subject.OBSTACLE else w.ideas_max
    elif step in steps.VOTE_STEPS:
        ctx["subject"] = steps.VOTE_STEPS[step]
        ctx["poll"] = screen.poll
        if screen.poll is not None:
            by_id = screen.trend_by_id
            ctx["options"] = [(o.id, _option_text(by_id, o, lang)) for o in screen.options]
            ctx["ballot"] = screen.ballot
            winner = screen.winner
            ctx["winner"] = _option_text(by_id, winner, lang) if winner is not None else None
            ctx["dot_max"] = min(screen.poll.cap_per_option, screen.poll.votes_per_person)
    if w.day_id is not None and step in (steps.PRESENTATION, steps.FINISHED):
        status, options, mine = services.day_ballot_of(session=session, participant=phone.participant)
        ctx["day_vote"] = {"status": status, "options": options, "mine": mine}
    return ctx


def _screen_html(
    session: Any,
    request: Request,
    phone: Phone,
    lang: str,
    *,
    flash: tuple[str, str] | None = None,
    drafts: dict[str, str] | None = None,
    whole: bool = False,
    sent: bool = False,
) -> str:
    ctx = _screen_context(session, phone, lang, flash=flash, drafts=drafts or {})
    ctx["sent"] = sent
    ctx["csrf"] = anti_forgery("phone:" + phone.token)
    if not whole:
        return _render("screen.html", **_page(request, lang, **ctx))
    ticket = tickets.issue(
        secret=tickets.server_secret(session=session),
        code=phone.code,
        workshop_id=phone.participant.workshop_id,
        scope=tickets.PHONE,
        subject=phone.participant.id or 0,
    )
    ctx["live_url"] = f"/live/{phone.code}?{urlencode({'t': ticket, 'kinds': 'step,poll,timer'})}"
    ctx["timer_labels"] = {
        "left": t("timer.left", lang),
        "paused": t("timer.paused", lang),
        "up": t("timer.up", lang),
        "limit": t("phone.limit_reached", lang, max="{max}"),
        "offline": t("phone.offline", lang),
    }
    return _render("phone.html", **_page(request, lang, title=ctx["w"].title, **ctx))


Work = Callable[[Any, Phone, dict[str, str]], Response]


def _serve(request: Request, lang: str, fields: dict[str, str] | None, work: Work) -> Response:
    """One request of a phone, in one session: who it is, the forgery check, the work."""
    code, token = _who(request)
    with new_session() as session:
        phone = _resolve(session, code, token)
        if phone is not None:
            if fields is not None:
                try:
                    _check_token(request, fields, "phone:" + phone.token)
                except Refused as refused:
                    return _notice(request, lang, refused.key, status=refused.status)
            return work(session, phone, fields or {})
    client = _client(request)
    wait = _missed(client)
    if wait:
        return _too_many(request, lang, wait)
    return _notice(request, lang, "phone.unknown", status=404, code=code)


async def _phone_route(request: Request, work: Work, *, posted: bool) -> Response:
    lang = language(request)
    fields = None
    if posted:
        try:
            fields = await _read_form(request)
        except Refused as refused:
            return _notice(request, lang, refused.key, status=refused.status)
    return await run_in_threadpool(_serve, request, lang, fields, work)


def _by_token(token: str) -> str | None:
    with new_session() as session:
        me = services.participant_by_token(session=session, token=token)
        if me is None:
            return None
        workshop = session.get(Workshop, me.workshop_id)
        return workshop.code if workshop else None


async def phone_page(request: Request) -> Response:
    lang = language(request)
    token = request.query_params.get("p")
    if token:
        # A link that carries the token: keep it in the cookie, show the address without it.
        code = await run_in_threadpool(_by_token, token)
        if code is None:
            wait = await run_in_threadpool(_missed, _client(request))
            if wait:
                return _too_many(request, lang, wait)
            return _notice(request, lang, "phone.unknown", status=404)
        query = {"w": code, **({"lang": lang} if request.query_params.get("lang") else {})}
        response = RedirectResponse(f"/phone?{urlencode(query)}", status_code=303)
        _keep_token(response, code, token)
        return _set_lang(request, response)

    def page(session: Any, phone: Phone, _fields: dict[str, str]) -> Response:
        body = _screen_html(session, request, phone, lang, whole=True)
        return _set_lang(request, _html(request, body))

    return await _phone_route(request, page, posted=False)


async def screen_part(request: Request) -> Response:
    lang = language(request)
    seen = request.query_params.get("phase")

    def part(session: Any, phone: Phone, _fields: dict[str, str]) -> Response:
        if seen is not None:
            workshop = session.get(Workshop, phone.participant.workshop_id)
            poll = services.current_poll(session=session, workshop=workshop)
            admission = services.admission_of(session=session, participant_id=phone.participant.id)
            day_vote = services.day_vote_of(session, workshop)
            if seen == f"{services.phase_of(workshop, poll, day_vote)}|{admission}":
                return Response(status_code=204, headers={"Cache-Control": "no-store"})
        return _html(request, _screen_html(session, request, phone, lang))

    return await _phone_route(request, part, posted=False)


# --------------------------------------------------------------------------- taps


def _int(fields: dict[str, str], name: str) -> int:
    value = fields.get(name, "")
    if not value.lstrip("-").isdigit() or len(value) > 12:
        raise Refused(400, "error.invalid_input")
    return int(value)


def _tap(
    request: Request,
    service: Callable[..., Any],
    *,
    done: str,
    args: Callable[[Phone, dict[str, str]], dict[str, Any]],
    keeps: tuple[str, ...] = (),
) -> Work:
    """A tap that runs ``service`` and answers with the step's screen and a message; a refused
    text comes back in its field (``keeps``)."""
    lang = language(request)

    def work(session: Any, phone: Phone, fields: dict[str, str]) -> Response:
        drafts = {name: fields.get(name, "") for name in keeps}
        try:
            kwargs = args(phone, fields)
            service(session=session, participant_id=phone.participant.id, **kwargs)
        except Refused as refused:
            return _notice(request, lang, refused.key, status=refused.status)
        except WorkshopError as err:
            session.rollback()
            body = _screen_html(
                session, request, phone, lang, flash=("error", error_text(err, lang)), drafts=drafts
            )
            return _html(request, body)
        body = _screen_html(session, request, phone, lang, flash=("success", t(done, lang)), sent=bool(keeps))
        return _html(request, body)

    return work


async def pick(request: Request) -> Response:
    lang = language(request)

    def work(session: Any, phone: Phone, fields: dict[str, str]) -> Response:
        try:
            trend_id = _int(fields, "trend")
        except Refused as refused:
            return _notice(request, lang, refused.key, status=refused.status)
        error = ""
        try:
            services.toggle_pick(
                session=session,
                participant_id=phone.participant.id,
                trend_id=trend_id,
                picked=fields.get("picked") in ("1", "on", "true"),
            )
        except WorkshopError as err:
            session.rollback()
            error = error_text(err, lang)
        screen = phone_screen(session=session, participant=phone.participant)
        body = _render(
            "pick_status.html",
            **_page(
                request,
                lang,
                w=screen.workshop,
                picked=set(screen.picked),
                codes=screen.picked_codes,
                code=phone.code,
                error=error,
                fix=trend_id if error else None,
            ),
        )
        return _html(request, body)

    return await _phone_route(request, work, posted=True)


async def note(request: Request) -> Response:
    work = _tap(
        request,
        services.add_note,
        done="phone.note_saved",
        args=lambda _p, f: {"text": f.get("text", ""), "rationale": f.get("rationale", "")},
        keeps=("text", "rationale"),
    )
    return await _phone_route(request, work, posted=True)


async def withdraw(request: Request) -> Response:
    work = _tap(
        request,
        services.withdraw_note,
        done="phone.note_withdrawn",
        args=lambda _p, f: {"note_id": _int(f, "note")},
    )
    return await _phone_route(request, work, posted=True)


def _marks(fields: dict[str, str]) -> dict[int, int]:
    if "option" in fields:
        return {_int(fields, "option"): 1}
    return {
        int(name[5:]): _int(fields, name)
        for name in fields
        if name.startswith("dots_") and name[5:].isdigit() and len(name) < 20
    }


async def vote(request: Request) -> Response:
    work = _tap(
        request,
        services.cast_ballot,
        done="phone.vote_saved",
        args=lambda _p, f: {"poll_id": _int(f, "poll"), "marks": _marks(f)},
    )
    return await _phone_route(request, work, posted=True)


async def day_vote(request: Request) -> Response:
    """The day-wide vote: the best innovation of another group."""
    work = _tap(
        request,
        services.cast_day_ballot,
        done="phone.vote_saved",
        args=lambda _p, f: {"workshop_id": _int(f, "group")},
    )
    return await _phone_route(request, work, posted=True)


ROUTES = [
    Route("/join", join_page, methods=["GET"]),
    Route("/join", join_post, methods=["POST"]),
    Route("/phone", phone_page, methods=["GET"]),
    Route("/phone/screen", screen_part, methods=["GET"]),
    Route("/phone/pick", pick, methods=["POST"]),
    Route("/phone/note", note, methods=["POST"]),
    Route("/phone/withdraw", withdraw, methods=["POST"]),
    Route("/phone/vote", vote, methods=["POST"]),
    Route("/phone/day-vote", day_vote, methods=["POST"]),
    Mount("/phone-assets", StaticFiles(directory=ASSETS), name="phone-assets"),
    Mount("/vendor/htmx", app=GZipMiddleware(StaticFiles(directory=HTMX, check_dir=False)), name="htmx"),
]
