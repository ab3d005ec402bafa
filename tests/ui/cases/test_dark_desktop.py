"""A DBA on a dark desktop (a dark Fusion palette, as a dark KDE or GNOME theme gives Qt) reads the whole
window: the cards, the warnings, the tabs' titles and hints, the headline and every plot's words are
light on dark and readable (WCAG AA, 4.5:1), and nothing stays a white box."""

from ..adapter import (
    DARK_WINDOW,
    another_window_in_front,
    card_background,
    card_words_and_colours,
    contrast,
    export_preview_colours,
    headline_colours,
    move_mouse_over_plot,
    new_scenario,
    open_export,
    plot_background,
    set_hardware,
    set_memory,
    settings_hint_colours,
    unreadable_words,
    use_dark_palette,
    warning_words_and_colours,
    warnings,
    warnings_tab_title_colours,
)

BLACK, WHITE = "#000000", "#FFFFFF"
READABLE = 4.5  # WCAG 2 AA for text


def darker_than_mid_grey(colour: str) -> bool:
    return contrast(colour, BLACK) < contrast(colour, WHITE)


def unreadable(pairs) -> list[str]:
    return [f"{words!r}: {ink} on {under}" for words, ink, under in pairs if contrast(ink, under) < READABLE]


def test_the_cards_are_dark_and_read_on_a_dark_desktop(app):
    use_dark_palette(app)
    assert darker_than_mid_grey(card_background(app, "max_connections"))
    assert unreadable(card_words_and_colours(app)) == []


def test_an_empty_warnings_tab_and_the_settings_hint_read_on_a_dark_desktop(app):
    use_dark_palette(app)
    assert warnings(app) == []  # the default plan holds together: the tab is titled plainly "Warnings"
    ink, under = warnings_tab_title_colours(app)
    assert contrast(ink, under) >= READABLE, (ink, under)
    words, ink, under = settings_hint_colours(app)
    assert words.startswith("Click a setting") and contrast(ink, under) >= READABLE, (ink, under)


def test_warnings_read_on_their_severity_tint_on_a_dark_desktop(app):
    set_hardware(app, ram="4GB")
    set_memory(app, work_mem="512MB")  # a worst case far past RAM: an error, and warnings beside it
    use_dark_palette(app)
    listed = warning_words_and_colours(app)
    assert listed and unreadable(listed) == []
    ink, under = warnings_tab_title_colours(app)  # the title takes the worst severity's colour, readable
    assert contrast(ink, under) >= READABLE, (ink, under)
    assert unreadable(headline_colours(app)) == []  # "· 1 blocking" in red, readable on the dark window


def test_every_plot_is_dark_with_readable_words_and_readouts(app):
    use_dark_palette(app)
    for plot in ("throughput", "memory", "budget"):
        assert darker_than_mid_grey(plot_background(app, plot)), plot
        move_mouse_over_plot(app, plot, 0.5, 0.6)
        assert unreadable_words(app, plot) == [], plot  # heading, key (the budget's legend), axes, readout


def test_back_on_a_light_desktop_the_cards_are_light_again(app):
    use_dark_palette(app)
    from PySide6.QtWidgets import QApplication

    QApplication.setPalette(QApplication.style().standardPalette())
    app.qtbot.wait(20)
    assert not darker_than_mid_grey(card_background(app, "max_connections"))
    assert unreadable(card_words_and_colours(app)) == []
    assert DARK_WINDOW  # the dark palette used above: the adapter's


def test_the_export_preview_reads_on_a_light_desktop_and_again_on_a_dark_one(app):
    open_export(app)
    coloured = export_preview_colours(app, "postgresql/postgresql.conf")
    assert "max_connections" in [words for words, _, _ in coloured]  # keys are coloured, and so are comments
    assert any(words.startswith("# ") for words, _, _ in coloured)
    assert unreadable(coloured) == []
    use_dark_palette(app)  # the desktop turns dark with the dialog open
    coloured = export_preview_colours(app, "postgresql/postgresql.conf")
    assert darker_than_mid_grey(coloured[0][2])
    assert unreadable(coloured) == []


def test_words_written_while_another_window_is_in_front_read_once_the_window_is_back(app):
    use_dark_palette(app, greys_background_windows=True)  # as GNOME's Adwaita dark
    set_hardware(app, ram="4GB")
    set_memory(app, work_mem="512MB")
    with another_window_in_front(app):  # File > New, answering Discard to "save the changes first?"
        new_scenario(app)
    assert warnings(app) == []
    ink, under = warnings_tab_title_colours(app)
    assert contrast(ink, under) >= READABLE, (ink, under)
    with another_window_in_front(app):  # a dialog in front while the plan changes: warnings come back
        set_hardware(app, ram="4GB")
        set_memory(app, work_mem="512MB")
    listed = warning_words_and_colours(app)
    assert listed and unreadable(listed) == []
