"""Realistic workshops in bulk: the archive's bench data and a demo database for managers.

    python -m bench.archive_data --workshops 10000 [--seed 1] [--database-url URL]

``generate`` writes ``n`` workshops as the app would have left them: dates over the last three
years (weekdays, working hours), most finished, some running at every step, a few in the lobby;
Russian (mostly) and English titles and products from twenty-odd industries; 5–7 participants
with departments as people type them (``Продажи``, ``продажи``, ``Отдел продаж``); picks from the
workshop's map version; obstacle notes drawn from a pool of recurring customer obstacles with
small variations (typos, some fixed by the facilitator, merges); innovations with rationale;
polls with ballots that follow the settings (one vote per person, now and then dot voting), ties
broken by a runoff or by the facilitator; the step log; the chosen trend, obstacle and innovation;
for about half of the finished workshops a hand-off with its history.

Rows go in through SQLAlchemy Core (``insert(table)`` executemany, one transaction per batch of
workshops) with their ids assigned here, so that rows can point at each other without a round
trip; on PostgreSQL the id sequences are moved past them afterwards. The archive's index is then
built by the archive's own ``refresh``. Everything is deterministic for a seed and a ``now`` except
the secrets (facilitator keys, participant tokens), which are random: nobody can act in a
generated workshop.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from workshop.config import settings
from workshop.db.engine import DEFAULT_DATA_DIR, begin_write, create_tables, make_engine
from workshop.db.models import (
    Ballot,
    BallotMark,
    Handoff,
    HandoffEvent,
    Note,
    Participant,
    Pick,
    Poll,
    PollOption,
    StepLog,
    Trend,
    TrendMap,
    TrendMapVersion,
    Workshop,
)
from workshop.managers import archive
from workshop.managers.handoff import NEXT as HANDOFF_NEXT
from workshop.maps.store import install_builtin_maps
from workshop.rules import steps, voting
from workshop.rules.limits import (
    DEPARTMENT_MAX,
    EMAIL_MAX,
    NAME_MAX,
    NOTE_MAX,
    PRODUCT_MAX,
    RATIONALE_MAX,
    ROLE_MAX,
    TITLE_MAX,
)
from workshop.rules.security import JOIN_ALPHABET, JOIN_CODE_LENGTH, hash_secret, new_secret

BATCH = 500  # workshops per transaction
ENGLISH_SHARE = 0.15
FINISHED_SHARE = 0.85
LOBBY_SHARE = 0.04  # the rest are running
HANDOFF_SHARE = 0.5  # of the finished workshops
YEARS = 3

# Parents before children: the order rows are inserted in.
TABLES = (
    Workshop,
    Participant,
    Pick,
    Note,
    Poll,
    PollOption,
    Ballot,
    BallotMark,
    StepLog,
    Handoff,
    HandoffEvent,
)

# --------------------------------------------------------------------------- words


@dataclass(frozen=True)
class Industry:
    ru: str  # "в доставке продуктов": after a noun
    en: str  # "grocery delivery"
    products_ru: tuple[str, ...]
    products_en: tuple[str, ...]


INDUSTRIES = (
    Industry(
        "в доставке продуктов",
        "grocery delivery",
        ("Доставка продуктов за 2 часа", "Готовые наборы для ужина", "Подписка на фермерские продукты"),
        ("Two-hour grocery delivery", "Meal kits for dinner", "Farm box subscription"),
    ),
    Industry(
        "в рознице",
        "retail",
        ("Сеть магазинов у дома", "Маркетплейс товаров для дома", "Программа лояльности сети"),
        ("Neighbourhood store chain", "Home goods marketplace", "Store loyalty programme"),
    ),
    Industry(
        "в банке",
        "banking",
        ("Кредитная карта для фрилансеров", "Ипотека онлайн", "Расчётный счёт для малого бизнеса"),
        ("Credit card for freelancers", "Online mortgage", "Business current account"),
    ),
    Industry(
        "в страховании",
        "insurance",
        ("Страховка для путешественников", "ОСАГО за 5 минут", "ДМС для небольших компаний"),
        ("Travel insurance", "Car insurance in five minutes", "Health cover for small firms"),
    ),
    Industry(
        "в телекоме",
        "telecom",
        ("Домашний интернет и ТВ", "Семейный тариф", "eSIM для поездок"),
        ("Home internet and TV", "Family mobile plan", "Travel eSIM"),
    ),
    Industry(
        "в логистике",
        "logistics",
        ("Доставка грузов по России", "Фулфилмент для селлеров", "Экспресс-доставка документов"),
        ("Freight across the region", "Fulfilment for online sellers", "Express document delivery"),
    ),
    Industry(
        "в аптечном бизнесе",
        "pharmacy",
        ("Онлайн-аптека с доставкой", "Витамины по подписке"),
        ("Online pharmacy with delivery", "Vitamin subscription"),
    ),
    Industry(
        "в автобизнесе",
        "automotive",
        ("Автосервис с выездом", "Подписка на автомобиль", "Автомобили с пробегом"),
        ("Mobile car service", "Car subscription", "Used cars"),
    ),
    Industry(
        "в недвижимости",
        "real estate",
        ("Квартиры в новостройках", "Аренда офисов", "Управление жилым комплексом"),
        ("New-build flats", "Office rentals", "Residential property management"),
    ),
    Industry(
        "в образовании",
        "education",
        ("Онлайн-курсы английского", "Курсы повышения квалификации", "Летний детский лагерь"),
        ("Online English courses", "Professional training", "Summer camp for children"),
    ),
    Industry(
        "в туризме",
        "travel",
        ("Туры выходного дня", "Бронирование отелей", "Гостиница у моря"),
        ("Weekend tours", "Hotel booking", "Seaside hotel"),
    ),
    Industry(
        "на производстве",
        "manufacturing",
        ("Промышленные насосы", "Станки с ЧПУ", "Упаковка для пищевых продуктов"),
        ("Industrial pumps", "CNC machines", "Food packaging"),
    ),
    Industry(
        "в энергетике",
        "energy",
        ("Солнечные панели для дома", "Зарядные станции для электромобилей"),
        ("Home solar panels", "EV charging stations"),
    ),
    Industry(
        "в агробизнесе",
        "agriculture",
        ("Семена и удобрения", "Аренда сельхозтехники"),
        ("Seeds and fertiliser", "Farm machinery rental"),
    ),
    Industry(
        "в фитнесе",
        "fitness",
        ("Сеть фитнес-клубов", "Онлайн-тренировки"),
        ("Gym chain", "Online workouts"),
    ),
    Industry(
        "в ресторанах",
        "restaurants",
        ("Ресторан грузинской кухни", "Кофейни у метро", "Доставка из ресторана"),
        ("Georgian restaurant", "Coffee shops by the metro", "Restaurant delivery"),
    ),
    Industry(
        "в FMCG",
        "consumer goods",
        ("Молочная продукция", "Детское питание", "Бытовая химия"),
        ("Dairy products", "Baby food", "Household cleaning products"),
    ),
    Industry(
        "в fashion-ритейле",
        "fashion",
        ("Одежда для офиса", "Детская обувь"),
        ("Office wear", "Children's shoes"),
    ),
    Industry(
        "в электронике",
        "electronics",
        ("Смартфоны в рассрочку", "Умный дом под ключ", "Ремонт техники"),
        ("Smartphones on instalments", "Smart home installation", "Device repair"),
    ),
    Industry(
        "в B2B-сервисах",
        "B2B software",
        ("CRM для малого бизнеса", "Облачная бухгалтерия", "Электронный документооборот"),
        ("CRM for small business", "Cloud accounting", "E-signature platform"),
    ),
    Industry(
        "в медицине",
        "healthcare",
        ("Частная клиника", "Телемедицина", "Стоматология"),
        ("Private clinic", "Telemedicine", "Dental practice"),
    ),
    Industry(
        "в ЖКХ",
        "utilities",
        ("Оплата ЖКУ в приложении", "Вывоз мусора по заявке"),
        ("Utility bills in an app", "Waste collection on demand"),
    ),
)

AUDIENCES_RU = (  # after "для"
    "семей с детьми",
    "малого бизнеса",
    "студентов",
    "пенсионеров",
    "фермеров",
    "молодых родителей",
    "владельцев кофеен",
    "IT-компаний",
    "жителей пригородов",
    "корпоративных клиентов",
    "туристов",
    "водителей такси",
    "селлеров маркетплейсов",
    "частных врачей",
)
AUDIENCES_EN = (
    "young families",
    "small businesses",
    "students",
    "seniors",
    "farmers",
    "freelancers",
    "corporate clients",
    "tourists",
    "online sellers",
)
REGIONS_RU = (
    "в Москве",
    "в Санкт-Петербурге",
    "в Казани",
    "в Новосибирске",
    "в Екатеринбурге",
    "на Урале",
    "в Сибири",
    "на Дальнем Востоке",
    "в регионах",
    "в Краснодаре",
    "в малых городах",
    "в Нижнем Новгороде",
)
REGIONS_EN = ("in the Baltics", "in Central Asia", "in Germany", "in Serbia", "in Kazakhstan", "in Dubai")
GOALS_RU = (
    "рост повторных покупок",
    "удержание клиентов",
    "новые клиенты",
    "средний чек",
    "выход в регионы",
    "снижение оттока",
    "онлайн-продажи",
    "запуск новой линейки",
    "цифровой канал продаж",
    "сервис без очередей",
    "клиентский опыт",
    "рекомендации клиентов",
    "сокращение сроков доставки",
    "прибыльность",
    "лояльность",
)
GOALS_EN = (
    "repeat purchases",
    "customer retention",
    "new customers",
    "average order value",
    "regional expansion",
    "churn reduction",
    "online sales",
    "customer experience",
    "referrals",
)
SESSIONS_RU = (
    "Стратегическая сессия",
    "Инновационная сессия",
    "Воркшоп",
    "Мозговой штурм",
    "Дизайн-спринт",
    "Сессия команды",
    "Выездная сессия",
)
SESSIONS_EN = ("Strategy session", "Innovation sprint", "Workshop", "Team offsite", "Design sprint")
HOW_RU = (
    "Как удержать клиентов",
    "Как вернуть ушедших клиентов",
    "Как продавать больше",
    "Как обогнать конкурентов",
    "Как поднять средний чек",
    "Как упростить покупку",
)
HOW_EN = ("How to keep customers", "How to win back customers", "How to sell more", "How to beat competitors")
TEAMS_RU = ("Команда продаж", "Отдел маркетинга", "Филиал", "Команда продукта", "Клиентский сервис")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _lower_first(s: str) -> str:
    """``Ипотека онлайн`` → ``ипотека онлайн``; ``CRM`` and ``ОСАГО`` stay as they are."""
    return s[:1].lower() + s[1:] if s[1:2].islower() else s


def _quarter(d: date) -> str:
    return f"Q{(d.month - 1) // 3 + 1} {d.year}"


TITLES_RU: tuple[Callable[[random.Random, Industry, str, date], str], ...] = (
    lambda r, i, p, d: f"Инновации {i.ru}",
    lambda r, i, p, d: f"{p}: {r.choice(GOALS_RU)}",
    lambda r, i, p, d: f"{_cap(r.choice(GOALS_RU))} {i.ru}",
    lambda r, i, p, d: f"{r.choice(SESSIONS_RU)} «{p}»",
    lambda r, i, p, d: f"{r.choice(SESSIONS_RU)}: {r.choice(GOALS_RU)} {r.choice(REGIONS_RU)}",
    lambda r, i, p, d: f"{_quarter(d)}: {r.choice(GOALS_RU)}",
    lambda r, i, p, d: f"{r.choice(HOW_RU)} {i.ru}",
    lambda r, i, p, d: f"{p} для {r.choice(AUDIENCES_RU)}",
    lambda r, i, p, d: f"Новый продукт для {r.choice(AUDIENCES_RU)}",
    lambda r, i, p, d: f"{r.choice(TEAMS_RU)}: {r.choice(GOALS_RU)}",
    lambda r, i, p, d: f"Клиентский путь: {_lower_first(p)}",
    lambda r, i, p, d: f"{p} {r.choice(REGIONS_RU)}",
)
TITLES_EN: tuple[Callable[[random.Random, Industry, str, date], str], ...] = (
    lambda r, i, p, d: f"Innovation in {i.en}",
    lambda r, i, p, d: f"{p}: {r.choice(GOALS_EN)}",
    lambda r, i, p, d: f"{_cap(r.choice(GOALS_EN))} in {i.en}",
    lambda r, i, p, d: f"{r.choice(SESSIONS_EN)} — {p}",
    lambda r, i, p, d: f"{_quarter(d)} {i.en} sprint",
    lambda r, i, p, d: f"{r.choice(HOW_EN)} in {i.en}",
    lambda r, i, p, d: f"{p} for {r.choice(AUDIENCES_EN)}",
    lambda r, i, p, d: f"New offer for {r.choice(AUDIENCES_EN)} {r.choice(REGIONS_EN)}",
)

OBSTACLES_RU = (
    "Дорого для семьи",
    "Слишком дорого по сравнению с конкурентами",
    "Долгая доставка",
    "Доставка дороже самого товара",
    "Нет доставки в регионы",
    "Курьер опаздывает",
    "Неудобное приложение",
    "Сложно оформить заказ",
    "Нет доверия к новому бренду",
    "Не понимают, чем мы лучше конкурентов",
    "Непонятные тарифы",
    "Скрытые комиссии",
    "Нет рассрочки",
    "Долго отвечает поддержка",
    "Поддержка не работает в выходные",
    "Много документов для оформления",
    "Сложный договор",
    "Нет отзывов реальных клиентов",
    "Неудобный расчёт стоимости",
    "Счёт приходит с ошибками",
    "Долгое подключение",
    "Нельзя вернуть товар без чека",
    "Возврат денег занимает недели",
    "Нет пробного периода",
    "Боятся, что не подойдёт",
    "Не знают о нашем продукте",
    "Реклама не доходит до клиента",
    "Менеджеры навязывают лишнее",
    "Ещё одно приложение ставить не хотят",
    "Нет нужного размера или модели",
    "Часто нет в наличии",
    "Неудобные часы работы",
    "Далеко ехать до офиса",
    "Очереди в пунктах выдачи",
    "Сайт плохо работает с телефона",
    "Нет оплаты по СБП",
    "Нельзя оплатить картой при получении",
    "Качество нестабильное",
    "Неудобная упаковка",
    "Продукт сложно настроить самому",
    "Нет понятной инструкции",
    "Привыкли к старому поставщику",
    "Переход от конкурента слишком сложный",
    "Руководство клиента не видит выгоды",
    "Долгое согласование у клиента",
    "Бюджет клиента уже распределён на год",
    "Не доверяют онлайн-оплате",
    "Опасаются за свои персональные данные",
    "Нет программы лояльности",
    "Скидки только для новых клиентов",
    "Не понимают, что входит в цену",
    "Минимальный заказ слишком большой",
    "Платная доставка при маленьком заказе",
    "Нельзя выбрать время доставки",
    "Нет личного менеджера",
    "Сложно дозвониться",
    "Чат-бот не понимает вопрос",
    "Каждому оператору приходится всё объяснять заново",
    "Мастер не выезжает в выходные",
    "Гарантия слишком короткая",
    "Устаревший дизайн, выглядит несерьёзно",
    "Трудно сравнить с другими предложениями",
)
OBSTACLES_EN = (
    "Too expensive for families",
    "Delivery takes too long",
    "Delivery costs more than the product",
    "No delivery outside big cities",
    "The app is hard to use",
    "Checkout is too complicated",
    "They don't trust a new brand",
    "Pricing is confusing",
    "Hidden fees",
    "No instalment plan",
    "Support is slow to answer",
    "No support at weekends",
    "Too much paperwork",
    "The contract is too complex",
    "No real customer reviews",
    "Refunds take weeks",
    "No free trial",
    "They have never heard of us",
    "Sales reps push extras",
    "Yet another app to install",
    "Often out of stock",
    "Opening hours don't fit",
    "Website breaks on mobile",
    "Quality is inconsistent",
    "Hard to set up on your own",
    "Used to their old supplier",
    "Switching from a competitor is painful",
    "Long approval on the client side",
    "Worried about personal data",
    "Minimum order is too big",
    "Can't choose a delivery slot",
    "Hard to compare with other offers",
)
PREFIXES_RU = ("Клиенты говорят: ", "Кажется, ", "По опыту продаж: ", "Главное — ")
SUFFIXES_RU = (" — это критично", " (часто слышим)", ", особенно зимой", " у нас, а у конкурентов нет")
PREFIXES_EN = ("Customers say: ", "I think ", "From sales calls: ")
SUFFIXES_EN = (" — a big one", " (we hear it a lot)", ", unlike competitors")

IDEAS_RU = (
    "Подписка с фиксированной ценой на год",
    "Пробный период 30 дней бесплатно",
    "Чат-бот, который оформляет заказ за минуту",
    "Доставка в постаматы рядом с домом",
    "Личный менеджер в мессенджере",
    "Калькулятор выгоды прямо на сайте",
    "Рассрочка без переплаты в приложении",
    "Видеоотзывы реальных клиентов на карточке товара",
    "Кешбэк баллами за каждую покупку",
    "Бесплатный возврат курьером в течение 14 дней",
    "Онлайн-примерка через камеру телефона",
    "Семейный тариф на всех членов семьи",
    "Оформление по одному фото паспорта",
    "Интервал доставки 30 минут на выбор",
    "Сравнение с конкурентами на странице цены",
    "Сообщество клиентов с ответами экспертов",
    "Ремонт и обслуживание включены в цену",
    "Мини-версия продукта для знакомства",
    "Заказ в Telegram без приложения",
    "Персональные рекомендации по истории покупок",
    "Гарантия лучшей цены с возвратом разницы",
    "Выездной сервис в удобное клиенту время",
    "Пункт выдачи в каждом жилом комплексе",
    "Трекинг заказа с точностью до минут",
    "Электронный договор с подписью через Госуслуги",
    "Повтор заказа голосом через умную колонку",
    "Обучающие видео на 2 минуты вместо инструкции",
    "Программа «Приведи друга» со скидкой обоим",
    "Пилот для клиента за наш счёт",
    "Готовый расчёт окупаемости для руководства клиента",
    "Аренда вместо покупки",
    "Бонус за переход от конкурента",
    "Круглосуточная поддержка с живыми операторами",
    "Умная корзина, которая напоминает о покупке",
    "Оплата по факту результата",
    "Бесплатная доставка по подписке",
    "Конструктор заказа с готовыми шаблонами",
    "Видеоконсультация эксперта за 5 минут",
    "Открытые цены без мелкого шрифта",
    "Маркетплейс партнёров в одном окне",
)
IDEAS_EN = (
    "Fixed-price annual subscription",
    "Free 30-day trial",
    "Chatbot that places the order in a minute",
    "Parcel lockers next to home",
    "Personal manager in a messenger",
    "Savings calculator on the website",
    "Interest-free instalments in the app",
    "Video reviews from real customers",
    "Cashback points on every purchase",
    "Free courier returns within 14 days",
    "Virtual try-on with the phone camera",
    "One family plan for everyone",
    "Sign-up from one photo of an ID",
    "Thirty-minute delivery slots",
    "Competitor comparison next to the price",
    "Rent instead of buy",
    "Switching bonus for competitors' customers",
    "Pay only for results",
    "Free pilot at our expense",
    "Two-minute tutorial videos instead of a manual",
)
REASONS_RU = (
    "Клиент платит меньше, если покупает регулярно",
    "Снимает страх ошибиться с выбором",
    "Экономит время клиента на каждом шаге",
    "Клиенты уже ждут этого от любого сервиса",
    "Убирает шаг, на котором клиенты уходят",
    "Цена понятна заранее",
    "Клиент видит результат до оплаты",
    "Доверие растёт, когда видишь других клиентов",
    "Работает в канале, к которому клиент привык",
    "Риск переходит с клиента на нас",
    "Клиент возвращается сам, без рекламы",
)
REASONS_EN = (
    "Customers pay less when they buy regularly",
    "Takes away the fear of choosing wrong",
    "Saves the customer time at every step",
    "The price is clear up front",
    "Customers see the result before paying",
    "Trust grows when you see other customers",
    "The risk moves from the customer to us",
)

FIRST_F_RU = (
    "Анна Мария Елена Ольга Наталья Ирина Татьяна Светлана Юлия Екатерина Дарья Ксения Алёна Вера "
    "Полина Марина София Алиса Надежда Людмила"
).split()
FIRST_M_RU = (
    "Александр Дмитрий Максим Сергей Андрей Алексей Иван Михаил Артём Никита Егор Павел Роман Кирилл "
    "Олег Фёдор Глеб Борис Тимур Руслан"
).split()
SURNAMES_RU = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Королёв "
    "Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов "
    "Жуков Баранов Ковальский Ким Шевченко Гарипов"
).split()
FIRST_EN = (
    "Emma Olivia Liam Noah Sophia James Lucas Mia Ethan Ava Daniel Chloe Leo Grace Adam Sara Omar "
    "Nina Jonas Elena"
).split()
SURNAMES_EN = (
    "Smith Brown Müller Garcia Novak Jensen Rossi Kowalski Dubois Khan Lee Martin Walker Weber".split()
)

# (canonical, variants people type); the canonical spelling is the usual one.
DEPARTMENTS_RU = (
    ("Продажи", ("продажи", "Отдел продаж", "ПРОДАЖИ")),
    ("Маркетинг", ("маркетинг", "Отдел маркетинга")),
    ("Сервис", ("сервис", "Клиентский сервис")),
    ("Логистика", ("логистика", "Склад и логистика")),
    ("ИТ", ("IT", "ит")),
    ("Финансы", ("финансы", "Финансовый отдел")),
    ("Юристы", ("Юридический отдел", "юристы")),
    ("HR", ("hr", "Персонал")),
    ("Продукт", ("продукт", "Продуктовая команда")),
    ("Закупки", ("закупки",)),
    ("Производство", ("производство",)),
)
DEPARTMENTS_EN = (
    ("Sales", ("sales", "Sales team")),
    ("Marketing", ("marketing",)),
    ("Customer Service", ("Service", "customer service")),
    ("Logistics", ("logistics",)),
    ("IT", ("it", "Tech")),
    ("Finance", ("finance",)),
    ("Legal", ("legal",)),
    ("HR", ("People",)),
    ("Product", ("product",)),
)
ROLES_RU = (
    "Продакт-менеджер",
    "Руководитель направления",
    "Бизнес-аналитик",
    "Менеджер по развитию",
    "Руководитель отдела продаж",
    "Маркетолог",
    "Директор по инновациям",
    "",
)
ROLES_EN = ("Product manager", "Head of Sales", "Business analyst", "Innovation lead", "")
COMPANIES = ("company.ru", "corp.example.ru", "group.example.com", "example.org")
HANDOFF_NOTES_RU = (
    "Провели {n} интервью с клиентами, спрос подтверждается",
    "У конкурента уже есть похожий сервис, смотрим отличия",
    "Посчитали экономику: окупается за {n} месяцев",
    "Запустили лендинг, конверсия {n}%",
    "Пилот в двух точках согласован",
    "Клиенты готовы платить, но не больше {n}00 ₽ в месяц",
    "Нужен бюджет на прототип, жду решения",
    "Юристы проверили договор, замечаний нет",
    "",
)
HANDOFF_NOTES_EN = (
    "Ran {n} customer interviews, the demand is there",
    "A competitor already offers something similar, comparing",
    "Pays back in {n} months on our numbers",
    "Landing page live, {n}% conversion",
    "",
)
LINKS = (
    "https://wiki.example.ru/research/{n}",
    "https://docs.example.com/d/{n}",
    "https://survey.example.ru/r/{n}",
)

_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)


def _latin(word: str) -> str:
    return "".join(_LATIN.get(c, c) for c in word.lower()).replace("-", "").replace("ü", "u")


def fit(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, on a word boundary when there is one."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,:;—-")
    return cut + "…"


# --------------------------------------------------------------------------- the maps


@dataclass(frozen=True)
class MapTrend:
    id: int
    code: str
    position: int
    title_ru: str
    title_en: str


@dataclass(frozen=True)
class MapVersion:
    id: int
    map_id: str
    year: int | None
    trends: tuple[MapTrend, ...]


MAP_WEIGHTS = {
    "customer-journey-2017": 3.0,
    "marketing-2017": 2.0,
    "sales-2017": 2.0,
    "customer-shifts": 1.0,
    "consumer-b2b-2026": 3.0,
}


def _maps(session: Session) -> list[MapVersion]:
    """The newest version of every map that has at least four trends."""
    newest = (
        select(TrendMapVersion.map_id, func.max(TrendMapVersion.version).label("version"))
        .group_by(TrendMapVersion.map_id)
        .subquery()
    )
    versions = session.execute(
        select(TrendMapVersion.id, TrendMapVersion.map_id, TrendMap.year)
        .join(
            newest,
            (newest.c.map_id == TrendMapVersion.map_id) & (newest.c.version == TrendMapVersion.version),
        )
        .join(TrendMap, TrendMap.id == TrendMapVersion.map_id)
        .order_by(TrendMapVersion.map_id)
    ).all()
    trends: dict[int, list[MapTrend]] = defaultdict(list)
    for row in session.execute(
        select(Trend.version_id, Trend.id, Trend.code, Trend.position, Trend.title_ru, Trend.title_en)
        .where(Trend.version_id.in_([v.id for v in versions]))
        .order_by(Trend.version_id, Trend.position, Trend.id)
    ).all():
        trends[row.version_id].append(MapTrend(row.id, row.code, row.position, row.title_ru, row.title_en))
    return [
        MapVersion(v.id, v.map_id, v.year, tuple(trends[v.id])) for v in versions if len(trends[v.id]) >= 4
    ]


# --------------------------------------------------------------------------- rows and ids


class Ids:
    """The next free id of every table, read once; rows get their ids here."""

    def __init__(self, session: Session) -> None:
        self._next = {
            model.__tablename__: (session.execute(select(func.max(model.id))).scalar() or 0) + 1
            for model in TABLES
        }

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


@dataclass
class Rows:
    """One batch of rows per table, and the choices that point at notes (set after the notes)."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    chosen_notes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.tables[table].append(row)
        return row

    def insert(self, session: Session) -> None:
        for model in TABLES:
            rows = self.tables.get(model.__tablename__)
            if rows:
                session.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
        if self.chosen_notes:
            table = Workshop.__table__  # type: ignore[attr-defined]
            session.execute(
                update(table)
                .where(table.c.id == bindparam("workshop"))
                .values(
                    chosen_obstacle_id=bindparam("obstacle"), chosen_innovation_id=bindparam("innovation")
                ),
                self.chosen_notes,
            )


# --------------------------------------------------------------------------- one workshop


RUNNING_STEPS = (
    steps.TRENDS_PICK,
    steps.TRENDS_VOTE,
    steps.OBSTACLES_WRITE,
    steps.OBSTACLES_VOTE,
    steps.INNOVATIONS_WRITE,
    steps.INNOVATIONS_VOTE,
    steps.PRESENTATION,
)


@dataclass
class Person:
    id: int
    name: str
    department: str


class WorkshopRun:
    """One workshop from creation to ``target``, as the services would have recorded it."""

    def __init__(self, gen: Generator, target: str) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.rows = gen.rows
        self.target = target
        self.rev = 0
        self.people: list[Person] = []
        self.person_rows: list[dict[str, Any]] = []
        self.written: list[dict[str, Any]] = []
        self.picks: dict[int, list[MapTrend]] = {}
        self.chosen_trend: MapTrend | None = None
        self.chosen_obstacle: dict[str, Any] | None = None
        self.chosen_innovation: dict[str, Any] | None = None
        self.en = self.rng.random() < ENGLISH_SHARE
        self.clock = self.created_at()
        self.map = gen.map_for(self.clock)
        self.w = self.workshop_row()

    # ----------------------------------------------------------------- helpers

    def later(self, low: float, high: float) -> datetime:
        """Move the clock on by ``low``–``high`` seconds; return the new time."""
        self.clock += timedelta(seconds=self.rng.uniform(low, high))
        return self.clock

    def log(self, event: str, detail: str = "") -> None:
        self.rows.add(
            "steplog",
            {
                "id": self.gen.ids.take("steplog"),
                "workshop_id": self.w["id"],
                "step": self.w["step"],
                "event": event,
                "detail": detail[:400],
                "at": self.clock,
            },
        )

    def created_at(self) -> datetime:
        rng, now = self.rng, self.gen.now
        recent = self.target != steps.FINISHED and rng.random() < 0.8
        if recent:  # running now, or just made: started in the last three days
            return now - timedelta(hours=3) - timedelta(minutes=rng.uniform(0, 72 * 60))
        day = now.date() - timedelta(days=1 + int((YEARS * 365 - 1) * rng.random() ** 1.15))
        if day.weekday() >= 5 and rng.random() < 0.9:  # workshops happen on weekdays
            day -= timedelta(days=day.weekday() - 4)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(hours=6, minutes=rng.randrange(0, 9 * 60), seconds=rng.randrange(60))

    def workshop_row(self) -> dict[str, Any]:
        rng = self.rng
        industry = rng.choice(INDUSTRIES)
        if self.en:
            product = rng.choice(industry.products_en)
            title = rng.choice(TITLES_EN)(rng, industry, product, self.clock.date())
            if rng.random() < 0.3:
                product += f" for {rng.choice(AUDIENCES_EN)}"
        else:
            product = rng.choice(industry.products_ru)
            title = rng.choice(TITLES_RU)(rng, industry, product, self.clock.date())
            if rng.random() < 0.35:
                product += f" для {rng.choice(AUDIENCES_RU)}"
            elif rng.random() < 0.2:
                product += f" {rng.choice(REGIONS_RU)}"
        dots = rng.random() < 0.1
        votes = rng.choice((3, 3, 5)) if dots else 1
        row = {
            "id": self.gen.ids.take("workshop"),
            "code": self.gen.join_code(),
            "title": fit(title, TITLE_MAX),
            "product": fit(product, PRODUCT_MAX),
            "facilitator_name": rng.choice(self.gen.facilitators_en if self.en else self.gen.facilitators),
            "facilitator_key_hash": hash_secret(new_secret()),
            "trend_map_version_id": self.map.id,
            "lang": "en" if self.en else "ru",
            "picks_min": 4,
            "picks_max": 5 if len(self.map.trends) >= 5 else 4,
            "notes_min": 3,
            "notes_max": 4,
            "ideas_max": 3,
            "votes_per_person": votes,
            "cap_per_option": rng.choice((1, 2)) if dots else 1,
            "pick_minutes": rng.choice((5, 7, 7, 10)),
            "write_minutes": rng.choice((8, 10, 10, 15)),
            "vote_minutes": rng.choice((2, 3, 3, 5)),
            "step": steps.LOBBY,
            "step_started_at": self.clock,
            "deadline": None,
            "paused_remaining": None,
            "agreement_confirmed": False,
            "show_authors": rng.random() < 0.2,
            "open_voting": rng.random() < 0.1,
            "sound": rng.random() < 0.3,
            "join_base_url": "",
            "revision": 0,
            "chosen_trend_id": None,
            "chosen_obstacle_id": None,
            "chosen_innovation_id": None,
            "created_at": self.clock,
            "finished_at": None,
        }
        return self.rows.add("workshop", row)

    def enter(self, step: str) -> None:
        """``services.advance``: leave the step, enter the next, start its timer."""
        self.log("left")
        self.w["step"] = step
        self.w["step_started_at"] = self.clock
        minutes = {
            steps.TRENDS_PICK: self.w["pick_minutes"],
            steps.OBSTACLES_WRITE: self.w["write_minutes"],
            steps.INNOVATIONS_WRITE: self.w["write_minutes"],
        }.get(step)
        self.w["deadline"] = self.clock + timedelta(minutes=minutes) if minutes else None
        if step == steps.FINISHED:
            self.w["finished_at"] = self.clock
        self.log("entered")
        self.rev += 1

    def maybe_extend(self) -> None:
        if self.rng.random() < 0.15 and self.w["deadline"] is not None:
            minutes = self.rng.choice((1, 2, 3))
            self.later(60, 300)
            self.w["deadline"] = max(self.w["deadline"], self.clock) + timedelta(minutes=minutes)
            self.log("timer_extend", f"{minutes} min")
            self.rev += 1

    # ----------------------------------------------------------------- the steps

    def run(self) -> None:
        self.join()
        plan: tuple[tuple[str, Callable[[bool], bool]], ...] = (
            (steps.TRENDS_PICK, self.pick),
            (steps.TRENDS_VOTE, lambda last: self.vote("trend", last)),
            (steps.OBSTACLES_WRITE, lambda last: self.write("obstacle", last)),
            (steps.OBSTACLES_VOTE, lambda last: self.vote("obstacle", last)),
            (steps.INNOVATIONS_WRITE, lambda last: self.write("innovation", last)),
            (steps.INNOVATIONS_VOTE, lambda last: self.vote("innovation", last)),
            (steps.PRESENTATION, self.present),
        )
        if self.target != steps.LOBBY:
            for step, act in plan:
                self.enter(step)
                if not act(step == self.target):
                    break
            else:
                self.enter(steps.FINISHED)
                self.handoff()
        if self.chosen_obstacle or self.chosen_innovation:
            self.rows.chosen_notes.append(
                {
                    "workshop": self.w["id"],
                    "obstacle": self.chosen_obstacle["id"] if self.chosen_obstacle else None,
                    "innovation": self.chosen_innovation["id"] if self.chosen_innovation else None,
                }
            )
        for row in self.person_rows:  # phones stay open to the end
            row["last_seen_at"] = max(
                row["joined_at"], self.clock - timedelta(seconds=self.rng.uniform(0, 90))
            )
        self.w["revision"] = self.rev

    def join(self) -> None:
        rng = self.rng
        self.log("created")
        count = rng.choices((5, 6, 7), weights=(35, 40, 25))[0]
        if self.target == steps.LOBBY:
            count = rng.randrange(0, 7)  # still joining
        departments = self.gen.departments_for(count, en=self.en)
        names: set[str] = set()
        for department in departments:
            name = self.gen.person_name(en=self.en, taken=names)
            names.add(name)
            joined = self.later(5, 90)
            person = Person(self.gen.ids.take("participant"), name, department)
            row = self.rows.add(
                "participant",
                {
                    "id": person.id,
                    "workshop_id": self.w["id"],
                    "name": name,
                    "department": department,
                    "token_hash": hash_secret(new_secret()),
                    "joined_at": joined,
                    "last_seen_at": joined,
                },
            )
            self.log("joined", f"{name} / {department}")
            self.people.append(person)
            self.person_rows.append(row)
            self.rev += 1
        self.later(30, 240)

    def pick(self, last: bool) -> bool:
        rng, w = self.rng, self.w
        trends = self.map.trends
        liked = [self.gen.popularity[t.id] * rng.uniform(0.3, 1.7) for t in trends]
        start = self.clock
        for person in self.people:
            if last and rng.random() < 0.35:
                continue  # still choosing
            k = rng.randint(w["picks_min"], w["picks_max"])
            if last and rng.random() < 0.3:
                k = rng.randint(1, w["picks_min"])  # halfway through
            chosen = _sample(rng, trends, liked, k)
            self.picks[person.id] = chosen
            for trend in chosen:
                self.rows.add(
                    "pick",
                    {
                        "id": self.gen.ids.take("pick"),
                        "workshop_id": w["id"],
                        "participant_id": person.id,
                        "trend_id": trend.id,
                        "created_at": start + timedelta(seconds=rng.uniform(10, w["pick_minutes"] * 50)),
                    },
                )
                self.rev += 1  # a tap each
        if last:
            return False
        self.later(w["pick_minutes"] * 50 + 10, w["pick_minutes"] * 70)
        self.maybe_extend()
        return True

    def write(self, kind: str, last: bool) -> bool:
        rng, w = self.rng, self.w
        start = self.clock
        minutes = w["write_minutes"]
        if kind == "obstacle":
            pool = OBSTACLES_EN if self.en else OBSTACLES_RU
            weights = [self.gen.obstacle_weight[o] for o in pool]
            topics = _sample(rng, list(pool), weights, rng.randint(8, 13))
        else:
            pool = IDEAS_EN if self.en else IDEAS_RU
            topics = rng.sample(list(pool), min(len(pool), 12))
        notes: list[tuple[str, dict[str, Any]]] = []
        for person in self.people:
            if kind == "obstacle":
                count = rng.randint(w["notes_min"], w["notes_max"])
            else:
                count = rng.choices((1, 2, 3), weights=(35, 40, 25))[0]
            if last:
                count = rng.randint(0, count)
            for topic in rng.sample(topics, min(count, len(topics))):
                written = start + timedelta(seconds=rng.uniform(20, minutes * 55))
                note = self.note(kind, person, topic, written)
                notes.append((topic, note))
        notes.sort(key=lambda pair: pair[1]["created_at"])
        for _topic, note in notes:  # ids in the order they were written
            note["id"] = self.gen.ids.take("note")
            self.rows.add("note", note)
            self.rev += 1
        self.later(minutes * 55 + 10, minutes * 70)
        self.tidy(notes, merge_chance=(0.45 if kind == "obstacle" else 0.12) * (0.5 if last else 1))
        if last:
            return False
        self.maybe_extend()
        self.written = [note for _topic, note in notes]
        return True

    def note(self, kind: str, person: Person, topic: str, at: datetime) -> dict[str, Any]:
        rng = self.rng
        text = _vary(rng, topic, en=self.en) if kind == "obstacle" else _vary_idea(rng, topic)
        original = _typo(rng, text) if rng.random() < 0.08 else text
        rationale = ""
        if kind == "innovation":
            rationale = self.rationale()
        return {
            "workshop_id": self.w["id"],
            "participant_id": person.id,
            "kind": kind,
            "text": fit(original, NOTE_MAX),
            "rationale": fit(rationale, RATIONALE_MAX),
            "original_text": fit(original, NOTE_MAX),
            "merged_into_id": None,
            "edited_at": None,
            "created_at": at,
            "_fixed": fit(text, NOTE_MAX),
        }

    def rationale(self) -> str:
        rng = self.rng
        trend = self.chosen_trend
        obstacle = self.chosen_obstacle["text"] if self.chosen_obstacle else ""
        trend_title = (trend.title_en if self.en else trend.title_ru) if trend else ""
        if self.en:
            choices = [rng.choice(REASONS_EN), f"Uses “{trend_title}” against “{obstacle}”"]
        else:
            choices = [
                rng.choice(REASONS_RU),
                f"Тренд «{trend_title}» снимает барьер «{obstacle}»",
                f"{rng.choice(REASONS_RU)}: так уходит «{_lower_first(obstacle)}»",
            ]
        return rng.choice(choices)

    def tidy(self, notes: list[tuple[str, dict[str, Any]]], merge_chance: float) -> None:
        """The facilitator fixes some typos and merges some duplicates while the step is open."""
        rng = self.rng
        for _topic, note in notes:
            fixed = note.pop("_fixed")
            if fixed != note["text"] and rng.random() < 0.4:
                note["text"] = fixed
                note["edited_at"] = self.later(5, 40)
                self.log("edited", str(note["id"]))
                self.rev += 1
        by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for topic, note in notes:
            by_topic[topic].append(note)
        for group in by_topic.values():
            if len(group) > 1 and rng.random() < merge_chance:
                keep, *others = group  # the first written stays on the ballot
                for note in others:
                    note["merged_into_id"] = keep["id"]
                self.later(5, 30)
                self.log("merged", f"{keep['id']} <- {', '.join(str(n['id']) for n in others)}")
                self.rev += 1

    def options(self, subject: str) -> list[dict[str, Any]]:
        """What ``services.polls._build_poll`` puts on the ballot (ids and poll set later)."""
        if subject == "trend":
            complete = [ts for ts in self.picks.values() if len(ts) >= self.w["picks_min"]]
            support = Counter(t.id for ts in complete for t in ts)
            trends = sorted(
                {t.id: t for ts in complete for t in ts}.values(), key=lambda t: (-support[t.id], t.position)
            )
            return [
                {"trend_id": t.id, "note_id": None, "label": f"{t.code} · {t.title_ru}", "detail": t.title_en}
                | {"support": support[t.id], "_trend": t}
                for t in trends
            ]
        notes = self.written
        merged = Counter(n["merged_into_id"] for n in notes if n["merged_into_id"] is not None)
        return [
            {"trend_id": None, "note_id": n["id"], "label": n["text"], "detail": n["rationale"]}
            | {"support": 1 + merged[n["id"]], "_note": n}
            for n in notes
            if n["merged_into_id"] is None
        ]

    def poll(
        self, subject: str, round_: int, options: list[dict[str, Any]], *, runoff: bool
    ) -> dict[str, Any]:
        poll = self.rows.add(
            "poll",
            {
                "id": self.gen.ids.take("poll"),
                "workshop_id": self.w["id"],
                "subject": subject,
                "round": round_,
                "status": "open" if runoff else "ready",
                "votes_per_person": 1 if runoff else self.w["votes_per_person"],
                "cap_per_option": 1 if runoff else self.w["cap_per_option"],
                "opened_at": self.clock if runoff else None,
                "closed_at": None,
                "decided_by": None,
                "winner_option_id": None,
                "tie": False,
            },
        )
        placed = []
        for position, option in enumerate(options):
            row = {
                "id": self.gen.ids.take("polloption"),
                "poll_id": poll["id"],
                "position": position,
                "trend_id": option["trend_id"],
                "note_id": option["note_id"],
                "label": option["label"],
                "detail": option["detail"],
                "support": option["support"],
            }
            self.rows.add("polloption", row)
            placed.append(row | {k: v for k, v in option.items() if k.startswith("_")})
        poll["_options"] = placed
        return poll

    def ballots(self, poll: dict[str, Any], voters: Sequence[Person]) -> datetime:
        """Each voter's ballot, as ``validate_marks`` accepts it; the time of the last one."""
        rng = self.rng
        options = poll["_options"]
        # The group leans towards what many picked or wrote, and mostly towards one favourite:
        # about one vote in eight ends in a tie.
        liked = [(o["support"] * rng.uniform(0.3, 1.7)) ** 3 for o in options]
        liked[rng.choices(range(len(options)), weights=liked)[0]] *= 3
        votes, cap = poll["votes_per_person"], poll["cap_per_option"]
        window = self.w["vote_minutes"] * 60
        last_cast = self.clock
        for person in voters:
            marks: Counter[int] = Counter()
            for _dot in range(votes):
                open_options = [(o, x) for o, x in zip(options, liked, strict=True) if marks[o["id"]] < cap]
                if not open_options or (marks and rng.random() < 0.08):
                    break
                option = rng.choices([o for o, _ in open_options], weights=[x for _, x in open_options])[0]
                marks[option["id"]] += 1
            voting.validate_marks(
                marks, option_ids=[o["id"] for o in options], votes_per_person=votes, cap_per_option=cap
            )
            cast = self.clock + timedelta(seconds=rng.uniform(5, window * 0.8))
            changed = cast + timedelta(seconds=rng.uniform(5, 40)) if rng.random() < 0.1 else cast
            last_cast = max(last_cast, changed)
            ballot = self.rows.add(
                "ballot",
                {
                    "id": self.gen.ids.take("ballot"),
                    "poll_id": poll["id"],
                    "participant_id": person.id,
                    "cast_at": cast,
                    "updated_at": changed,
                },
            )
            for option_id, dots in marks.items():
                self.rows.add(
                    "ballotmark",
                    {
                        "id": self.gen.ids.take("ballotmark"),
                        "ballot_id": ballot["id"],
                        "option_id": option_id,
                        "dots": dots,
                    },
                )
                poll["_counts"][option_id] += dots
            self.rev += 1
        return last_cast

    def vote(self, subject: str, last: bool) -> bool:
        """Build the poll, open it, vote, close, reveal; a tie goes to a runoff or the facilitator."""
        rng = self.rng
        poll = self.poll(subject, 1, self.options(subject), runoff=False)
        poll["_counts"] = Counter()
        self.later(20, 120)
        if last and rng.random() < 0.3:
            return False  # the poll is ready, not opened yet
        poll["status"], poll["opened_at"] = "open", self.clock
        self.w["deadline"] = self.clock + timedelta(minutes=self.w["vote_minutes"])
        self.log("vote_opened", "round 1")
        self.rev += 1
        while True:
            if last:  # the vote is on: some have voted
                self.ballots(poll, rng.sample(self.people, rng.randrange(0, len(self.people))))
                return False
            voters = list(self.people)
            if len(voters) > 4 and rng.random() < 0.1:
                voters.pop(rng.randrange(len(voters)))  # someone did not vote
            self.clock = self.ballots(poll, voters)
            self.later(5, 40)
            counts = {o["id"]: poll["_counts"][o["id"]] for o in poll["_options"]}
            result = voting.decide(counts)
            poll["status"], poll["closed_at"], poll["tie"] = "closed", self.clock, result.tie
            self.w["deadline"] = None
            if result.winner is not None:
                poll["winner_option_id"], poll["decided_by"] = result.winner, "vote"
            self.log("vote_closed", f"round {poll['round']}; tie={result.tie}")
            self.rev += 1
            if rng.random() < 0.7 or result.tie:
                self.later(10, 60)
                poll["status"] = "revealed"
                self.log("vote_revealed", f"round {poll['round']}")
                self.rev += 1
            if result.winner is not None:
                break
            self.later(10, 60)
            tied = [o for o in poll["_options"] if o["id"] in result.leaders]
            if poll["round"] == 1 and rng.random() < 0.6:
                runoff = self.poll(subject, poll["round"] + 1, tied, runoff=True)
                runoff["_counts"] = Counter()
                self.w["deadline"] = self.clock + timedelta(minutes=self.w["vote_minutes"])
                self.log("runoff", f"round {runoff['round']}: {len(tied)} options")
                self.rev += 1
                poll = runoff
                continue
            winner = rng.choice(tied)["id"]
            poll["winner_option_id"], poll["decided_by"], poll["status"] = winner, "facilitator", "revealed"
            self.log("decided_by_facilitator", f"round {poll['round']}: option {winner}")
            self.rev += 1
            break
        poll["status"] = "revealed"  # advancing reveals a closed poll
        winner = next(o for o in poll["_options"] if o["id"] == poll["winner_option_id"])
        if subject == "trend":
            self.chosen_trend = winner["_trend"]
            self.w["chosen_trend_id"] = winner["trend_id"]
        elif subject == "obstacle":
            self.chosen_obstacle = winner["_note"]
        else:
            self.chosen_innovation = winner["_note"]
        self.later(20, 90)
        return True

    def present(self, last: bool) -> bool:
        self.later(120, 600)
        if last and self.rng.random() < 0.5:
            return False
        self.w["agreement_confirmed"] = True
        self.log("agreement", "confirmed")
        self.rev += 1
        if last:
            return False
        self.later(20, 120)
        return True

    def handoff(self) -> None:
        rng, gen = self.rng, self.gen
        if rng.random() >= HANDOFF_SHARE:
            return
        finished = self.w["finished_at"]
        span = (gen.now - finished).total_seconds()
        if span < 3600:
            return
        at = finished + timedelta(seconds=rng.uniform(0.02, 0.3) * min(span, 30 * 86400))
        name, email = gen.assignee(en=self.en)
        role = fit(rng.choice(ROLES_EN if self.en else ROLES_RU), ROLE_MAX)
        handoff = self.rows.add(
            "handoff",
            {
                "id": gen.ids.take("handoff"),
                "workshop_id": self.w["id"],
                "assignee_name": name,
                "assignee_email": email,
                "assignee_role": role,
                "status": "new",
                "created_at": at,
                "updated_at": at,
            },
        )
        manager = rng.choice(gen.managers_en if self.en else gen.managers)
        self.handoff_event(handoff, at, manager, "assigned", f"{name} <{email}>")
        for _ in range(rng.choices((0, 1, 2, 3), weights=(25, 35, 25, 15))[0]):
            at += timedelta(seconds=rng.uniform(0.05, 0.35) * max(60.0, (gen.now - at).total_seconds()))
            moves = HANDOFF_NEXT[handoff["status"]]
            if moves and rng.random() < 0.7:
                before = handoff["status"]
                handoff["status"] = moves[0] if rng.random() < 0.6 else rng.choice(moves)
                self.handoff_event(handoff, at, manager, "status", before)
            elif rng.random() < 0.8:
                self.handoff_event(handoff, at, manager, "note", "")
            else:
                before = f"{handoff['assignee_name']} <{handoff['assignee_email']}>"
                name, email = gen.assignee(en=self.en)
                handoff["assignee_name"], handoff["assignee_email"] = name, email
                self.handoff_event(handoff, at, manager, "reassigned", f"{before} → {name} <{email}>")
            handoff["updated_at"] = at

    def handoff_event(self, handoff: dict[str, Any], at: datetime, by: str, change: str, detail: str) -> None:
        rng = self.rng
        note = rng.choice(HANDOFF_NOTES_EN if self.en else HANDOFF_NOTES_RU).format(n=rng.randint(3, 40))
        links = [link.format(n=rng.randint(100, 9999)) for link in rng.sample(LINKS, rng.randint(0, 2))]
        if change == "note" and not (note or links):
            note = "Созвонились с клиентом" if not self.en else "Called the customer"
        self.rows.add(
            "handoffevent",
            {
                "id": self.gen.ids.take("handoffevent"),
                "handoff_id": handoff["id"],
                "at": at,
                "by_name": by,
                "change": change,
                "status": handoff["status"],
                "detail": detail[:400],
                "note": note,
                "links": "\n".join(links),
            },
        )


def _sample(rng: random.Random, items: Sequence[Any], weights: Sequence[float], k: int) -> list[Any]:
    """``k`` different items, each drawn with its weight."""
    pool, w = list(items), list(weights)
    chosen = []
    for _ in range(min(k, len(pool))):
        i = rng.choices(range(len(pool)), weights=w)[0]
        chosen.append(pool.pop(i))
        w.pop(i)
    return chosen


def _vary(rng: random.Random, text: str, *, en: bool) -> str:
    """The same obstacle as another person would write it."""
    roll = rng.random()
    if roll < 0.45:
        return text
    if roll < 0.6:
        return _lower_first(text)
    if roll < 0.72:
        return text + rng.choice(("!", "!!", "...", "."))
    if roll < 0.86:
        return rng.choice(PREFIXES_EN if en else PREFIXES_RU) + _lower_first(text)
    return text + rng.choice(SUFFIXES_EN if en else SUFFIXES_RU)


def _vary_idea(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.7:
        return text
    if roll < 0.85:
        return _lower_first(text)
    return text + "!"


def _typo(rng: random.Random, text: str) -> str:
    """A slip of the thumb: two letters swapped, one doubled or one dropped in a longer word."""
    words = text.split(" ")
    long = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif kind == 1:
        word = word[:j] + word[j] + word[j:]
    else:
        word = word[:j] + word[j + 1 :]
    words[i] = word
    return " ".join(words)


# --------------------------------------------------------------------------- the generator


class Generator:
    def __init__(self, session: Session, *, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.ids = Ids(session)
        self.rows = Rows()
        self.codes = set(session.execute(select(Workshop.code)).scalars())
        self.maps = _maps(session)
        if not self.maps:
            raise ValueError("no trend maps in the database: install the built-in maps first")
        rng = self.rng
        # Some trends and obstacles are everybody's favourites: the analytics find them again.
        self.popularity = {t.id: rng.uniform(0.3, 3.0) for m in self.maps for t in m.trends}
        self.obstacle_weight = {o: rng.uniform(0.2, 3.0) for o in (*OBSTACLES_RU, *OBSTACLES_EN)}
        self.facilitators = [self.person_name(en=False, full=True) for _ in range(14)] + [""]
        self.facilitators_en = [self.person_name(en=True, full=True) for _ in range(5)]
        self.managers = [self.person_name(en=False, full=True) for _ in range(8)]
        self.managers_en = [self.person_name(en=True, full=True) for _ in range(3)]

    def map_for(self, when: datetime) -> MapVersion:
        usable = [m for m in self.maps if m.year is None or m.year <= when.year] or self.maps
        weights = [MAP_WEIGHTS.get(m.map_id, 1.0) for m in usable]
        return self.rng.choices(usable, weights=weights)[0]

    def join_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def person_name(self, *, en: bool, taken: Collection[str] = (), full: bool = False) -> str:
        rng = self.rng
        while True:
            if en:
                first, last = rng.choice(FIRST_EN), rng.choice(SURNAMES_EN)
            else:
                female = rng.random() < 0.55
                first = rng.choice(FIRST_F_RU if female else FIRST_M_RU)
                last = _surname(rng.choice(SURNAMES_RU), female=female)
            style = 2 if full else rng.choices((0, 1, 2, 3), weights=(35, 20, 35, 10))[0]
            name = (first, f"{first} {last[0]}.", f"{first} {last}", f"{last} {first}")[style]
            if name not in taken:
                return fit(name, NAME_MAX)

    def departments_for(self, count: int, *, en: bool) -> list[str]:
        """``count`` departments as people type them: mostly different, now and then two alike."""
        rng = self.rng
        catalogue = DEPARTMENTS_EN if en else DEPARTMENTS_RU
        weights = [6, 5, 4, 3, 3, 3, 2, 2, 2, 1, 1][: len(catalogue)]
        chosen = _sample(rng, catalogue, weights, count)
        if count >= 5 and rng.random() < 0.3:
            chosen[-1] = chosen[0]  # two people from one department
        result = []
        for canonical, variants in chosen:
            spelling = canonical if rng.random() < 0.8 else rng.choice(variants)
            result.append(fit(spelling, DEPARTMENT_MAX))
        return result

    def assignee(self, *, en: bool) -> tuple[str, str]:
        rng = self.rng
        name = self.person_name(en=en, full=True)
        first, last = name.split(" ", 1)
        local = f"{_latin(first)[0]}.{_latin(last)}"
        email = f"{local}@{rng.choice(COMPANIES)}"
        return fit(name, NAME_MAX), email[:EMAIL_MAX]

    def workshop(self) -> None:
        roll = self.rng.random()
        if roll < FINISHED_SHARE:
            target = steps.FINISHED
        elif roll < FINISHED_SHARE + LOBBY_SHARE:
            target = steps.LOBBY
        else:
            target = self.rng.choice(RUNNING_STEPS)
        WorkshopRun(self, target).run()

    def flush(self, session: Session) -> None:
        for rows in self.rows.tables.values():
            for row in rows:
                for key in [k for k in row if k.startswith("_")]:
                    del row[key]
        begin_write(session)
        self.rows.insert(session)
        session.commit()
        self.rows = Rows()


def _surname(base: str, *, female: bool) -> str:
    if not female:
        return base
    if base.endswith(("ов", "ев", "ёв", "ин")):
        return base + "а"
    if base.endswith("ский"):
        return base[:-2] + "ая"
    return base


def _move_sequences_on(session: Session) -> None:
    """PostgreSQL hands out ids from sequences: move them past the ids written here."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in TABLES:
        table = model.__tablename__
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM \"{table}\"))")
        )
    session.commit()


def start_of_today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def generate(
    engine_or_session: Engine | Session,
    n: int,
    *,
    seed: int = 1,
    now: datetime | None = None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write ``n`` realistic workshops (all before ``now``, default: the start of today, UTC),
    then build the archive's index for them with ``archive.refresh``."""
    if isinstance(engine_or_session, Session):
        _generate(engine_or_session, n, seed=seed, now=now, batch=batch, progress=progress)
        return
    with Session(engine_or_session) as session:
        _generate(session, n, seed=seed, now=now, batch=batch, progress=progress)


def _generate(
    session: Session,
    n: int,
    *,
    seed: int,
    now: datetime | None,
    batch: int,
    progress: Callable[[int], None] | None,
) -> None:
    gen = Generator(session, seed=seed, now=now or start_of_today())
    session.commit()  # end the read: each batch is a write transaction of its own
    made = 0
    while made < n:
        size = min(batch, n - made)
        for _ in range(size):
            gen.workshop()
        gen.flush(session)
        made += size
        if progress:
            progress(made)
    _move_sequences_on(session)
    archive.refresh(session)


# --------------------------------------------------------------------------- the command


def default_url() -> str:
    url = settings().database_url
    if url:
        return url
    DEFAULT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATA_DIR / 'archive-demo.db'}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fill a database with realistic workshops for the archive.")
    parser.add_argument("--workshops", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL or data/archive-demo.db")
    args = parser.parse_args(argv)
    url = args.database_url or default_url()
    engine = make_engine(url)
    try:
        create_tables(engine)
        with Session(engine) as session:
            install_builtin_maps(session=session)
        started = time.perf_counter()
        generate(engine, args.workshops, seed=args.seed)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    print(f"{args.workshops} workshops in {seconds:.1f} s → {engine.url.render_as_string()}")  # noqa: T201


if __name__ == "__main__":
    main()
