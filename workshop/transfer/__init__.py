"""One whole workshop as a JSON file, and back: an archive copy for another installation.

``export_json`` writes everything the workshop has — its facts and settings, the trend map version
it used, participants, picks, notes, votes with their options and ballots, the step log and the
hand-off with its history. ``import_json`` reads such a file into this installation as a new
workshop, in one transaction, or refuses it with a message and writes nothing.

The file (format ``innovation-workshop``, version 2; version 1 is read too) is one JSON object::

    format, version, exported_at
    workshop      the Workshop row: every column but the facilitator key hash and the revision;
                  chosen_trend is a trend code, chosen_obstacle / chosen_innovation note refs
    trend_map     the TrendMap row (id, title_ru, ..., year) and ``trends``: the rows of the
                  version the workshop used (code, position, category, category_ru, ...)
    participants  ref, name, department, joined_at, last_seen_at (no tokens)
    picks         participant (ref), trend (code), created_at
    notes         ref, participant, kind, text, rationale, original_text, merged_into (ref),
                  edited_at, created_at
    polls         subject, round, status, ..., winner (option ref), ``options`` (ref, position,
                  trend, note, label, detail, support) and ``ballots`` (participant, cast_at,
                  updated_at, ``marks``: option, dots)
    step_log      step, event, detail, at
    handoff       null, or the hand-off's row with its ``events``

Each section mirrors its table's columns; a column holding another row's database id becomes a
reference inside the file (``p1``, ``n3``, ``o7``; trends by their code), so the file never carries
database ids. Times are ISO 8601 with a time zone. Read-only links (their tokens are secrets) and
the archive's index (rebuilt from the workshop's rows) are not in the file. Places in messages
count from 1: ``participants[3].name`` is the third participant's name.

An imported workshop is an archive copy: the facilitator key and the participants' tokens are new
random secrets that nobody is given, so nobody can act in it. Its join code stays if it is free
here, else it gets a new one; importing the same file twice therefore makes two workshops, the
second with a new code. The trend map version is reused when this installation has one with the
same map id and the same trends; otherwise it is stored as a new version of that map (the map's
own title, description, source and year stay as this installation has them), or as a new map.

The package's rooms: :mod:`.schema` (the file as pydantic models, bytes read into them),
:mod:`.export` (``export_json``) and :mod:`.restore` (``import_json``: the schema, then the
references, then one transaction). :mod:`.day` does the same for an innovation day: the day, each
group's workshop file embedded, the day-wide vote (``export_day_json``, ``import_day_json``).
"""

from __future__ import annotations

from workshop.transfer.day import export_day_json, import_day_json
from workshop.transfer.export import export_json
from workshop.transfer.restore import import_json

__all__ = ["export_day_json", "export_json", "import_day_json", "import_json"]
