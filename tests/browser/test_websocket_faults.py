"""Many phones at once, without a browser, on the phone pages' own routes (the requests the page
sends: cookie, anti-forgery token, this site's Origin): 200 ballots cast together end as exactly
one per participant, and a join storm loses no one.

(These once went over Streamlit's websocket, when the phone was a Streamlit page; the phone now
is a light page, so the storms go where a phone's taps go.)"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlmodel import Session, func, select

from tests.phones import HttpPhone, text_of
from tests.scenario import build_workshop
from tests.support import Server
from tests.texts import ru
from workshop.db.engine import make_engine
from workshop.db.models import Ballot, Participant


def test_two_hundred_ballots_cast_at_once_are_one_per_participant(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ballots.db'}"
    workshops = [build_workshop(db_url, stop="trends_vote_open", people=5) for _ in range(40)]
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    jobs = [(token, w.poll_id, w.option_ids[i % 2]) for w in workshops for i, token in enumerate(w.tokens)]
    # Every fifth phone has a second tab voting at the same moment.
    jobs += [(w.tokens[0], w.poll_id, w.option_ids[1]) for w in workshops]
    start = threading.Barrier(len(jobs))

    def vote(token: str, poll_id: int, option_id: int) -> str:
        with HttpPhone(server.base, timeout=120) as phone:
            phone.open(token)
            start.wait(timeout=120)
            return text_of(phone.vote(poll_id, option_id))

    try:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            answers = list(pool.map(lambda job: vote(*job), jobs))
    finally:
        server.close()

    engine = make_engine(db_url)
    with Session(engine) as session:
        ballots = session.exec(select(Ballot.participant_id)).all()
    engine.dispose()
    assert len(answers) == 240
    counted = ru("phone.vote_saved")
    assert all(counted in a for a in answers), [a for a in answers if counted not in a][:3]
    assert len(ballots) == 200
    assert len(set(ballots)) == 200


def test_a_join_storm_of_fifty_workshops_within_five_seconds_loses_no_one(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'storm.db'}"
    workshops = [build_workshop(db_url, stop="lobby", people=0) for _ in range(50)]
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    rng = random.Random(7)
    jobs = [(w.code, n, rng.uniform(0, 5)) for w in workshops for n in range(7)]
    began = time.monotonic()

    def join(code: str, n: int, delay: float) -> bool:
        time.sleep(max(0.0, began + delay - time.monotonic()))
        with HttpPhone(server.base, timeout=120) as phone:
            name = f"Участник {n}"
            page = phone.join(code, name, f"Отдел {n % 5}")
            return ru("phone.lobby", name=name) in text_of(page) and phone.token is not None

    try:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            joined = list(pool.map(lambda job: join(*job), jobs))
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
