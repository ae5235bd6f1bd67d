"""The pytest face of mockkms: a ``kms`` fixture and a ``mock_kms`` marker.

Registered through the ``pytest11`` entry point, so installing mockkms is enough.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from .mock import MockKMS


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mock_kms(account_id='123456789012', region='us-east-1', enforce_policies=True): "
        "options for the kms fixture's mock",
    )


@pytest.fixture
def kms(request: pytest.FixtureRequest) -> Iterator[MockKMS]:
    """An active, empty KMS mock for one test; yields the handle (clock, calls, ...)."""
    marker = request.node.get_closest_marker("mock_kms")
    # Positional options too (``mock_kms("111122223333")``): silently ignoring them would
    # give the test a different account than it asked for.
    args, options = (marker.args, dict(marker.kwargs)) if marker is not None else ((), {})
    handle = MockKMS(*args, **options)
    handle._single_use = True  # nobody starts it again: its key pairs may serve later tests
    with handle:
        yield handle
