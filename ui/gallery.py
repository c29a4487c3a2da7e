"""The innovation day's gallery on the main projector: every group's filled template, one after
another. All slides are drawn once, as escaped HTML; a small script shows one at a time and turns
them with the arrow keys, Page Up / Page Down (what a presenter's clicker sends), the space bar or
the buttons — no page run per slide."""

from __future__ import annotations

import streamlit as st

from ui.common import esc, lang, tr
from ui.present import template_shapes
from workshop.i18n import t
from workshop.services import GroupState

_JS = r"""
export default function (component) {
  const labels = component.data || {};
  const slides = () => Array.from(document.querySelectorAll('.gallery-slide'));
  function show(i) {
    const all = slides();
    if (!all.length) return;
    window.__galleryAt = ((i % all.length) + all.length) % all.length;
    all.forEach((slide, k) => { slide.hidden = k !== window.__galleryAt; });
    const where = document.querySelector('.gallery-where');
    if (where) {
      where.textContent = String(labels.where || '{i} / {n}')
        .replace('{i}', String(window.__galleryAt + 1)).replace('{n}', String(all.length));
    }
  }
  window.__galleryShow = show;
  if (!window.__galleryBound) {
    window.__galleryBound = true;
    document.addEventListener('keydown', (event) => {
      if (!document.querySelector('.gallery-slide')) return;
      const step = { ArrowRight: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, PageUp: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      window.__galleryShow((window.__galleryAt || 0) + step);
    });
    // The page reads the groups again now and then and draws the slides anew: the slide shown stays.
    new MutationObserver(() => {
      const all = slides();
      const at = window.__galleryAt || 0;
      const where = document.querySelector('.gallery-where');
      const lost = (all[at] && all[at].hidden) || (where && !where.textContent);
      if (all.length && lost) window.__galleryShow(at);
    }).observe(document.body, { childList: true, subtree: true });
    document.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('[data-gallery]') : null;
      if (!button) return;
      const at = window.__galleryAt || 0;
      window.__galleryShow(at + (button.dataset.gallery === 'next' ? 1 : -1));
    });
  }
  show(window.__galleryAt || 0);
}
"""

_turner = st.components.v2.component("day_gallery", js=_JS)


def gallery(groups: list[GroupState], *, title: str) -> None:
    """One slide per group that has its template (or what it has of it so far)."""
    slides = []
    for i, group in enumerate(groups):
        texts = {"trend": group.trend, "obstacle": group.obstacle, "innovation": group.innovation}
        heading = tr("day.group", n=group.number)
        slides.append(
            f'<section class="gallery-slide" data-group="{group.number}" aria-label="{esc(heading)}"'
            f"{' hidden' if i else ''}>"
            f"<h2>{esc(heading)}</h2>{template_shapes(texts, css_class='mini-template gallery-template')}"
            "</section>"
        )
    bar = (
        f'<nav class="gallery-bar" aria-label="{esc(tr("day.gallery"))}">'
        f'<button type="button" data-gallery="previous">{esc(tr("day.gallery_previous"))}</button>'
        f'<span class="gallery-where" aria-live="polite"></span>'
        f'<button type="button" data-gallery="next">{esc(tr("day.gallery_next"))}</button></nav>'
    )
    st.html(f'<div class="gallery"><h1>{esc(title)}</h1>{"".join(slides)}{bar}</div>')
    _turner(key="gallery_turner", data={"where": t("day.gallery_where", lang(), i="{i}", n="{n}")})
