"""The platform icons rendered from the one SVG: well-formed files that Qt itself can read back, and
a 16 px rendering that stays on the pixel grid."""

from __future__ import annotations

import struct

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage, QImageReader

from .scripts import load

app_icons = load("app_icons")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", data[16:24])


def _qt_image_count(data: bytes, image_format: bytes) -> int:
    buffer = QBuffer()
    buffer.setData(QByteArray(data))  # a copy the buffer owns
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return QImageReader(buffer, QByteArray(image_format)).imageCount()


def test_ico_holds_a_png_per_size(qapp):
    data = app_icons.ico()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(app_icons.ICO_SIZES))
    for index, size in enumerate(app_icons.ICO_SIZES):
        width, height, *_, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * index : 22 + 16 * index])
        assert (width or 256, height or 256) == (size, size)
        assert _png_size(data[offset : offset + length]) == (size, size)
    assert _qt_image_count(data, b"ico") == count  # Qt's own reader agrees


def test_icns_holds_a_png_per_type(qapp):
    data = app_icons.icns()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    offset, found = 8, {}
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        found[kind] = _png_size(data[offset + 8 : offset + length])
        offset += length
    assert found == {kind: (size, size) for size, kind in app_icons.ICNS_TYPES.items()}
    assert _qt_image_count(data, b"icns") == len(found)


def test_16_px_is_drawn_on_whole_pixels():
    """Inside the rounded corners, every pixel is exactly one of the icon's colours: no blurred edges."""
    image = QImage.fromData(app_icons.png(16))
    colours = {image.pixelColor(x, y).name(QColor.NameFormat.HexArgb) for x in range(2, 14) for y in range(2, 14)}
    assert colours == {"#ff0072b2", "#ffe69f00", "#ffffffff"}


def test_write_picks_the_format_from_the_suffix(tmp_path):
    assert app_icons.write(tmp_path / "a.ico").read_bytes()[:4] == b"\0\0\1\0"
    assert app_icons.write(tmp_path / "a.icns").read_bytes()[:4] == b"icns"
    with pytest.raises(ValueError, match="no icon format"):
        app_icons.write(tmp_path / "a.bmp")
