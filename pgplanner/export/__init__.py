"""Renderers: a Plan becomes the text of each artifact a user takes away.

One module per artifact (report, postgresql_conf, alter_system, pgbouncer_ini, pgcat_toml, os_linux,
os_macos, os_freebsd, os_windows, provider/, readme); :mod:`.bundle` puts them together and writes
them atomically. Callers with pre-rendered files, such as the window's plots, pass them to
``bundle.export_bundle(..., extra_files={"plots/throughput.png": png_bytes})``: nothing here draws,
so nothing here imports Qt.
"""
