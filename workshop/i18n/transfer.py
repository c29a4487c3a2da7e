"""Texts of the transfer part, merged into ``workshop.i18n.CATALOGUE``: key: (Russian, English)."""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    # the export
    "transfer.export_inconsistent": (
        "Запись сессии противоречива ({where}), выгрузить её нельзя.",
        "The workshop's record is inconsistent ({where}); it cannot be exported.",
    ),
    # the file as a whole
    "transfer.empty": ("Файл пуст.", "The file is empty."),
    "transfer.too_big": ("Файл больше {max_mb} МБ.", "The file is larger than {max_mb} MB."),
    "transfer.not_utf8": ("Файл не в кодировке UTF-8.", "The file is not UTF-8 text."),
    "transfer.not_json": (
        "Это не JSON: строка {line}, позиция {column}.",
        "The file is not valid JSON: line {line}, column {column}.",
    ),
    "transfer.bad_number": (
        "В файле число, которое нельзя прочитать (слишком длинное, NaN или Infinity).",
        "The file has a number that cannot be read (too long, NaN or Infinity).",
    ),
    "transfer.too_deep": (
        "Вложенность в файле глубже {max} уровней.",
        "The file nests deeper than {max} levels.",
    ),
    "transfer.duplicate_key": (
        "В файле поле «{name}» указано дважды в одном объекте.",
        "The file names the field “{name}” twice in one object.",
    ),
    "transfer.not_a_workshop": (
        "Это не файл сессии, выгруженный из этого приложения.",
        "This is not a workshop file exported from this app.",
    ),
    "transfer.wrong_version": (
        "Файл в версии формата {version}; приложение читает версию {supported}.",
        "The file is in version {version} of the format; this app reads version {supported}.",
    ),
    # fields
    "transfer.missing": ("{where}: поле отсутствует.", "{where}: is missing."),
    "transfer.unknown_field": ("{where}: неизвестное поле.", "{where}: is not a field of this format."),
    "transfer.not_object": ("{where}: должен быть объект.", "{where}: must be an object."),
    "transfer.not_list": ("{where}: должен быть список.", "{where}: must be a list."),
    "transfer.too_many": ("{where}: больше {max} элементов.", "{where}: more than {max} entries."),
    "transfer.not_text": ("{where}: должен быть текст.", "{where}: must be text."),
    "transfer.empty_text": ("{where}: пусто.", "{where}: is empty."),
    "transfer.too_long": ("{where}: длиннее {max} символов.", "{where}: longer than {max} characters."),
    "transfer.bad_characters": (
        "{where}: содержит управляющие символы, которые нельзя сохранить.",
        "{where}: holds control characters that cannot be stored.",
    ),
    "transfer.bad_link": (
        "{where}: ссылки должны быть адресами http:// или https://, не больше 10.",
        "{where}: links must be http:// or https:// addresses, at most 10.",
    ),
    "transfer.not_clean": (
        "{where}: переносы строк, лишние пробелы или невидимые символы — приложение такой текст не хранит.",
        "{where}: line breaks, extra spaces or invisible characters — the app never stores text like this.",
    ),
    "transfer.bad_value": ("{where}: значение нельзя прочитать.", "{where}: the value cannot be read."),
    "transfer.not_whole_number": ("{where}: должно быть целое число.", "{where}: must be a whole number."),
    "transfer.not_number": ("{where}: должно быть число.", "{where}: must be a number."),
    "transfer.not_boolean": ("{where}: должно быть true или false.", "{where}: must be true or false."),
    "transfer.out_of_range": ("{where}: от {low} до {high}.", "{where}: must be from {low} to {high}."),
    "transfer.bad_choice": ("{where}: допустимо одно из: {choices}.", "{where}: must be one of: {choices}."),
    "transfer.bad_word": (
        "{where}: одно слово из строчных латинских букв, цифр и «_», не длиннее {max}.",
        "{where}: must be one word of lowercase letters, digits and “_”, at most {max} long.",
    ),
    "transfer.bad_datetime": (
        "{where}: нужны дата и время ISO 8601 с часовым поясом, например 2026-03-01T10:00:00+00:00.",
        "{where}: must be an ISO 8601 date and time with a time zone, e.g. 2026-03-01T10:00:00+00:00.",
    ),
    "transfer.bad_code": (
        "{where}: код входа — от 4 до 12 заглавных латинских букв и цифр.",
        "{where}: a join code is 4 to 12 capital letters and digits.",
    ),
    "transfer.bad_url": (
        "{where}: адрес должен начинаться с http:// или https://",
        "{where}: the address must start with http:// or https://",
    ),
    # references inside the file
    "transfer.bad_ref": (
        "{where}: идентификатор — от 1 до 32 латинских букв, цифр, «-» и «_».",
        "{where}: an id is 1 to 32 letters, digits, “-” and “_”.",
    ),
    "transfer.duplicate_ref": (
        "{where}: идентификатор «{ref}» уже встречался.",
        "{where}: the id “{ref}” is used twice.",
    ),
    "transfer.unknown_ref": (
        "{where}: ссылается на «{ref}», а такого нет там, где он должен быть.",
        "{where}: refers to “{ref}”, which is not in the file where it belongs.",
    ),
    "transfer.wrong_kind": (
        "{where}: «{ref}» — стикер другого вида.",
        "{where}: “{ref}” is a note of another kind.",
    ),
    "transfer.duplicate_entry": (
        "{where}: такая запись уже есть, а она может быть только одна.",
        "{where}: repeats an entry that may appear only once.",
    ),
    "transfer.merged_chain": (
        "{where}: объединять можно только в стикер, который сам не объединён.",
        "{where}: a note can be merged only into a note that is not merged itself.",
    ),
    "transfer.option_subject": (
        "{where}: вариант не подходит к теме голосования.",
        "{where}: the option does not fit the subject of its vote.",
    ),
    "transfer.bad_ballot": (
        "{where}: бюллетень нарушает правила своего голосования.",
        "{where}: the ballot breaks the rules of its vote.",
    ),
    # the trend map
    "transfer.category_titles": (
        "{where}: у категории «{category}» выше в файле другие названия.",
        "{where}: the category “{category}” has other titles earlier in the file.",
    ),
    "transfer.bad_map": (
        "Карта трендов в файле с ошибками: {problems}",
        "The trend map in the file has errors: {problems}",
    ),
}
