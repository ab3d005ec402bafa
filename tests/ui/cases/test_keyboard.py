"""A DBA who keeps their hands on the keyboard: Tab goes through the window in the order it is drawn, a
card opens its "why" and copies its number, Alt+letter reaches an input, the focus is always visible,
the handles between the plots move, and Undo says what it undoes in the form's own words."""

from ..adapter import (
    SERVER_DIALOGS,
    alt_letter_in_dialog,
    answer_unsaved_changes_with_keys,
    back_to_self_managed,
    choose_provider_plan,
    clipboard,
    details_tab,
    dialog_labels_and_buttons,
    example_entries,
    focus_ring_pixels,
    focused_card,
    handle_above_details_by_keys,
    input_in_view,
    input_labels,
    input_value,
    input_with_focus,
    inputs_out_of_view_tabbing_to,
    menu_bar_letters,
    place_with_focus,
    places_tab_reaches,
    plots_height,
    press_alt,
    press_on_focused,
    provider_search_selection,
    read_card,
    resize_window,
    search_provider_plans,
    set_hardware,
    tab_to_cards,
    type_where_the_focus_is,
    undo_entry,
    unsaved_changes_box_room_for_its_title,
    unsaved_changes_buttons,
    widget_perimeter,
)


def mnemonic(text: str) -> str | None:
    """The letter after a single ``&`` ("&RAM" -> "r"), None when there is none."""
    plain = text.replace("&&", "")
    return plain[plain.index("&") + 1].lower() if "&" in plain else None


def test_tab_goes_through_the_inputs_in_the_order_they_are_drawn(app):
    places = places_tab_reaches(app)
    assert places[:6] == ["Hardware", "Provider plan", "Memory", "Workload and budget", "Pooler", "cards"]
    plots = [place for place in places if place in ("throughput", "memory", "budget", "details")]
    assert plots == ["throughput", "memory", "budget", "details"]  # then the plots and the tabs under them
    assert "handle" in places  # and the handles between them


def test_tab_never_stops_where_nothing_shows_the_focus(app):
    """Round the window, every stop is an input, a card, a plot, a handle or the tabs under the plots: there was
    one more after the last handle, the form's scroll area, which draws no focus at all."""
    assert "" not in places_tab_reaches(app)


def test_a_card_opens_its_why_and_copies_its_number_from_the_keyboard(app):
    assert tab_to_cards(app) == "max_connections"
    press_on_focused(app, "Return")
    assert details_tab(app) == "Why these numbers"
    press_on_focused(app, "Right")
    assert focused_card(app) == "RAM ceiling"
    press_on_focused(app, "Ctrl+C")
    assert clipboard() == f"{read_card(app, 'RAM ceiling'):,}"
    press_on_focused(app, "Down")
    assert focused_card(app) == "Heavy-fraction memory"  # the card under it
    press_on_focused(app, "Space")
    assert details_tab(app) == "Why these numbers"


def test_alt_and_a_letter_reach_an_input(app):
    labels = input_labels(app)
    letters = [mnemonic(text) for text in labels.values() if mnemonic(text)]
    assert len(letters) == len(set(letters))  # no two labels share a letter
    assert not set(letters) & menu_bar_letters(app)  # nor does one take the menu bar's
    for flat in ("cores", "ram", "shared_buffers", "work_mem", "workload", "pooler", "pool_size"):
        assert mnemonic(labels[flat]), flat  # each group's first inputs have one
    assert labels["ram"] == "&RAM"
    press_alt(app, "R")
    assert input_with_focus(app) == "ram"
    press_alt(app, mnemonic(labels["work_mem"]))
    assert input_with_focus(app) == "work_mem"  # its "auto" box: the value is derived, its box greyed
    press_alt(app, "P")
    assert place_with_focus(app) == "Provider plan"  # the plan search


def test_alt_letter_selects_the_value_to_type_over_also_in_the_box_that_has_the_focus(app):
    """Alt+U, 8, Enter; then Alt+U again (the focus is still there), 12, Enter: 12 cores, as from anywhere
    else. The second Alt+U left the cursor after "8 cores" and the box refused "8 cores12"."""
    for typed in ("8", "12"):
        press_alt(app, "U")
        type_where_the_focus_is(app, typed)
        press_on_focused(app, "Return")
        assert input_value(app, "cores") == int(typed)
    search_provider_plans(app, "heroku")
    press_alt(app, "P")  # the plan search has the focus: Alt+P selects what is there, to type over
    assert provider_search_selection(app) == "heroku"


def test_alt_letter_and_tab_bring_an_input_below_the_panel_into_view(app):
    labels = input_labels(app)
    assert not input_in_view(app, "pool_size")  # the Pooler group starts below the panel's edge
    press_alt(app, mnemonic(labels["pool_size"]))
    assert input_with_focus(app) == "pool_size"
    assert input_in_view(app, "pool_size")
    press_alt(app, mnemonic(labels["cores"]))  # and back up to the first input
    assert input_in_view(app, "cores")
    assert inputs_out_of_view_tabbing_to(app, "pool_size") == []


def test_the_server_dialogs_answer_to_alt_letters_too(app):
    for dialog in SERVER_DIALOGS:
        words = dialog_labels_and_buttons(app, dialog)
        letters = [mnemonic(text) for text in words]
        assert None not in letters, (dialog, words)  # every label and button has one
        assert len(set(letters)) == len(letters), (dialog, words)  # and no two share it
    assert alt_letter_in_dialog(app, "Connect", "U") == "User"
    assert alt_letter_in_dialog(app, "Connect", "P") == "Port"
    assert alt_letter_in_dialog(app, "Measure", "R") == "Runs per client count"
    assert alt_letter_in_dialog(app, "Probe", "W") == "Watch for"


def test_the_example_menus_answer_to_letters_too(app):
    for menu in ("Open Example", "Compare with Example"):
        letters = [mnemonic(text) for text in example_entries(app, menu)]
        assert len(letters) == 8 and None not in letters, menu  # the eight bundled examples, each with a letter
        assert len(set(letters)) == len(letters), menu  # and no two share it


def test_the_focus_is_visible_on_a_plot_and_on_a_slider(app):
    for name in ("throughput", "ram"):
        without, focused = focus_ring_pixels(app, name)
        assert focused - without >= widget_perimeter(app, name), name  # a ring all the way round


def test_the_unsaved_changes_box_answers_to_alt_letters(app):
    buttons = unsaved_changes_buttons(app)
    assert [b.replace("&", "") for b in buttons] == ["Save", "Discard", "Cancel"]
    assert len({mnemonic(b) for b in buttons}) == 3 and None not in {mnemonic(b) for b in buttons}
    assert answer_unsaved_changes_with_keys(app, "Alt+D") == "discard"
    assert answer_unsaved_changes_with_keys(app, "Escape") == "cancel"
    # Openbox's title bar keeps about 100 px for its icon and three buttons: the title is written whole.
    assert unsaved_changes_box_room_for_its_title(app) >= 100


def test_the_handle_above_the_details_moves_with_the_arrow_keys(app):
    resize_window(app, 1600, 1000)
    before = plots_height(app)
    handle_above_details_by_keys(app, "Up", 5)
    assert plots_height(app) < before  # the details grow, the plots give room
    shrunk = plots_height(app)
    handle_above_details_by_keys(app, "PgDown", 2)
    assert plots_height(app) > shrunk


def test_undo_names_the_input_as_the_form_does(app):
    set_hardware(app, ram="32GB")
    assert undo_entry(app) == "Undo Change RAM"


def test_undo_names_the_plan_chosen_and_the_way_back_in_words(app):
    """The provider's and the plan's own names, as AWS writes them, not the catalog's key "aws-rds/db.r6g.large"."""
    choose_provider_plan(app, "aws-rds/db.r6g.large")
    assert undo_entry(app) == "Undo Choose AWS RDS for PostgreSQL db.r6g.large"
    back_to_self_managed(app)
    assert undo_entry(app) == "Undo Back to self-managed"  # as the button says


def test_alt_p_reaches_the_plan_search_after_back_to_self_managed_and_the_small_windows_tabs(app):
    """Back to self-managed (a click: the button takes the focus, then hides), then 1280x800 to 1024x700 (the
    plots become tabs) and back: Alt+P must still leave the box that has the focus for the plan search, or what
    the user types for a plan changes that box."""
    choose_provider_plan(app, "neon/2cu")
    back_to_self_managed(app)
    for width, height in ((1280, 800), (1024, 700), (1280, 800)):
        resize_window(app, width, height)
    press_alt(app, "R")
    assert input_with_focus(app) == "ram"
    press_alt(app, "P")
    assert place_with_focus(app) == "Provider plan"
