"""Many phones at once over Streamlit's own websocket path (no browser): 200 ballots cast together
end as exactly one per participant, and a join storm loses no one."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from sqlmodel import Session, func, select

from tests.scenario import build_workshop
from tests.support import Server
from tests.wsclient import Phone, choice, click, run_apart, text_value
from workshop.db import make_engine
from workshop.models import Ballot, Participant


def test_two_hundred_ballots_cast_at_once_over_the_websocket_are_one_per_participant(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ballots.db'}"
    workshops = [build_workshop(db_url, stop="trends_vote_open", people=5) for _ in range(40)]
    server = Server(db_url, tmp_path / "server.log")
    server.start()

    async def vote(token: str, poll_id: int, index: int, start: asyncio.Event) -> str:
        async with Phone(server.base) as phone:
            page = await phone.open("phone", f"p={token}")
            radio = page.widget("radio", f"ballot_{poll_id}")
            button = page.widget("button", f"vote_{poll_id}")
            await start.wait()
            done = await phone.act([choice(radio, index), click(button)], fragment_id=button.fragment_id)
            return " ".join(done.alerts())

    async def storm() -> list[str]:
        start = asyncio.Event()
        jobs = [vote(token, w.poll_id, i % 2, start) for w in workshops for i, token in enumerate(w.tokens)]
        # Every fifth phone has a second tab voting at the same moment.
        jobs += [vote(w.tokens[0], w.poll_id, 1, start) for w in workshops]
        tasks = [asyncio.ensure_future(job) for job in jobs]
        await asyncio.sleep(3)
        start.set()
        return await asyncio.gather(*tasks)

    try:
        answers = run_apart(storm)
    finally:
        server.close()

    engine = make_engine(db_url)
    with Session(engine) as session:
        ballots = session.exec(select(Ballot.participant_id)).all()
    engine.dispose()
    assert len(answers) == 240
    assert all("Голос принят" in a for a in answers), [a for a in answers if "Голос принят" not in a][:3]
    assert len(ballots) == 200
    assert len(set(ballots)) == 200


def test_a_join_storm_of_fifty_workshops_within_five_seconds_loses_no_one(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'storm.db'}"
    workshops = [build_workshop(db_url, stop="lobby", people=0) for _ in range(50)]
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    rng = random.Random(7)

    async def join(code: str, n: int, delay: float) -> bool:
        await asyncio.sleep(delay)
        async with Phone(server.base) as phone:
            page = await phone.open("join", f"code={code}&lang=ru")
            name = page.widget("text_input", "join_name")
            department = page.widget("text_input", "join_department")
            submit = page.widget("button", "FormSubmitter:join_form-Войти")
            await phone.act(
                [text_value(name, f"Участник {n}"), text_value(department, f"Отдел {n % 5}"), click(submit)]
            )
            return True

    async def storm() -> list[bool]:
        jobs = [join(w.code, n, rng.uniform(0, 5)) for w in workshops for n in range(7)]
        return await asyncio.gather(*jobs, return_exceptions=False)

    try:
        joined = run_apart(storm)
    finally:
        server.close()

    engine = make_engine(db_url)
    with Session(engine) as session:
        per_workshop = session.exec(
            select(Participant.workshop_id, func.count()).group_by(Participant.workshop_id)
        ).all()
    engine.dispose()
    assert len(joined) == 350 and all(joined)
    assert sorted(count for _wid, count in per_workshop) == [7] * 50
