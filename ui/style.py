"""Page styles: a projector readable from the back of the room, a phone for one thumb."""

from __future__ import annotations

import streamlit as st

_BASE = """
<style>
.note-wall { display: flex; flex-wrap: wrap; gap: 18px; }
.note-card { background: #fff4a8; color: #111; border-radius: 10px; padding: 14px 18px;
  box-shadow: 0 2px 6px rgba(0,0,0,.18); max-width: 100%; overflow-wrap: anywhere;
  white-space: pre-wrap; }
.note-card .who { display: block; font-size: .6em; color: #555; margin-top: 6px; }
.note-card .merged { display: block; font-size: .6em; color: #444; margin-top: 6px; }
.note-card.innovation { background: #d8f5dd; }
.note-card .why { display: block; font-size: .7em; color: #333; margin-top: 6px; }
.chip { display: inline-block; border-radius: 999px; padding: 2px 12px; background: #eef;
  margin: 2px 4px 2px 0; }
.steps { display: flex; gap: 10px; flex-wrap: wrap; margin: 0 0 8px 0; }
.steps span { padding: 4px 14px; border-radius: 999px; background: #eee; color: #333; }
.steps span.now { background: #1f6feb; color: #fff; font-weight: 700; }
.trend-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr));
  gap: 14px; }
.trend-cell { border: 3px solid #d0d7de; border-radius: 12px; padding: 10px 14px; background: #fff; }
.trend-cell.picked { border-color: #1f6feb; background: #eef4ff; }
.trend-cell .code { font-weight: 800; color: #1f6feb; margin-right: 8px; }
.trend-cell .count { float: right; font-weight: 800; background: #1f6feb; color: #fff;
  border-radius: 999px; min-width: 1.6em; text-align: center; }
.cat-title { font-weight: 700; color: #444; margin: 14px 0 6px 0; }
.join-code { font-size: 88px; font-weight: 800; letter-spacing: 10px; color: #111; }
.join-url { font-size: 30px; word-break: break-all; color: #111; }
.qr { background: #fff; padding: 12px; display: block; width: min(100%, 460px);
  border-radius: 12px; box-sizing: border-box; }
.qr img { display: block; width: 100%; height: auto; image-rendering: pixelated; }
.roster-row { font-size: 30px; padding: 4px 0; border-bottom: 1px solid #eee; }
.roster-row .dept { color: #555; }
.big-number { font-size: 64px; font-weight: 800; }
.lang-switch { font-size: 16px; display: inline-block; min-height: 44px; min-width: 44px;
  line-height: 44px; }
/* Captions in Streamlit's default grey are below 4.5:1 on white; this grey is 7.5:1. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #505050 !important;
  opacity: 1 !important; }
.winner { border-left: 10px solid #1a7f37; padding-left: 14px; }
/* A revealed vote (ui/present.results_chart): whole labels, bars, the winner and a tie marked. */
.results { color: #111; }
.results ol { list-style: none; margin: 0; padding: 0; }
.results-large { display: flex; flex-direction: column; gap: 10px; }
.results-large .result { display: grid; grid-template-columns: minmax(0, 1fr) minmax(180px, 34%) 2.6em;
  align-items: center; column-gap: 18px; padding: 6px 10px; border-radius: 10px; }
.result-label { overflow-wrap: anywhere; line-height: 1.25; }
.result-bar { display: block; height: 26px; background: #eaeef2; border-radius: 6px; overflow: hidden; }
.result-bar > span { display: block; height: 100%; background: #8c959f; border-radius: 6px; }
.result-votes { font-weight: 800; text-align: right; font-variant-numeric: tabular-nums; }
.result.winner { background: #dafbe1; outline: 4px solid #1a7f37; }
.result.winner .result-bar > span { background: #1a7f37; }
.result.tied { background: #fff8c5; outline: 4px solid #9a6700; }
.result.tied .result-bar > span { background: #9a6700; }
.result-flag { display: inline-block; margin-left: 12px; padding: 0 10px; border-radius: 999px;
  font-size: .8em; font-weight: 700; color: #fff; background: #1a7f37; vertical-align: middle; }
.result.tied .result-flag { background: #7d4e00; }
.results-compact { display: grid; grid-template-columns: repeat(var(--columns), minmax(0, 1fr));
  gap: 4px 28px; margin-top: 16px !important; border-top: 2px solid #d0d7de; padding-top: 12px !important; }
.results-compact .result { display: flex; gap: 12px; justify-content: space-between; align-items: baseline;
  padding: 2px 6px; }
/* The text fields' limit keepers (ui/fields.py) show nothing of their own. */
[class*="st-key-limit_"] { display: none !important; }
</style>
"""

_PROJECTOR = """
<style>
.stMainBlockContainer { max-width: 100%; padding: 1.2rem 2.5rem; }
.stMain p, .stMain li, .stMain label, .stMain .stAlert p { font-size: 28px; }
.stMain h1 { font-size: 54px; } .stMain h2 { font-size: 44px; } .stMain h3 { font-size: 36px; }
.note-card { font-size: 30px; min-width: 280px; max-width: 560px; }
.trend-cell { font-size: 26px; }
.winner { font-size: 26px; line-height: 1.35; }
.results-large .result { font-size: 30px; }
.results-compact .result { font-size: 24px; }
.winner b { font-size: 30px; }
.cat-title { font-size: 24px; }
.steps span { font-size: 22px; }
</style>
"""

_PROJECTOR_CHROME = """
<style>
.stMainBlockContainer { padding-top: 3.2rem; }
</style>
"""

_PROJECTOR_NO_CHROME = """
<style>
header[data-testid="stHeader"] { display: none; }
</style>
"""

_PHONE = """
<style>
.stMainBlockContainer { padding: 1rem 1rem 4rem 1rem; }
.stMain p, .stMain label { font-size: 18px; }
/* One thumb: every tap target at least 44 px. */
.stMain button { min-height: 48px; min-width: 44px; }
.stMain [data-testid="stCheckbox"] label, .stMain [data-testid="stRadio"] label[data-baseweb="radio"],
.stMain [role="radiogroup"] label { min-height: 44px; align-items: center; }
.stMain input, .stMain textarea, .stMain [data-baseweb="select"] > div { min-height: 44px; }
.stMain a { display: inline-block; min-height: 44px; line-height: 44px; }
.note-card { font-size: 18px; width: 100%; }
.steps span { font-size: 13px; padding: 2px 8px; }
</style>
"""


def projector_style(*, chrome: bool) -> None:
    st.html(_BASE + _PROJECTOR + (_PROJECTOR_CHROME if chrome else _PROJECTOR_NO_CHROME))


def phone_style() -> None:
    st.html(_BASE + _PHONE)


_MANAGER = """
<style>
.stMainBlockContainer { max-width: 1500px; padding: 1.5rem 2rem 4rem 2rem; }
.stMain button, .stMain a { min-height: 40px; }
.history-item { border-left: 4px solid #1f6feb; padding: 4px 12px; margin: 6px 0;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.history-item .when { color: #505050; font-size: .9em; }
</style>
"""


def manager_style() -> None:
    """A desk screen: wide tables, normal type."""
    st.html(_BASE + _MANAGER)
