"""Seeds and snapshots: a whole KMS world as plain data (``kms.dump()``, ``mock_kms(state=...)``).

The format is a dict (or a JSON / TOML file holding one)::

    {"version": 1,
     "clock": "2026-01-01T00:00:00+00:00",            # optional: the mock's time
     "keys": [                                          # every key, in any account and Region
        {"id": "1234abcd-...",                          # optional: made up if absent
         "account": "123456789012", "region": "us-east-1",   # optional: the mock's own
         "spec": "SYMMETRIC_DEFAULT", "usage": "ENCRYPT_DECRYPT",
         "description": "", "state": "Enabled",         # Enabled / Disabled / PendingImport / ...
         "aliases": ["alias/app"], "tags": {"team": "a"},
         "policy": {...} or "<JSON text>",               # optional: AWS's default policy if absent
         "rotation_period_days": 365,                    # optional: automatic rotation on
         "material": "<base64>",                         # optional: fixed key material
         ...}],                                         # (kms.dump() writes every field it needs)
     "custom_key_stores": [...], "identity_policies": {"<principal arn>": [policy, ...]}}

Only ``keys`` is needed in a hand-written seed, and every key field but ``spec``
/ ``usage`` pairs has a default.  ``material`` makes ciphertexts reproducible:
32 bytes for a symmetric key, the HMAC key bytes, or a DER PKCS#8 private key.
``kms.dump()`` writes the full form — materials, grants, rotations, multi-Region
sets, deletion windows — so ``mock_kms(state=kms.dump())`` continues the same
world: ciphertexts made before decrypt after.  Errors name the bad field, e.g.
``state.keys[2].spec: 'RSA_1024' is not a KeySpec``.
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
import os
from typing import Any, Dict, List, Optional, Union

from .domain import arn as arns
from .domain import custom_key_stores as cks
from .domain import key_import, keypairs, mac, policy as policies, principals, specs
from .domain.grants import Grant
from .domain.ids import uuid4
from .domain.key import Alias, Key, KeyMaterial, KeyState
from .domain.multi_region import MultiRegionSet
from .domain.world import World

VERSION = 1
_STATES = {KeyState.ENABLED, KeyState.DISABLED, KeyState.PENDING_DELETION, KeyState.PENDING_REPLICA_DELETION,
           KeyState.PENDING_IMPORT, KeyState.UNAVAILABLE, KeyState.CREATING, KeyState.UPDATING}
Seed = Union[Dict[str, Any], str, "os.PathLike[str]"]
_KEY_FIELDS = frozenset({
    "id", "account", "region", "spec", "usage", "description", "origin", "manager", "state", "created",
    "policy", "tags", "aliases", "materials", "current_material", "material", "private_key",
    "rotation_period_days", "next_rotation", "on_demand_rotations", "deletion_date", "pending_window_days",
    "primary_region", "multi_region", "custom_key_store", "cloudhsm_cluster_id", "xks_key_id", "state_before",
    "grants",
})


class SeedError(ValueError):
    """A seed that does not describe a world; the message names the field."""


def read(seed: Seed) -> Any:
    """The seed's data: given directly, or read from a ``.json`` / ``.toml`` file."""
    if not isinstance(seed, (str, os.PathLike)):
        return seed
    path = os.fspath(seed)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise SeedError(f"{path}: cannot read it ({error.strerror or error})") from None
    if path.endswith(".toml"):
        try:
            import tomllib  # Python 3.11+
        except ImportError:  # pragma: no cover - older Pythons
            try:
                import tomli as tomllib  # type: ignore[no-redef]
            except ImportError:
                raise SeedError(f"{path}: reading TOML needs Python 3.11+ or the tomli package") from None
        try:
            return tomllib.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise SeedError(f"{path}: not TOML ({error})") from None
    try:
        return json.loads(raw)
    except ValueError as error:
        raise SeedError(f"{path}: not JSON ({error})") from None


# -- writing --------------------------------------------------------------------------------------
def _time(value: Optional[_dt.datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _b64(value: Optional[bytes]) -> Optional[str]:
    return base64.b64encode(value).decode() if value is not None else None


def _drop_none(entry: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in entry.items() if v is not None and v != [] and v != {}}


def _material(material: KeyMaterial) -> Dict[str, Any]:
    return _drop_none({
        "id": material.material_id, "secret": _b64(material.secret), "created": _time(material.created),
        "rotation_type": material.rotation_type, "rotation_date": _time(material.rotation_date),
        "imported": material.imported or None, "expiration_model": material.expiration_model,
        "valid_to": _time(material.valid_to), "description": material.description,
        "pending_rotation": material.pending_rotation or None,
    })


def _grant(grant: Grant) -> Dict[str, Any]:
    return _drop_none({
        "id": grant.grant_id, "grantee": grant.grantee, "operations": list(grant.operations),
        "retiring": grant.retiring, "constraints": grant.constraints, "name": grant.name,
        "issuing_account": grant.issuing_account, "created": _time(grant.created), "tokens": sorted(grant.tokens),
    })


def _key(world: World, key: Key) -> Dict[str, Any]:
    store = world.store(key.account, key.region)
    private = key.pair._private if key.pair is not None else None
    entry = {
        "id": key.key_id, "account": key.account, "region": key.region, "spec": key.key_spec,
        "usage": key.key_usage, "description": key.description, "origin": key.origin,
        "manager": key.key_manager, "state": key.state, "created": _time(key.created),
        "policy": None if key.policy.default_for == key.account else key.policy.text,
        "tags": dict(key.tags),
        "aliases": [{"name": a.name, "created": _time(a.created), "updated": _time(a.updated)}
                    for a in store.aliases_of(key.key_id)],
        "materials": [_material(m) for m in key.materials.values()],
        "current_material": key.current_material_id,
        "private_key": _b64(keypairs.private_der(private)) if private is not None else None,
        "rotation_period_days": key.rotation_period_days, "next_rotation": _time(key.next_rotation),
        "on_demand_rotations": key.on_demand_rotations or None,
        "deletion_date": _time(key.deletion_date), "pending_window_days": key.pending_window_days,
        "primary_region": key.mr.primary_region if key.mr is not None else None,
        "multi_region": key.multi_region or None,
        "custom_key_store": key.custom_key_store_id, "cloudhsm_cluster_id": key.cloudhsm_cluster_id,
        "xks_key_id": key.xks_key_id, "state_before": key.state_before_unavailable or key.state_before_update,
        "grants": [_grant(g) for g in key.grants.values()],
    }
    return _drop_none(entry)


def _store(account: str, region: str, store: cks.CustomKeyStore) -> Dict[str, Any]:
    return _drop_none({
        "id": store.store_id, "account": account, "region": region, "name": store.name, "type": store.store_type,
        "created": _time(store.created), "state": store.state, "error_code": store.error_code,
        "cluster_id": store.cluster_id, "trust_anchor": store.trust_anchor, "password": store.password,
        "xks": dict(store.xks), "xks_secret": store.xks_secret,
    })


def dump(world: World) -> Dict[str, Any]:
    """The whole world, in the seed format (with every field needed to continue it exactly)."""
    keys, stores = [], []
    for store in world.stores():
        keys.extend(_key(world, key) for key in store.keys.values())
        stores.extend(_store(store.account, store.region, s) for s in store.custom_key_stores.values())
    return _drop_none({
        "version": VERSION, "clock": _time(world.clock.now()), "keys": keys, "custom_key_stores": stores,
        "identity_policies": world.identity_policy_texts(),
    })


# -- reading --------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, world: World, account: str, region: str):
        self.world = world
        self.account = account
        self.region = region
        self.now = world.clock.now()
        self.sets: Dict[tuple, MultiRegionSet] = {}

    @staticmethod
    def fail(where: str, message: str) -> SeedError:
        return SeedError(f"state.{where}: {message}")

    def time(self, entry: Dict[str, Any], name: str, where: str) -> Optional[_dt.datetime]:
        value = entry.get(name)
        if value is None:
            return None
        try:
            parsed = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(f"{where}.{name}" if where else name, f"{value!r} is not an ISO 8601 time") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)

    def bytes(self, value: Any, where: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (ValueError, TypeError):
            raise self.fail(where, "is not base64") from None

    def require(self, entry: Dict[str, Any], name: str, where: str) -> Any:
        if entry.get(name) is None:
            raise self.fail(f"{where}.{name}", "is required")
        return entry[name]

    def choice(self, entry: Dict[str, Any], name: str, allowed: Any, default: Any, where: str, what: str) -> Any:
        value = entry.get(name, default)
        if value not in allowed:
            raise self.fail(f"{where}.{name}", f"{value!r} is not {what}")
        return value

    def key(self, entry: Any, where: str) -> None:
        if not isinstance(entry, dict):
            raise self.fail(where, "must be an object")
        unknown = set(entry) - _KEY_FIELDS
        if unknown:
            raise self.fail(where, f"unknown field(s) {', '.join(sorted(unknown))}")
        account = str(entry.get("account", self.account))
        region = str(entry.get("region", self.region))
        spec = self.choice(entry, "spec", specs.ALGORITHMS, specs.SYMMETRIC, where, "a KeySpec")
        usage = self.choice(entry, "usage", specs.ALGORITHMS[spec], "ENCRYPT_DECRYPT" if spec == specs.SYMMETRIC
                            else next(iter(specs.ALGORITHMS[spec])), where, f"a KeyUsage of {spec} keys")
        state = self.choice(entry, "state", _STATES, KeyState.ENABLED, where, "a key state")
        multi_region = bool(entry.get("multi_region") or entry.get("primary_region"))
        key_id = str(entry.get("id") or (("mrk-" + os.urandom(16).hex()) if multi_region else uuid4()))
        if not arns.is_key_id(key_id):
            raise self.fail(f"{where}.id", f"{key_id!r} is not a key id")
        store = self.world.store(account, region)
        if key_id in store.keys:
            raise self.fail(f"{where}.id", f"{key_id} appears twice in {account}/{region}")
        policy_value = entry.get("policy")
        try:
            policy = (policies.default_policy(account, arns.partition_of(region)) if policy_value is None
                      else policies.Policy.parse(policy_value if isinstance(policy_value, str)
                                                 else json.dumps(policy_value)))
        except policies.MalformedPolicy as malformed:
            raise self.fail(f"{where}.policy", malformed.message or "not a JSON policy document") from None
        tags = entry.get("tags") or {}
        if not isinstance(tags, dict):
            raise self.fail(f"{where}.tags", "must map tag keys to values")
        key = Key(key_id=key_id, account=account, region=region, arn=arns.key_arn(region, account, key_id),
                  created=self.time(entry, "created", where) or self.now,
                  description=str(entry.get("description", "")), key_spec=spec, key_usage=usage,
                  origin=str(entry.get("origin", "AWS_KMS")), key_manager=str(entry.get("manager", "CUSTOMER")),
                  state=state, multi_region=multi_region, policy=policy, tags={str(k): str(v) for k, v in tags.items()})
        self.materials(key, entry, where)
        self.schedules(key, entry, where, store)
        key.custom_key_store_id = entry.get("custom_key_store")
        key.cloudhsm_cluster_id = entry.get("cloudhsm_cluster_id")
        key.xks_key_id = entry.get("xks_key_id")
        if state == KeyState.UNAVAILABLE:
            key.state_before_unavailable = entry.get("state_before")
        if state == KeyState.UPDATING:
            key.state_before_update = entry.get("state_before")
            store.schedule(self.now, "updated", key_id)
        if state == KeyState.CREATING:
            store.schedule(self.now, "ready", key_id)
        store.add_key(key)
        for index, grant in enumerate(entry.get("grants") or []):
            self.grant(key, grant, f"{where}.grants[{index}]")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list):
            raise self.fail(f"{where}.aliases", "must be a list of alias names")
        for index, alias in enumerate(aliases):
            at = f"{where}.aliases[{index}]"
            raw_alias = alias if isinstance(alias, dict) else {"name": alias}
            name = raw_alias.get("name")
            if not (isinstance(name, str) and name.startswith("alias/")):
                raise self.fail(at, f"{name!r} is not an alias name")
            if name in store.aliases:
                raise self.fail(at, f"{name} already names another key")
            created = self.time(raw_alias, "created", at) or key.created
            store.aliases[name] = Alias(name, key_id, created, self.time(raw_alias, "updated", at) or created)
        if multi_region:
            self.join_set(key, entry, store)

    def materials(self, key: Key, entry: Dict[str, Any], where: str) -> None:
        spec = key.key_spec
        if "materials" in entry:
            for index, raw in enumerate(entry["materials"]):
                at = f"{where}.materials[{index}]"
                secret = self.bytes(raw["secret"], f"{at}.secret") if raw.get("secret") is not None else None
                material = KeyMaterial(self.time(raw, "created", at) or key.created, secret=secret or b"",
                                       material_id=str(self.require(raw, "id", at)))
                if secret is None:
                    material.forget()
                material.rotation_type = raw.get("rotation_type")
                material.rotation_date = self.time(raw, "rotation_date", at)
                material.imported = bool(raw.get("imported"))
                material.expiration_model = raw.get("expiration_model")
                material.valid_to = self.time(raw, "valid_to", at)
                material.description = raw.get("description")
                material.pending_rotation = bool(raw.get("pending_rotation"))
                key.add_material(material, current=False)
            key.current_material_id = entry.get("current_material")
        elif "material" in entry and spec in (specs.SYMMETRIC, *mac.KEY_BYTES):
            secret = self.bytes(entry["material"], f"{where}.material")
            if not key_import.fits(spec, secret):
                raise self.fail(f"{where}.material", f"is not valid key material for a {spec} key")
            key.add_material(KeyMaterial(key.created, secret=secret,
                                         material_id=key_import.material_id(key.key_id, secret)))
        elif spec == specs.SYMMETRIC and key.origin != "EXTERNAL":
            key.add_material(KeyMaterial(key.created))
        elif spec in mac.KEY_BYTES and key.origin != "EXTERNAL":
            key.add_material(KeyMaterial(key.created, secret=os.urandom(mac.KEY_BYTES[spec])))
        if spec not in (specs.SYMMETRIC, *mac.KEY_BYTES):
            field = "private_key" if entry.get("private_key") is not None else "material"
            der = entry.get(field)
            if der is not None:
                private = key_import.private_key_for(spec, self.bytes(der, f"{where}.{field}"))
                if private is None:
                    raise self.fail(f"{where}.{field}", f"is not a DER PKCS#8 private key of a {spec} key")
                key.pair = keypairs.KeyPair(spec, [], private)
            elif key.origin != "EXTERNAL":
                key.pair = self.world.new_key_pair(spec)

    def schedules(self, key: Key, entry: Dict[str, Any], where: str, store: Any) -> None:
        if entry.get("rotation_period_days") is not None:
            period = entry["rotation_period_days"]
            if not isinstance(period, int) or isinstance(period, bool) or not 90 <= period <= 2560:
                raise self.fail(f"{where}.rotation_period_days", f"{period!r} is not a number of days from 90 to 2560")
            key.rotation_period_days = period
            next_rotation = self.time(entry, "next_rotation", where) or (
                self.now + _dt.timedelta(days=key.rotation_period_days))
            store.plan_rotation(key, next_rotation)
        key.on_demand_rotations = int(entry.get("on_demand_rotations", 0))
        key.pending_window_days = entry.get("pending_window_days")
        key.deletion_date = self.time(entry, "deletion_date", where)
        if key.state == KeyState.PENDING_DELETION:
            if key.deletion_date is None:
                raise self.fail(f"{where}.deletion_date", "is required for a key pending deletion")
            store.watch_deletion(key)
        for material in key.materials.values():
            if material.valid_to is not None and material.secret is not None:
                store.schedule(material.valid_to, "expire", key.key_id)

    def join_set(self, key: Key, entry: Dict[str, Any], store: Any) -> None:
        primary_region = str(entry.get("primary_region", key.region))
        group = (key.account, key.key_id)
        mr = self.sets.get(group)
        if mr is None:
            mr = MultiRegionSet(key, store)
            mr.primary_region = primary_region
            self.sets[group] = mr
        else:
            mr.add(key, store)
            if key.origin != "EXTERNAL":  # the members share one set of materials, as in AWS
                anchor = next(iter(m for m in mr.members.values() if m is not key))
                anchor.materials.update(key.materials)
                key.materials = anchor.materials
                key.pair = anchor.pair or key.pair
        key.mr = mr

    def grant(self, key: Key, raw: Dict[str, Any], where: str) -> None:
        if not isinstance(raw, dict):
            raise self.fail(where, "must be an object")
        grant = Grant(grant_id=str(raw.get("id") or os.urandom(32).hex()), key_id=key.key_id, key_arn=key.arn,
                      grantee=str(self.require(raw, "grantee", where)), operations=tuple(raw.get("operations") or ()),
                      issuing_account=str(raw.get("issuing_account", f"arn:aws:iam::{key.account}:root")),
                      created=self.time(raw, "created", where) or self.now, retiring=raw.get("retiring"),
                      constraints=raw.get("constraints"), name=raw.get("name"))
        for token in raw.get("tokens") or []:
            grant.tokens.add(token)
            self.world.grant_tokens[token] = grant
        key.grants[grant.grant_id] = grant

    def custom_key_store(self, raw: Dict[str, Any], where: str) -> None:
        if not isinstance(raw, dict):
            raise self.fail(where, "must be an object")
        store = cks.CustomKeyStore(
            store_id=str(self.require(raw, "id", where)), name=str(self.require(raw, "name", where)),
            store_type=str(raw.get("type", cks.CLOUDHSM)),
            created=self.time(raw, "created", where) or self.now, state=str(raw.get("state", "DISCONNECTED")),
            error_code=raw.get("error_code"), cluster_id=raw.get("cluster_id"), trust_anchor=raw.get("trust_anchor"),
            password=raw.get("password"), xks=dict(raw.get("xks") or {}), xks_secret=raw.get("xks_secret"))
        if store.state == "CONNECTING":
            store.state = "DISCONNECTED"  # a connection in progress does not survive a restart
        self.world.store(str(raw.get("account", self.account)),
                         str(raw.get("region", self.region))).custom_key_stores[store.store_id] = store


def load(world: World, seed: Seed, account: str, region: str) -> None:
    """Fill an empty ``world`` from ``seed`` (raises :class:`SeedError` naming the bad field)."""
    data = read(seed)
    if not isinstance(data, dict):
        raise SeedError("state: must be an object with a 'keys' list")
    version = data.get("version", VERSION)
    if version != VERSION:
        raise SeedError(f"state.version: {version!r} is not a version this mockkms reads ({VERSION})")
    unknown = set(data) - {"version", "clock", "keys", "custom_key_stores", "identity_policies"}
    if unknown:
        raise SeedError(f"state: unknown field(s) {', '.join(sorted(unknown))}")
    reader = _Reader(world, account, region)
    if data.get("clock") is not None:
        world.clock.move_to(reader.time(data, "clock", "") or world.clock.now())
        reader.now = world.clock.now()
    for index, raw in enumerate(data.get("custom_key_stores") or []):
        reader.custom_key_store(raw, f"custom_key_stores[{index}]")
    keys: List[Any] = data.get("keys") or []
    if not isinstance(keys, list):
        raise SeedError("state.keys: must be a list of keys")
    for index, entry in enumerate(keys):
        reader.key(entry, f"keys[{index}]")
    for principal_arn, documents in (data.get("identity_policies") or {}).items():
        principal = principals.parse(principal_arn)
        if principal is None:
            raise SeedError(f"state.identity_policies: {principal_arn!r} names no principal")
        for index, document in enumerate(documents):
            text = document if isinstance(document, str) else json.dumps(document)
            try:
                world.attach_identity_policy(principal, policies.Policy.parse(text, key_policy=False))
            except policies.MalformedPolicy as malformed:
                raise SeedError(f"state.identity_policies[{principal_arn!r}][{index}]: "
                                f"{malformed.message or 'not a JSON policy document'}") from None
