import pytest
from django.utils import translation


@pytest.fixture
def english():
    """Services' refusals are matched on their English source text (French is the default)."""
    with translation.override("en"):
        yield
