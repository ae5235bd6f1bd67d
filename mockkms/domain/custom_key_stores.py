"""Custom key stores (AWS CloudHSM and external key stores), as records with a connection state.

The mock has no cluster or proxy to talk to: connecting succeeds after
:data:`CONNECT_TIME` on the mock's clock, unless a test told the store to fail
(``kms.fail_custom_key_store(store_id, "NETWORK_ERRORS")``), in which case it
ends FAILED with that ConnectionErrorCode.  Keys in a store work while it is
CONNECTED and are Unavailable otherwise.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

CLOUDHSM = "AWS_CLOUDHSM"
EXTERNAL = "EXTERNAL_KEY_STORE"
CONNECT_TIME = _dt.timedelta(seconds=5)  # [G]: AWS documents minutes for CloudHSM; tests should not wait
MAX_STORES = 10


def new_store_id() -> str:
    return "cks-" + os.urandom(9).hex()[:17]


@dataclass
class CustomKeyStore:
    store_id: str
    name: str
    store_type: str
    created: _dt.datetime
    state: str = "DISCONNECTED"
    error_code: Optional[str] = None
    cluster_id: Optional[str] = None
    trust_anchor: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    xks: Dict[str, Any] = field(default_factory=dict)    # Connectivity, AccessKeyId, UriEndpoint, ...
    xks_secret: Optional[str] = field(default=None, repr=False)
    #: set by the test handle: the next connection attempt fails with this ConnectionErrorCode
    fail_with: Optional[str] = None
    #: counts connection attempts, so a superseded attempt's completion is ignored
    attempt: int = 0

    @property
    def origin(self) -> str:
        """The Origin of keys created in this store."""
        return self.store_type

    def entry(self) -> Dict[str, Any]:
        """The DescribeCustomKeyStores entry (secrets are never returned)."""
        entry: Dict[str, Any] = {"CustomKeyStoreId": self.store_id, "CustomKeyStoreName": self.name}
        if self.store_type == CLOUDHSM:
            entry["CloudHsmClusterId"] = self.cluster_id
            entry["TrustAnchorCertificate"] = self.trust_anchor
        entry["ConnectionState"] = self.state
        if self.state == "FAILED" and self.error_code is not None:
            entry["ConnectionErrorCode"] = self.error_code
        entry["CreationDate"] = self.created
        entry["CustomKeyStoreType"] = self.store_type
        if self.store_type == EXTERNAL:
            entry["XksProxyConfiguration"] = {k: v for k, v in self.xks.items() if v is not None}
        return entry
