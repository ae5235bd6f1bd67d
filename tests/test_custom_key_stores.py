"""Custom key stores: Create/Describe/Connect/Disconnect/Update/DeleteCustomKeyStore, and keys in them.

Expected values come from the spec (keys-lifecycle.md §12, operations.md §9) and botocore's
model documentation.  AWS's messages for these exceptions are not recorded: where a test pins
a message, it is the mock's guess [G], pinned as it is.
"""
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
UNKNOWN_STORE = "cks-0123456789abcdef0"

CLUSTER = "cluster-234567abcdefg"
OTHER_CLUSTER = "cluster-234567abcdefh"
TRUST_ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBmockkmsanchor\n-----END CERTIFICATE-----"
PASSWORD = "kmsuser-password"

XKS_ENDPOINT = "https://xks.example.com"
XKS_PATH = "/kms/xks/v1"
XKS_CREDENTIAL = {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "A" * 43}
VPC_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
OTHER_VPC_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210"
SERVICE_OWNER = "111122223333"
XKS_KEY_ID = "external-key-0001"


# --------------------------------------------------------------------------- helpers

def cloudhsm_store(client, name="hsm-store", cluster=CLUSTER):
    return client.create_custom_key_store(
        CustomKeyStoreName=name, CloudHsmClusterId=cluster, TrustAnchorCertificate=TRUST_ANCHOR,
        KeyStorePassword=PASSWORD)["CustomKeyStoreId"]


def xks_store(client, name="xks-store", endpoint=XKS_ENDPOINT, path=XKS_PATH, connectivity="PUBLIC_ENDPOINT",
              **extra):
    return client.create_custom_key_store(
        CustomKeyStoreName=name, CustomKeyStoreType="EXTERNAL_KEY_STORE", XksProxyConnectivity=connectivity,
        XksProxyUriEndpoint=endpoint, XksProxyUriPath=path, XksProxyAuthenticationCredential=XKS_CREDENTIAL,
        **extra)["CustomKeyStoreId"]


def vpc_xks_store(client, name="vpc-xks-store", endpoint="https://private.example.com", service=VPC_SERVICE,
                  **extra):
    return xks_store(client, name=name, endpoint=endpoint, connectivity="VPC_ENDPOINT_SERVICE",
                     XksProxyVpcEndpointServiceName=service, **extra)


def entry(client, store_id):
    stores = client.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"]
    assert len(stores) == 1
    return stores[0]


def connection_state(client, store_id):
    return entry(client, store_id)["ConnectionState"]


def connect(client, kms, store_id):
    """Connect and wait (on the mock's clock) until the attempt is over."""
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.clock.advance(seconds=6)
    return store_id


def connected_cloudhsm_store(client, kms, **kwargs):
    return connect(client, kms, cloudhsm_store(client, **kwargs))


def connected_xks_store(client, kms, **kwargs):
    return connect(client, kms, xks_store(client, **kwargs))


def hsm_key(client, store_id, **kwargs):
    return client.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM", **kwargs)["KeyMetadata"]


def xks_key(client, store_id, xks_key_id=XKS_KEY_ID, **kwargs):
    return client.create_key(CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId=xks_key_id,
                             **kwargs)["KeyMetadata"]


def key_state(client, key_id):
    return client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]


def refused(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def code_of(call, **kwargs):
    return refused(call, **kwargs)[0]


# --------------------------------------------------------------------------- CreateCustomKeyStore

def test_cloudhsm_store_id_is_cks_and_17_hex_digits(client):
    assert re.fullmatch(r"cks-[0-9a-f]{17}", cloudhsm_store(client))


def test_external_store_id_is_cks_and_17_hex_digits(client):
    assert re.fullmatch(r"cks-[0-9a-f]{17}", xks_store(client))


def test_cloudhsm_store_entry(client, kms):
    now = kms.clock.freeze()
    store_id = cloudhsm_store(client)
    assert entry(client, store_id) == {
        "CustomKeyStoreId": store_id,
        "CustomKeyStoreName": "hsm-store",
        "CloudHsmClusterId": CLUSTER,
        "TrustAnchorCertificate": TRUST_ANCHOR,
        "ConnectionState": "DISCONNECTED",
        "CreationDate": now,
        "CustomKeyStoreType": "AWS_CLOUDHSM",
    }


def test_cloudhsm_is_the_default_store_type(client):
    assert entry(client, cloudhsm_store(client))["CustomKeyStoreType"] == "AWS_CLOUDHSM"


def test_public_endpoint_external_store_entry(client, kms):
    now = kms.clock.freeze()
    store_id = xks_store(client)
    assert entry(client, store_id) == {
        "CustomKeyStoreId": store_id,
        "CustomKeyStoreName": "xks-store",
        "ConnectionState": "DISCONNECTED",
        "CreationDate": now,
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyConfiguration": {
            "Connectivity": "PUBLIC_ENDPOINT",
            "AccessKeyId": XKS_CREDENTIAL["AccessKeyId"],
            "UriEndpoint": XKS_ENDPOINT,
            "UriPath": XKS_PATH,
        },
    }


def test_vpc_endpoint_service_external_store_entry(client, kms):
    store_id = vpc_xks_store(client, XksProxyVpcEndpointServiceOwner=SERVICE_OWNER)
    assert entry(client, store_id)["XksProxyConfiguration"] == {
        "Connectivity": "VPC_ENDPOINT_SERVICE",
        "AccessKeyId": XKS_CREDENTIAL["AccessKeyId"],
        "UriEndpoint": "https://private.example.com",
        "UriPath": XKS_PATH,
        "VpcEndpointServiceName": VPC_SERVICE,
        "VpcEndpointServiceOwner": SERVICE_OWNER,
    }


def test_store_entries_never_show_the_password_or_the_secret(client):
    cloudhsm_store(client)
    vpc_xks_store(client)
    listing = repr(client.describe_custom_key_stores()["CustomKeyStores"])
    assert PASSWORD not in listing
    assert XKS_CREDENTIAL["RawSecretAccessKey"] not in listing


@pytest.mark.parametrize("missing", ["CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword"])
def test_cloudhsm_store_without_a_required_field_is_invalid(raw_client, missing):
    params = dict(CustomKeyStoreName="hsm", CloudHsmClusterId=CLUSTER, TrustAnchorCertificate=TRUST_ANCHOR,
                  KeyStorePassword=PASSWORD)
    del params[missing]
    code, message, status = refused(raw_client.create_custom_key_store, **params)
    assert (code, status) == ("ValidationException", 400)
    assert message == f"A custom key store of type AWS_CLOUDHSM requires {missing}."


@pytest.mark.parametrize("missing", ["XksProxyUriEndpoint", "XksProxyUriPath", "XksProxyAuthenticationCredential",
                                     "XksProxyConnectivity"])
def test_external_store_without_a_required_field_is_invalid(raw_client, missing):
    params = dict(CustomKeyStoreName="xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
                  XksProxyConnectivity="PUBLIC_ENDPOINT", XksProxyUriEndpoint=XKS_ENDPOINT, XksProxyUriPath=XKS_PATH,
                  XksProxyAuthenticationCredential=XKS_CREDENTIAL)
    del params[missing]
    code, message, _ = refused(raw_client.create_custom_key_store, **params)
    assert code == "ValidationException"
    assert message == f"A custom key store of type EXTERNAL_KEY_STORE requires {missing}."


def test_vpc_endpoint_service_store_without_a_service_name_is_invalid(client):
    assert code_of(xks_store, client=client, connectivity="VPC_ENDPOINT_SERVICE") == "ValidationException"


def test_cloudhsm_store_with_external_store_fields_is_invalid(client):
    code, message, _ = refused(
        client.create_custom_key_store, CustomKeyStoreName="hsm", CloudHsmClusterId=CLUSTER,
        TrustAnchorCertificate=TRUST_ANCHOR, KeyStorePassword=PASSWORD, XksProxyUriPath=XKS_PATH)
    assert code == "ValidationException"
    assert message == "A custom key store of type AWS_CLOUDHSM does not take XksProxyUriPath."


def test_external_store_with_cloudhsm_fields_is_invalid(client):
    code, message, _ = refused(xks_store, client=client, CloudHsmClusterId=CLUSTER)
    assert code == "ValidationException"
    assert message == "A custom key store of type EXTERNAL_KEY_STORE does not take CloudHsmClusterId."


def test_store_name_must_be_unique(client):
    cloudhsm_store(client, name="taken")
    code, message, _ = refused(xks_store, client=client, name="taken")
    assert code == "CustomKeyStoreNameInUseException"
    assert message == "A custom key store named taken already exists."


def test_a_cluster_serves_one_store(client):
    cloudhsm_store(client, name="first")
    code, message, _ = refused(cloudhsm_store, client=client, name="second")
    assert code == "CloudHsmClusterInUseException"
    assert message == f"Cluster {CLUSTER} is already associated with a custom key store."


def test_an_xks_endpoint_and_path_serve_one_store(client):
    xks_store(client, name="first")
    assert code_of(xks_store, client=client, name="second") == "XksProxyUriInUseException"


def test_the_same_endpoint_with_another_path_is_accepted(client):
    xks_store(client, name="first")
    xks_store(client, name="second", path="/other/kms/xks/v1")
    assert len(client.describe_custom_key_stores()["CustomKeyStores"]) == 2


def test_a_vpc_endpoint_service_serves_one_store(client):
    vpc_xks_store(client, name="first", endpoint="https://first.example.com")
    code = code_of(vpc_xks_store, client=client, name="second", endpoint="https://second.example.com")
    assert code == "XksProxyVpcEndpointServiceInUseException"


def test_a_vpc_private_dns_name_serves_one_store(client):
    """Model (CreateCustomKeyStore.XksProxyUriEndpoint): 'The XksProxyUriEndpoint value for external key
    stores with VPC_ENDPOINT_SERVICE connectivity (private DNS name) must be unique in the account and Region'
    -> XksProxyUriEndpointInUseException (operations.md §9 lists it among the uniqueness errors)."""
    vpc_xks_store(client, name="first", endpoint="https://private.example.com")
    code = code_of(vpc_xks_store, client=client, name="second", endpoint="https://private.example.com",
                   path="/other/kms/xks/v1", service=OTHER_VPC_SERVICE)
    assert code == "XksProxyUriEndpointInUseException"


def test_a_public_endpoint_may_not_be_a_vpc_stores_private_dns_name(client):
    """Model (CreateCustomKeyStore.XksProxyUriEndpoint): 'An external key store with PUBLIC_ENDPOINT
    connectivity cannot use the same XksProxyUriEndpoint value as an external key store with
    VPC_ENDPOINT_SERVICE connectivity in this Amazon Web Services Region.'"""
    vpc_xks_store(client, endpoint="https://private.example.com")
    code = code_of(xks_store, client=client, name="public", endpoint="https://private.example.com",
                   path="/other/kms/xks/v1")
    assert code == "XksProxyUriEndpointInUseException"


def test_a_public_endpoint_store_takes_no_vpc_endpoint_service(client):
    """Model: XksProxyVpcEndpointServiceName 'is valid when ... XksProxyConnectivity is VPC_ENDPOINT_SERVICE';
    operations.md §9: extraneous fields -> ValidationException [G].  (The mock stores it and lists it.)"""
    code = code_of(xks_store, client=client, XksProxyVpcEndpointServiceName=VPC_SERVICE)
    assert code == "ValidationException"


def test_the_eleventh_store_exceeds_the_quota(client):
    for i in range(10):
        cloudhsm_store(client, name=f"store-{i}", cluster="cluster-abcdefghij" + "abcdefghijk"[i])
    code, message, _ = refused(xks_store, client=client)
    assert code == "LimitExceededException"
    assert message == "An account can have at most 10 custom key stores in a Region."


# --------------------------------------------------------------------------- DescribeCustomKeyStores

def test_describe_without_filter_lists_every_store_in_creation_order(client):
    first, second = cloudhsm_store(client), xks_store(client)
    answer = client.describe_custom_key_stores()
    assert [s["CustomKeyStoreId"] for s in answer["CustomKeyStores"]] == [first, second]
    assert answer["Truncated"] is False
    assert "NextMarker" not in answer


def test_describe_by_name(client):
    cloudhsm_store(client)
    store_id = xks_store(client, name="wanted")
    stores = client.describe_custom_key_stores(CustomKeyStoreName="wanted")["CustomKeyStores"]
    assert [s["CustomKeyStoreId"] for s in stores] == [store_id]


def test_describe_an_unknown_id(client):
    code, message, status = refused(client.describe_custom_key_stores, CustomKeyStoreId=UNKNOWN_STORE)
    assert (code, status) == ("CustomKeyStoreNotFoundException", 400)
    assert message == f"Custom key store {UNKNOWN_STORE} does not exist"


def test_describe_an_unknown_name(client):
    cloudhsm_store(client)
    assert code_of(client.describe_custom_key_stores, CustomKeyStoreName="nobody") \
        == "CustomKeyStoreNotFoundException"


def test_describe_by_id_and_name_at_once_is_invalid(client):
    store_id = cloudhsm_store(client)
    code = code_of(client.describe_custom_key_stores, CustomKeyStoreId=store_id, CustomKeyStoreName="hsm-store")
    assert code == "ValidationException"


def test_describe_pages_with_limit_and_marker(client):
    ids = [cloudhsm_store(client, name=f"s{i}", cluster="cluster-abcdefghij" + "abc"[i]) for i in range(3)]
    first = client.describe_custom_key_stores(Limit=2)
    assert [s["CustomKeyStoreId"] for s in first["CustomKeyStores"]] == ids[:2]
    assert first["Truncated"] is True
    second = client.describe_custom_key_stores(Limit=2, Marker=first["NextMarker"])
    assert [s["CustomKeyStoreId"] for s in second["CustomKeyStores"]] == ids[2:]
    assert second["Truncated"] is False
    assert "NextMarker" not in second


def test_describe_refuses_a_marker_it_did_not_issue(client):
    cloudhsm_store(client)
    assert code_of(client.describe_custom_key_stores, Marker="not-a-marker") == "InvalidMarkerException"


# --------------------------------------------------------------------------- Connect / Disconnect

def test_connect_answers_empty_and_the_store_is_connecting(client):
    store_id = cloudhsm_store(client)
    answer = client.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {}
    assert connection_state(client, store_id) == "CONNECTING"


def test_the_store_is_connected_once_the_connection_time_has_passed(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    assert connection_state(client, store_id) == "CONNECTED"
    assert "ConnectionErrorCode" not in entry(client, store_id)


def test_an_external_store_connects_too(client, kms):
    assert connection_state(client, connected_xks_store(client, kms)) == "CONNECTED"


def test_a_failed_connection_ends_failed_with_its_error_code(client, kms):
    store_id = cloudhsm_store(client)
    kms.fail_custom_key_store(store_id, "NETWORK_ERRORS")
    connect(client, kms, store_id)
    found = entry(client, store_id)
    assert (found["ConnectionState"], found["ConnectionErrorCode"]) == ("FAILED", "NETWORK_ERRORS")


def test_connect_on_a_failed_store_is_refused(client, kms):
    store_id = cloudhsm_store(client)
    kms.fail_custom_key_store(store_id, "NETWORK_ERRORS")
    connect(client, kms, store_id)
    code, message, _ = refused(client.connect_custom_key_store, CustomKeyStoreId=store_id)
    assert code == "CustomKeyStoreInvalidStateException"
    assert message == f"Custom key store {store_id} is FAILED: it cannot be connected now."


def test_a_failed_store_connects_after_a_disconnect(client, kms):
    store_id = cloudhsm_store(client)
    kms.fail_custom_key_store(store_id, "NETWORK_ERRORS")
    connect(client, kms, store_id)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection_state(client, store_id) == "DISCONNECTED"
    assert "ConnectionErrorCode" not in entry(client, store_id)
    connect(client, kms, store_id)
    assert connection_state(client, store_id) == "CONNECTED"


def test_a_new_connection_attempt_takes_the_full_connection_time(client, kms):
    """An attempt abandoned by a disconnect must not finish the next one early: connect at t=0,
    disconnect at t=1, connect again at t=4; at t=6 (2 s into the new attempt, CONNECT_TIME = 5 s)
    the store is still CONNECTING."""
    store_id = cloudhsm_store(client)
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.clock.advance(seconds=1)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.clock.advance(seconds=3)
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.clock.advance(seconds=2)
    assert connection_state(client, store_id) == "CONNECTING"


def test_disconnect_while_connecting_cancels_the_attempt(client, kms):
    store_id = cloudhsm_store(client)
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.clock.advance(seconds=6)
    assert connection_state(client, store_id) == "DISCONNECTED"


def test_connect_on_a_connected_store_is_accepted(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection_state(client, store_id) == "CONNECTED"


def test_disconnect_makes_the_store_disconnected(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert connection_state(client, store_id) == "DISCONNECTED"


def test_disconnect_on_a_disconnected_store_is_refused(client):
    store_id = cloudhsm_store(client)
    code, message, _ = refused(client.disconnect_custom_key_store, CustomKeyStoreId=store_id)
    assert code == "CustomKeyStoreInvalidStateException"
    assert message == f"Custom key store {store_id} is DISCONNECTED: it cannot be disconnected now."


def test_connect_an_unknown_store(client):
    code, message, _ = refused(client.connect_custom_key_store, CustomKeyStoreId=UNKNOWN_STORE)
    assert (code, message) == ("CustomKeyStoreNotFoundException", f"Custom key store {UNKNOWN_STORE} does not exist")


# --------------------------------------------------------------------------- CreateKey in a store

def test_create_key_in_a_disconnected_store_is_refused(client):
    store_id = cloudhsm_store(client)
    code, message, _ = refused(client.create_key, CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")
    assert code == "CustomKeyStoreInvalidStateException"
    assert message == f"Custom key store {store_id} is DISCONNECTED: it cannot be used to create KMS keys now."


def test_create_key_in_a_connecting_store_is_refused(client):
    store_id = cloudhsm_store(client)
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert code_of(hsm_key, client=client, store_id=store_id) == "CustomKeyStoreInvalidStateException"


def test_key_in_a_cloudhsm_store_metadata(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    meta = hsm_key(client, store_id)
    assert (meta["Origin"], meta["CustomKeyStoreId"], meta["CloudHsmClusterId"]) == \
        ("AWS_CLOUDHSM", store_id, CLUSTER)
    assert (meta["KeyState"], meta["KeySpec"], meta["MultiRegion"]) == ("Enabled", "SYMMETRIC_DEFAULT", False)
    assert "XksKeyConfiguration" not in meta


def test_describe_key_shows_the_cloudhsm_store(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    meta = client.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["CustomKeyStoreId"], meta["CloudHsmClusterId"]) == (store_id, CLUSTER)


def test_key_in_an_external_store_metadata(client, kms):
    store_id = connected_xks_store(client, kms)
    meta = xks_key(client, store_id)
    assert (meta["Origin"], meta["CustomKeyStoreId"], meta["XksKeyConfiguration"]) == \
        ("EXTERNAL_KEY_STORE", store_id, {"Id": XKS_KEY_ID})
    assert "CloudHsmClusterId" not in meta


def test_describe_key_shows_the_external_key(client, kms):
    store_id = connected_xks_store(client, kms)
    key_id = xks_key(client, store_id)["KeyId"]
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["XksKeyConfiguration"] == {"Id": XKS_KEY_ID}


def test_an_external_key_backs_one_kms_key(client, kms):
    """Model (XksKeyAlreadyInUseException, in CreateKey's errors): 'the XksKeyId is already associated
    with another KMS key in this external key store. Each KMS key in an external key store must be
    associated with a different external key.'"""
    store_id = connected_xks_store(client, kms)
    xks_key(client, store_id)
    assert code_of(xks_key, client=client, store_id=store_id) == "XksKeyAlreadyInUseException"


def test_cloudhsm_origin_in_an_external_store_is_invalid(client, kms):
    store_id = connected_xks_store(client, kms)
    code, message, _ = refused(hsm_key, client=client, store_id=store_id)
    assert code == "ValidationException"
    assert message == f"Origin AWS_CLOUDHSM does not match custom key store {store_id} of type EXTERNAL_KEY_STORE."


def test_external_key_store_origin_in_a_cloudhsm_store_is_invalid(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    assert code_of(xks_key, client=client, store_id=store_id) == "ValidationException"


def test_external_key_store_origin_without_an_xks_key_id_is_invalid(client, kms):
    store_id = connected_xks_store(client, kms)
    code = code_of(client.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE")
    assert code == "ValidationException"


def test_a_store_key_needs_a_store_origin(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    assert code_of(client.create_key, CustomKeyStoreId=store_id) == "ValidationException"


def test_cloudhsm_origin_without_a_store_is_invalid(client):
    assert code_of(client.create_key, Origin="AWS_CLOUDHSM") == "ValidationException"


@pytest.mark.parametrize("extra", [
    dict(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT"),
    dict(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"),
    dict(MultiRegion=True),
], ids=["asymmetric", "hmac", "multi-region"])
def test_store_keys_are_single_region_symmetric_only(client, kms, extra):
    store_id = connected_cloudhsm_store(client, kms)
    code, message, _ = refused(hsm_key, client=client, store_id=store_id, **extra)
    assert code == "UnsupportedOperationException"
    assert message == "Custom key stores support only single-Region symmetric encryption KMS keys."


def test_create_key_in_an_unknown_store(client):
    code, message, _ = refused(hsm_key, client=client, store_id=UNKNOWN_STORE)
    assert (code, message) == ("CustomKeyStoreNotFoundException", f"Custom key store {UNKNOWN_STORE} does not exist")


def test_a_refused_store_key_is_not_created(client):
    store_id = cloudhsm_store(client)
    refused(hsm_key, client=client, store_id=store_id)
    assert client.list_keys()["Keys"] == []


# --------------------------------------------------------------------------- using keys in a store

@pytest.mark.parametrize("make_store, make_key", [
    (connected_cloudhsm_store, hsm_key), (connected_xks_store, xks_key)], ids=["cloudhsm", "xks"])
def test_store_key_encrypts_and_decrypts_while_connected(client, kms, make_store, make_key):
    key_id = make_key(client, make_store(client, kms))["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    answer = client.decrypt(CiphertextBlob=blob)
    assert (answer["Plaintext"], answer["KeyId"]) == (b"secret", KEY_ARN + key_id)


def test_store_key_generates_data_keys_while_connected(client, kms):
    key_id = hsm_key(client, connected_cloudhsm_store(client, kms))["KeyId"]
    data_key = client.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert len(data_key["Plaintext"]) == 32
    assert client.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]


def test_store_keys_are_unavailable_after_a_disconnect(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    meta = client.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Unavailable", False)


def test_decrypt_with_a_key_of_a_disconnected_store(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    code, message, status = refused(client.decrypt, CiphertextBlob=blob)
    assert (code, message, status) == ("KMSInvalidStateException", f"{KEY_ARN}{key_id} is unavailable.", 400)


def test_encrypt_with_a_key_of_a_disconnected_external_store(client, kms):
    store_id = connected_xks_store(client, kms)
    key_id = xks_key(client, store_id)["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    code, message, _ = refused(client.encrypt, KeyId=key_id, Plaintext=b"x")
    assert (code, message) == ("KMSInvalidStateException", f"{KEY_ARN}{key_id} is unavailable.")


def test_store_keys_stay_unavailable_while_reconnecting(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert key_state(client, key_id) == "Unavailable"


def test_old_ciphertexts_decrypt_after_reconnecting(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    connect(client, kms, store_id)
    assert key_state(client, key_id) == "Enabled"
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_a_key_disabled_before_the_disconnect_is_disabled_after_reconnecting(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.disable_key(KeyId=key_id)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert key_state(client, key_id) == "Unavailable"
    connect(client, kms, store_id)
    assert key_state(client, key_id) == "Disabled"


def test_enable_key_on_an_unavailable_key_is_applied_on_reconnect(client, kms):
    """operations.md §1 EnableKey: 'Unavailable: accepted, applied on reconnect [D]'; key-states.md:
    'Unavailable -reconnected-> previous state (+ deferred Enable/Disable)'.  The key must not become
    usable while its store is disconnected."""
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.disable_key(KeyId=key_id)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    client.enable_key(KeyId=key_id)
    assert key_state(client, key_id) == "Unavailable"
    connect(client, kms, store_id)
    assert key_state(client, key_id) == "Enabled"


def test_a_key_enabled_while_its_store_is_disconnected_cannot_encrypt(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    client.enable_key(KeyId=key_id)
    code, message, _ = refused(client.encrypt, KeyId=key_id, Plaintext=b"x")
    assert (code, message) == ("KMSInvalidStateException", f"{KEY_ARN}{key_id} is unavailable.")


def test_disable_key_on_an_unavailable_key_is_applied_on_reconnect(client, kms):
    """operations.md §1 DisableKey: 'Unavailable accepted/deferred'."""
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    client.disable_key(KeyId=key_id)
    assert key_state(client, key_id) == "Unavailable"
    connect(client, kms, store_id)
    assert key_state(client, key_id) == "Disabled"


def test_a_key_pending_deletion_keeps_its_state_on_disconnect(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert key_state(client, key_id) == "PendingDeletion"


def test_a_failed_connection_leaves_the_keys_unavailable(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.fail_custom_key_store(store_id, "NETWORK_ERRORS")
    connect(client, kms, store_id)
    assert key_state(client, key_id) == "Unavailable"


def test_automatic_rotation_is_unsupported_for_store_keys(client, kms):
    key_id = hsm_key(client, connected_cloudhsm_store(client, kms))["KeyId"]
    assert code_of(client.enable_key_rotation, KeyId=key_id) == "UnsupportedOperationException"


def test_on_demand_rotation_is_unsupported_for_store_keys(client, kms):
    key_id = xks_key(client, connected_xks_store(client, kms))["KeyId"]
    assert code_of(client.rotate_key_on_demand, KeyId=key_id) == "UnsupportedOperationException"


@pytest.mark.parametrize("operation", ["generate_data_key_pair", "generate_data_key_pair_without_plaintext"])
def test_data_key_pairs_are_unsupported_for_store_keys(client, kms, operation):
    key_id = hsm_key(client, connected_cloudhsm_store(client, kms))["KeyId"]
    code = code_of(getattr(client, operation), KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert code == "UnsupportedOperationException"


# --------------------------------------------------------------------------- DeleteCustomKeyStore

def test_delete_a_connected_store_is_refused(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    code, message, _ = refused(client.delete_custom_key_store, CustomKeyStoreId=store_id)
    assert code == "CustomKeyStoreInvalidStateException"
    assert message == f"Custom key store {store_id} is CONNECTED: it cannot be deleted now."


def test_delete_a_store_with_keys_is_refused(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    hsm_key(client, store_id)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    code, message, _ = refused(client.delete_custom_key_store, CustomKeyStoreId=store_id)
    assert code == "CustomKeyStoreHasCMKsException"
    assert message == f"Custom key store {store_id} still contains KMS keys: delete them first."


def test_a_store_with_a_key_pending_deletion_still_has_keys(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert code_of(client.delete_custom_key_store, CustomKeyStoreId=store_id) == "CustomKeyStoreHasCMKsException"


def test_delete_an_emptied_disconnected_store(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    key_id = hsm_key(client, store_id)["KeyId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
    kms.clock.advance(days=31)
    client.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    answer = client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {}
    assert code_of(client.describe_custom_key_stores, CustomKeyStoreId=store_id) \
        == "CustomKeyStoreNotFoundException"


def test_a_deleted_store_frees_its_name_and_cluster(client):
    store_id = cloudhsm_store(client)
    client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert cloudhsm_store(client) != store_id


def test_delete_an_unknown_store(client):
    code = code_of(client.delete_custom_key_store, CustomKeyStoreId=UNKNOWN_STORE)
    assert code == "CustomKeyStoreNotFoundException"


# --------------------------------------------------------------------------- UpdateCustomKeyStore

@pytest.mark.parametrize("connected", [False, True], ids=["disconnected", "connected"])
def test_rename_a_store_in_any_state(client, kms, connected):
    store_id = cloudhsm_store(client)
    if connected:
        connect(client, kms, store_id)
    client.update_custom_key_store(CustomKeyStoreId=store_id, NewCustomKeyStoreName="renamed")
    assert entry(client, store_id)["CustomKeyStoreName"] == "renamed"


def test_rename_to_a_name_in_use_is_refused(client):
    cloudhsm_store(client, name="taken")
    store_id = xks_store(client)
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=store_id, NewCustomKeyStoreName="taken")
    assert code == "CustomKeyStoreNameInUseException"
    assert entry(client, store_id)["CustomKeyStoreName"] == "xks-store"


def test_rename_to_its_own_name_is_accepted(client):
    store_id = cloudhsm_store(client)
    client.update_custom_key_store(CustomKeyStoreId=store_id, NewCustomKeyStoreName="hsm-store")
    assert entry(client, store_id)["CustomKeyStoreName"] == "hsm-store"


def test_change_the_cluster_of_a_disconnected_store(client):
    store_id = cloudhsm_store(client)
    client.update_custom_key_store(CustomKeyStoreId=store_id, CloudHsmClusterId=OTHER_CLUSTER,
                                   KeyStorePassword="new-password")
    assert entry(client, store_id)["CloudHsmClusterId"] == OTHER_CLUSTER


@pytest.mark.parametrize("change", [dict(KeyStorePassword="new-password"), dict(CloudHsmClusterId=OTHER_CLUSTER)],
                         ids=["password", "cluster"])
def test_cloudhsm_settings_change_only_while_disconnected(client, kms, change):
    store_id = connected_cloudhsm_store(client, kms)
    code, message, _ = refused(client.update_custom_key_store, CustomKeyStoreId=store_id, **change)
    assert code == "CustomKeyStoreInvalidStateException"
    assert message == f"Custom key store {store_id} is CONNECTED: it cannot be updated that way now."


def test_a_refused_update_changes_nothing(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    refused(client.update_custom_key_store, CustomKeyStoreId=store_id, NewCustomKeyStoreName="renamed",
            CloudHsmClusterId=OTHER_CLUSTER)
    found = entry(client, store_id)
    assert (found["CustomKeyStoreName"], found["CloudHsmClusterId"]) == ("hsm-store", CLUSTER)


def test_update_a_cloudhsm_store_with_xks_fields_is_invalid(client):
    store_id = cloudhsm_store(client)
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=store_id, XksProxyUriPath="/new/kms/xks/v1")
    assert code == "ValidationException"


def test_update_an_external_store_with_cloudhsm_fields_is_invalid(client):
    store_id = xks_store(client)
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=store_id, KeyStorePassword="new-password")
    assert code == "ValidationException"


def test_update_the_uri_path_and_credential_of_a_connected_external_store(client, kms):
    store_id = connected_xks_store(client, kms)
    client.update_custom_key_store(
        CustomKeyStoreId=store_id, XksProxyUriPath="/new/kms/xks/v2",
        XksProxyAuthenticationCredential={"AccessKeyId": "ZYXWVUTSRQPONMLKJIHG", "RawSecretAccessKey": "B" * 50})
    config = entry(client, store_id)["XksProxyConfiguration"]
    assert (config["UriPath"], config["AccessKeyId"]) == ("/new/kms/xks/v2", "ZYXWVUTSRQPONMLKJIHG")
    assert connection_state(client, store_id) == "CONNECTED"


def test_update_the_endpoint_of_a_connected_external_store_is_refused(client, kms):
    store_id = connected_xks_store(client, kms)
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=store_id,
                   XksProxyUriEndpoint="https://new.example.com")
    assert code == "CustomKeyStoreInvalidStateException"


def test_update_the_connectivity_of_a_connected_external_store_is_refused(client, kms):
    store_id = connected_xks_store(client, kms)
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=store_id,
                   XksProxyConnectivity="VPC_ENDPOINT_SERVICE", XksProxyUriEndpoint="https://private.example.com",
                   XksProxyVpcEndpointServiceName=VPC_SERVICE)
    assert code == "CustomKeyStoreInvalidStateException"


def test_update_the_endpoint_of_a_disconnected_external_store(client):
    store_id = xks_store(client)
    client.update_custom_key_store(CustomKeyStoreId=store_id, XksProxyUriEndpoint="https://new.example.com")
    config = entry(client, store_id)["XksProxyConfiguration"]
    assert (config["UriEndpoint"], config["UriPath"]) == ("https://new.example.com", XKS_PATH)


def test_update_to_an_endpoint_and_path_in_use_is_refused(client):
    xks_store(client, name="first", endpoint="https://first.example.com")
    store_id = xks_store(client, name="second", endpoint="https://second.example.com")
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=store_id,
                   XksProxyUriEndpoint="https://first.example.com")
    assert code == "XksProxyUriInUseException"


def test_switching_to_public_endpoint_drops_the_vpc_endpoint_service(client):
    """Model (UpdateCustomKeyStore.XksProxyConnectivity): 'If you change the XksProxyConnectivity to
    PUBLIC_ENDPOINT, you must also change the XksProxyUriEndpoint and specify a null or empty string for
    the XksProxyVpcEndpointServiceName value'; XksProxyConfigurationType.VpcEndpointServiceName 'appears
    only when the external key store proxy uses an Amazon VPC endpoint service'."""
    store_id = vpc_xks_store(client)
    client.update_custom_key_store(CustomKeyStoreId=store_id, XksProxyConnectivity="PUBLIC_ENDPOINT",
                                   XksProxyUriEndpoint="https://public.example.com")
    assert entry(client, store_id)["XksProxyConfiguration"] == {
        "Connectivity": "PUBLIC_ENDPOINT",
        "AccessKeyId": XKS_CREDENTIAL["AccessKeyId"],
        "UriEndpoint": "https://public.example.com",
        "UriPath": XKS_PATH,
    }


def test_switching_to_vpc_endpoint_service_needs_a_service_name(client):
    """Model (UpdateCustomKeyStore.XksProxyConnectivity): 'If you change the XksProxyConnectivity to
    VPC_ENDPOINT_SERVICE, you must also change the XksProxyUriEndpoint and add an
    XksProxyVpcEndpointServiceName value' (operations.md §9 [M]); the code is a guess, as for Create."""
    store_id = xks_store(client)
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=store_id,
                   XksProxyConnectivity="VPC_ENDPOINT_SERVICE", XksProxyUriEndpoint="https://private.example.com")
    assert code == "ValidationException"


def test_update_an_unknown_store(client):
    code = code_of(client.update_custom_key_store, CustomKeyStoreId=UNKNOWN_STORE, NewCustomKeyStoreName="x")
    assert code == "CustomKeyStoreNotFoundException"


# --------------------------------------------------------------------------- GenerateRandom

def test_generate_random_in_a_connected_cloudhsm_store(client, kms):
    store_id = connected_cloudhsm_store(client, kms)
    assert len(client.generate_random(NumberOfBytes=16, CustomKeyStoreId=store_id)["Plaintext"]) == 16


@pytest.mark.parametrize("connecting", [False, True], ids=["disconnected", "connecting"])
def test_generate_random_in_a_cloudhsm_store_that_is_not_connected(client, connecting):
    store_id = cloudhsm_store(client)
    if connecting:
        client.connect_custom_key_store(CustomKeyStoreId=store_id)
    code, message, _ = refused(client.generate_random, NumberOfBytes=16, CustomKeyStoreId=store_id)
    state = "CONNECTING" if connecting else "DISCONNECTED"
    assert code == "CustomKeyStoreInvalidStateException"
    assert message == f"Custom key store {store_id} is {state}: it cannot be used to generate random bytes now."


def test_generate_random_in_an_external_store_is_unsupported(client, kms):
    store_id = connected_xks_store(client, kms)
    code = code_of(client.generate_random, NumberOfBytes=16, CustomKeyStoreId=store_id)
    assert code == "UnsupportedOperationException"


def test_generate_random_in_an_unknown_store(client):
    code, message, _ = refused(client.generate_random, NumberOfBytes=16, CustomKeyStoreId=UNKNOWN_STORE)
    assert (code, message) == ("CustomKeyStoreNotFoundException", f"Custom key store {UNKNOWN_STORE} does not exist")
