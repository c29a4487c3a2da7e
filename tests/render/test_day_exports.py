"""An innovation day's exports: the PDF has a summary page and then each group's own record page,
the workbook a sheet of the day's facts and a row per group, every text as written (never markup,
never a formula), and the day-wide vote's counts in both."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import Session

from tests.render.test_exports import _words_off_the_page, pdf_pages, pdf_text, write
from tests.scenario import _build
from workshop import services
from workshop.i18n import t
from workshop.managers.days import day_record, list_days
from workshop.render import exports

HOSTILE_TITLE = "День <b>инноваций</b> =1+1"
PRODUCT = '=HYPERLINK("x") доставка продуктов'


def a_finished_day(engine, session: Session, version: int):  # type: ignore[no-untyped-def]
    """Three groups, the first two run to the end, the day's vote taken: three votes for group 2,
    one for group 1."""
    day, key = services.create_day(
        session=session,
        title=HOSTILE_TITLE,
        product=PRODUCT,
        held_on="2026-12-03",
        map_version_id=version,
        settings=services.Settings(),
        groups=3,
    )
    groups = services.groups_of(session=session, day_id=day.id)
    keys = [(g.id, services.facilitator_key(key, g)) for g in groups[:2]]
    day_id = day.id
    session.commit()
    built = [_build(engine, stop="finished", people=6, settings=None, existing=k) for k in keys]
    services.open_day_vote(session=session, day_id=day_id)
    for participant in built[0].participant_ids[:3]:
        services.cast_day_ballot(session=session, participant_id=participant, workshop_id=keys[1][0])
    services.cast_day_ballot(
        session=session, participant_id=built[1].participant_ids[0], workshop_id=keys[0][0]
    )
    services.close_day_vote(session=session, day_id=day_id)
    return day_id


def test_the_days_pdf_is_a_summary_page_then_one_page_per_group_with_texts_as_written(
    tmp_path, engine, session, builtin_version
) -> None:
    day_id = a_finished_day(engine, session, builtin_version)
    record = day_record(session=session, day_id=day_id)

    path = write(tmp_path, "day.pdf", exports.day_pdf(record, "ru"))

    assert pdf_pages(path) == 1 + 3
    text = pdf_text(path)
    assert HOSTILE_TITLE in text
    for n in (1, 2, 3):
        assert t("day.group", "ru", n=n) in text
    assert PRODUCT in text
    assert t("day.votes", "ru", n=3) in text and t("day.votes", "ru", n=1) in text
    assert t("day.vote_count", "ru", k=4, n=12) in text
    assert _words_off_the_page(path) == []


def test_the_days_workbook_has_its_facts_and_a_row_per_group_and_no_formula(
    engine, session, builtin_version
) -> None:
    day_id = a_finished_day(engine, session, builtin_version)
    record = day_record(session=session, day_id=day_id)

    workbook = load_workbook(io.BytesIO(exports.day_xlsx(record, "en")))

    assert workbook.sheetnames == [t("export.sheet.summary", "en"), t("day.sheet.groups", "en")]
    groups = list(workbook[t("day.sheet.groups", "en")].iter_rows(values_only=True))
    assert groups[0][0] == t("day.col.group", "en")
    assert [row[0] for row in groups[1:]] == [1, 2, 3]
    assert [row[-1] for row in groups[1:]] == [1, 3, 0]
    summary = workbook[t("export.sheet.summary", "en")]
    product = next(
        row[1] for row in summary.iter_rows(min_row=2) if row[0].value == t("record.fact.product", "en")
    )
    assert product.value == PRODUCT
    assert product.data_type == "s" and product.quotePrefix  # text, never a formula
    facts = dict(summary.iter_rows(min_row=2, values_only=True))
    assert facts[t("record.fact.title", "en")] == HOSTILE_TITLE
    assert facts[t("day.col.leaders", "en")] == t("day.group", "en", n=2)


def test_the_managers_list_of_days_counts_each_days_groups_and_the_finished_ones(
    engine, session, builtin_version
) -> None:
    a_finished_day(engine, session, builtin_version)
    (summary,) = list_days(session=session)
    assert (summary.title, summary.groups, summary.finished, summary.vote_status) == (
        HOSTILE_TITLE,
        3,
        2,
        "closed",
    )
    assert exports.day_filename(summary.code, "day_pdf") == f"innovation-day-{summary.code}-day.pdf"
