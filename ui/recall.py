"""What the company already tried, on the facilitator's controls and on a manager's record: the
earlier workshops whose chosen obstacle or innovation says the same in other words, with their
date and the hand-off's fate (``workshop.managers.memory``). Every text from a workshop is shown
as text, never Markdown."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from ui.common import lang, tr
from web.engine import new_session
from workshop.i18n import t
from workshop.managers import memory
from workshop.rules.enums import Subject


def company_memory(*, workshop_id: int, chosen: Iterable[tuple[Subject, str]], key: str) -> None:
    """For each chosen (subject, text): the earlier workshops that chose the same."""
    for subject, text in chosen:
        with new_session() as session:
            found = memory.recall(session=session, kind=subject, text=text, exclude_workshop_id=workshop_id)
        with st.expander(tr(f"memory.title.{subject}", n=len(found)), expanded=bool(found)):
            if not found:
                st.caption(tr("memory.none"))
                continue
            for i, earlier in enumerate(found):
                with st.container(border=True, key=f"{key}_{subject}_{i}"):
                    st.text(f"«{earlier.text}»")
                    fate = earlier.fate or "none"
                    st.text(
                        " · ".join(
                            [
                                earlier.title,
                                earlier.held_on.strftime("%d.%m.%Y"),
                                t(f"handoff.status.{fate}", lang()),
                            ]
                        )
                    )
                    if subject == Subject.OBSTACLE and earlier.innovation:
                        st.text(t("memory.their_innovation", lang(), text=earlier.innovation))
                    for note in earlier.notes:
                        st.text(f"— {note}")
