"""What simulated participants type and choose: names, departments, obstacle notes, innovations
with their one-line rationale, trend picks and ballots.

Everything here is pure and takes a ``random.Random``, so a seed repeats a whole practice run.
Shared preferences come from a stable hash of the option's text (the same in every process), so
a group of simulated people agrees the way a room does: some trends and obstacles recur, most
votes have a clear leader, and a tie still happens now and then.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

from workshop.rules.limits import DEPARTMENT_MAX, NAME_MAX, NOTE_MAX, RATIONALE_MAX

LANGUAGES = ("ru", "en")

BOT_NAME = {"ru": "Тренер-бот {n}", "en": "Practice bot {n}"}
DEPARTMENTS = {
    "ru": ["Продажи", "Маркетинг", "Сервис", "Логистика", "ИТ", "Финансы", "Закупки", "Персонал"],
    "en": ["Sales", "Marketing", "Service", "Logistics", "IT", "Finance", "Procurement", "HR"],
}

# Reasons customers don't buy (or buy too little): themes of three phrasings each, the most
# common themes first. People in one room write the same reason in different words.
OBSTACLES: dict[str, list[tuple[str, str, str]]] = {
    "ru": [
        ("Дорого для семьи", "Цена выше, чем у конкурентов", "Слишком дорого, чтобы покупать регулярно"),
        ("Долго ждать", "Сроки постоянно срываются", "Нельзя получить в тот же день"),
        ("Нет доверия к качеству", "Боятся получить некачественный товар", "Не верят обещаниям из рекламы"),
        ("Сложно оформить заказ", "Неудобное приложение", "Слишком много шагов до оплаты"),
        (
            "Не знают, что у нас это есть",
            "Реклама не доходит до нужных людей",
            "Продукт трудно найти в поиске",
        ),
        (
            "Привыкли покупать у других",
            "Лень менять привычного поставщика",
            "Переход к нам требует усилий",
        ),
        ("Непонятно, зачем это нужно", "Не видят пользы для себя", "Выгода не очевидна с первого взгляда"),
        (
            "Неожиданные доплаты при оформлении",
            "Дорогая доставка съедает выгоду",
            "Непонятно, сколько в итоге заплатишь",
        ),
        ("Сложно вернуть или обменять", "Боятся, что нельзя будет вернуть деньги", "Нет понятной гарантии"),
        ("Долго отвечает поддержка", "Некому задать вопрос перед покупкой", "Поддержка отвечает шаблонами"),
        ("Мало отзывов", "Знакомые этим не пользуются", "Плохие отзывы в интернете"),
        ("Неудобное время работы", "Нет доставки в выходные", "Нельзя выбрать удобное время"),
        (
            "Не подходит под их ситуацию",
            "Нет вариантов для маленьких компаний",
            "Слишком стандартное предложение",
        ),
        ("Неудобная оплата", "Нет рассрочки", "Нельзя оплатить по счёту для компании"),
        ("Не работаем в их районе", "Далеко ехать", "Нет пункта выдачи рядом"),
        (
            "Слишком большой выбор, трудно решить",
            "Непонятное описание товара",
            "Не хватает информации об условиях",
        ),
        (
            "Боятся оставлять личные данные",
            "Навязчивые рассылки после покупки",
            "Требуют регистрацию ради одной покупки",
        ),
        (
            "Покупают один раз и не возвращаются",
            "Берут только по акции",
            "Нет бонусов за повторные покупки",
        ),
        (
            "На маркетплейсе то же самое дешевле",
            "Конкурент даёт пробный период",
            "Аналог можно взять бесплатно",
        ),
        ("Много лишней упаковки", "Неэкологично", "Товар приходит помятым"),
    ],
    "en": [
        ("Too expensive for a family", "Costs more than competitors", "Too pricey to buy regularly"),
        ("The wait is too long", "Delivery dates keep slipping", "No same-day option"),
        ("They don't trust the quality", "Afraid of getting a poor product", "They don't believe the ads"),
        ("Ordering is complicated", "The app is awkward to use", "Too many steps before paying"),
        ("They don't know we offer it", "Our ads miss the right people", "Hard to find in search"),
        ("Used to buying elsewhere", "Switching supplier feels like a hassle", "Moving to us takes effort"),
        (
            "Not clear why they need it",
            "They see no benefit for themselves",
            "The value is not obvious at first",
        ),
        ("Surprise fees at checkout", "Delivery costs eat the savings", "Unclear what the final price is"),
        ("Returns are difficult", "Afraid they can't get their money back", "No clear guarantee"),
        ("Support is slow to answer", "Nobody to ask before buying", "Support replies with templates"),
        ("Too few reviews", "Nobody they know uses it", "Bad reviews online"),
        ("Opening hours don't suit them", "No delivery at weekends", "Can't choose a convenient time"),
        ("Doesn't fit their situation", "Nothing for small companies", "The offer is too generic"),
        ("Payment is inconvenient", "No instalments", "Companies can't pay by invoice"),
        ("We don't serve their area", "Too far to travel", "No pick-up point nearby"),
        (
            "Too much choice, hard to decide",
            "The description is confusing",
            "Not enough information on terms",
        ),
        (
            "Worried about sharing personal data",
            "Pushy e-mails after buying",
            "Sign-up required for one purchase",
        ),
        ("They buy once and never return", "They only buy on sale", "No reward for coming back"),
        (
            "The same thing is cheaper on marketplaces",
            "A competitor offers a free trial",
            "A free alternative exists",
        ),
        ("Too much packaging", "Not eco-friendly", "Items arrive damaged"),
    ],
}

# Innovations: a move, and how it removes an obstacle, said in the intersection's words.
SOLUTIONS: dict[str, list[tuple[str, str]]] = {
    "ru": [
        ("Подписка с фиксированной ценой", "регулярность снижает цену и снимает сомнения"),
        ("Пробный набор за символическую цену", "клиент проверяет пользу без риска"),
        (
            "Чат-консультант, который подбирает вариант за минуту",
            "ответ приходит раньше, чем возникает сомнение",
        ),
        ("Калькулятор итоговой цены на первом экране", "человек сразу видит, сколько заплатит"),
        ("Гарантия возврата денег в один клик", "страх ошибиться исчезает"),
        ("Видеообзоры и отзывы реальных клиентов", "решение опирается на опыт других"),
        ("Программа бонусов за повторные покупки", "возвращаться становится выгодно"),
        ("Персональная подборка под ситуацию клиента", "предложение перестаёт быть стандартным"),
        ("Доставка в удобный часовой интервал", "покупка подстраивается под день клиента"),
        ("Совместные покупки с соседями или коллегами", "цена за каждого становится ниже"),
        ("Заказ в один шаг из мессенджера", "путь до оплаты становится коротким"),
        ("Бесплатная консультация эксперта перед покупкой", "клиент понимает пользу до оплаты"),
    ],
    "en": [
        ("A subscription at a fixed price", "regular buying lowers the price and removes doubt"),
        ("A trial pack for a token price", "customers check the benefit without risk"),
        ("A chat adviser that finds the right option in a minute", "the answer comes before the doubt"),
        ("A final-price calculator on the first screen", "people see at once what they will pay"),
        ("A one-click money-back guarantee", "the fear of a mistake goes away"),
        ("Video reviews from real customers", "the decision rests on other people's experience"),
        ("Rewards for repeat purchases", "coming back pays off"),
        ("A personal selection for the customer's situation", "the offer stops being generic"),
        ("Delivery in a chosen one-hour window", "buying fits into the customer's day"),
        ("Group buying with neighbours or colleagues", "the price per person drops"),
        ("One-step ordering from a messenger", "the way to paying gets short"),
        ("A free expert consultation before buying", "customers see the benefit before paying"),
    ],
}
IDEA_TEMPLATES = {
    "ru": ["{solution} в духе тренда «{trend}»", "{solution}: против «{obstacle}»", "{solution}"],
    "en": ["{solution}, in the spirit of “{trend}”", "{solution} against “{obstacle}”", "{solution}"],
}
RATIONALE_TEMPLATES = {
    "ru": [
        "Тренд «{trend}» убирает препятствие «{obstacle}»: {how}",
        "Используем «{trend}»: {how}, и «{obstacle}» больше не мешает",
        "{how_cap} — так тренд снимает «{obstacle}»",
    ],
    "en": [
        "“{trend}” removes “{obstacle}”: {how}",
        "Using “{trend}”: {how}, so “{obstacle}” stops getting in the way",
        "{how_cap}: that is how the trend removes “{obstacle}”",
    ],
}


def language(lang: str) -> str:
    return lang if lang in LANGUAGES else "ru"


def stable_weight(text: str, *, sharpness: float = 1.6) -> float:
    """A preference every simulated person shares for ``text``: one of a few levels, fixed by a
    hash of the text (the same in every process and run)."""
    level = zlib.crc32(text.strip().casefold().encode("utf-8")) % 5
    return sharpness**level


def bot_name(n: int, lang: str) -> str:
    return BOT_NAME[language(lang)].format(n=n)[:NAME_MAX]


def department(n: int, lang: str) -> str:
    """Departments in turn, so a practice group is mixed like a real one."""
    names = DEPARTMENTS[language(lang)]
    return names[(n - 1) % len(names)][:DEPARTMENT_MAX]


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def pick_count(rng: random.Random, low: int, high: int) -> int:
    """How many trends to tap: four or five, within the workshop's bounds."""
    return clamp(rng.choice((4, 5)), low, high)


def note_count(rng: random.Random, low: int, high: int) -> int:
    """How many obstacle notes to write: three or four, within the workshop's bounds."""
    return clamp(rng.choice((3, 4)), low, high)


def idea_count(rng: random.Random, high: int) -> int:
    """How many innovations to propose: one or two, never above the workshop's maximum."""
    return clamp(rng.choice((1, 1, 2)), 1, max(1, high))


def _weighted_sample(rng: random.Random, items: Sequence[str], weights: Sequence[float], k: int) -> list[str]:
    pool = list(zip(items, weights, strict=True))
    chosen: list[str] = []
    while pool and len(chosen) < k:
        index = rng.choices(range(len(pool)), weights=[w for _i, w in pool])[0]
        chosen.append(pool.pop(index)[0])
    return chosen


def choose_trends(rng: random.Random, codes: Sequence[str], count: int) -> list[str]:
    """``count`` different trend codes; the whole group leans towards the same few."""
    return _weighted_sample(rng, codes, [stable_weight(c, sharpness=2.0) for c in codes], count)


def obstacle_notes(rng: random.Random, lang: str, count: int) -> list[str]:
    """``count`` obstacle notes on different themes, in ``lang``. Common themes come up more
    often, so one room writes similar notes (for the facilitator to merge)."""
    themes = OBSTACLES[language(lang)]
    weights = [1.0 / (1 + 0.35 * i) for i in range(len(themes))]
    picked = _weighted_sample(rng, [str(i) for i in range(len(themes))], weights, count)
    return [rng.choice(themes[int(i)])[:NOTE_MAX] for i in picked]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)].rsplit(" ", 1)[0].rstrip(" ,.;:—-")
    return (cut or text[: max(1, limit - 1)]) + "…"


def _fit(template: str, limit: int, **parts: str) -> str:
    """Fill ``template``; if it runs over ``limit``, shorten the mentioned trend and obstacle."""
    for room in (60, 40, 24, 12):
        short = {k: _shorten(v, room) if k in ("trend", "obstacle") else v for k, v in parts.items()}
        text = template.format(**short)
        if len(text) <= limit:
            return text
    return _shorten(template.format(**parts), limit)


def trend_title(label: str) -> str:
    """«J2 · Title» as the phone shows a trend: the title without its code."""
    return label.split(" · ", 1)[-1].strip()


def innovation(rng: random.Random, lang: str, *, trend: str, obstacle: str) -> tuple[str, str]:
    """One innovation and its one-line rationale, naming the chosen trend and obstacle where
    they are known; both within the app's limits."""
    lang = language(lang)
    solution, how = rng.choice(SOLUTIONS[lang])
    trend, obstacle = trend_title(trend), obstacle.strip()
    ideas = [
        t
        for t in IDEA_TEMPLATES[lang]
        if ("{trend}" not in t or trend) and ("{obstacle}" not in t or obstacle)
    ]
    reasons = [
        t
        for t in RATIONALE_TEMPLATES[lang]
        if ("{trend}" not in t or trend) and ("{obstacle}" not in t or obstacle)
    ] or ["{how_cap}"]
    parts = {"solution": solution, "how": how, "how_cap": how[:1].upper() + how[1:], "trend": trend}
    parts["obstacle"] = obstacle
    text = _fit(rng.choice(ideas), NOTE_MAX, **parts)
    rationale = _fit(rng.choice(reasons), RATIONALE_MAX, **parts)
    return text, rationale


def ballot_choice(rng: random.Random, options: Sequence[str], *, mine: Sequence[str] = ()) -> int:
    """Which option to vote for: the group's shared leaning, and one's own notes and picks
    count double."""
    own = {m.strip().casefold() for m in mine}
    weights = [stable_weight(o) * (2.0 if _is_mine(o, own) else 1.0) for o in options]
    return rng.choices(range(len(options)), weights=weights)[0]


def _is_mine(option: str, own: set[str]) -> bool:
    text = option.strip().casefold()
    return text in own or text.split(" · ", 1)[0] in own


def dots(
    rng: random.Random, options: Sequence[str], *, votes: int, cap: int, mine: Sequence[str] = ()
) -> list[int]:
    """Dot voting: up to ``votes`` dots in all, at most ``cap`` on one option."""
    spread = [0] * len(options)
    cap = max(1, min(cap, votes))
    for _dot in range(votes):
        open_ = [i for i in range(len(options)) if spread[i] < cap]
        if not open_:
            break
        index = open_[ballot_choice(rng, [options[i] for i in open_], mine=mine)]
        spread[index] += 1
    return spread
