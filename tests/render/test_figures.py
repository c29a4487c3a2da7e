"""Figures: untrusted text stays text, and every option keeps its own bar."""

from __future__ import annotations

from workshop.render.figures import results_figure, safe_label, template_figure

HOSTILE = '<a href="javascript:alert(1)">x</a> <b>bold</b> & co'


def test_template_puts_trend_on_top_obstacle_below_innovation_between() -> None:
    fig = template_figure(
        trend="T", obstacle="O", innovation="I", labels=("Тренд", "Препятствие", "Инновация")
    )

    by_text = {a.text: a.y for a in fig.layout.annotations}

    assert by_text["T"] > by_text["I"] > by_text["O"]
    assert len(fig.layout.shapes) == 2


def test_participant_text_in_the_template_is_escaped_not_markup() -> None:
    fig = template_figure(trend="T", obstacle=HOSTILE, innovation="I", labels=("a", "b", "c"))

    texts = " ".join(a.text for a in fig.layout.annotations)

    assert "<a href" not in texts and "<b>bold" not in texts
    assert "&lt;a" in texts and "&lt;b&gt;bold" in texts and "&amp; co" in texts


def test_long_text_is_wrapped_and_cut_with_an_ellipsis() -> None:
    label = safe_label("слово " * 60, width=20, max_lines=3)

    assert label.count("<br>") == 2
    assert label.endswith("…")


def test_two_options_with_the_same_text_get_two_bars() -> None:
    fig = results_figure(labels=["Дорого", "Дорого", "Долго"], votes=[3, 2, 1], winner_index=0)

    bar = fig.data[0]

    assert len(bar.x) == 3 and len(set(bar.y)) == 3
    assert list(fig.layout.yaxis.ticktext) == ["Дорого", "Дорого", "Долго"]
    assert bar.marker.color[0] == "#1a7f37"
