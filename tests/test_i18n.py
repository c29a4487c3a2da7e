"""The catalogues: both languages for every key, the same placeholders, and no key the code uses
is missing (a missing key would show itself on screen). The checks read the sources,
workshop/i18n/locale/*/LC_MESSAGES/messages.po; the app reads what ``make catalogues`` compiles."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import jinja2
import jinja2.nodes
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from workshop.i18n import LANGUAGES, LOCALE_DIR, PLURAL_FORMS, catalogue_keys, plural_labels, t
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


def read_catalogue(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def texts(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """key: its text, or its texts one per plural form."""
    return {
        (m.id[0] if m.pluralizable else m.id): (tuple(m.string) if m.pluralizable else (m.string,))
        for m in catalog
        if m.id
    }


CATALOGS = {lang: read_catalogue(lang) for lang in LANGUAGES}
TEXTS = {lang: texts(catalog) for lang, catalog in CATALOGS.items()}
KEYS = sorted(TEXTS["ru"])
PLURAL_KEYS = sorted(k for k in KEYS if len(TEXTS["ru"][k]) > 1)


def all_texts(key: str) -> list[str]:
    """Every text of ``key``: both languages, every plural form."""
    return [text for lang in LANGUAGES for text in TEXTS[lang].get(key, ())]


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
        *(f"wall.count.{kind}" for kind in ("obstacle", "innovation")),
        *(f"template.{part}" for part in SUBJECTS),
        *(f"results.{flag}" for flag in ("winner", "decided", "tied")),
    ]


LITERAL_KEYS = literal_keys()


# --------------------------------------------------------------------------- the catalogue


def test_languages() -> None:
    assert LANGUAGES == ("ru", "en")


def test_both_catalogues_have_the_same_keys() -> None:
    assert len(KEYS) > 600
    assert set(TEXTS["ru"]) == set(TEXTS["en"])


@pytest.mark.parametrize("key", KEYS)
def test_every_key_has_russian_and_english(key: str) -> None:
    for lang, name in (("ru", "Russian"), ("en", "English")):
        assert all(text.strip() for text in TEXTS[lang][key]), f"{key}: {name} is empty"


@pytest.mark.parametrize("key", sorted(k for k in KEYS if "{" in "".join(all_texts(k))))
def test_placeholders_are_the_same_in_both_languages(key: str) -> None:
    assert len({frozenset(placeholders(text)) for text in all_texts(key)}) == 1, all_texts(key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalogue_declares_its_languages_plural_forms(lang: str) -> None:
    catalog = CATALOGS[lang]
    assert str(catalog.locale) == lang
    assert catalog.num_plurals == len(PLURAL_FORMS[lang])
    assert not catalog.fuzzy, "pybabel compile leaves out a catalogue marked fuzzy"
    for message in catalog:
        if message.id:
            assert not message.fuzzy, f"{message.id}: a fuzzy text is not compiled"
        if message.pluralizable:
            assert message.id[1] == message.id[0], "msgid_plural repeats the key"
            assert len(message.string) == catalog.num_plurals, (lang, message.id)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogues_are_those_of_the_sources(lang: str) -> None:
    """``t`` reads messages.mo: an edited .po not compiled again (``make catalogues``) shows here."""
    assert catalogue_keys() == set(TEXTS[lang])
    stale = [
        key
        for key, forms in TEXTS[lang].items()
        if (list(plural_labels(key, lang).values()) if len(forms) > 1 else [t(key, lang)]) != list(forms)
    ]
    assert stale == []


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
    assert key in TEXTS["ru"], f"{key} is used at {', '.join(LITERAL_KEYS[key])} but not translated"


@pytest.mark.parametrize("key", family_keys())
def test_every_key_built_from_a_family_exists(key: str) -> None:
    assert key in TEXTS["ru"]


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
        assert cls.key in TEXTS["ru"], cls.__name__


def _template_calls(path: Path) -> list[tuple[str, set[str], str]]:
    """The phone's templates call ``t("key", name=...)`` too: read them with Jinja's own parser."""
    calls = []
    for node in jinja2.Environment().parse(source(path)).find_all(jinja2.nodes.Call):
        if not (isinstance(node.node, jinja2.nodes.Name) and node.node.name == "t"):
            continue
        first = node.args[0] if node.args else None
        if not isinstance(first, jinja2.nodes.Const) or first.value not in TEXTS["ru"] or node.dyn_kwargs:
            continue
        names = {k.key for k in node.kwargs}
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
            if not isinstance(key, str) or key not in TEXTS["ru"]:
                continue
            if any(k.arg is None for k in node.keywords):
                continue
            calls.append((key, {k.arg for k in node.keywords if k.arg}, f"{path.name}:{node.lineno}"))
    return calls


def test_every_message_gets_the_values_its_placeholders_need() -> None:
    """``t`` shows a text unformatted when a value is missing: ``{max}`` would reach the screen."""
    calls = _message_calls()
    assert len(calls) > 100
    needs = {key: set().union(*(placeholders(text) for text in all_texts(key))) for key in KEYS}
    missing = [
        f"{where}: {key} needs {sorted(needs[key] - names)}"
        for key, names, where in calls
        if needs[key] - names
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
    "pages/day.py",
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
        (14, "many", "other"),
        (21, "one", "other"),
        (22, "few", "other"),
        (111, "many", "other"),
        (112, "many", "other"),
        (0, "many", "other"),
    ],
)
@pytest.mark.parametrize("key", PLURAL_KEYS)
def test_plural_forms_follow_each_language(key: str, n: int, ru: str, en: str) -> None:
    """The catalogues' Plural-Forms rules agree with CLDR's names the pages use (Intl.PluralRules)."""
    for lang, form in (("ru", ru), ("en", en)):
        assert t(key, lang, n=n) == plural_labels(key, lang)[form].format(n=n), (lang, n)


def test_the_walls_count_takes_the_right_form() -> None:
    assert [t("wall.count.obstacle", "ru", n=n) for n in (1, 3, 9)] == [
        "1 стикер на стене",
        "3 стикера на стене",
        "9 стикеров на стене",
    ]
    assert [t("wall.count.innovation", "en", n=n) for n in (1, 21)] == [
        "1 idea on the wall",
        "21 ideas on the wall",
    ]


def test_a_plural_text_without_a_count_gives_its_general_form() -> None:
    assert t("wall.count.obstacle", "ru", n="{n}") == "{n} стикеров на стене"
    assert plural_labels("wall.count.obstacle", "en", n="{n}") == {
        "one": "{n} note on the wall",
        "other": "{n} notes on the wall",
    }


@pytest.mark.parametrize("key", ["wall.count.obstacle", "wall.count.innovation"])
def test_every_plural_form_a_page_may_need_exists(key: str) -> None:
    for lang in LANGUAGES:
        assert len(TEXTS[lang][key]) == len(PLURAL_FORMS[lang]), (key, lang)


def test_a_missing_compiled_catalogue_says_to_run_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workshop import i18n

    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)

    with pytest.raises(i18n.CatalogueMissing, match=r"make catalogues"):
        i18n._catalogue.__wrapped__("en")


def test_localized_reads_the_english_field_when_it_is_set() -> None:
    from types import SimpleNamespace

    from workshop.i18n import localized

    trend = SimpleNamespace(
        title_ru="Роботы", title_en="Robots", description_ru="О роботах", description_en=""
    )

    assert localized(trend, "title", "en") == "Robots"
    assert localized(trend, "title", "ru") == "Роботы"
    assert localized(trend, "title", "xx") == "Роботы"
    assert localized(trend, "description", "en") == "О роботах"  # no English yet: the Russian original


# --------------------------------------------------------------------------- the browser tests' texts

# The browser tests look for the app's texts by key (tests/texts.py; the phones' helpers in
# tests/phones.py), never by a copy of the Russian: a key that is not in the catalogues would have
# them look for the key itself, and a missing value for a placeholder for "{n}".
BROWSER_TESTS = sorted([*ROOT.glob("tests/browser/*.py"), ROOT / "tests" / "phones.py"])
TEXT_FUNCTIONS = {"t", "ru", "ru_pattern"}


def browser_text_calls() -> list[tuple[str, set[str] | None, str]]:
    """Every ``t("key", …)``, ``ru("key", …)`` and ``ru_pattern("key", …)`` in the browser tests:
    (key, the names given, or None for ``**kwargs``, where)."""
    calls = []
    for path in BROWSER_TESTS:
        for node in ast.walk(ast.parse(source(path))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in TEXT_FUNCTIONS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
            calls.append((node.args[0].value, names, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return calls


BROWSER_TEXT_CALLS = browser_text_calls()


def test_the_scan_finds_the_texts_the_browser_tests_look_for() -> None:
    """Guards the scan itself: a scan that found nothing would prove nothing."""
    keys = {key for key, _names, _where in BROWSER_TEXT_CALLS}
    assert len(BROWSER_TEXT_CALLS) > 100
    assert {"start.create_button", "phone.choose_one", "phone.picked_n", "phone.send"} <= keys


@pytest.mark.parametrize("key", sorted({key for key, _names, _where in BROWSER_TEXT_CALLS}))
def test_every_key_the_browser_tests_name_exists(key: str) -> None:
    where = [w for k, _names, w in BROWSER_TEXT_CALLS if k == key]
    assert key in TEXTS["ru"], f"{key} is looked for at {', '.join(where)} but not translated"
    assert t(key, "ru") != key


def test_the_browser_tests_give_every_placeholder_its_value() -> None:
    missing = [
        f"{where}: {key} needs {sorted(needs)}"
        for key, names, where in BROWSER_TEXT_CALLS
        if names is not None
        and key in TEXTS["ru"]
        and (needs := set().union(*(placeholders(text) for text in all_texts(key))) - names)
    ]
    assert missing == []
