"""The in-process path builds response timestamps itself: they must be botocore's, field for field."""
import datetime as dt
import time

import pytest
from botocore.utils import parse_timestamp

from mockkms.model.codec import _parsed_timestamp


def same(ours, theirs):
    """Field for field.  Not ``==``: under PEP 495 two datetimes with different tzinfo objects
    in a repeated hour never compare equal, not even two parses by botocore itself."""
    return (ours.replace(tzinfo=None) == theirs.replace(tzinfo=None)
            and ours.fold == theirs.fold and ours.utcoffset() == theirs.utcoffset()
            and type(ours.tzinfo) is type(theirs.tzinfo))


def epochs_around(moment):
    base = moment.timestamp()
    return [round(base + step / 1000, 3) for step in range(-7_200_000, 7_200_001, 599_999)] + \
        [round(base + ms / 1000, 3) for ms in (1, 999, 1000, 1001, 123, 456)]


@pytest.fixture(params=["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"])
def local_zone(request, monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available here")
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


# 2026-11-01 06:00 UTC: New York falls back; 2026-03-29 01:00 UTC: Berlin springs forward.
@pytest.mark.parametrize("moment", [dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.timezone.utc),
                                    dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.timezone.utc),
                                    dt.datetime(2026, 11, 28, 12, 0, 0, 987000, tzinfo=dt.timezone.utc)])
def test_timestamps_equal_botocores_parse_in_every_field(local_zone, moment):
    for epoch in epochs_around(moment):
        value = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
        ours, theirs = _parsed_timestamp(value), parse_timestamp(round(value.timestamp(), 3))
        assert same(ours, theirs), (local_zone, epoch, ours, theirs)
