"""Sizes: postgresql.conf spellings in, exact bytes inside, lossless spellings out."""

import pytest

from pgplanner.model.units import GB, KB, MB, TB, format_size, human_size, parse_size


@pytest.mark.parametrize(
    "text, size",
    [
        ("16GB", 16 * GB),
        ("16 GB", 16 * GB),
        ("16gb", 16 * GB),
        ("16GiB", 16 * GB),
        ("16G", 16 * GB),
        ("64kB", 64 * KB),
        ("1.5GB", 1536 * MB),
        ("2TB", 2 * TB),
        ("512B", 512),
        (" 10 MB ", 10 * MB),
    ],
)
def test_parse(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text, says", [("64", "needs a unit"), ("64XB", "unknown unit"), ("lots", "not a size")])
def test_parse_refuses(text, says):
    with pytest.raises(ValueError, match=says):
        parse_size(text)


@pytest.mark.parametrize(
    "size, text", [(16 * GB, "16GB"), (1536 * MB, "1536MB"), (64 * KB, "64kB"), (100, "100B"), (0, "0B")]
)
def test_format_is_lossless(size, text):
    assert format_size(size) == text
    assert parse_size(text) == size


@pytest.mark.parametrize("size, text", [(10 * GB, "10 GB"), (1536 * MB, "1.5 GB"), (266 * MB, "266 MB"), (5, "5 B")])
def test_human(size, text):
    assert human_size(size) == text
