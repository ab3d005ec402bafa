"""Each settings group declares the parameters it writes, per release; any other name is an error.

A misspelt name used to be dropped without a word (the setting simply vanished from postgresql.conf).
Now it raises, naming the group and the nearest declared name. The first releases below are
PostgreSQL's own (release notes: reserved_connections in 16, io_method and io_workers in 18); the
integration tests compare the declarations with the real servers' lists.
"""

from __future__ import annotations

import itertools

import pytest

from pgplanner.model import Scenario, plan
from pgplanner.model.derivation import given
from pgplanner.model.settings import DECLARATIONS, PARAMETERS, RELEASES, UnknownParameter, declared_names
from pgplanner.model.settings.connections import DECLARED as CONNECTIONS
from pgplanner.model.settings.wal import DECLARED as WAL

WHY = given("100", "max_connections")


def test_a_misspelt_name_fails():
    with pytest.raises(UnknownParameter, match="'max_conections' is not a parameter the connections group declares; "
                       "did you mean 'max_connections'"):  # fmt: skip
        CONNECTIONS.setting(15, "max_conections", "100", WHY)


def test_a_name_of_another_group_fails():
    with pytest.raises(UnknownParameter, match="the wal group"):
        WAL.setting(15, "max_connections", "100", WHY)


def test_a_declared_name_the_release_does_not_know_is_left_out():
    assert CONNECTIONS.setting(15, "reserved_connections", "2", WHY) is None
    assert CONNECTIONS.setting(16, "reserved_connections", "2", WHY).context == "restart"


def test_the_releases_are_13_to_18():
    assert list(RELEASES) == [13, 14, 15, 16, 17, 18]


# First releases, from PostgreSQL's release notes (not read from pgplanner).
NEWER_THAN_13 = {"reserved_connections": 16, "io_method": 18, "io_workers": 18}


@pytest.mark.parametrize("version", list(RELEASES))
def test_each_release_declares_what_it_knows(version):
    expected = {name for name in PARAMETERS if NEWER_THAN_13.get(name, 13) <= version}
    assert declared_names(version) == expected


def test_no_name_is_declared_by_two_groups():
    names = [name for d in DECLARATIONS for name in d.parameters]
    assert len(names) == len(set(names))


def test_every_declared_name_is_written_by_some_scenario_of_its_release():
    """No stale declaration: over releases x platforms x profiles, each declared name appears."""
    written: dict[int, set[str]] = {version: set() for version in RELEASES}
    for version, platform, profile in itertools.product(RELEASES, ("linux", "windows"), ("web", "desktop")):
        result = plan(Scenario().with_changes(pg_version=version, platform=platform, profile=profile))
        written[version] |= {s.name for s in result.settings}
    for version in RELEASES:
        assert written[version] == declared_names(version), version
