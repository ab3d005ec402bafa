"""The plan search matches each word typed where a word of the plan's text starts, so the search box's own
examples ("rds r6g, heroku standard, neon 2 cu") find the plan they name and not plans that merely hold the
characters ("2" is in "0.25" and in "max 2,098"). The texts are the picker's titles, written out by hand."""

from __future__ import annotations

import pytest

from pgplanner.presets import matches, search_words

NEON_QUARTER = "Neon — 0.25cu (0.25 vCPU, 1 GB, max 104)"
NEON_TWO = "Neon — 2cu (2 vCPU, 8 GB, max 839)"
NEON_FIVE = "Neon — 5cu (5 vCPU, 20 GB, max 2,098)"
RDS_LARGE = "AWS RDS for PostgreSQL — db.r6g.large (2 vCPU, 16 GB, max 1,717)"
RDS_2XLARGE = "AWS RDS for PostgreSQL — db.r6g.2xlarge (8 vCPU, 64 GB, max 5,000)"
HEROKU = "Heroku Postgres — standard-0 (2 vCPU, 4 GB, max 120)"


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("neon 2 cu", NEON_TWO),
        ("neon 2 CU", "Neon 2 CU"),  # the unit apart from its number, as a label writes it
        ("2cu", NEON_TWO),
        ("rds r6g", RDS_LARGE),  # "r6g" starts a word after "db."
        ("R6G rds", RDS_LARGE),  # any order, any case
        ("heroku standard", HEROKU),
        ("0.25", NEON_QUARTER),
        ("2,098", NEON_FIVE),
        ("xlarge", RDS_2XLARGE),  # letters after digits start a word
        ("", HEROKU),  # an empty search finds everything
    ],
)
def test_a_word_typed_finds_the_plan_whose_words_it_starts(query: str, text: str) -> None:
    assert matches(query, text)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("neon 2 cu", NEON_QUARTER),  # "2" inside 0.25
        ("neon 2 cu", NEON_FIVE),  # "2" of 2,098, and "cu" only after 5
        ("2", NEON_QUARTER),
        ("2", NEON_FIVE),
        ("098", NEON_FIVE),  # after a thousands comma
        ("25", NEON_QUARTER),  # after a decimal point
        ("6g", RDS_LARGE),  # inside "r6g"
        ("andard", HEROKU),
        ("rds", HEROKU),
    ],
)
def test_a_word_inside_another_word_or_number_does_not_find_it(query: str, text: str) -> None:
    assert not matches(query, text)


def test_the_placeholders_examples_find_the_plans_they_name_first(catalog) -> None:
    """Enter chooses the first plan found, in catalog order: "neon 2 cu" must be Neon 2 CU, not 0.25 CU."""

    def found(query: str) -> list[str]:
        return [preset.id for preset in catalog if matches(query, search_words(preset))]

    assert found("neon 2 cu")[0] == "neon/2cu"
    assert "aws-rds/db.r6g.large" in found("rds r6g")
    assert all(plan.startswith("aws-rds/db.r6g.") for plan in found("rds r6g"))
    assert found("heroku standard")[0] == "heroku/standard-0"
    assert all(plan.startswith("heroku/standard-") for plan in found("heroku standard"))
