"""The app icon in each platform's format, rendered from its one source, resources/icons/pgplanner.svg.

Windows wants an .ico and macOS an .icns; both can hold PNG images (Windows Vista and macOS 10.7 on),
so Qt's own SVG renderer draws every size directly and 16 px stays as crisp as the SVG's pixel grid
instead of being scaled down from a large bitmap. Nothing generated is kept in the repository: the
spec writes the file it needs into PyInstaller's work folder on each build; Linux needs none (its
desktop entry names the SVG).
"""

from __future__ import annotations

import struct
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SOURCE = Path(__file__).resolve().parent.parent / "resources" / "icons" / "pgplanner.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # what Explorer and the taskbar ask for
# The icns element types that hold PNG data, by their pixel size (Apple's icns format).
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def png(size: int, svg: Path = SOURCE) -> bytes:
    """The icon drawn at ``size`` x ``size`` pixels, as PNG bytes."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a readable SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def ico(svg: Path = SOURCE) -> bytes:
    """A Windows icon: a directory of PNG images, one per size (a width byte of 0 means 256)."""
    images = [(size, png(size, svg)) for size in ICO_SIZES]
    offset = 6 + 16 * len(images)
    directory = b""
    for size, data in images:
        side = size % 256
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + b"".join(data for _, data in images)


def icns(svg: Path = SOURCE) -> bytes:
    """A macOS icon: typed, length-prefixed PNG elements after an ``icns`` header."""
    body = b""
    for size, kind in ICNS_TYPES.items():
        data = png(size, svg)
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


FORMATS = {".ico": ico, ".icns": icns}


def write(out: Path, svg: Path = SOURCE) -> Path:
    """Write the icon in the format ``out``'s suffix names: .ico or .icns."""
    if out.suffix not in FORMATS:
        raise ValueError(f"{out}: no icon format for {out.suffix!r} (known: {', '.join(FORMATS)})")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(FORMATS[out.suffix](svg))
    return out
