import uuid

from mockkms.domain.ids import request_id, uuid4


def test_uuid4_is_a_canonical_version_4_rfc_4122_uuid():
    for _ in range(2000):
        value = uuid4()
        parsed = uuid.UUID(value)
        assert (str(parsed), parsed.version, parsed.variant) == (value, 4, uuid.RFC_4122)


def test_uuid4_values_differ():
    assert len({uuid4() for _ in range(1000)}) == 1000


def test_request_ids_are_unique_version_4_uuids():
    ids = [request_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value for value in ids)
