"""Every text on screen goes through ``t(key, lang, **kwargs)``: Russian and English."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("ru", "en")

# key: (Russian, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    "ui.choose": ("Выберите", "Choose"),
    "app.title": ("Инновационная сессия", "Innovation workshop"),
    "lang.switch": ("Русский", "English"),
    "page.start": ("Начало", "Start"),
    "page.join": ("Вход участника", "Join"),
    "page.phone": ("Участник", "Participant"),
    "page.projector": ("Проектор", "Projector"),
    "page.control": ("Пульт ведущего", "Facilitator controls"),
    "page.maps": ("Карты трендов", "Trend maps"),
    "start.maps_link": (
        "Карты трендов: посмотреть, изменить, импортировать, напечатать",
        "Trend maps: view, edit, import, print",
    ),
    "maps.title": ("Карты трендов", "Trend maps"),
    "maps.back": ("← На главную", "← Start"),
    "maps.choose": ("Карта", "Map"),
    "maps.tab_edit": ("Карта и тренды", "Map and trends"),
    "maps.tab_import": ("Импорт", "Import"),
    "maps.tab_poster": ("Плакат", "Poster"),
    "maps.edit_trend": ("Изменить тренд", "Edit a trend"),
    "maps.trend": ("Тренд", "Trend"),
    "maps.code": ("Код", "Code"),
    "maps.category": ("Раздел карты", "Map section"),
    "maps.title_ru": ("Название (рус.)", "Title (Russian)"),
    "maps.title_en": ("Название (англ.)", "Title (English)"),
    "maps.description_ru": ("Описание (рус.)", "Description (Russian)"),
    "maps.description_en": ("Описание (англ.)", "Description (English)"),
    "maps.save_trend": ("Сохранить тренд", "Save the trend"),
    "maps.remove": ("Убрать тренд {code}", "Remove trend {code}"),
    "maps.add_trend": ("Добавить тренд", "Add a trend"),
    "maps.add": ("Добавить", "Add"),
    "maps.saved": (
        "Сохранено как новая версия карты. Прошедшие сессии видят свою версию.",
        "Saved as a new version of the map. Past workshops keep theirs.",
    ),
    "maps.import_help": (
        "CSV (UTF-8 или Windows-1251), XLSX, YAML или JSON до 1 МБ. Для CSV и XLSX: столбцы code, category, title_ru, title_en, description_ru, description_en; название, источник и год — в полях ниже. Ничего не сохраняется, пока весь файл не без ошибок.",
        "CSV (UTF-8 or Windows-1251), XLSX, YAML or JSON up to 1 MB. For CSV and XLSX: columns code, category, title_ru, title_en, description_ru, description_en; the title, source and year go in the fields below. Nothing is saved until the whole file is valid.",
    ),
    "maps.file": ("Файл карты", "Map file"),
    "maps.source": ("Источник", "Source"),
    "maps.year": ("Год", "Year"),
    "maps.invalid": (
        "В файле ошибок: {n}. Ничего не сохранено.",
        "The file has {n} problems. Nothing was saved.",
    ),
    "maps.preview": (
        "Файл в порядке: трендов {n}. Проверьте карту и сохраните.",
        "The file is valid: {n} trends. Check the map and save it.",
    ),
    "maps.save_import": ("Сохранить карту", "Save the map"),
    "maps.imported": ("Карта сохранена.", "The map is saved."),
    "maps.poster_lang": ("Язык плаката", "Poster language"),
    "maps.poster_download": ("Скачать плакат {size} (PDF)", "Download the {size} poster (PDF)"),
    "maps.font_missing": (
        "Нет шрифта DejaVu Sans для кириллицы: установите пакет fonts-dejavu-core.",
        "DejaVu Sans is missing for Cyrillic: install the fonts-dejavu-core package.",
    ),
    # method steps
    "method.1": ("Группа", "Group"),
    "method.2": ("Тренд", "Trend"),
    "method.3": ("Препятствие", "Obstacle"),
    "method.4": ("Инновация", "Innovation"),
    "method.5": ("Презентация", "Presentation"),
    "step.lobby": ("Шаг 1. Сбор группы", "Step 1. Gathering the group"),
    "step.trends_pick": ("Шаг 2. Выбор трендов", "Step 2. Picking trends"),
    "step.trends_vote": ("Шаг 2. Голосование за тренд", "Step 2. Voting on the trend"),
    "step.obstacles_write": ("Шаг 3. Препятствия", "Step 3. Obstacles"),
    "step.obstacles_vote": ("Шаг 3. Голосование за препятствие", "Step 3. Voting on the obstacle"),
    "step.innovations_write": ("Шаг 4. Инновации", "Step 4. Innovations"),
    "step.innovations_vote": ("Шаг 4. Голосование за инновацию", "Step 4. Voting on the innovation"),
    "step.presentation": ("Шаг 5. Презентация", "Step 5. Presentation"),
    "step.finished": ("Сессия завершена", "Workshop finished"),
    # start
    "start.title": (
        "Инновационная сессия по методу Юлии Воликовой",
        "Innovation workshop, Yulia Volikova's method",
    ),
    "start.subtitle": (
        "Тренд × ключевое препятствие клиента → инновация. Пять шагов, 5–7 человек, телефоны вместо стикеров.",
        "Trend × the customer's key obstacle → innovation. Five steps, 5–7 people, phones instead of sticky notes.",
    ),
    "start.create": ("Провести сессию", "Run a workshop"),
    "start.settings": (
        "Шаги, время и голосование (по умолчанию: 4–5 трендов, 3–4 препятствия, 7/10/10/3 минуты, один голос)",
        "Steps, times and voting (default: 4–5 trends, 3–4 obstacles, 7/10/10/3 minutes, one vote)",
    ),
    "start.create_button": ("Создать сессию", "Create workshop"),
    "start.join": ("Участвовать", "Take part"),
    "start.join_button": ("Войти", "Join"),
    "start.title_placeholder": (
        "Например: Инновации в сервисе доставки",
        "E.g. Innovation in our delivery service",
    ),
    "start.product_placeholder": (
        "Товар или услуга, о которой думаем",
        "The product or service we think about",
    ),
    "start.votes_help": (
        "1 — один выбор, как в методе; больше — голосование точками",
        "1 is the method's single choice; more is dot voting",
    ),
    # fields
    "field.title": ("Название", "Title"),
    "field.product": ("Продукт или услуга", "Product or service"),
    "field.facilitator_name": ("Ведущий", "Facilitator"),
    "field.trend_map": ("Карта трендов", "Trend map"),
    "field.picks_min": ("Трендов на человека: от", "Trends per person: at least"),
    "field.picks_max": ("Трендов на человека: до", "Trends per person: at most"),
    "field.notes_min": ("Препятствий: от", "Obstacles: at least"),
    "field.notes_max": ("Препятствий: до", "Obstacles: at most"),
    "field.ideas_max": ("Идей на человека: до", "Ideas per person: at most"),
    "field.votes_per_person": ("Голосов на человека", "Votes per person"),
    "field.cap_per_option": ("Максимум голосов на вариант", "Most votes on one option"),
    "field.pick_minutes": ("Минут на выбор трендов", "Minutes to pick trends"),
    "field.write_minutes": ("Минут на препятствия", "Minutes to write obstacles"),
    "field.ideas_minutes": ("Минут на идеи", "Minutes to propose ideas"),
    "field.vote_minutes": ("Минут на голосование", "Minutes per vote"),
    "field.join_code": ("Код сессии", "Workshop code"),
    "field.name": ("Ваше имя", "Your name"),
    "field.department": ("Отдел", "Department"),
    "field.note": ("Текст", "Text"),
    "field.rationale": ("Как идея использует тренд", "How the idea uses the trend"),
    "field.minutes": ("Минуты", "Minutes"),
    # join
    "join.title": ("Вход в сессию", "Join the workshop"),
    "join.about": ("Думаем о продукте:", "We think about:"),
    "join.button": ("Войти", "Join"),
    "join.already": ("Этот телефон уже в сессии: {name}.", "This phone has already joined as {name}."),
    "join.continue": ("Продолжить как {name}", "Continue as {name}"),
    "join.someone_else": (
        "Другой человек на этом телефоне? Войдите ниже под своим именем.",
        "Someone else on this phone? Join below with your own name.",
    ),
    "join.department_placeholder": ("Продажи, маркетинг, сервис…", "Sales, marketing, service…"),
    "join.privacy": (
        "Без регистрации. Имя и отдел видят только участники этой сессии.",
        "No account. Only this workshop's group sees your name and department.",
    ),
    "join.enter_code": ("Ввести код сессии", "Enter a workshop code"),
    # phone
    "phone.unknown": (
        "Эта ссылка участника не найдена. Отсканируйте QR-код ещё раз.",
        "This participant link is not known. Scan the QR code again.",
    ),
    "phone.lobby": ("Вы в сессии, {name}!", "You are in, {name}!"),
    "phone.lobby_wait": (
        "В группе: {n}. Ведущий скоро начнёт.",
        "In the group: {n}. The facilitator will start soon.",
    ),
    "phone.pick_title": ("Выберите {low}–{high} трендов", "Pick {low}–{high} trends"),
    "phone.pick_help": (
        "Какие тренды будут влиять на «{product}» или интересны вам?",
        "Which trends will shape “{product}”, or interest you?",
    ),
    "phone.search": ("Поиск", "Search"),
    "phone.limit_reached": (
        "Достигнут предел: {max} знаков. Лишнее не вставилось.",
        "Limit reached: {max} characters. The rest was not pasted.",
    ),
    "phone.offline": (
        "Нет связи с сервером — то, что вы ввели, сохранено. Попробуйте ещё раз.",
        "No connection to the server — what you typed is kept. Please try again.",
    ),
    "phone.search_hint": ("код или слово", "code or word"),
    "phone.category": ("Раздел карты", "Map section"),
    "phone.all_categories": ("Все разделы", "All sections"),
    "phone.nothing_found": ("Ничего не найдено.", "Nothing found."),
    "phone.picked_n": ("Выбрано {n} из {low}–{high}", "Picked {n} of {low}–{high}"),
    "phone.picks_done": (
        "Готово: {codes}. Выбор сохраняется сразу, его можно менять до конца времени.",
        "Done: {codes}. Each tap is saved; you can change it until time is up.",
    ),
    "phone.picks_more": (
        "Выберите ещё {n} — выбор войдёт в голосование, когда трендов будет не меньше минимума.",
        "Pick {n} more — your picks go into the vote once you have the minimum.",
    ),
    "phone.obstacle_title": (
        "Почему клиенты не покупают? {low}–{high} причины",
        "Why don't customers buy? {low}–{high} reasons",
    ),
    "phone.obstacle_help": (
        "Почему клиенты не покупают «{product}» или покупают мало? Одна причина — один стикер.",
        "Why don't customers buy “{product}”, or buy too little? One reason per note.",
    ),
    "phone.obstacle_label": ("Причина", "Reason"),
    "phone.innovation_title": ("Предложите инновацию", "Propose an innovation"),
    "phone.innovation_help": (
        "Идея на пересечении: использует тренд, чтобы убрать препятствие.",
        "An idea in the intersection: it uses the trend to remove the obstacle.",
    ),
    "phone.innovation_label": ("Идея", "Idea"),
    "phone.rationale_label": (
        "Одной строкой: как она использует тренд, чтобы убрать препятствие",
        "One line: how it uses the trend to remove the obstacle",
    ),
    "phone.notes_count": ("Отправлено {n} из {max}", "Sent {n} of {max}"),
    "phone.send": ("Отправить", "Send"),
    "phone.note_saved": ("Отправлено — уже на экране", "Sent — it is on the screen"),
    "phone.note_withdrawn": ("Стикер убран", "Note withdrawn"),
    "phone.withdraw": ("Убрать мой стикер", "Withdraw my note"),
    "phone.enough": ("Готово — все ваши стикеры на стене.", "Done — all your notes are on the wall."),
    "phone.time_up": ("Время вышло — приём закрыт.", "Time is up — input is closed."),
    "phone.vote_title.trend": ("Голосуем за главный тренд", "Vote for the key trend"),
    "phone.vote_title.obstacle": ("Голосуем за ключевое препятствие", "Vote for the key obstacle"),
    "phone.vote_title.innovation": ("Голосуем за инновацию", "Vote for the innovation"),
    "phone.vote_wait": ("Голосование скоро откроется.", "The vote opens soon."),
    "phone.runoff": (
        "Дополнительный тур {round}: выберите из равных",
        "Runoff, round {round}: choose among the tied",
    ),
    "phone.choose_one": ("Выберите один вариант", "Choose one"),
    "phone.dots_help": (
        "Распределите до {n} голосов, не больше {cap} на вариант",
        "Spread up to {n} votes, at most {cap} on one option",
    ),
    "phone.vote": ("Проголосовать", "Vote"),
    "phone.change_vote": ("Изменить голос", "Change my vote"),
    "phone.voted": (
        "Голос принят. Его можно изменить, пока голосование открыто.",
        "Your vote is counted. You can change it while the vote is open.",
    ),
    "phone.vote_saved": ("Голос принят", "Vote counted"),
    "phone.vote_closed": (
        "Голосование закрыто. Результат — на экране.",
        "The vote is closed. The result is on the screen.",
    ),
    "phone.winner": ("Выбрано: {text}", "Chosen: {text}"),
    "phone.tie": ("Ничья — ведущий решит, как быть.", "A tie — the facilitator decides what next."),
    "phone.result_title": ("Результат группы", "The group's result"),
    "phone.thanks": ("Спасибо! Результат сохранён.", "Thank you! The result is saved."),
    # projector
    "proj.scan": ("Отсканируйте QR-код камерой телефона", "Scan the QR code with your phone's camera"),
    "proj.qr_alt": ("QR-код для входа", "QR code to join"),
    "proj.or_code": ("или код на странице входа:", "or the code on the start page:"),
    "proj.local_warning": (
        "Телефоны не откроют адрес localhost. Ведущий выбирает адрес в локальной сети на пульте: {addresses}",
        "Phones cannot open localhost. The facilitator picks a local network address in the controls: {addresses}",
    ),
    "proj.roster": ("Участники: {n}", "Participants: {n}"),
    "proj.roster_empty": ("Пока никого — отсканируйте QR-код.", "Nobody yet — scan the QR code."),
    "proj.join_small": ("Код:", "Code:"),
    "proj.pick_title": (
        "Каждый выбирает {low}–{high} трендов на телефоне",
        "Everyone picks {low}–{high} trends on the phone",
    ),
    "proj.pick_progress": (
        "Выбрали: {n} из {total} · отметок: {picks}",
        "Picked: {n} of {total} · picks: {picks}",
    ),
    "proj.vote_title.trend": (
        "Какой тренд главный для продукта?",
        "Which trend matters most for the product?",
    ),
    "proj.vote_title.obstacle": ("Какое препятствие ключевое?", "Which obstacle is the key one?"),
    "proj.vote_title.innovation": ("Какая инновация?", "Which innovation?"),
    "proj.vote_ready": ("проголосовали — голосование ещё не открыто", "voted — the vote is not open yet"),
    "proj.vote_open": (
        "проголосовали — голоса тайные до объявления",
        "voted — votes stay secret until revealed",
    ),
    "proj.vote_closed": ("проголосовали — голосование закрыто", "voted — the vote is closed"),
    "proj.runoff": (
        "Дополнительный тур {round} между равными вариантами",
        "Runoff, round {round}, between the tied options",
    ),
    "proj.winner": ("Выбрано: {text}", "Chosen: {text}"),
    "results.winner": ("выбрано", "chosen"),
    "results.decided": ("выбрано ведущим", "chosen by the facilitator"),
    "results.tied": ("ничья", "tie"),
    "results.caption": ("Итоги голосования", "The vote's results"),
    "proj.decided_by_facilitator": ("(решение ведущего)", "(the facilitator's decision)"),
    "proj.tie": (
        "Ничья между лидерами: дополнительный тур или решение ведущего.",
        "A tie between the leaders: a runoff or the facilitator's decision.",
    ),
    "proj.obstacle_title": (
        "Почему клиенты не покупают «{product}» или покупают мало?",
        "Why don't customers buy “{product}”, or buy too little?",
    ),
    "proj.innovation_title": (
        "Идеи на пересечении тренда и препятствия",
        "Ideas in the intersection of trend and obstacle",
    ),
    "wall.count.obstacle.one": ("{n} стикер на стене", "{n} note on the wall"),
    "wall.count.obstacle.few": ("{n} стикера на стене", "{n} notes on the wall"),
    "wall.count.obstacle.many": ("{n} стикеров на стене", "{n} notes on the wall"),
    "wall.count.obstacle.other": ("{n} стикеров на стене", "{n} notes on the wall"),
    "wall.count.innovation.one": ("{n} идея на стене", "{n} idea on the wall"),
    "wall.count.innovation.few": ("{n} идеи на стене", "{n} ideas on the wall"),
    "wall.count.innovation.many": ("{n} идей на стене", "{n} ideas on the wall"),
    "wall.count.innovation.other": ("{n} идей на стене", "{n} ideas on the wall"),
    "proj.finished": (
        "Сессия завершена и сохранена. Идея уходит менеджерам и маркетологам на проверку рынком.",
        "The workshop is finished and saved. The idea goes to account managers and marketers for a market check.",
    ),
    "proj.agreement_yes": (
        "Проверено: тренд и препятствие согласуются по смыслу.",
        "Checked: the trend and the obstacle agree in meaning.",
    ),
    "proj.agreement_check": (
        "Проверьте: согласуются ли по смыслу верх и низ шаблона?",
        "Check: do the top and the bottom of the template agree in meaning?",
    ),
    # template
    "template.trend": ("Тренд", "Trend"),
    "template.obstacle": ("Препятствие", "Obstacle"),
    "template.innovation": ("Инновация", "Innovation"),
    "template.placeholder": ("…", "…"),
    "map.page": ("Часть карты {n} из {total}", "Part {n} of {total} of the map"),
    "template.caption": (
        "Шаблон: тренд сверху, препятствие снизу, инновация на пересечении",
        "The template: the trend on top, the obstacle below, the innovation where they meet",
    ),
    "wall.empty.obstacle": ("Стикеров пока нет.", "No notes yet."),
    "wall.empty.innovation": ("Идей пока нет.", "No ideas yet."),
    "wall.similar": ("похожих", "similar"),
    "why.trend": ("Тренд — и почему", "The trend — and why"),
    "why.obstacle": ("Препятствие — и почему", "The obstacle — and why"),
    "why.innovation": ("Инновация", "The innovation"),
    "why.none": ("Ещё не выбрано.", "Not chosen yet."),
    "why.votes": ("Голосов: {votes} (бюллетеней: {ballots}).", "Votes: {votes} (ballots: {ballots})."),
    "why.rounds": ("Туров: {n}.", "Rounds: {n}."),
    "why.decided_by_facilitator": ("Ничью разрешил ведущий.", "The facilitator broke a tie."),
    "why.picked_by": ("Выбрали на карте: {n}", "Picked on the map by {n}"),
    "why.behind": ("Стоит за ним", "Behind it"),
    # timer
    "timer.left": ("Осталось", "Left"),
    "timer.paused": ("Пауза", "Paused"),
    "timer.up": ("Время вышло", "Time is up"),
    # controls
    "ctl.title": ("Пульт ведущего", "Facilitator controls"),
    "ctl.start": ("Начать: выбор трендов", "Start: picking trends"),
    "ctl.next.trends_pick": ("Дальше: голосование за тренд", "Next: vote on the trend"),
    "ctl.next.trends_vote": ("Дальше: препятствия", "Next: obstacles"),
    "ctl.next.obstacles_write": ("Дальше: голосование за препятствие", "Next: vote on the obstacle"),
    "ctl.next.obstacles_vote": ("Дальше: инновации", "Next: innovations"),
    "ctl.next.innovations_write": ("Дальше: голосование за инновацию", "Next: vote on the innovation"),
    "ctl.next.innovations_vote": ("Дальше: презентация", "Next: presentation"),
    "ctl.back": ("← Шаг назад", "← One step back"),
    "ctl.timer": ("Таймер", "Timer"),
    "ctl.extend1": ("Добавить минуту", "Add a minute"),
    "ctl.extend5": ("Добавить 5 минут", "Add 5 minutes"),
    "ctl.pause": ("Пауза", "Pause"),
    "ctl.resume": ("Дальше", "Resume"),
    "ctl.end_now": ("Стоп", "Stop"),
    "ctl.extend1_label": ("+1 мин", "+1 min"),
    "ctl.extend5_label": ("+5 мин", "+5 min"),
    "ctl.ballots": ("Проголосовали: {n} из {total}", "Voted: {n} of {total}"),
    "ctl.open_vote": ("Открыть голосование", "Open the vote"),
    "ctl.close_vote": ("Закрыть голосование", "Close the vote"),
    "ctl.reveal": ("Показать результат", "Reveal the result"),
    "ctl.tie": ("Ничья.", "A tie."),
    "ctl.runoff": ("Дополнительный тур", "Start a runoff"),
    "ctl.decide_label": ("Или решить самому", "Or decide yourself"),
    "ctl.decide_for": ("Выбрать: {text}", "Choose: {text}"),
    "ctl.tidy": ("Объединить дубли, исправить опечатки ({n})", "Merge duplicates, fix typos ({n})"),
    "ctl.tidy_hint": (
        "Отметьте стикеры, которые говорят об одном и том же, — и объедините их.",
        "Tick the notes that say the same thing, then merge them.",
    ),
    "ctl.tidy_keep": ("оставить эту формулировку", "keep this wording"),
    "ctl.tidy_edit": ("Исправить", "Fix"),
    "ctl.tidy_cancel": ("Отмена", "Cancel"),
    "ctl.merge": ("Объединить", "Merge"),
    "ctl.merge_n": ("Объединить отмеченные ({n})", "Merge the ticked notes ({n})"),
    "ctl.merged": ("Объединено; все исходные стикеры сохранены", "Merged; every original note is kept"),
    "ctl.unmerge": ("Разъединить", "Split"),
    "ctl.edit_save": ("Сохранить", "Save"),
    "ctl.edited": ("Исправлено; исходный текст сохранён", "Fixed; the original text is kept"),
    "ctl.agree": (
        "Верх и низ шаблона согласуются по смыслу",
        "Top and bottom of the template agree in meaning",
    ),
    "ctl.agree_help": (
        "Проверка метода. Если нет — вернитесь на шаг назад.",
        "The method's check. If not, go a step back.",
    ),
    "ctl.finish": ("Завершить и сохранить", "Finish and save"),
    "ctl.finished": ("Сессия завершена и сохранена.", "The workshop is finished and saved."),
    "ctl.sound": ("Звуковой сигнал, когда время вышло", "A chime when time is up"),
    "proj.fullscreen": ("Во весь экран", "Full screen"),
    "ctl.show_authors": ("Показывать авторов стикеров", "Show note authors"),
    "ctl.lan_choice": ("Адрес для телефонов (локальная сеть)", "Address for phones (local network)"),
    "ctl.lan_placeholder": ("Выберите адрес", "Choose an address"),
    "ctl.no_lan": (
        "Нет адреса в локальной сети: задайте PUBLIC_BASE_URL.",
        "No local network address: set PUBLIC_BASE_URL.",
    ),
    "ctl.links": ("Ссылки", "Links"),
    "proj.opening_controls": (
        "Открываем пульт ведущего… Если этот экран не меняется, откройте ссылку ведущего ещё раз.",
        "Opening the facilitator's screen… If this stays, open the facilitator's link again.",
    ),
    "proj.opening_room": (
        "Открываем экран для зала… Если он не появляется, откройте ссылку для проектора ещё раз.",
        "Opening the room's view… If it does not appear, open the projector's link again.",
    ),
    "ctl.lock": ("Закрыть вход: новых впускает ведущий", "Lock the room: new people wait to be let in"),
    "ctl.lock_help": (
        "Кто войдёт по коду теперь, подождёт, пока вы его не впустите.",
        "Anyone who joins by the code from now on waits until you let them in.",
    ),
    "ctl.waiting_title": ("Просятся войти: {n}", "Waiting to be let in: {n}"),
    "ctl.let_in": ("Впустить", "Let in"),
    "ctl.turn_away": ("Не впускать", "Turn away"),
    "ctl.let_in_done": ("Впущен", "Let in"),
    "phone.waiting": (
        "Вход в сессию закрыт: ведущий скоро впустит вас. Экран обновится сам.",
        "The room is locked: the facilitator will let you in shortly. This screen updates itself.",
    ),
    "phone.turned_away": (
        "Ведущий не впустил вас в эту сессию. Если это ошибка, подойдите к ведущему.",
        "The facilitator did not let you into this workshop. If that is a mistake, talk to them.",
    ),
    "ctl.join_link": ("Для участников", "For participants"),
    "ctl.projector_link": ("Проектор (без пульта)", "Projector (no controls)"),
    "ctl.control_link": (
        "Пульт ведущего — секретная ссылка, не показывайте её",
        "Facilitator controls — a secret link, do not show it",
    ),
    "ctl.open_room": ("Открыть экран для зала ↗", "Open the room's view ↗"),
    "ctl.open_room_help": (
        "Откройте его на проекторе (второй экран или другой компьютер); этот пульт зал не видит.",
        "Open it on the projector (a second screen or another computer); the room never sees these controls.",
    ),
    "ctl.one_screen": (
        "Один экран: вид для зала с пультом сбоку",
        "One screen: the room's view with the controls at the side",
    ),
    "ctl.remote": ("Телефон как пульт", "Your phone as a remote"),
    "ctl.remote_warning": (
        "Не открывайте это, пока экран виден залу: по этому коду управляют сессией.",
        "Do not open this while the room can see the screen: this code runs the workshop.",
    ),
    "ctl.remote_qr": ("QR-код пульта ведущего", "QR code of the facilitator's controls"),
    # warnings
    "warn.too_few": (
        "В группе {n} — метод рассчитан на {min}–7 человек.",
        "{n} in the group — the method wants {min}–7 people.",
    ),
    "warn.too_many": (
        "В группе {n} — метод рассчитан на 5–{max} человек.",
        "{n} in the group — the method wants 5–{max} people.",
    ),
    "warn.one_department": (
        "Все из одного отдела ({department}) — метод просит людей из разных отделов.",
        "Everyone is from one department ({department}) — the method asks for people from different departments.",
    ),
    # refusals
    "refuse.already_finished": ("Сессия уже завершена.", "The workshop is already finished."),
    "refuse.nobody_joined": ("Никто ещё не вошёл.", "Nobody has joined yet."),
    "refuse.no_picks": (
        "Никто ещё не выбрал минимум трендов.",
        "Nobody has picked the minimum number of trends yet.",
    ),
    "refuse.no_obstacles": ("Стикеров с препятствиями пока нет.", "There are no obstacle notes yet."),
    "refuse.no_innovations": ("Идей пока нет.", "There are no ideas yet."),
    "refuse.vote_undecided": ("Голосование ещё не дало результата.", "The vote has no result yet."),
    "refuse.agreement_unconfirmed": (
        "Сначала подтвердите, что тренд и препятствие согласуются.",
        "First confirm that the trend and the obstacle agree.",
    ),
    "refuse.at_start": ("Это первый шаг.", "This is the first step."),
    # errors
    "error.generic": ("Что-то пошло не так.", "Something went wrong."),
    "error.invalid_input": ("Проверьте введённые данные.", "Please check what you entered."),
    "error.not_found": ("Не найдено.", "Not found."),
    "error.forged_request": (
        "Запрос пришёл не со страницы сессии. Откройте ссылку ещё раз.",
        "This request did not come from the workshop's page. Open the link again.",
    ),
    "error.body_too_large": (
        "Слишком много текста за один раз.",
        "Too much text at once.",
    ),
    "error.access_denied": (
        "Нет доступа: нужна ссылка ведущего с ключом.",
        "No access: this needs the facilitator's link with its key.",
    ),
    "error.wrong_step": ("Сейчас другой шаг.", "Another step is on now."),
    "error.step_moved_on": (
        "Ведущий уже перешёл к другому шагу — ваш текст остался в поле.",
        "The facilitator has moved on — your text is still in the field.",
    ),
    "error.time_up": (
        "Время вышло — приём закрыт. Ваш текст остался в поле.",
        "Time is up — input is closed. Your text is still in the field.",
    ),
    "error.voting_closed": ("Голосование закрыто.", "The vote is closed."),
    "error.vote_time_up": ("Время голосования вышло.", "Time for this vote is up."),
    "error.ballot_invalid": ("Бюллетень заполнен неверно.", "The ballot is not valid."),
    "error.transition_refused": ("Сейчас так нельзя.", "Not possible now."),
    "error.not_text": ("Поле «{field}» должно быть текстом.", "“{field}” must be text."),
    "error.empty": ("Заполните поле «{field}».", "Please fill in “{field}”."),
    "error.too_long": (
        "Поле «{field}» длиннее {max} символов ({length}).",
        "“{field}” is longer than {max} characters ({length}).",
    ),
    "error.setting_range": ("«{field}»: от {low} до {high}.", "“{field}”: from {low} to {high}."),
    "error.map_not_found": ("Карта трендов не найдена.", "Trend map not found."),
    "error.map_invalid": ("Карта трендов с ошибками: {problems}", "The trend map has errors: {problems}"),
    "error.no_code": (
        "Не удалось создать код сессии, попробуйте ещё раз.",
        "Could not make a workshop code; try again.",
    ),
    "error.too_many_codes": (
        "Слишком много неверных кодов — попробуйте через {seconds} с.",
        "Too many wrong codes — try again in {seconds} s.",
    ),
    "error.workshop_not_found": ("Сессия с таким кодом не найдена.", "No workshop has this code."),
    "field.cut": (
        "Вставленный текст длиннее {max} символов: оставлены первые {max}.",
        "The pasted text was longer than {max} characters: the first {max} are kept.",
    ),
    "error.empty_ballot": (
        "В бюллетене нет ни одного варианта: голосование не открыть. Вернитесь на шаг назад.",
        "The ballot has no options, so the vote cannot open. Go a step back.",
    ),
    "error.room_link": (
        "Эта ссылка не открывает экран сессии. Попросите у ведущего ссылку для проектора.",
        "This link does not open a workshop's screen. Ask the facilitator for the projector's link.",
    ),
    "error.not_let_in": (
        "Ведущий ещё не впустил вас в сессию.",
        "The facilitator has not let you in yet.",
    ),
    "error.workshop_finished": ("Эта сессия уже завершена.", "This workshop has finished."),
    "error.participant_not_found": (
        "Участник не найден — отсканируйте QR-код ещё раз.",
        "Participant not found — scan the QR code again.",
    ),
    "error.pick_count": ("Выберите от {low} до {high} трендов.", "Pick from {low} to {high} trends."),
    "error.pick_max": (
        "Не больше {high} трендов — снимите один, чтобы выбрать другой.",
        "At most {high} trends — untick one to pick another.",
    ),
    "error.map_code_taken": ("Код {code} уже есть на карте.", "Code {code} is already on the map."),
    "error.trend_not_found": ("Тренда {code} нет на карте.", "Trend {code} is not on the map."),
    "error.pick_not_on_map": (
        "Такого тренда нет на карте этой сессии.",
        "That trend is not on this workshop's map.",
    ),
    "error.note_limit": (
        "Можно не больше {max} — уберите один, чтобы добавить новый.",
        "At most {max} — withdraw one to add another.",
    ),
    "error.note_not_found": ("Стикер не найден.", "Note not found."),
    "error.edit_only_while_writing": (
        "Исправлять и объединять стикеры можно до голосования.",
        "Notes can be fixed and merged before the vote.",
    ),
    "error.merge_into_merged": (
        "Этот стикер уже объединён с другим.",
        "That note is already merged into another.",
    ),
    "error.merge_nothing": ("Выберите стикеры для объединения.", "Choose notes to merge."),
    "error.merge_kinds": (
        "Объединяются только стикеры одного вида.",
        "Only notes of one kind can be merged.",
    ),
    "error.poll_not_found": ("Голосование не найдено.", "Vote not found."),
    "error.poll_not_current": ("Это голосование уже не текущее.", "That vote is no longer the current one."),
    "error.poll_not_ready": ("Голосование уже открыто.", "The vote is already open."),
    "error.poll_not_open": ("Голосование не открыто.", "The vote is not open."),
    "error.poll_not_closed": ("Сначала закройте голосование.", "Close the vote first."),
    "error.no_tie": ("Ничьей нет.", "There is no tie."),
    "error.decide_among_tied": (
        "Выбирать можно только из равных лидеров.",
        "Choose among the tied leaders only.",
    ),
    "error.only_in_presentation": (
        "Это делается на шаге презентации.",
        "This belongs to the presentation step.",
    ),
    "error.no_timer": ("У этого шага нет таймера.", "This step has no timer."),
    "error.unknown_action": ("Неизвестное действие.", "Unknown action."),
    "error.bad_url": (
        "Адрес должен начинаться с http:// или https://",
        "The address must start with http:// or https://",
    ),
    # ballot rules
    "ballot.empty": ("Выберите вариант.", "Choose an option."),
    "ballot.unknown_option": ("Такого варианта нет в этом голосовании.", "That option is not in this vote."),
    "ballot.negative": ("Голосов не может быть меньше нуля.", "Votes cannot be negative."),
    "ballot.single_choice": ("Выберите ровно один вариант.", "Choose exactly one option."),
    "ballot.too_many_dots": ("Не больше {max} голосов всего.", "At most {max} votes in all."),
    "ballot.over_cap": ("Не больше {cap} голосов на один вариант.", "At most {cap} votes on one option."),
}

# Parts of the app keep their texts in modules of their own; one catalogue, no key twice.
from workshop.i18n import exports as i18n_exports  # noqa: E402
from workshop.i18n import manage as i18n_manage  # noqa: E402
from workshop.i18n import transfer as i18n_transfer  # noqa: E402

for _part in (i18n_manage, i18n_exports, i18n_transfer):
    _twice = CATALOGUE.keys() & _part.CATALOGUE.keys()
    assert not _twice, f"text keys defined twice: {sorted(_twice)}"
    CATALOGUE.update(_part.CATALOGUE)


PLURAL_FORMS = {"ru": ("one", "few", "many"), "en": ("one", "other")}


def plural_form(n: int, lang: str) -> str:
    """CLDR's plural category of ``n``: Russian one/few/many (1 стикер, 2 стикера, 5 стикеров),
    English one/other."""
    if lang == "en":
        return "one" if n == 1 else "other"
    tens, hundreds = n % 10, n % 100
    if tens == 1 and hundreds != 11:
        return "one"
    if 2 <= tens <= 4 and not 12 <= hundreds <= 14:
        return "few"
    return "many"


def tn(key: str, n: int, lang: str = "ru", **kwargs: Any) -> str:
    """The text for ``key`` in the plural form ``n`` takes (entries ``key.one``, ``key.few``, …)."""
    return t(f"{key}.{plural_form(n, lang)}", lang, n=n, **kwargs)


def plural_labels(key: str, lang: str, **kwargs: Any) -> dict[str, str]:
    """Every plural form of ``key`` for a page that fills in the number itself."""
    return {form: t(f"{key}.{form}", lang, **kwargs) for form in PLURAL_FORMS[lang]}


def t(key: str, lang: str = "ru", **kwargs: Any) -> str:
    """The text for ``key`` in ``lang``; an unknown key shows itself, so it is noticed."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry[1] if lang == "en" else entry[0]
    if kwargs:
        try:
            return text.format(**kwargs)
        except (KeyError, IndexError, ValueError):
            return text
    return text
