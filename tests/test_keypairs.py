"""Key pairs are made on first use and recycled from mocks that are gone, never shared by live keys."""
from __future__ import annotations

import gc

import boto3
import pytest

from conftest import REGION
from mockkms import mock_kms
from mockkms.domain.keypairs import POOL

SPEC = "ECC_NIST_P256"  # cheap to generate; the pool treats every spec alike


@pytest.fixture
def empty_pool():
    POOL.clear()
    yield POOL
    POOL.clear()


def new_client():
    return boto3.client("kms", region_name=REGION)


def create(client, spec=SPEC, usage="SIGN_VERIFY"):
    return client.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]


def public_key(client, key_id):
    return client.get_public_key(KeyId=key_id)["PublicKey"]


def test_create_key_does_not_make_the_private_key(kms, client):
    key_id = create(client, "RSA_4096")
    key = kms.world.store(kms.account_id, REGION).keys[key_id]
    assert key.pair is not None and key.pair._private is None


def test_first_use_makes_the_private_key(kms, client):
    key_id = create(client)
    public_key(client, key_id)
    assert kms.world.store(kms.account_id, REGION).keys[key_id].pair._private is not None


def test_the_same_key_keeps_its_key_pair(client):
    key_id = create(client)
    assert public_key(client, key_id) == public_key(client, key_id)


def test_a_decorated_test_gives_its_key_pairs_back_when_it_ends(empty_pool):
    seen = []

    @mock_kms
    def one_test():
        client = new_client()
        seen.append(public_key(client, create(client)))

    one_test()
    assert empty_pool.spare(SPEC) == 1
    one_test()
    assert seen[0] == seen[1]  # the second test's key reused the first test's pair
    assert empty_pool.spare(SPEC) == 1


def test_unused_keys_give_nothing_back(empty_pool):
    @mock_kms
    def one_test():
        create(new_client())

    one_test()
    assert empty_pool.spare(SPEC) == 0


def test_two_keys_of_one_mock_never_share_a_pair(empty_pool, client):
    empty_pool.give_back(SPEC, __import__("mockkms.domain.keypairs", fromlist=["generate"]).generate(SPEC))
    first, second = create(client), create(client)
    assert public_key(client, first) != public_key(client, second)


def test_mocks_alive_at_once_never_share_a_pair(empty_pool):
    outer = mock_kms()
    with outer:
        client = new_client()
        outer_public = public_key(client, create(client))
        with mock_kms():
            assert public_key(client, create(client)) != outer_public


def test_a_stopped_mock_that_can_restart_keeps_its_pairs(empty_pool):
    mock = mock_kms()
    with mock:
        client = new_client()
        key_id = create(client)
        before = public_key(client, key_id)
    assert empty_pool.spare(SPEC) == 0
    with mock:
        assert public_key(client, key_id) == before


def test_a_forgotten_mock_gives_its_pairs_back(empty_pool):
    mock = mock_kms()
    with mock:
        client = new_client()
        public_key(client, create(client))
    del mock
    gc.collect()
    assert empty_pool.spare(SPEC) == 1


def test_the_kms_fixture_retires_its_world(empty_pool, pytester):
    pytester.makepyfile("""
        import boto3
        from mockkms.domain.keypairs import POOL

        def test_one(kms):
            client = boto3.client("kms", region_name="us-east-1")
            key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            client.get_public_key(KeyId=key_id)

        def test_two():
            assert POOL.spare("ECC_NIST_P256") == 1
    """)
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function"
                                 ).assert_outcomes(passed=2)


def test_data_key_pairs_are_never_given_back(empty_pool):
    @mock_kms
    def one_test():
        client = new_client()
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=SPEC)

    one_test()
    assert empty_pool.spare(SPEC) == 0


def test_a_data_key_pair_may_come_from_the_pool_but_never_from_a_live_key(empty_pool, client):
    key_id = create(client)
    live_public = public_key(client, key_id)
    wrapping = client.create_key()["KeyMetadata"]["KeyId"]
    pair = client.generate_data_key_pair(KeyId=wrapping, KeyPairSpec=SPEC)
    assert pair["PublicKey"] != live_public
