"""Text into lines of a given width, measured by whoever draws it (Pillow or reportlab): words
wrapped, a word too long for a line broken, what does not fit cut with an ellipsis."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Measure = Callable[[str, float], float]  # the width of a text at a font size


def wrap(text: str, measure: Measure, size: float, widths: Sequence[float]) -> list[str] | None:
    """Words into at most ``len(widths)`` lines, line ``i`` no wider than ``widths[i]``; a word
    too long for a line is broken. ``None`` when the text needs more lines."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(lines) < len(widths) and measure(candidate, size) <= widths[len(lines)]:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        while True:
            if len(lines) >= len(widths):
                return None
            if measure(word, size) <= widths[len(lines)]:
                current = word
                break
            cut = max(
                (n for n in range(1, len(word)) if measure(word[:n], size) <= widths[len(lines)]), default=1
            )
            lines.append(word[:cut])
            word = word[cut:]
    if current:
        lines.append(current)
    return lines


def clip(text: str, measure: Measure, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width``."""
    if measure(text, size) <= width:
        return text
    while text and measure(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def clipped_lines(text: str, measure: Measure, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width``; past ``max_lines`` the last line ends with an ellipsis."""
    lines = wrap(text, measure, size, [width] * 400) or [text]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], clip(rest, measure, size, width)]
    return lines
