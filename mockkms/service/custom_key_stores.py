"""Custom key stores: Create/Describe/Update/Connect/Disconnect/DeleteCustomKeyStore
(keys-lifecycle.md §12, operations.md §9), and the rules for keys created in them.

Permissions are IAM-only and same-account, as in AWS.  Connecting takes
:data:`~mockkms.domain.custom_key_stores.CONNECT_TIME` on the mock's clock;
disconnecting is immediate.  Error texts are guesses [G] unless marked: AWS's
messages for these exceptions are not recorded.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from ..domain import custom_key_stores as cks
from ..domain.custom_key_stores import CustomKeyStore
from ..domain.key import Key, KeyState
from ..domain.world import RegionStore
from ..errors import AWSError, validation_error
from . import operation, pagination
from .request import Request

_CLOUDHSM_FIELDS = ("CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword")
_XKS_FIELDS = ("XksProxyUriEndpoint", "XksProxyUriPath", "XksProxyVpcEndpointServiceName",
               "XksProxyVpcEndpointServiceOwner", "XksProxyAuthenticationCredential", "XksProxyConnectivity")


def not_found(store_id: str) -> AWSError:
    return AWSError("CustomKeyStoreNotFoundException", f"Custom key store {store_id} does not exist")


def invalid_state(store: CustomKeyStore, action: str) -> AWSError:
    return AWSError("CustomKeyStoreInvalidStateException",
                    f"Custom key store {store.store_id} is {store.state}: it cannot be {action} now.")


def store_of(req: Request, store_id: str) -> CustomKeyStore:
    store = req.store.custom_key_stores.get(store_id)
    if store is None:
        raise not_found(store_id)
    return store


def _xks_configuration(params: Dict[str, Any], current: Optional[Dict[str, Any]] = None,
                       account: Optional[str] = None) -> Dict[str, Any]:
    """XksProxyConfiguration in the model's member order, from request parameters over ``current``.

    Connectivity decides the VPC fields: a VPC endpoint service needs its name (its owner defaults
    to the calling account [M]); a public endpoint has neither.
    """
    merged = dict(current or {})
    credential = params.get("XksProxyAuthenticationCredential")
    for name, param in (("Connectivity", "XksProxyConnectivity"), ("UriEndpoint", "XksProxyUriEndpoint"),
                        ("UriPath", "XksProxyUriPath"), ("VpcEndpointServiceName", "XksProxyVpcEndpointServiceName"),
                        ("VpcEndpointServiceOwner", "XksProxyVpcEndpointServiceOwner")):
        if param in params:
            merged[name] = params[param]
    if credential is not None:
        merged["AccessKeyId"] = credential["AccessKeyId"]
    if merged.get("Connectivity") == "VPC_ENDPOINT_SERVICE":
        if not merged.get("VpcEndpointServiceName"):
            raise validation_error("XksProxyVpcEndpointServiceName is required for VPC_ENDPOINT_SERVICE "
                                   "connectivity.")  # [G]
        if not merged.get("VpcEndpointServiceOwner") and account is not None:
            merged["VpcEndpointServiceOwner"] = account
    else:
        if params.get("XksProxyVpcEndpointServiceName") or params.get("XksProxyVpcEndpointServiceOwner"):
            raise validation_error("XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid "
                                   "only with VPC_ENDPOINT_SERVICE connectivity.")  # [G]
        merged.pop("VpcEndpointServiceName", None)
        merged.pop("VpcEndpointServiceOwner", None)
    order = ("Connectivity", "AccessKeyId", "UriEndpoint", "UriPath", "VpcEndpointServiceName",
             "VpcEndpointServiceOwner")
    return {name: merged[name] for name in order if merged.get(name) is not None}


def _check_unique(req: Request, candidate: CustomKeyStore, exclude: Optional[str] = None) -> None:
    for other in req.store.custom_key_stores.values():
        if other.store_id == exclude:
            continue
        if other.name == candidate.name:
            raise AWSError("CustomKeyStoreNameInUseException",
                           f"A custom key store named {candidate.name} already exists.")
        if candidate.store_type == cks.CLOUDHSM and other.cluster_id == candidate.cluster_id:
            raise AWSError("CloudHsmClusterInUseException",
                           f"Cluster {candidate.cluster_id} is already associated with a custom key store.")
        if candidate.store_type == cks.EXTERNAL and other.store_type == cks.EXTERNAL:
            mine, theirs = candidate.xks, other.xks
            if (mine.get("UriEndpoint"), mine.get("UriPath")) == (theirs.get("UriEndpoint"), theirs.get("UriPath")):
                raise AWSError("XksProxyUriInUseException",
                               "The XKS proxy URI endpoint and path are already used by another custom key store.")
            # A VPC endpoint service's private DNS name serves one store; public endpoints may be
            # shared by public stores (with other paths), never with a VPC store [M].
            vpc = "VPC_ENDPOINT_SERVICE"
            if mine.get("UriEndpoint") == theirs.get("UriEndpoint") and vpc in (
                    mine.get("Connectivity"), theirs.get("Connectivity")):
                raise AWSError("XksProxyUriEndpointInUseException",
                               f"The XKS proxy URI endpoint {mine.get('UriEndpoint')} is already used by "
                               "another custom key store.")
            service = mine.get("VpcEndpointServiceName")
            if service is not None and service == theirs.get("VpcEndpointServiceName"):
                raise AWSError("XksProxyVpcEndpointServiceInUseException",
                               f"The VPC endpoint service {service} is already used by another custom key store.")


@operation("CreateCustomKeyStore")
def create_custom_key_store(req: Request) -> Dict[str, Any]:
    params = req.params
    store_type = params.get("CustomKeyStoreType", cks.CLOUDHSM)
    needed = _CLOUDHSM_FIELDS if store_type == cks.CLOUDHSM else (
        "XksProxyUriEndpoint", "XksProxyUriPath", "XksProxyAuthenticationCredential", "XksProxyConnectivity")
    foreign = _XKS_FIELDS if store_type == cks.CLOUDHSM else _CLOUDHSM_FIELDS
    missing = [name for name in needed if params.get(name) is None]
    if missing:
        raise validation_error(f"A custom key store of type {store_type} requires {', '.join(missing)}.")
    extra = [name for name in foreign if params.get(name) is not None]
    if extra:
        raise validation_error(f"A custom key store of type {store_type} does not take {', '.join(extra)}.")
    req.authorize_iam()
    store = CustomKeyStore(
        store_id=cks.new_store_id(), name=params["CustomKeyStoreName"], store_type=store_type, created=req.now,
        cluster_id=params.get("CloudHsmClusterId"), trust_anchor=params.get("TrustAnchorCertificate"),
        password=params.get("KeyStorePassword"),
        xks=_xks_configuration(params, account=req.caller.account) if store_type == cks.EXTERNAL else {},
        xks_secret=(params.get("XksProxyAuthenticationCredential") or {}).get("RawSecretAccessKey"),
    )
    _check_unique(req, store)
    if len(req.store.custom_key_stores) >= cks.MAX_STORES:
        raise AWSError("LimitExceededException",
                       f"An account can have at most {cks.MAX_STORES} custom key stores in a Region.")
    req.store.custom_key_stores[store.store_id] = store
    return {"CustomKeyStoreId": store.store_id}


@operation("DescribeCustomKeyStores")
def describe_custom_key_stores(req: Request) -> Dict[str, Any]:
    store_id, name = req.params.get("CustomKeyStoreId"), req.params.get("CustomKeyStoreName")
    if store_id is not None and name is not None:
        raise validation_error("Specify either CustomKeyStoreId or CustomKeyStoreName, not both.")
    req.authorize_iam()
    stores = list(req.store.custom_key_stores.values())
    if store_id is not None:
        stores = [store_of(req, store_id)]
    elif name is not None:
        stores = [s for s in stores if s.name == name]
        if not stores:
            raise AWSError("CustomKeyStoreNotFoundException", f"Custom key store {name} does not exist")
    listing = f"DescribeCustomKeyStores:{store_id}:{name}"
    page, more = pagination.page(req, [s.entry() for s in stores], listing, 1000, 1000, "CustomKeyStoreId")
    return {"CustomKeyStores": page, **more}


def _make_unavailable(region_store: RegionStore, store: CustomKeyStore) -> None:
    for key in region_store.keys_in_store(store.store_id):
        if key.state not in (KeyState.PENDING_DELETION, KeyState.UNAVAILABLE):
            key.state_before_unavailable = key.state
            key.state = KeyState.UNAVAILABLE


def _store_to_change(req: Request, refused: "tuple[str, ...]", change: str) -> CustomKeyStore:
    """The store a Connect/Disconnect/Delete names, unless its state refuses ``change``."""
    store = store_of(req, req.params["CustomKeyStoreId"])
    req.authorize_iam()
    if store.state in refused:
        raise invalid_state(store, change)
    return store


@operation("ConnectCustomKeyStore")
def connect_custom_key_store(req: Request) -> Dict[str, Any]:
    store = _store_to_change(req, ("DISCONNECTING", "FAILED"), "connected")
    if store.state == "DISCONNECTED":
        store.state, store.error_code = "CONNECTING", None
        store.attempt += 1
        req.store.schedule(req.now + cks.CONNECT_TIME, "connected", f"{store.store_id}#{store.attempt}")
    return {}


@operation("DisconnectCustomKeyStore")
def disconnect_custom_key_store(req: Request) -> Dict[str, Any]:
    store = _store_to_change(req, ("DISCONNECTING", "DISCONNECTED"), "disconnected")
    store.state, store.error_code = "DISCONNECTED", None
    _make_unavailable(req.store, store)
    return {}


@operation("UpdateCustomKeyStore")
def update_custom_key_store(req: Request) -> Dict[str, Any]:
    params = req.params
    store = store_of(req, params["CustomKeyStoreId"])
    req.authorize_iam()
    foreign = _XKS_FIELDS if store.store_type == cks.CLOUDHSM else ("CloudHsmClusterId", "KeyStorePassword")
    extra = [name for name in foreign if params.get(name) is not None]
    if extra:
        raise validation_error(f"A custom key store of type {store.store_type} does not take {', '.join(extra)}.")
    # The name (any type) and an external store's credential and URI path may change in any state [M].
    any_state = {"CustomKeyStoreId", "NewCustomKeyStoreName", "XksProxyAuthenticationCredential", "XksProxyUriPath"}
    if store.state != "DISCONNECTED" and any(name not in any_state for name in params):
        raise invalid_state(store, "updated that way")
    candidate = CustomKeyStore(
        store_id=store.store_id, name=params.get("NewCustomKeyStoreName", store.name), store_type=store.store_type,
        created=store.created, cluster_id=params.get("CloudHsmClusterId", store.cluster_id),
        xks=_xks_configuration(params, store.xks, req.caller.account) if store.store_type == cks.EXTERNAL else {},
    )
    _check_unique(req, candidate, exclude=store.store_id)
    store.name, store.cluster_id, store.xks = candidate.name, candidate.cluster_id, candidate.xks
    if "KeyStorePassword" in params:
        store.password = params["KeyStorePassword"]
    if "XksProxyAuthenticationCredential" in params:
        store.xks_secret = params["XksProxyAuthenticationCredential"]["RawSecretAccessKey"]
    return {}


@operation("DeleteCustomKeyStore")
def delete_custom_key_store(req: Request) -> Dict[str, Any]:
    store = _store_to_change(req, ("CONNECTED", "CONNECTING", "FAILED", "DISCONNECTING"), "deleted")
    if req.store.keys_in_store(store.store_id):
        raise AWSError("CustomKeyStoreHasCMKsException",
                       f"Custom key store {store.store_id} still contains KMS keys: delete them first.")
    del req.store.custom_key_stores[store.store_id]
    return {}


def key_in_store(req: Request, store_id: str, origin: str, spec: str, usage: str, multi_region: bool) -> CustomKeyStore:
    """The checks CreateKey makes for a key in a custom key store; returns the store."""
    store = store_of(req, store_id)
    if origin != store.origin:
        raise validation_error(f"Origin {origin} does not match custom key store {store_id} "
                               f"of type {store.store_type}.")
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT" or multi_region:
        raise AWSError("UnsupportedOperationException",
                       "Custom key stores support only single-Region symmetric encryption KMS keys.")
    if store.state != "CONNECTED":
        raise invalid_state(store, "used to create KMS keys")
    xks_key_id = req.params.get("XksKeyId")
    if xks_key_id is not None and any(k.xks_key_id == xks_key_id for k in req.store.keys_in_store(store_id)):
        raise AWSError("XksKeyAlreadyInUseException",  # [M]: one KMS key per external key; wording [G]
                       f"The external key {xks_key_id} is already associated with a KMS key in {store_id}.")
    return store


def attach(key: Key, store: CustomKeyStore, xks_key_id: Optional[str]) -> None:
    key.custom_key_store_id = store.store_id
    if store.store_type == cks.CLOUDHSM:
        key.cloudhsm_cluster_id = store.cluster_id
    else:
        key.xks_key_id = xks_key_id
