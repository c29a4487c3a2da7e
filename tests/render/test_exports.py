"""The record as files: a one-page PDF, the template as a PNG, CSV, XLSX and Markdown; Cyrillic
intact, participant text inert everywhere, ballots secret unless the workshop votes openly."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import Session

from tests.managers.test_record import FORMULA, HOSTILE, NAMES, PEOPLE, Run, run_workshop, swap_ballots
from workshop.i18n import known, t
from workshop.managers.record import WorkshopRecord, workshop_record
from workshop.render import exports, figures
from workshop.rules import steps
from workshop.rules.limits import NAME_MAX, NOTE_MAX, PRODUCT_MAX, RATIONALE_MAX, TITLE_MAX
from workshop.rules.text import markdown_literal

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ("summary", "items", "votes", "picks", "roster", "steps", "timeline")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install Debian's poppler-utils (make test does)")
    return path


def pdf_pages(path: Path) -> int:
    info = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[-1])


def pdf_text(path: Path) -> str:
    """The page's text with line breaks folded: a wrapped text reads as one."""
    text = subprocess.run(
        [tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def csv_rows(data: bytes, lang: str) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=exports.CSV_DELIMITER[lang]))


def filled(limit: int, words: str = "Доставка продуктов свежая подписка") -> str:
    """Text of exactly ``limit`` characters made of real words."""
    text = " ".join([words] * (limit // len(words) + 1))[:limit]
    return text[:-1] + "я" if text.endswith(" ") else text


def record_of(session: Session, run: Run) -> WorkshopRecord:
    return workshop_record(session=session, workshop_id=run.workshop_id)


@pytest.fixture
def record(session: Session, builtin_version: int) -> WorkshopRecord:
    return record_of(session, run_workshop(session, builtin_version))


@pytest.fixture
def lobby(session: Session, builtin_version: int) -> WorkshopRecord:
    return record_of(session, run_workshop(session, builtin_version, stop=steps.LOBBY))


# --------------------------------------------------------------------------- PDF


def test_pdf_is_one_page_with_cyrillic_title_and_the_chosen_innovation(tmp_path, record) -> None:
    path = write(tmp_path, "record.pdf", exports.record_pdf(record, "ru"))

    text = pdf_text(path)
    fonts = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    subprocess.run([tool("pdftoppm"), "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)

    assert pdf_pages(path) == 1
    assert "Инновации в доставке" in text and "Доставка продуктов за 2 часа" in text
    assert "Юлия Воликова" in text
    assert "Семейная подписка со скидкой" in text and "Дорого для семьи" in text
    assert record.trend is not None and record.trend.text("ru") in text
    assert t("why.decided_by_facilitator", "ru") in text  # why the innovation won
    assert "Наборы с рецептами дешевле магазина" in text  # a runner-up
    assert "DejaVuSans" in fonts and " yes " in fonts  # embedded: Cyrillic survives anywhere
    with Image.open(next(tmp_path.glob("page*.png"))) as page:
        size = page.size
    assert size == (round(297 / 25.4 * 40), round(210 / 25.4 * 40))  # A4 landscape


def _words_off_the_page(path: Path) -> list[str]:
    """Words ``pdftotext -bbox`` places outside the page or its margins."""
    html = subprocess.run(
        [tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    width, height = (float(x) for x in re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html).groups())
    off = []
    for x0, y0, x1, y1, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
    ):
        if float(x0) < 20 or float(y0) < 20 or float(x1) > width - 20 or float(y1) > height - 20:
            off.append(word)
    return off


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_pdf_with_the_longest_texts_still_fits_one_page(tmp_path, session, builtin_version, lang) -> None:
    run = run_workshop(
        session,
        builtin_version,
        title=filled(TITLE_MAX),
        product=filled(PRODUCT_MAX),
        texts={
            "expensive": filled(NOTE_MAX, "Неудобное мобильное приложение"),
            "dear": "Ж" * NOTE_MAX,  # one word longer than any line
            "kits": filled(NOTE_MAX, "Наборы рецепты"),
            "subscription": filled(NOTE_MAX, "Семейная подписка скидка"),
            "slots": filled(NOTE_MAX, "Окна доставки"),
            "subscription.why": filled(RATIONALE_MAX, "Тренд снимает препятствие"),
        },
    )
    record = record_of(session, run)
    record = dataclasses.replace(record, facilitator_name=filled(NAME_MAX, "Юлия"))
    assert record.innovation is not None and len(record.innovation.text(lang)) == NOTE_MAX
    assert len(record.innovation.rationale) == RATIONALE_MAX and len(record.title) == TITLE_MAX

    path = write(tmp_path, "long.pdf", exports.record_pdf(record, lang))

    assert pdf_pages(path) == 1
    assert _words_off_the_page(path) == []
    text = pdf_text(path)
    assert record.innovation.text(lang) in text  # the chosen innovation, whole
    assert record.innovation.rationale in text  # and how it uses the trend
    assert record.obstacle is not None and record.obstacle.text(lang) in text


def test_pdf_of_a_workshop_in_the_lobby_says_nothing_is_chosen(tmp_path, lobby) -> None:
    path = write(tmp_path, "lobby.pdf", exports.record_pdf(lobby, "en"))

    assert pdf_pages(path) == 1
    assert t("why.none", "en") in pdf_text(path)


# --------------------------------------------------------------------------- PNG


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_png_is_the_template_at_its_size_with_both_figures(record, lang) -> None:
    image = Image.open(io.BytesIO(exports.template_png(record, lang)))

    assert image.format == "PNG" and image.size == exports.PNG_SIZE
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    counts = {colour: n for n, colour in colours}
    for hex_colour in (figures.TREND_COLOUR, figures.OBSTACLE_COLOUR):
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert counts.get(rgb, 0) > 5_000  # the figure's outline


def test_png_of_a_workshop_in_the_lobby_draws_an_empty_template(lobby) -> None:
    image = Image.open(io.BytesIO(exports.template_png(lobby, "ru")))

    assert image.size == exports.PNG_SIZE


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("value", ["=1+1", "+7 999", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_starts_like_a_formula_gets_an_apostrophe(value: str) -> None:
    assert exports.inert(value) == "'" + value


def test_plain_text_cells_stay_as_written() -> None:
    assert exports.inert("Дорого для семьи") == "Дорого для семьи"
    assert exports.inert("a=b") == "a=b"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_notes_csv_has_a_row_per_item_with_cyrillic_and_no_formulas(record, lang) -> None:
    data = exports.notes_csv(record, lang)

    rows = csv_rows(data, lang)
    header, body = rows[0], rows[1:]
    by_text = {row[header.index(t("record.col.text", lang))]: row for row in body}

    assert data.startswith(b"\xef\xbb\xbf")
    assert len(body) == len({p.trend_code for p in record.picks}) + len(record.obstacles) + len(
        record.innovations
    )
    assert "'" + FORMULA in by_text and FORMULA not in by_text
    assert HOSTILE in by_text
    late = by_text["Курьеры опаздывают"]
    assert late[header.index(t("record.col.original_text", lang))] == "Курьеры опаздываютт"
    assert late[header.index(t("record.col.department", lang))] == "Сервис"
    assert t("record.col.author", lang) not in header  # authors were not shown
    kept = by_text["Дорого для семьи"]
    merged = by_text["Дорого"]
    assert (
        merged[header.index(t("record.col.merged_into", lang))]
        == kept[header.index(t("record.col.code", lang))]
    )
    assert kept[header.index(t("record.col.votes_round", lang, n=2))] == "3"
    chosen = [
        row[header.index(t("record.col.text", lang))] for row in body if row[-1] == t("record.yes", lang)
    ]
    assert len(chosen) == 3 and "Семейная подписка со скидкой" in chosen
    assert by_text["Семейная подписка со скидкой"][header.index(t("record.col.rationale", lang))] == (
        "регулярность снижает цену"
    )


def test_votes_csv_has_every_option_of_every_round(record) -> None:
    rows = csv_rows(exports.votes_csv(record, "en"), "en")

    header, body = rows[0], rows[1:]
    assert len(body) == sum(len(p.options) for p in record.polls)
    statuses = {row[header.index("Status")] for row in body}
    assert {"cancelled (a step back)", "results shown", "closed"} <= statuses
    runoffs = [row for row in body if row[header.index("Runoff")] == "yes"]
    assert len(runoffs) == 2 and {row[header.index("Round")] for row in runoffs} == {"2"}
    assert "Voters" not in header


# --------------------------------------------------------------------------- XLSX


def test_xlsx_has_every_sheet_with_cyrillic_and_text_that_never_runs(record) -> None:
    data = exports.record_xlsx(record, "ru")

    book = load_workbook(io.BytesIO(data))
    items = book[t("export.sheet.items", "ru")]
    cells = [c for row in items.iter_rows() for c in row]
    formula = next(c for c in cells if c.value == FORMULA)
    sheets_xml = [
        zipfile.ZipFile(io.BytesIO(data)).read(n)
        for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
        if n.startswith("xl/worksheets/")
    ]

    assert book.sheetnames == [t(f"export.sheet.{s}", "ru") for s in SHEETS]
    assert formula.data_type == "s"
    assert not any(b"<f>" in xml for xml in sheets_xml)
    assert "Дорого для семьи" in {c.value for c in cells}
    roster = book[t("export.sheet.roster", "ru")]
    assert [(r[0].value, r[1].value) for r in roster.iter_rows(min_row=2)] == PEOPLE
    summary = {r[0].value: r[1].value for r in book[t("export.sheet.summary", "ru")].iter_rows(min_row=2)}
    assert summary[t("why.innovation", "ru")] == "Семейная подписка со скидкой"
    assert book[t("export.sheet.timeline", "ru")].max_row == len(record.timeline) + 1
    assert book[t("export.sheet.steps", "ru")].max_row == len(record.steps) + 1


# --------------------------------------------------------------------------- Markdown


def test_markdown_shows_a_hostile_note_literally(record) -> None:
    text = exports.summary_markdown(record, "ru").decode("utf-8")

    assert markdown_literal(HOSTILE) in text
    assert "<script>" not in text and "**bold**" not in text and "](javascript" not in text
    assert "[x]" not in text
    assert text.startswith("# Инновации в доставке\n")
    assert markdown_literal("Семейная подписка со скидкой") in text


def test_markdown_literal_escapes_every_punctuation_character_and_folds_lines() -> None:
    assert markdown_literal("# a\n- b | c") == r"\# a \- b \| c"
    assert markdown_literal("<b>&amp;</b>") == r"\<b\>\&amp\;\<\/b\>"
    z = "\u200b"  # an invisible space breaks the links and icons a renderer finds after escapes
    assert markdown_literal("http://e.vil a@b.c :red[x] $y$") == (
        rf"http\:{z}\/\/e\.vil a\@{z}b\.c \:{z}red\[x\] \$y\$"
    )
    assert markdown_literal("www.e.vil") == rf"www{z}\.e\.vil"
    assert markdown_literal("Привет, мир") == r"Привет\, мир"


# --------------------------------------------------------------------------- secret ballots


def _secret_views(record: WorkshopRecord, lang: str) -> dict[str, object]:
    """Everything the exports show, in a form that compares equal when the content is."""
    book = load_workbook(io.BytesIO(exports.record_xlsx(record, lang)))
    return {
        "notes_csv": exports.notes_csv(record, lang),
        "votes_csv": exports.votes_csv(record, lang),
        "markdown": exports.summary_markdown(record, lang),
        "png": exports.template_png(record, lang),
        "xlsx": {s.title: [[c.value for c in row] for row in s.iter_rows()] for s in book.worksheets},
    }


def _votes_section(markdown: str, lang: str) -> str:
    start = markdown.index(f"## {t('record.polls', lang)}")
    return markdown[start : markdown.index(f"## {t('record.steps', lang)}")]


def test_secret_ballots_leave_no_names_beside_votes_in_any_export(tmp_path, session, builtin_version) -> None:
    run = run_workshop(session, builtin_version)
    before = record_of(session, run)
    lang = "ru"
    views = _secret_views(before, lang)
    pdf_before = pdf_text(write(tmp_path, "a.pdf", exports.record_pdf(before, lang)))

    assert swap_ballots(session, run.workshop_id) >= 2
    after = record_of(session, run)

    assert _secret_views(after, lang) == views  # who voted for what shows nowhere
    assert pdf_text(write(tmp_path, "b.pdf", exports.record_pdf(after, lang))) == pdf_before
    votes = views["votes_csv"].decode("utf-8-sig") + _votes_section(views["markdown"].decode(), lang)
    votes += repr(views["xlsx"][t("export.sheet.votes", lang)])
    assert not any(name in votes for name in NAMES)


def test_open_voting_puts_voters_beside_their_votes(session, builtin_version) -> None:
    run = run_workshop(session, builtin_version, open_voting=True)
    record = record_of(session, run)

    rows = csv_rows(exports.votes_csv(record, "ru"), "ru")
    markdown = exports.summary_markdown(record, "ru").decode()
    changed = swap_ballots(session, run.workshop_id)

    voters = {row[rows[0].index(t("record.col.voters", "ru"))] for row in rows[1:]}
    assert "Анна Петрова; Борис Ким; Дина Юсупова" in voters
    assert all(name in _votes_section(markdown, "ru") for name in NAMES)
    assert changed and exports.votes_csv(record_of(session, run), "ru") != exports.votes_csv(record, "ru")


# --------------------------------------------------------------------------- every export


def test_every_export_of_a_workshop_in_the_lobby_works(lobby) -> None:
    for lang in ("ru", "en"):
        for kind in exports.FILES:
            assert getattr(exports, kind)(lobby, lang)
    assert len(csv_rows(exports.notes_csv(lobby, "ru"), "ru")) == 1
    assert t("why.none", "en") in exports.summary_markdown(lobby, "en").decode()
    book = load_workbook(io.BytesIO(exports.record_xlsx(lobby, "en")))
    assert book.sheetnames == [t(f"export.sheet.{s}", "en") for s in SHEETS]


def test_file_names_are_safe_ascii(record) -> None:
    hostile = dataclasses.replace(record, code="../Ж x;")

    names = {kind: exports.filename(record, kind) for kind in exports.FILES}

    assert names["summary_markdown"] == f"workshop-{record.code}-summary.md"
    assert names["record_pdf"].endswith(".pdf") and names["record_xlsx"].endswith(".xlsx")
    assert len(set(names.values())) == len(exports.FILES)
    assert exports.filename(hostile, "notes_csv") == "workshop-x-notes.csv"
    assert all(re.fullmatch(r"[A-Za-z0-9.-]+", n) for n in names.values())
    with pytest.raises(ValueError):
        exports.filename(record, "exe")


def test_every_event_the_services_log_has_words() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "workshop" / "services").glob("*.py"))
    events = set(re.findall(r'_log\(session, workshop, "([a-z_]+)"', source))
    events |= {f"timer_{action}" for action in ("extend", "pause", "resume", "end")}

    assert {"created", "joined", "entered", "runoff"} <= events
    assert sorted(e for e in events if not known(f"record.event.{e}")) == []


def test_every_status_and_decision_has_words() -> None:
    keys = [
        *(f"record.status.{s}" for s in ("lobby", "running", "finished")),
        *(f"record.poll_status.{s}" for s in ("ready", "open", "closed", "revealed", "cancelled")),
        *(f"record.decided.{d}" for d in ("vote", "facilitator")),
        *(f"record.kind.{k}" for k in ("trend", "obstacle", "innovation")),
        *(f"record.detail.{d}" for d in ("confirmed", "withdrawn")),
        *(f"export.sheet.{s}" for s in SHEETS),
    ]

    assert [k for k in keys if not known(k)] == []


def test_wrap_breaks_a_word_too_long_for_a_line_and_refuses_what_does_not_fit() -> None:
    def measure(text: str, size: float) -> float:
        return len(text) * size

    assert exports.wrap("ab cdefgh", measure, 1, [4, 4, 4]) == ["ab", "cdef", "gh"]
    assert exports.wrap("abcdefghijkl", measure, 1, [4, 4]) is None
    assert exports.clip("abcdefgh", measure, 1, 5) == "abcd…"
