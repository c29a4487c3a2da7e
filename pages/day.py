"""An innovation day: the organizer creates the day and its groups, then keeps one screen that
tells where every group is — its step, its timer, who joined, what it chose, and whether it is
behind the day's schedule — and moves every group at once. The organizer's link is secret, like
a facilitator's; the key leaves the address bar after the first load and lives in this browser's
memory. Each group's facilitator and projector links are given here, one per group."""

from datetime import UTC, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from ui.common import (
    act,
    change_language_link,
    error_text,
    esc,
    flash,
    guess_missed,
    guess_wait,
    lang,
    show_flash,
    tr,
)
from ui.fields import setting_input, text_field
from ui.gallery import gallery
from ui.memory import recall, remember
from ui.style import day_style, gallery_style
from web.engine import new_session
from workshop import services
from workshop.access import guessing, net
from workshop.db.models import WorkshopSettings
from workshop.i18n import localized, t
from workshop.maps.store import latest_versions
from workshop.rules import steps
from workshop.rules.enums import DayVote
from workshop.rules.errors import AccessDenied, InvalidInput, NotFound
from workshop.rules.limits import DAY_TITLE_MAX, GROUPS_MAX, MAX_MINUTES, MIN_MINUTES, PRODUCT_MAX
from workshop.rules.security import normalise_join_code, room_key

CREATED = "_day_created"
REFRESH_S = 5  # the board of groups is read again this often (one organizer screen per day)
GALLERY_REFRESH_S = 30  # the gallery's templates, read again (the slide shown stays)


def organizer_slot(code: str) -> str:
    return f"organizer:{code}"


# --------------------------------------------------------------------------- a new day


def _create(maps: list[tuple[str, int, str]]) -> None:
    s = st.session_state
    given = {
        name: int(s.get(f"day_{name}", WorkshopSettings.default(name)))
        for name in WorkshopSettings.setting_names()
    }
    given["cap_per_option"] = 1
    try:
        settings = WorkshopSettings(**given)
    except InvalidInput as refused:
        flash("error", error_text(refused), "day_create")
        return
    version_id = next((v for _m, v, title in maps if title == s.get("day_map")), None)
    result = act(
        services.create_day,
        scope="day_create",
        title=s.get("day_title", ""),
        product=s.get("day_product", ""),
        held_on=s.get("day_date"),
        map_version_id=version_id or -1,
        settings=settings,
        groups=int(s.get("day_groups") or 0),
        lang=lang(),
    )
    if result:
        day, key = result
        s[CREATED] = (day.code, key)


def create_form() -> None:
    st.title(tr("day.create_title"))
    st.caption(tr("day.create_subtitle"))
    with new_session() as session:
        maps = [(m.id, v.id, localized(m, "title", lang())) for m, v in latest_versions(session=session)]
    show_flash("day_create")
    with st.form("day_form", border=True):
        text_field(
            tr("field.title"), key="day_title", max_len=DAY_TITLE_MAX, placeholder=tr("day.title_placeholder")
        )
        text_field(
            tr("field.product"),
            key="day_product",
            max_len=PRODUCT_MAX,
            placeholder=tr("start.product_placeholder"),
        )
        left, right = st.columns(2)
        left.date_input(tr("field.held_on"), key="day_date", format="DD.MM.YYYY")
        right.number_input(tr("field.groups"), 1, GROUPS_MAX, 3, key="day_groups", help=tr("day.groups_help"))
        st.selectbox(
            tr("field.trend_map"),
            [title for _m, _v, title in maps],
            key="day_map",
            placeholder=tr("ui.choose"),
        )
        st.form_submit_button(
            tr("day.create_button"), type="primary", on_click=_create, args=(maps,), width="stretch"
        )
    with st.expander(tr("day.settings")):
        c1, c2, c3 = st.columns(3)
        for column, names in (
            (c1, ("picks_min", "picks_max", "votes_per_person")),
            (c2, ("notes_min", "notes_max", "ideas_max")),
            (c3, ("pick_minutes", "write_minutes", "ideas_minutes", "vote_minutes")),
        ):
            for name in names:
                setting_input(column, name, key=f"day_{name}")
    st.page_link("pages/start.py", label=tr("day.back_to_start"), query_params={"lang": lang()})


# --------------------------------------------------------------------------- the organizer's screen


def _left(group: services.GroupState, now: datetime) -> str:
    if group.paused_remaining is not None:
        return t("day.paused", lang())
    if group.deadline is None:
        return ""
    deadline = group.deadline if group.deadline.tzinfo else group.deadline.replace(tzinfo=UTC)
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return t("day.time_up", lang())
    return t("day.left", lang(), time=f"{seconds // 60}:{seconds % 60:02d}")


def _local(at: datetime) -> datetime:
    """A time in the organizer's browser's zone (the server's, when the browser does not say)."""
    try:
        return at.astimezone(ZoneInfo(st.context.timezone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return at.astimezone()


def _moves_said(moves: services.DayMoves) -> None:
    if moves.moved:
        flash("success", tr("day.moved", groups=", ".join(str(n) for n in moves.moved)), "day")
    else:
        flash("warning", tr("day.nothing_moved"), "day")
    if moves.held:
        held = "; ".join(tr("day.held", n=n, why=tr(why)) for n, why in moves.held)
        st.session_state["_day_held"] = held


def _move(service, day_id: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    result = act(service, scope="day", day_id=day_id, **kwargs)
    if isinstance(result, services.DayMoves):
        _moves_said(result)


def _add_group(day_id: int, key: str) -> None:
    if act(services.add_groups, scope="day", day_id=day_id, key=key, count=1):
        flash("success", tr("day.group_added"), "day")


def group_card(group: services.GroupState, key: str, origin: str, now: datetime) -> None:
    """One group: its step, time left, people, what it chose (as text), and whether it is behind."""
    parts = [f"<div class='step'>{esc(t(f'step.{group.step}', lang()))}</div>"]
    left = _left(group, now)
    if left:
        parts.append(f"<div class='clock'>{esc(left)}</div>")
    people = t("day.people", lang(), n=group.joined)
    if group.waiting:
        people += " · " + t("day.waiting", lang(), n=group.waiting)
    parts.append(f"<div class='line'>{esc(people)}</div>")
    for subject, text in (
        ("trend", group.trend),
        ("obstacle", group.obstacle),
        ("innovation", group.innovation),
    ):
        if text:
            label = t(f"template.{subject}", lang())
            parts.append(
                f"<div class='chosen {subject}'><span class='label'>{esc(label)}</span>{esc(text)}</div>"
            )
    if group.lateness is not None and group.lateness.behind:
        behind = t("day.behind", lang(), n=group.lateness.behind_minutes)
        parts.append(f"<div class='behind' role='status'>{esc(behind)}</div>")
    elif group.missing and group.step != steps.LOBBY:
        parts.append(f"<div class='line needs'>{esc(t(group.missing, lang()))}</div>")
    with st.container(border=True, key=f"group_{group.number}"):
        st.subheader(tr("day.group", n=group.number), anchor=False)
        st.html(f"<div class='group-card'>{''.join(parts)}</div>")
        facilitator = services.facilitator_key(key, group)
        st.link_button(
            tr("day.open_facilitator"),
            f"{origin}/control?{urlencode({'w': group.code, 'k': facilitator, 'lang': lang()})}",
            width="stretch",
        )
        room = room_key(facilitator, group.code)
        st.link_button(
            tr("day.open_room"),
            f"{origin}/projector?{urlencode({'w': group.code, 'r': room, 'lang': lang()})}",
            width="stretch",
        )


def _vote_action(service, day_id: int, done: str) -> None:  # type: ignore[no-untyped-def]
    act(service, scope="day", done=done, day_id=day_id)


def day_vote_results(vote: services.DayVoteState) -> None:
    """The day-wide vote: how many have voted; once closed, every innovation with its votes."""
    with st.container(border=True, key="day_vote"):
        st.subheader(tr("day.vote_title"), anchor=False)
        st.text(t("day.vote_count", lang(), k=vote.ballots, n=vote.people))
        if vote.status != DayVote.CLOSED:
            return
        rows = []
        for option in sorted(vote.options, key=lambda o: (-o.votes, o.number)):
            lead = option.number in vote.leaders
            leader = t("day.vote_leader" if len(vote.leaders) == 1 else "day.vote_tied", lang())
            flag = f" <b>{esc(leader)}</b>" if lead else ""
            rows.append(
                f"<li class='{'lead' if lead else ''}'>{esc(t('day.group', lang(), n=option.number))} · "
                f"{esc(option.innovation)} — {esc(t('day.votes', lang(), n=option.votes))}{flag}</li>"
            )
        st.html(f"<ol class='day-results'>{''.join(rows)}</ol>")


def organizer_screen(day_code: str, key: str) -> None:
    with new_session() as session:
        day = services.organized_day(session=session, code=day_code, key=key)
    day_id = day.id
    st.html(f"<h1 style='margin:0'>{esc(day.title)}</h1>")
    st.text(" · ".join([day.held_on.strftime("%d.%m.%Y"), day.product, t("day.code", lang(), code=day.code)]))
    st.caption(tr("day.keep_link"))
    show_flash("day")
    held = st.session_state.pop("_day_held", None)
    if held:
        st.warning(held)
    actions = st.columns([3, 1, 2, 3], vertical_alignment="bottom")
    if day.started_at is None:
        actions[0].button(
            tr("day.start"),
            type="primary",
            on_click=_move,
            args=(services.start_day, day_id),
            width="stretch",
        )
    else:
        actions[0].button(
            tr("day.advance_all"),
            type="primary",
            on_click=_move,
            args=(services.advance_all, day_id),
            width="stretch",
        )
    minutes = actions[1].number_input(
        tr("day.minutes"), MIN_MINUTES, MAX_MINUTES, 2, key="day_extend_minutes"
    )
    actions[2].button(
        tr("day.extend_all", n=int(minutes)),
        on_click=_move,
        args=(services.extend_all, day_id),
        kwargs={"minutes": int(minutes)},
        width="stretch",
    )
    with new_session() as session:
        full = len(services.groups_of(session=session, day_id=day_id)) >= GROUPS_MAX
    actions[3].button(
        tr("day.add_group"),
        on_click=_add_group,
        args=(day_id, key),
        width="stretch",
        disabled=full,
        help=tr("day.groups_full") if full else None,
    )
    origin = net.origin_of(st.context.url or "")
    gallery_query = urlencode({"d": day.code, "g": services.gallery_link_key(key, day), "lang": lang()})
    st.link_button(tr("day.open_gallery"), f"{origin}/day?{gallery_query}")
    st.caption(tr("day.gallery_help"))
    with new_session() as session:
        vote = services.day_vote(session=session, day_id=day_id)
    if vote.status == DayVote.NOT_OPENED:
        st.button(
            tr("day.vote_open"),
            on_click=_vote_action,
            args=(services.open_day_vote, day_id, "day.vote_opened"),
        )
        st.caption(tr("day.vote_help"))
    elif vote.status == DayVote.OPEN:
        st.button(
            tr("day.vote_close"),
            type="primary",
            on_click=_vote_action,
            args=(services.close_day_vote, day_id, "day.vote_closed"),
        )

    @st.fragment(run_every=REFRESH_S)
    def board() -> None:
        now = datetime.now(UTC)
        with new_session() as session:
            groups = services.day_board(session=session, day_id=day_id, now=now)
        ends = next((g.lateness.day_ends_at for g in groups if g.lateness is not None), None)
        if ends is not None:
            behind = sum(1 for g in groups if g.lateness is not None and g.lateness.behind)
            st.text(t("day.plan_ends", lang(), time=_local(ends).strftime("%H:%M"), n=behind))
        else:
            st.caption(tr("day.not_started"))
        with new_session() as session:
            vote = services.day_vote(session=session, day_id=day_id)
        if vote.status:
            day_vote_results(vote)
        per_row = 4
        for row in range(0, len(groups), per_row):
            columns = st.columns(per_row)
            for column, group in zip(columns, groups[row : row + per_row], strict=False):
                with column:
                    group_card(group, key, origin, now)

    board()


# --------------------------------------------------------------------------- the page

created = st.session_state.pop(CREATED, None)
if created:
    st.query_params.from_dict({"d": created[0], "k": created[1], "lang": lang()})
    st.rerun()

day_code = normalise_join_code(st.query_params.get("d", ""))
gallery_key = st.query_params.get("g")
if gallery_key is not None:
    gallery_style()
    wait = guess_wait(guessing.CODES)
    if wait:
        st.error(tr("error.too_many_codes", seconds=int(wait) + 1))
        st.stop()
    try:
        with new_session() as session:
            shown_day = services.gallery_day(session=session, code=day_code, key=gallery_key)
    except NotFound:
        guess_missed(guessing.CODES)
        st.error(tr("error.day_not_found"))
        st.stop()
    shown_id, shown_title = shown_day.id, shown_day.title

    @st.fragment(run_every=GALLERY_REFRESH_S)
    def wall() -> None:
        """Read again now and then: a group that finishes later joins the gallery by itself."""
        with new_session() as session:
            shown = services.day_board(session=session, day_id=shown_id)
        gallery(shown, title=shown_title)

    wall()
    st.stop()
day_style()
if not day_code:
    create_form()
else:
    KEPT = f"_organizer_key_{day_code}"
    url_key = st.query_params.get("k")
    organizer_key = url_key or st.session_state.get(KEPT) or recall(organizer_slot(day_code))
    try:
        if not organizer_key:
            raise AccessDenied()
        with new_session() as session:
            services.organized_day(session=session, code=day_code, key=organizer_key)
        if url_key:  # remembered once it is known to be the day's: a stale link forgets nothing
            remember(organizer_slot(day_code), url_key)
            st.session_state[KEPT] = url_key
            del st.query_params["k"]
        organizer_screen(day_code, organizer_key)
    except AccessDenied:
        if not organizer_key:
            st.info(tr("day.opening"))
            st.stop()
        wait = guess_wait(guessing.CODES)
        if wait:
            st.error(tr("error.too_many_codes", seconds=int(wait) + 1))
            st.stop()
        guess_missed(guessing.CODES)
        st.error(tr("error.access_denied"))
        st.stop()
change_language_link()
