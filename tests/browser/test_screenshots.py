"""The README's screenshot script: real PNG files of the right size, with something on them."""

from __future__ import annotations

import struct
from pathlib import Path

from scripts.screenshots import LAPTOP, take
from tests.support import PHONE, PROJECTOR

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path.name} has no IHDR first"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshots_of_two_stops_are_real_pngs(tmp_path: Path, browser) -> None:
    written = take(tmp_path, ["lobby", "presentation"], browser=browser)

    projector = ["00_start.png", "01_lobby_projector.png", "10_presentation_projector.png"]
    phone = ["00_join.png", "01_lobby_phone.png", "10_presentation_phone.png"]
    laptop = ["01_lobby_facilitator.png", "10_presentation_facilitator.png"]
    assert sorted(p.name for p in written) == sorted(projector + phone + laptop)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(projector + phone + laptop)
    for name in laptop:
        path = tmp_path / name
        assert png_size(path) == (LAPTOP["width"], LAPTOP["height"]), name
        assert path.stat().st_size > 20_000, f"{name} looks blank ({path.stat().st_size} bytes)"
    for name in projector:
        path = tmp_path / name
        assert png_size(path) == (PROJECTOR["width"], PROJECTOR["height"]), name
        assert path.stat().st_size > 20_000, f"{name} looks blank ({path.stat().st_size} bytes)"
    for name in phone:
        path = tmp_path / name
        assert png_size(path) == (PHONE["width"], PHONE["height"]), name
        assert path.stat().st_size > 5_000, f"{name} looks blank ({path.stat().st_size} bytes)"
