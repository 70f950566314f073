"""The ruleset: its thresholds are pinned to its version and written down with the funder's words."""

import re
from decimal import Decimal
from pathlib import Path

from eligibility import criteria
from eligibility.criteria import RULESET_VERSION, THRESHOLDS
from tests.conftest import require

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# When a threshold changes, RULESET_VERSION changes too, and a new line is added here.
PINNED = {
    "2026.1": {
        "MIN_ORGANISATIONS": 2,
        "MAJORITY_SHARE": 0.5,
        "BLOCKING_SHARE": 1 / 3,
        "SHARES_TOLERANCE": 0.01,
        "MIN_SHARED_PROGRAMME_MEMBERS": 2,
        "FUNDABLE_SHARE_PASS": Decimal("0.90"),
        "FUNDABLE_SHARE_EXCLUDE": Decimal("0.50"),
        "MIN_YEARS": 1,
    },
}


def test_changing_a_threshold_changes_the_ruleset_version():
    assert dict(THRESHOLDS) == PINNED[RULESET_VERSION]


def test_every_threshold_is_written_down_in_the_module_docstring():
    for name in THRESHOLDS:
        assert f"`{name}`" in criteria.__doc__, name


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def test_the_docstring_quotes_the_funders_own_sentences():
    require(SEEDS.is_dir(), f"the funder's text is not at {SEEDS}")
    text = _plain(" ".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")))
    quotes = re.findall(r"«\s*(.+?)\s*»", criteria.__doc__, flags=re.S)
    assert len(quotes) >= 8
    for quote in quotes:
        assert _plain(quote) in text, quote
