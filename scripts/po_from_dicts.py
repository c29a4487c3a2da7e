"""One-off: write workshop/i18n/locale/{ru,en}/LC_MESSAGES/messages.po from the Python dicts.

The msgid is the key the code passes to ``t()``; the msgstr is the text. A family of plural
forms (``key.one``, ``key.few``, ``key.many``, ``key.other``) becomes one entry with
``msgid_plural`` and a form per language's rule (Russian three, English two). A comment line
above a key in the dicts (a section's name) goes along as the entry's translator comment.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from workshop import i18n

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / f"workshop/i18n/{part}.py" for part in ("__init__", "manage", "exports", "transfer")]
FORMS = {"ru": ("one", "few", "many"), "en": ("one", "other")}
ALL_FORMS = ("one", "few", "many", "other")
NOW = datetime.now(UTC).replace(microsecond=0)
HEADER = {
    lang: f"# {name} texts of the innovation workshop.\n"
    "# msgid is the key the code passes to t(); msgstr is the text. Compiled to messages.mo\n"
    "# by `make catalogues` (pybabel compile -d workshop/i18n/locale)."
    for lang, name in (("ru", "Russian"), ("en", "English"))
}
COMMENT = re.compile(r"^\s*#\s?(.*)$")
KEY = re.compile(r"""^\s*"([^"]+)":\s""")


def section_comments() -> dict[str, str]:
    """The comment line right above a key in the dicts' sources (ignoring noqa and the like)."""
    found: dict[str, str] = {}
    for path in SOURCES:
        pending: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := COMMENT.match(line):
                pending.append(m.group(1))
            elif m := KEY.match(line):
                if pending:
                    found[m.group(1)] = " ".join(pending)
                pending = []
            elif line.strip():
                pending = []
    return found


def plural_base(key: str) -> str | None:
    base, _, form = key.rpartition(".")
    return base if form in ALL_FORMS and base and f"{base}.one" in i18n.CATALOGUE else None


def main() -> None:
    comments = section_comments()
    for index, lang in enumerate(("ru", "en")):
        catalog = Catalog(
            locale=lang,
            domain="messages",
            header_comment=HEADER[lang],
            project="Innovation workshop",
            version="1",
            msgid_bugs_address="",
            creation_date=NOW,
            revision_date=NOW,
            last_translator="",
            language_team="",
            fuzzy=False,
        )
        done: set[str] = set()
        for key, texts in i18n.CATALOGUE.items():
            base = plural_base(key)
            if base is None:
                catalog.add(key, texts[index], user_comments=[comments[key]] if key in comments else [])
                continue
            if base in done:
                continue
            done.add(base)
            strings = tuple(i18n.CATALOGUE[f"{base}.{form}"][index] for form in FORMS[lang])
            first = f"{base}.one"
            catalog.add((base, base), strings, user_comments=[comments[first]] if first in comments else [])
        path = ROOT / "workshop/i18n/locale" / lang / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, no_location=True, omit_header=False)
        sys.stdout.write(f"{path.relative_to(ROOT)}: {len(catalog)} entries\n")


if __name__ == "__main__":
    main()
