"""The window: PySide6 and pyqtgraph. The only package that imports Qt."""
