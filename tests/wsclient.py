"""The browserless phone the tests use lives in ``practice.wsclient`` (practice mode and the load
bench share it); this module keeps the tests' imports working."""

from practice.wsclient import (
    TIMEOUT_S,
    LiveElement,
    Phone,
    Run,
    ServerEvent,
    Widget,
    choice,
    click,
    event_stream,
    http_get,
    live_trigger,
    number,
    run_apart,
    text_value,
    tick,
)

__all__ = [
    "TIMEOUT_S",
    "LiveElement",
    "Phone",
    "Run",
    "ServerEvent",
    "Widget",
    "choice",
    "click",
    "event_stream",
    "http_get",
    "live_trigger",
    "number",
    "run_apart",
    "text_value",
    "tick",
]
