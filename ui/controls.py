"""The facilitator's controls: steps, timers, votes, merges. Drawn in the projector's sidebar
or on the control page (a laptop screen or the facilitator's phone)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from practice.room import MAX_GROUP, start_practice
from ui import config
from ui.common import act, esc, flash, lang, md_escape, show_flash, tr
from ui.live import action_of
from ui.present import Board, board_part, group_warnings, option_text
from ui.recall import company_memory
from web.engine import new_session
from workshop import services
from workshop.access import net
from workshop.i18n import t
from workshop.live.views import WorkshopView
from workshop.render.qr import qr_data_uri
from workshop.rules import steps
from workshop.rules.enums import PollStatus, Subject
from workshop.rules.limits import NOTE_MAX

SCOPE = "ctl"
TIDY = "ctl_tidy"


def configured_base_url() -> str:
    """``PUBLIC_BASE_URL``, else ``public_base_url`` in .streamlit/secrets.toml; may be empty."""
    return config.public_base_url()


def join_link(view: WorkshopView) -> str:
    base = net.join_base(
        configured=configured_base_url(),
        chosen=view.workshop.join_base_url,
        projector_url=st.context.url or "",
    )
    return net.join_url(base, view.workshop.code)


def _do(service, done: str | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
    act(service, done=done, scope=SCOPE, **kwargs)


def _action(label: str, key: str, service, *, primary: bool = True, disabled: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """A full-width control button that runs ``service`` with ``kwargs`` when pressed."""
    st.button(
        label,
        type="primary" if primary else "secondary",
        key=key,
        width="stretch",
        disabled=disabled,
        on_click=_do,
        args=(service,),
        kwargs=kwargs,
    )


def _timer_buttons(view: WorkshopView) -> None:
    wid = view.workshop.id
    if view.remaining is None:
        return
    st.caption(tr("ctl.timer"))
    c1, c2 = st.columns(2)
    c3, c4 = st.columns(2)
    c1.button(
        tr("ctl.extend1_label"),
        key="t_plus1",
        on_click=_do,
        args=(services.change_timer,),
        kwargs={"workshop_id": wid, "action": "extend", "minutes": 1},
        help=tr("ctl.extend1"),
    )
    c2.button(
        tr("ctl.extend5_label"),
        key="t_plus5",
        on_click=_do,
        args=(services.change_timer,),
        kwargs={"workshop_id": wid, "action": "extend", "minutes": 5},
        help=tr("ctl.extend5"),
    )
    if view.paused:
        c3.button(
            tr("ctl.resume"),
            key="t_resume",
            on_click=_do,
            args=(services.change_timer,),
            kwargs={"workshop_id": wid, "action": "resume"},
            help=tr("ctl.resume"),
        )
    else:
        c3.button(
            tr("ctl.pause"),
            key="t_pause",
            on_click=_do,
            args=(services.change_timer,),
            kwargs={"workshop_id": wid, "action": "pause"},
            help=tr("ctl.pause"),
        )
    c4.button(
        tr("ctl.end_now"),
        key="t_end",
        on_click=_do,
        args=(services.change_timer,),
        kwargs={"workshop_id": wid, "action": "end"},
        help=tr("ctl.end_now"),
    )


def _poll_buttons(view: WorkshopView, board: Board) -> None:
    poll_view = view.poll
    wid = view.workshop.id
    if poll_view is None:
        return
    poll = poll_view.poll
    board_part(
        "ballots",
        board,
        key="ctl_ballots",
        screen="desk",
        variant="line",
        labels={"text": t("ctl.ballots", lang(), n="{n}", total="{total}")},
    )
    args = {"workshop_id": wid, "poll_id": poll.id}
    if poll.status == PollStatus.READY:
        _action(tr("ctl.open_vote"), "open_vote", services.open_poll, **args)
    elif poll.status == PollStatus.OPEN:
        _action(tr("ctl.close_vote"), "close_vote", services.close_poll, **args)
    elif poll.status == PollStatus.CLOSED:
        _action(tr("ctl.reveal"), "reveal_vote", services.reveal_poll, **args)
    # A tie is shown only once revealed: the projector's sidebar must not leak a result.
    if poll.status == PollStatus.REVEALED and poll.tie and not poll.decided_by:
        st.warning(tr("ctl.tie"))
        _action(tr("ctl.runoff"), "runoff", services.start_runoff, **args)
        # The facilitator decides with one click on the option chosen.
        st.caption(tr("ctl.decide_label"))
        for option in (o for o in poll_view.options if o.id in poll_view.leaders):
            _action(
                tr("ctl.decide_for", text=option_text(view, option)),
                f"decide_{option.id}",
                services.decide_tie,
                primary=False,
                option_id=option.id,
                **args,
            )


def _notes_tools(view: WorkshopView, board: Board) -> None:
    """Merge duplicates, fix typos, undo a merge: on the live list of the wall's notes, each
    action one click (the list is patched as notes arrive, so nothing moves under the pointer)."""
    wid = view.workshop.id
    board_part(
        "tidy",
        board,
        key=TIDY,
        screen="desk",
        max=NOTE_MAX,
        labels={
            "title": t("ctl.tidy", lang(), n="{n}"),
            "hint": t("ctl.tidy_hint", lang()),
            "keep": t("ctl.tidy_keep", lang()),
            "merge": t("ctl.merge", lang()),
            "merge_n": t("ctl.merge_n", lang(), n="{n}"),
            "edit": t("ctl.tidy_edit", lang()),
            "save": t("ctl.edit_save", lang()),
            "cancel": t("ctl.tidy_cancel", lang()),
            "unmerge": t("ctl.unmerge", lang()),
            "suggested": t("ctl.suggested", lang()),
            "suggest_merge": t("ctl.suggest_merge", lang()),
            "suggest_dismiss": t("ctl.suggest_dismiss", lang()),
            "suggest_hint": t("ctl.suggest_hint", lang()),
        },
        on_action=lambda: _tidy_action(wid),
    )


def _next_button(view: WorkshopView, label: str, missing: str | None) -> None:
    """The next step's button, waiting (with the reason under it) for what the rules still need."""
    _action(label, "advance", services.advance, disabled=bool(missing), workshop_id=view.workshop.id)
    if missing:
        st.caption(tr(missing))


def _ids(values: object) -> list[int]:
    if not isinstance(values, list):
        return []
    return [int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _tidy_action(workshop_id: int) -> None:
    """What the tidy-up list sent: merge (ticked, or a suggestion accepted), edit, unmerge or a
    suggestion dismissed (checked again by the services)."""
    action = action_of(TIDY)
    if action is None:
        return
    op, note = action.get("op"), action.get("note")
    if op == "merge" and isinstance(action.get("keep"), int):
        _do(
            services.merge_notes,
            done="ctl.merged",
            workshop_id=workshop_id,
            keep_id=int(action["keep"]),
            merge_ids=_ids(action.get("others")),
        )
    elif op == "edit" and isinstance(note, int) and isinstance(action.get("text"), str):
        _do(services.edit_note, done="ctl.edited", workshop_id=workshop_id, note_id=note, text=action["text"])
    elif op == "unmerge" and isinstance(note, int):
        _do(services.unmerge_note, workshop_id=workshop_id, note_id=note)
    elif op == "dismiss" and isinstance(action.get("key"), str):
        _do(services.dismiss_suggestion, workshop_id=workshop_id, key=action["key"])


def _agreement(workshop_id: int) -> None:
    """The facilitator ticked (or unticked) the method's check. A tick that arrives after the
    workshop has moved on (the browser sends the box's state with its next request) is no
    longer a question: nothing to do, nothing to complain about."""
    with new_session() as session:
        if services.step_of(session=session, workshop_id=workshop_id) != steps.PRESENTATION:
            return
    _do(services.confirm_agreement, workshop_id=workshop_id, confirmed=bool(st.session_state.get("agree")))


def controls(view: WorkshopView, board: Board, *, key: str) -> None:
    w = view.workshop
    st.subheader(tr("ctl.title"))
    st.write(f"**{md_escape(tr(f'step.{w.step}'))}**")
    show_flash(SCOPE)
    wid = w.id
    missing = steps.missing_for_next(view.facts)
    if w.step == steps.LOBBY:
        group_warnings(board, screen="desk", key="ctl_warnings")
        _next_button(view, tr("ctl.start"), missing)
        _practice(view)
    elif w.step in steps.WRITE_STEPS:
        _timer_buttons(view)
        if w.step in steps.NOTE_KIND:
            _notes_tools(view, board)
        _next_button(view, tr(f"ctl.next.{w.step}"), missing)
    elif w.step in steps.VOTE_STEPS:
        _timer_buttons(view)
        _poll_buttons(view, board)
        if missing is None:  # the vote is decided
            _action(tr(f"ctl.next.{w.step}"), "advance", services.advance, workshop_id=wid)
            _what_the_company_tried(view, [steps.VOTE_STEPS[w.step]])
    elif w.step == steps.PRESENTATION:
        # The box shows what is stored; its own state is never a second source of truth.
        st.session_state["agree"] = w.agreement_confirmed
        st.checkbox(tr("ctl.agree"), key="agree", on_change=_agreement, args=(wid,))
        st.caption(tr("ctl.agree_help"))
        _next_button(view, tr("ctl.finish"), missing)
        _what_the_company_tried(view, [Subject.OBSTACLE, Subject.INNOVATION])
    else:
        st.success(tr("ctl.finished"))
    if w.step not in (steps.LOBBY, steps.FINISHED):
        _action(tr("ctl.back"), "back", services.go_back, primary=False, workshop_id=wid)

    st.divider()
    if w.step != steps.FINISHED:
        _door(view, board)
    st.toggle(
        tr("ctl.show_authors"),
        value=w.show_authors,
        key="show_authors",
        on_change=lambda: _do(
            services.set_display, workshop_id=wid, show_authors=bool(st.session_state.show_authors)
        ),
    )
    st.toggle(
        tr("ctl.sound"),
        value=w.sound,
        key="sound",
        on_change=lambda: _do(services.set_display, workshop_id=wid, sound=bool(st.session_state.sound)),
    )
    _address_choice(view)


def _what_the_company_tried(view: WorkshopView, subjects: list) -> None:
    """Once the group has chosen its obstacle or innovation: the earlier workshops that chose the
    same in other words, and what became of it."""
    chosen = [
        (Subject(s), view.choices[s].option.label)
        for s in subjects
        if s in (Subject.OBSTACLE, Subject.INNOVATION) and s in view.choices
    ]
    if chosen:
        company_memory(workshop_id=view.workshop.id, chosen=chosen, key="ctl_memory")


def facilitator_links(view: WorkshopView, *, key: str) -> None:
    """The workshop's links, for the facilitator's own screen only — never a projected one:
    the room's projector link and the control link carry keys."""
    w = view.workshop
    with st.expander(tr("ctl.links")):
        st.caption(tr("ctl.join_link"))
        st.code(join_link(view), language=None)
        st.caption(tr("ctl.projector_link"))
        st.code(room_link(view, key), language=None)
    with st.expander(tr("ctl.remote")):
        st.warning(tr("ctl.remote_warning"))
        origin = net.origin_of(join_link(view))
        control = f"{origin}/control?{urlencode({'w': w.code, 'k': key, 'lang': lang()})}"
        alt = esc(tr("ctl.remote_qr"))
        st.html(f'<div class="qr qr-small"><img alt="{alt}" src="{qr_data_uri(control)}"></div>')
        st.caption(tr("ctl.control_link"))
        st.code(control, language=None)


def room_link(view: WorkshopView, key: str) -> str:
    """The room projector's link (no controls), for the facilitator who holds ``key``."""
    with new_session() as session:
        room = services.keep_room_key(session=session, workshop_id=view.workshop.id, key=key)
    origin = net.origin_of(st.context.url or "")
    return f"{origin}/projector?{urlencode({'w': view.workshop.code, 'r': room, 'lang': lang()})}"


WAITING = "ctl_waiting"


def _door(view: WorkshopView, board: Board) -> None:
    """Lock the room; let in (or turn away) the people who then ask to join."""
    wid = view.workshop.id
    st.toggle(
        tr("ctl.lock"),
        value=view.workshop.locked,
        key="lock_room",
        help=tr("ctl.lock_help"),
        on_change=lambda: _do(services.lock_room, workshop_id=wid, locked=bool(st.session_state.lock_room)),
    )
    if view.workshop.locked:
        board_part(
            "waiting",
            board,
            key=WAITING,
            screen="desk",
            labels={
                "title": t("ctl.waiting_title", lang(), n="{n}"),
                "let_in": t("ctl.let_in", lang()),
                "turn_away": t("ctl.turn_away", lang()),
            },
            on_action=lambda: _door_action(wid),
        )


def _door_action(workshop_id: int) -> None:
    action = action_of(WAITING)
    if action is None or not isinstance(action.get("person"), int):
        return
    if action.get("op") in ("let_in", "turn_away"):
        _do(
            services.let_in,
            workshop_id=workshop_id,
            participant_id=action["person"],
            admit=action["op"] == "let_in",
        )


def _practice(view: WorkshopView) -> None:
    """Simulated participants, to try the app or to train alone; only before the start."""
    st.divider()
    st.write(f"**{tr('practice.title')}**")
    how_many = st.number_input(
        tr("practice.how_many"), min_value=1, max_value=MAX_GROUP, value=6, step=1, key="practice_n"
    )
    st.button(
        tr("practice.add", n=int(how_many)),
        key="practice_add",
        width="stretch",
        on_click=_start_practice,
        args=(view.workshop.code, view.workshop.lang),
    )
    st.caption(tr("practice.explain"))


def _own_address() -> str:
    """This server as seen from inside it: the loopback address unless it listens on one
    address only."""
    address = str(st.get_option("server.address") or "")
    if address in ("", "0.0.0.0", "::"):
        address = "127.0.0.1"
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{st.get_option('server.port')}"


def _start_practice(code: str, workshop_lang: str) -> None:
    count = int(st.session_state.get("practice_n") or 6)
    names = start_practice(base_url=_own_address(), code=code, count=count, lang=workshop_lang)
    flash("success", tr("practice.started", n=len(names)), SCOPE)


def _address_choice(view: WorkshopView) -> None:
    """When the projector runs on localhost, phones cannot use that address: offer the LAN."""
    if configured_base_url() or not net.is_local(st.context.url or ""):
        return
    options = net.lan_bases(st.context.url or "")
    if not options:
        st.warning(tr("ctl.no_lan"))
        return
    current = view.workshop.join_base_url
    index = options.index(current) if current in options else None
    st.selectbox(
        tr("ctl.lan_choice"),
        options,
        index=index,
        key="lan_choice",
        placeholder=tr("ctl.lan_placeholder"),
        on_change=lambda: _do(
            services.set_display,
            workshop_id=view.workshop.id,
            join_base_url=st.session_state.lan_choice or "",
        ),
    )
