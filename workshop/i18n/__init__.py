"""Every text on screen goes through ``t(key, lang, **kwargs)``: Russian and English.

The texts live in gettext catalogues, ``locale/{ru,en}/LC_MESSAGES/messages.po``: the msgid is
the key the code passes to ``t()``, the msgstr is the text. A text that depends on a number has a
``msgid_plural`` and a form for each of its language's plural forms (Russian three: 1 стикер,
2 стикера, 5 стикеров; English two), and ``ngettext`` picks the one ``n`` needs. The app reads
the compiled ``messages.mo`` that ``make catalogues`` builds (``pybabel compile``); every make
target that runs the app or its tests builds them first.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo

LANGUAGES = ("ru", "en")
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
# CLDR's names of each language's plural forms, in the order of its msgstr[0], msgstr[1], …
PLURAL_FORMS = {"ru": ("one", "few", "many"), "en": ("one", "other")}


class CatalogueMissing(RuntimeError):
    """A compiled catalogue is not there, so no text can be shown."""


@dataclass(frozen=True)
class _Catalogue:
    translations: gettext.GNUTranslations
    keys: frozenset[str]
    plurals: dict[str, tuple[str, ...]]  # key: its texts, one per plural form


def catalogue_path(lang: str) -> Path:
    """The compiled catalogue of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def _catalogue(lang: str) -> _Catalogue:
    path = catalogue_path(lang)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogueMissing(
            f"The {lang!r} texts are not compiled: {path} is missing. Run `make catalogues` "
            "(make run, make test and make test-fast do it too), or by hand "
            "`pybabel compile -d workshop/i18n/locale`."
        ) from None
    keys: set[str] = set()
    plurals: dict[str, tuple[str, ...]] = {}
    for message in read_mo(io.BytesIO(data)):
        if isinstance(message.id, (tuple, list)) and isinstance(message.string, (tuple, list)):
            keys.add(message.id[0])
            plurals[message.id[0]] = tuple(message.string)
        elif isinstance(message.id, str) and message.id:
            keys.add(message.id)
    return _Catalogue(gettext.GNUTranslations(io.BytesIO(data)), frozenset(keys), plurals)


def _language(lang: str) -> str:
    """An unknown language reads Russian."""
    return lang if lang in LANGUAGES else "ru"


def _in(lang: str) -> _Catalogue:
    return _catalogue(_language(lang))


def catalogue_keys() -> frozenset[str]:
    """Every key the catalogues translate (both have the same; tests/test_i18n.py checks)."""
    return _in("ru").keys


def known(key: str) -> bool:
    """Whether ``key`` has a text (``t`` shows an unknown key as itself)."""
    return key in _in("ru").keys


def _formatted(text: str, kwargs: dict[str, Any]) -> str:
    if kwargs:
        try:
            return text.format(**kwargs)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def t(key: str, lang: str = "ru", **kwargs: Any) -> str:
    """The text for ``key`` in ``lang``, formatted with ``kwargs``; a text with plural forms takes
    the one its whole number ``n=`` needs. An unknown key shows itself, so it is noticed."""
    catalogue = _in(lang)
    if key not in catalogue.keys:
        return key
    forms = catalogue.plurals.get(key)
    if forms is None:
        text = catalogue.translations.gettext(key)
    elif isinstance(n := kwargs.get("n"), int):
        text = catalogue.translations.ngettext(key, key, n)
    else:
        text = forms[-1]  # no count to go by ("{n}" for a page to fill in): the general form
    return _formatted(text, kwargs)


def plural_labels(key: str, lang: str, **kwargs: Any) -> dict[str, str]:
    """Every plural form of ``key`` by its CLDR name, for a page that fills in the number itself
    (Intl.PluralRules picks the form there)."""
    names = PLURAL_FORMS[_language(lang)]
    forms = _in(lang).plurals.get(key)
    if forms is None:
        return dict.fromkeys(names, t(key, lang, **kwargs))
    return {name: _formatted(text, kwargs) for name, text in zip(names, forms, strict=True)}


def localized(obj: object, field: str, lang: str) -> str:
    """``obj``'s ``field`` as ``lang`` reads it: ``{field}_en`` in English when it is set, else
    the Russian original ``{field}_ru`` (a map, trend or workshop always has that one)."""
    if lang == "en" and (english := getattr(obj, f"{field}_en", "")):
        return english
    return getattr(obj, f"{field}_ru")
