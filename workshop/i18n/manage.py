"""Texts of the managers' area, merged into ``workshop.i18n.CATALOGUE``: key: (Russian, English)."""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    "page.manage": ("Менеджерам", "Managers"),
    "page.record": ("Запись сессии", "Workshop record"),
    "page.shared": ("Итоги сессии", "Workshop results"),
    "start.manage_link": (
        "Менеджерам: архив сессий, передача идей, аналитика",
        "Managers: archive, hand-offs, analytics",
    ),
    "field.open_voting": ("Открытое голосование", "Open voting"),
    "start.open_voting_help": (
        "В записи сессии будет видно, кто за что голосовал; телефоны предупредят об этом. "
        "Без отметки голосование тайное навсегда.",
        "The workshop's record will show who voted for what; phones say so. "
        "Unticked, ballots stay secret for good.",
    ),
    "phone.voting_open_names": (
        "Голосование открытое: в записи сессии будет ваше имя рядом с голосом.",
        "Open voting: the workshop's record keeps your name with your vote.",
    ),
    "phone.voting_secret": ("Голосование тайное.", "The vote is secret."),
    # sign-in
    "manage.title": ("Архив инновационных сессий", "Archive of innovation workshops"),
    "manage.no_password": (
        "Раздел менеджеров закрыт: пароль не задан. Задайте переменную окружения MANAGER_PASSWORD "
        "или manager_password в .streamlit/secrets.toml и перезапустите приложение.",
        "The managers' area is locked: no password is set. Set the MANAGER_PASSWORD environment "
        "variable or manager_password in .streamlit/secrets.toml and restart the app.",
    ),
    "manage.your_name": ("Ваше имя (для истории передачи)", "Your name (for the hand-off history)"),
    "manage.password": ("Пароль менеджеров", "Managers' password"),
    "manage.sign_in": ("Войти", "Sign in"),
    "manage.sign_out": ("Выйти", "Sign out"),
    "manage.signed_in_as": ("Вы вошли как {name}", "Signed in as {name}"),
    "manage.name_needed": ("Напишите своё имя.", "Please write your name."),
    "manage.wrong_password": ("Пароль неверный.", "Wrong password."),
    "manage.wait": (
        "Слишком много неверных попыток. Попробуйте через {seconds} с.",
        "Too many wrong attempts. Try again in {seconds} s.",
    ),
    "manage.section": ("Раздел", "Section"),
    "manage.tab_archive": ("Архив", "Archive"),
    "manage.tab_handoffs": ("Передача идей", "Hand-offs"),
    "manage.tab_analytics": ("Аналитика", "Analytics"),
    "manage.tab_import": ("Импорт", "Import"),
    "manage.open_record": ("Открыть запись сессии {code}", "Open the record of workshop {code}"),
    "manage.back": ("К архиву", "Back to the archive"),
    "manage.not_found": ("Такой сессии нет.", "There is no such workshop."),
    "manage.exports": ("Выгрузки", "Exports"),
    "manage.export_json": ("Вся сессия (JSON)", "The whole workshop (JSON)"),
    "manage.export_json_hint": (
        "JSON можно загрузить в другую установку приложения: «Менеджерам» → «Импорт».",
        "The JSON can be imported into another installation: Managers → Import.",
    ),
    # archive
    "archive.search": ("Поиск по всему тексту", "Search all text"),
    "archive.search_hint": (
        "слова из названия, заметок, идей, имён, отделов…",
        "words from titles, notes, ideas, names, departments…",
    ),
    "archive.date_from": ("С даты", "From"),
    "archive.date_to": ("По дату", "To"),
    "archive.map": ("Карта трендов", "Trend map"),
    "archive.status": ("Состояние", "Status"),
    "archive.department": ("Отдел участников", "Participants' department"),
    "archive.handoff": ("Передача идеи", "Hand-off"),
    "archive.sort": ("Сортировать по", "Sort by"),
    "archive.descending": ("По убыванию", "Descending"),
    "archive.page": ("Страница", "Page"),
    "archive.any": ("Все", "Any"),
    "archive.dates_swapped": (
        "Начальная дата позже конечной — поменяли их местами.",
        "The start date is after the end date — swapped them.",
    ),
    "archive.found": (
        "Найдено сессий: {total} · страница {page} из {pages}",
        "{total} workshops · page {page} of {pages}",
    ),
    "archive.nothing": (
        "Ничего не найдено. Измените запрос или фильтры.",
        "Nothing found. Change the search or the filters.",
    ),
    "archive.pick_row": (
        "Выберите строку, чтобы открыть запись сессии.",
        "Select a row to open the workshop's record.",
    ),
    "archive.status.lobby": ("Сбор участников", "Gathering"),
    "archive.status.running": ("Идёт", "Running"),
    "archive.status.finished": ("Завершена", "Finished"),
    "archive.col.created_at": ("Дата", "Date"),
    "archive.col.finished_at": ("Завершена", "Finished"),
    "archive.col.code": ("Код", "Code"),
    "archive.col.title": ("Название", "Title"),
    "archive.col.product": ("Продукт", "Product"),
    "archive.col.facilitator": ("Ведущий", "Facilitator"),
    "archive.col.status": ("Состояние", "Status"),
    "archive.col.map_id": ("Карта трендов", "Trend map"),
    "archive.col.trend": ("Тренд", "Trend"),
    "archive.col.obstacle": ("Препятствие", "Obstacle"),
    "archive.col.innovation": ("Инновация", "Innovation"),
    "archive.col.participants": ("Участников", "Participants"),
    "archive.col.handoff_status": ("Передача", "Hand-off"),
    # hand-offs
    "handoffs.status": ("Показать", "Show"),
    "handoffs.all_open": ("Все открытые", "All open"),
    "handoffs.count": ("Открытых передач: {n}", "Open hand-offs: {n}"),
    "handoffs.none": ("Открытых передач нет.", "No open hand-offs."),
    "handoffs.col.updated": ("Обновлено", "Updated"),
    "handoffs.col.assignee": ("Кому передано", "Assigned to"),
    "handoffs.col.email": ("E-mail", "E-mail"),
    "handoffs.col.role": ("Роль", "Role"),
    "handoffs.col.status": ("Статус", "Status"),
    "handoffs.col.last_note": ("Последняя заметка", "Last note"),
    "handoff.title": ("Передача идеи на проверку рынком", "Hand-off to the market check"),
    "handoff.after_finish": (
        "Идею можно передать, когда сессия завершена и инновация выбрана.",
        "The idea can be handed off once the workshop has finished with a chosen innovation.",
    ),
    "handoff.current": (
        "**Ответственный:** {name} ({role}), {email}  \n**Статус:** {status}",
        "**Assigned to:** {name} ({role}), {email}  \n**Status:** {status}",
    ),
    "handoff.next_status": ("Новый статус", "New status"),
    "handoff.note": ("Заметка", "Note"),
    "handoff.links": ("Ссылки на подтверждения (по одной в строке)", "Evidence links (one per line)"),
    "handoff.links_help": (
        "Только адреса http:// или https://, до 10 ссылок.",
        "http:// or https:// addresses only, up to 10.",
    ),
    "handoff.change_status": ("Сменить статус", "Change the status"),
    "handoff.final": (
        "Проверка закончена: идея запущена в пилот.",
        "The check is over: the idea went to a pilot.",
    ),
    "handoff.add_note": ("Добавить заметку без смены статуса", "Add a note without changing the status"),
    "handoff.save_note": ("Сохранить заметку", "Save the note"),
    "handoff.assign": ("Передать идею", "Hand the idea off"),
    "handoff.reassign": ("Передать другому человеку", "Hand it to someone else"),
    "handoff.assign_go": ("Передать", "Hand off"),
    "handoff.name": ("Имя", "Name"),
    "handoff.email": ("E-mail", "E-mail"),
    "handoff.role": ("Роль", "Role"),
    "handoff.role_hint": ("аккаунт-менеджер, маркетолог…", "account manager, marketer…"),
    "handoff.history": ("История", "History"),
    "handoff.saved": ("Сохранено.", "Saved."),
    "handoff.change.assigned": ("Передано: {detail}", "Assigned: {detail}"),
    "handoff.change.reassigned": ("Передано другому: {detail}", "Reassigned: {detail}"),
    "handoff.change.status": ("Статус: {status}", "Status: {status}"),
    "handoff.change.note": ("Заметка", "Note"),
    "handoff.status.none": ("Не передана", "Not handed off"),
    "handoff.status.new": ("Новая", "New"),
    "handoff.status.checking": ("Проверка рынка", "Checking the market"),
    "handoff.status.similar_exists": ("Похожее уже есть", "Similar exists"),
    "handoff.status.customers_want": ("Клиенты хотят", "Customers want it"),
    "handoff.status.rejected": ("Отклонена", "Rejected"),
    "handoff.status.piloted": ("Запущена в пилот", "Piloted"),
    "handoff.bad_email": (
        "Проверьте e-mail: он должен быть вида name@example.com.",
        "Check the e-mail: it should look like name@example.com.",
    ),
    "handoff.bad_link": (
        "Ссылка «{link}» не подходит: нужен адрес http:// или https://",
        "The link “{link}” will not do: it must be an http:// or https:// address.",
    ),
    "handoff.too_many_links": ("Не больше {max} ссылок за раз.", "At most {max} links at a time."),
    "handoff.same_assignee": ("Идея уже передана этому человеку.", "The idea is already with this person."),
    "handoff.not_finished": (
        "Передать можно только выбранную инновацию завершённой сессии.",
        "Only the chosen innovation of a finished workshop can be handed off.",
    ),
    "handoff.not_found": ("Такой передачи нет.", "There is no such hand-off."),
    "handoff.transition_refused": (
        "Из статуса «{status_from}» нельзя перейти в «{status_to}».",
        "“{status_from}” cannot move to “{status_to}”.",
    ),
    "handoff.empty_note": ("Напишите заметку или добавьте ссылку.", "Write a note or add a link."),
    "field.manager_name": ("Ваше имя", "Your name"),
    "field.assignee_name": ("Имя", "Name"),
    "field.assignee_role": ("Роль", "Role"),
    "field.email": ("E-mail", "E-mail"),
    "field.links": ("Ссылки", "Links"),
    # read-only links
    "share.title": ("Ссылка только для просмотра", "Read-only link"),
    "share.after_finish": (
        "Ссылкой можно поделиться, когда сессия завершена.",
        "A link can be shared once the workshop has finished.",
    ),
    "share.create": ("Создать ссылку", "Create a link"),
    "share.created": (
        "Ссылка создана. Скопируйте её сейчас: показывается один раз.",
        "Link created. Copy it now: it is shown only once.",
    ),
    "share.live": ("Действует · создана {when} ({by})", "Live · created {when} by {by}"),
    "share.dead": (
        "Отозвана {revoked} · создана {when} ({by})",
        "Revoked {revoked} · created {when} by {by}",
    ),
    "share.revoke": ("Отозвать", "Revoke"),
    "share.revoked": ("Ссылка отозвана: больше не открывается.", "Link revoked: it no longer opens."),
    "share.unknown": (
        "Эта ссылка не открывает ничего: её отозвали или она неверна.",
        "This link opens nothing: it was revoked or is not valid.",
    ),
    "share.not_finished": ("Сессия ещё не завершена.", "The workshop has not finished yet."),
    "share.caption": (
        "Сессия {date} · ведущий {facilitator} · участников: {people}",
        "Workshop of {date} · facilitator {facilitator} · {people} participants",
    ),
    # analytics
    "analytics.trends": ("Чаще всего выбранные тренды", "Trends chosen most often"),
    "analytics.obstacles": ("Препятствия, которые возвращаются", "Obstacles that keep coming back"),
    "analytics.obstacles_hint": (
        "Похожие формулировки сгруппированы; число — в скольких сессиях встретилось.",
        "Similar wordings grouped; the number is how many workshops raised it.",
    ),
    "analytics.handoffs": ("Инновации по статусу передачи", "Innovations by hand-off status"),
    "analytics.departments": ("Участие по отделам (человек)", "Participation by department (people)"),
    "analytics.over_time": ("По месяцам", "Over time"),
    "analytics.workshops": ("Сессий", "Workshops"),
    "analytics.finished": ("Завершено", "Finished"),
    "analytics.participants": ("Участников", "Participants"),
    "analytics.empty": ("Пока нет данных.", "No data yet."),
    # import
    "import.explain": (
        "Загрузите JSON сессии, выгруженный из этой или другой установки. Ничего не сохранится, "
        "пока весь файл не проверен.",
        "Upload a workshop's JSON exported from this or another installation. Nothing is saved "
        "until the whole file checks out.",
    ),
    "import.file": ("Файл JSON", "JSON file"),
    "import.go": ("Импортировать", "Import"),
    "import.done": ("Сессия импортирована, код {code}.", "Workshop imported, code {code}."),
    # practice mode: simulated participants in the lobby
    "practice.title": ("Тренировка", "Practice"),
    "practice.how_many": ("Сколько участников-ботов", "How many simulated participants"),
    "practice.add": ("Добавить участников-ботов: {n}", "Add {n} simulated participants"),
    "practice.explain": (
        "Это не люди: программа сама входит через страницу входа, выбирает тренды, пишет "
        "стикеры и голосует — чтобы попробовать сессию или потренироваться ведущему одному. "
        "Боты уходят, когда сессия завершена, и не позже чем через 2 часа; в записи сессии они "
        "остаются участниками.",
        "These are not people: the app joins them through the join page, and they pick trends, "
        "write notes and vote — to try a workshop or to train as a facilitator alone. They leave "
        "when the workshop finishes, or after 2 hours at most; the workshop's record keeps them "
        "as participants.",
    ),
    "practice.started": (
        "Подключаются участники-боты: {n}. Через несколько секунд они появятся в списке.",
        "{n} simulated participants are joining; they show in the roster in a few seconds.",
    ),
}
