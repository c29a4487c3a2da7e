"""The catalogue: both languages for every key, the same placeholders, and no key the code uses
is missing (a missing key would show itself on screen)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import jinja2
import jinja2.nodes
import pytest

from workshop.i18n import CATALOGUE, LANGUAGES, PLURAL_FORMS, plural_form, t, tn
from workshop.rules import steps
from workshop.services import Settings

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [
        *ROOT.glob("pages/*.py"),
        *ROOT.glob("ui/*.py"),
        *ROOT.glob("workshop/**/*.py"),
        *ROOT.glob("web/**/*.py"),
        *ROOT.glob("web/templates/*.html"),
    ]
)
CODE = [p for p in SOURCES if p.name != "i18n.py"]

SUBJECTS = ("trend", "obstacle", "innovation")
NEXT_BUTTON_STEPS = (
    steps.TRENDS_PICK,
    steps.TRENDS_VOTE,
    steps.OBSTACLES_WRITE,
    steps.OBSTACLES_VOTE,
    steps.INNOVATIONS_WRITE,
    steps.INNOVATIONS_VOTE,
)

# tr("key"), t("key"), done="key" and literal message keys of the rules and errors (a table's
# column such as foreign_key="ballot.id" is no message)
CALL_KEY = re.compile(r"""\b(?:tr|t)\(\s*(["'])([^"'{}\s]+)\1""")
DONE_KEY = re.compile(r"""\bdone\s*=\s*(["'])([^"'{}\s]+)\1""")
MESSAGE_KEY = re.compile(r"""(?<!foreign_key=)(["'])((?:error|ballot|refuse|warn)\.[a-z0-9_]+)\1""")
FIELD_ARG = re.compile(r"""\bfield\s*=\s*(["'])([a-z0-9_]+)\1""")


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def literal_keys() -> dict[str, list[str]]:
    """Every literal key the code passes to the catalogue, with where it is used."""
    found: dict[str, list[str]] = {}
    for path in CODE:
        text = source(path)
        for pattern in (CALL_KEY, DONE_KEY, MESSAGE_KEY):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                if match.group(2).endswith("."):
                    continue  # a family's prefix, joined to its member in a template (families below)
                found.setdefault(match.group(2), []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


def field_names() -> set[str]:
    """Every ``field=`` an error carries in the domain: literal names and the settings' names
    (``Settings.validated`` reports the setting it refuses)."""
    names = {m.group(2) for path in ROOT.glob("workshop/**/*.py") for m in FIELD_ARG.finditer(source(path))}
    return names | set(Settings.setting_names())


def family_keys() -> list[str]:
    """Keys the code builds with f-strings."""
    return [
        *(f"step.{step}" for step in steps.STEPS),
        *(f"method.{n}" for n in range(1, 6)),
        *(f"ctl.next.{step}" for step in NEXT_BUTTON_STEPS),
        *(f"phone.vote_title.{subject}" for subject in SUBJECTS),
        *(f"proj.vote_title.{subject}" for subject in SUBJECTS),
        *(f"why.{subject}" for subject in SUBJECTS),
        *(f"field.{name}" for name in sorted(field_names())),
        *(f"wall.empty.{kind}" for kind in ("obstacle", "innovation")),
        *(
            f"wall.count.{kind}.{form}"
            for kind in ("obstacle", "innovation")
            for form in ("one", "few", "many", "other")
        ),
        *(f"template.{part}" for part in SUBJECTS),
        *(f"results.{flag}" for flag in ("winner", "decided", "tied")),
    ]


LITERAL_KEYS = literal_keys()


# --------------------------------------------------------------------------- the catalogue


def test_languages() -> None:
    assert LANGUAGES == ("ru", "en")


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_russian_and_english(key: str) -> None:
    entry = CATALOGUE[key]
    assert len(entry) == 2
    ru, en = entry
    assert isinstance(ru, str) and ru.strip(), f"{key}: Russian is empty"
    assert isinstance(en, str) and en.strip(), f"{key}: English is empty"


@pytest.mark.parametrize("key", sorted(k for k, (ru, en) in CATALOGUE.items() if "{" in ru + en))
def test_placeholders_are_the_same_in_both_languages(key: str) -> None:
    ru, en = CATALOGUE[key]
    assert placeholders(ru) == placeholders(en)


def test_t_picks_the_language_formats_and_shows_unknown_keys() -> None:
    assert t("phone.lobby", "ru", name="Аня") == "Вы в сессии, Аня!"
    assert t("phone.lobby", "en", name="Ann") == "You are in, Ann!"
    assert t("phone.lobby", "xx", name="Аня") == "Вы в сессии, Аня!"  # unknown language: Russian
    assert t("no.such.key", "en") == "no.such.key"


# --------------------------------------------------------------------------- keys used in code


def test_the_scan_finds_the_keys_the_code_uses() -> None:
    """Guards the scan itself: a broken pattern would find nothing and prove nothing."""
    for expected in (
        "phone.lobby",
        "ctl.open_room",
        "phone.note_saved",
        "refuse.no_picks",
        "ballot.over_cap",
        "warn.one_department",
        "error.pick_max",
    ):
        assert expected in LITERAL_KEYS, expected
    assert len(LITERAL_KEYS) > 100
    assert {
        "title",
        "product",
        "name",
        "department",
        "note",
        "rationale",
        "minutes",
        "picks_max",
    } <= field_names()


@pytest.mark.parametrize("key", sorted(LITERAL_KEYS))
def test_every_literal_key_used_in_the_code_exists(key: str) -> None:
    assert key in CATALOGUE, f"{key} is used at {', '.join(LITERAL_KEYS[key])} but not translated"


@pytest.mark.parametrize("key", family_keys())
def test_every_key_built_from_a_family_exists(key: str) -> None:
    assert key in CATALOGUE


def test_families_cover_the_rules() -> None:
    assert set(steps.METHOD_STEP.values()) == set(range(1, 6))
    assert set(steps.VOTE_STEPS.values()) == set(SUBJECTS)
    assert set(NEXT_BUTTON_STEPS) == set(steps.STEPS) - {steps.LOBBY, steps.PRESENTATION, steps.FINISHED}


def test_every_key_the_error_classes_default_to_exists() -> None:
    from workshop.rules import errors

    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.WorkshopError)
    ]
    assert len(classes) >= 9
    for cls in classes:
        assert cls.key in CATALOGUE, cls.__name__


def _template_calls(path: Path) -> list[tuple[str, set[str], str]]:
    """The phone's templates call ``t("key", name=...)`` too: read them with Jinja's own parser."""
    calls = []
    for node in jinja2.Environment().parse(source(path)).find_all(jinja2.nodes.Call):
        if not (isinstance(node.node, jinja2.nodes.Name) and node.node.name in ("t", "tn")):
            continue
        first = node.args[0] if node.args else None
        if not isinstance(first, jinja2.nodes.Const) or first.value not in CATALOGUE or node.dyn_kwargs:
            continue
        names = {k.key for k in node.kwargs} | ({"n"} if node.node.name == "tn" else set())
        calls.append((first.value, names, f"{path.name}:{node.lineno}"))
    return calls


def _message_calls() -> list[tuple[str, set[str], str]]:
    """Calls with a literal catalogue key first and only named arguments: (key, names, where)."""
    calls = []
    for path in CODE:
        if path.suffix == ".html":
            calls.extend(_template_calls(path))
            continue
        tree = ast.parse(source(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            key = node.args[0].value
            if not isinstance(key, str) or key not in CATALOGUE or any(k.arg is None for k in node.keywords):
                continue
            calls.append((key, {k.arg for k in node.keywords if k.arg}, f"{path.name}:{node.lineno}"))
    return calls


def test_every_message_gets_the_values_its_placeholders_need() -> None:
    """``t`` shows a text unformatted when a value is missing: ``{max}`` would reach the screen."""
    calls = _message_calls()
    assert len(calls) > 100
    missing = [
        f"{where}: {key} needs {sorted(placeholders(CATALOGUE[key][0]) - names)}"
        for key, names, where in calls
        if placeholders(CATALOGUE[key][0]) - names
    ]
    assert missing == []


# --------------------------------------------------------------------------- nothing bypasses t()

SCREEN_TEXT_CALLS = {
    "title",
    "header",
    "subheader",
    "write",
    "markdown",
    "caption",
    "text",
    "button",
    "form_submit_button",
    "text_input",
    "text_area",
    "number_input",
    "selectbox",
    "multiselect",
    "radio",
    "checkbox",
    "toggle",
    "success",
    "error",
    "warning",
    "info",
    "download_button",
    "expander",
    "tabs",
    "file_uploader",
    "link_button",
    "metric",
    "toast",
}
# Literals that are not words for people: page paths, an example join code.
NOT_WORDS = {
    "pages/start.py",
    "pages/maps.py",
    "pages/projector.py",
    "pages/manage.py",
    "pages/record.py",
    "ABC234",
}


def literal_screen_texts(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in SCREEN_TEXT_CALLS and node.func.attr != "page_link":
            continue
        args = list(node.args[:1]) + [
            k.value for k in node.keywords if k.arg in ("label", "placeholder", "help")
        ]
        for arg in args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            elif isinstance(arg, ast.JoinedStr):
                text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
            else:
                continue
            if any(ch.isalpha() for ch in text) and text not in NOT_WORDS:
                found.append(f"{path.name}:{node.lineno}: {text!r}")
    return found


def test_no_screen_text_bypasses_the_translation_function() -> None:
    sources = sorted((ROOT / "pages").glob("*.py")) + sorted((ROOT / "ui").glob("*.py"))

    bypassing = [hit for path in sources for hit in literal_screen_texts(path)]

    assert len(sources) > 8
    assert bypassing == []


def test_the_bypass_check_finds_a_literal_label(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\nst.button("Start")\nst.caption(f"Left {n}")\n', encoding="utf-8")

    assert len(literal_screen_texts(page)) == 2


@pytest.mark.parametrize(
    ("n", "ru", "en"),
    [
        (1, "one", "one"),
        (2, "few", "other"),
        (4, "few", "other"),
        (5, "many", "other"),
        (11, "many", "other"),
        (12, "many", "other"),
        (21, "one", "other"),
        (22, "few", "other"),
        (111, "many", "other"),
        (0, "many", "other"),
    ],
)
def test_plural_forms_follow_each_language(n: int, ru: str, en: str) -> None:
    assert (plural_form(n, "ru"), plural_form(n, "en")) == (ru, en)


def test_the_walls_count_takes_the_right_form() -> None:
    assert [tn("wall.count.obstacle", n, "ru") for n in (1, 3, 9)] == [
        "1 стикер на стене",
        "3 стикера на стене",
        "9 стикеров на стене",
    ]
    assert [tn("wall.count.innovation", n, "en") for n in (1, 21)] == [
        "1 idea on the wall",
        "21 ideas on the wall",
    ]


@pytest.mark.parametrize("key", ["wall.count.obstacle", "wall.count.innovation"])
def test_every_plural_form_a_page_may_need_exists(key: str) -> None:
    for lang in LANGUAGES:
        assert all(f"{key}.{form}" in CATALOGUE for form in PLURAL_FORMS[lang]), (key, lang)
