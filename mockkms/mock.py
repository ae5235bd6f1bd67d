"""``mock_kms``: one object that is a decorator, a context manager (sync and async) and a handle.

    @mock_kms                       # fresh mock for each call of the test
    def test_x(): ...

    with mock_kms(account_id="111122223333") as kms:   # kms is the handle
        ...

    kms = mock_kms().start()        # notebooks: start in one cell, use in the next
    kms.stop()

Each mock owns a world (keys, aliases, ...), a clock and a call log; a new mock
starts empty.  Starting an active mock again is harmless (it nests).
"""
from __future__ import annotations

import inspect
import json
import threading
import sys
from typing import Any, Dict, Optional, Tuple, TypeVar, Union

import wrapt

from . import credentials, display, faults, interceptor, service, snapshot, wire
from .calls import CallLog, CallRecord
from .domain import arn as arns
from .domain import principals
from .domain.clock import Clock
from .domain.policy import MalformedPolicy, Policy
from .errors import AWSError
from .faults import Fault, Faults
from .domain.world import World

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
#: records ``kms.calls`` keeps by default: a long-lived mock (a notebook) stays bounded
DEFAULT_CALL_LOG_LIMIT = 100_000

T = TypeVar("T")


class MockKMS:
    """An in-process KMS.  Users get one from ``mock_kms(...)`` or the ``kms`` fixture."""

    def __init__(self, account_id: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION,
                 enforce_policies: bool = True, on_demand_rotation_limit: int = 25,
                 state: Optional[snapshot.Seed] = None, on_demand_rotation_seconds: float = 0,
                 call_log_limit: Optional[int] = DEFAULT_CALL_LOG_LIMIT):
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be a 12-digit string, not {account_id!r}")
        self.account_id = account_id
        self.region = region
        self.enforce_policies = enforce_policies
        self.clock = Clock()
        self.on_demand_rotation_limit = on_demand_rotation_limit
        self.on_demand_rotation_seconds = on_demand_rotation_seconds
        self.world = World(self.clock, enforce_policies=enforce_policies,
                           on_demand_rotation_limit=on_demand_rotation_limit,
                           on_demand_rotation_seconds=on_demand_rotation_seconds)
        self.calls = CallLog(call_log_limit)
        self._identities = principals.Identities()
        #: faults still to inject (see :meth:`fail`)
        self.faults = Faults()
        #: (access key, Region) -> (the caller, the enum values the Region withholds): worked out
        #: once per pair (issued access keys are fresh, never reused: what a key is stays true)
        self._callers: Dict[Tuple[Optional[str], str], Tuple[service.Caller, Any]] = {}
        self._state = snapshot.read(state) if state is not None else None
        if self._state is not None:
            snapshot.load(self.world, self._state, account_id, region)
        self._depth = 0
        self._lock = threading.Lock()
        # A mock made for one test (decorator, fixture) is never started again, so its
        # key pairs can go back to the pool as soon as it stops.
        self._single_use = False

    # -- lifecycle -------------------------------------------------------------------------
    #: whether the mock answers calls (started more often than stopped); read on every call
    active = False

    def start(self) -> "MockKMS":
        """Activate the mock (idempotent: every start needs its stop); returns the handle."""
        with self._lock:
            self._depth += 1
            self.active = True
            if self._depth > 1:
                # Already active: the calling thread now counts it as its own newest mock too.
                interceptor.enter_thread(self)
                return self
        credentials.acquire(self.region)
        interceptor.activate(self)
        return self

    def stop(self) -> None:
        with self._lock:
            if self._depth == 0:
                return
            self._depth -= 1
            self.active = self._depth > 0
            if self.active:
                interceptor.leave_thread(self)
                return
        interceptor.deactivate(self)
        credentials.release()
        if self._single_use:
            self.world.retire()

    def __enter__(self) -> "MockKMS":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "MockKMS":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    # -- identities --------------------------------------------------------------------------
    def credentials(self, principal: str, *, via_service: Optional[str] = None) -> Dict[str, str]:
        """Credentials that make a client call as ``principal``: pass them to ``boto3.client``.

        ``principal`` is an account root (``arn:aws:iam::111122223333:root`` or just the
        account id), an IAM user or role ARN, or an assumed-role session ARN
        (``arn:aws:sts::111122223333:assumed-role/Role/session``), in any account.
        ``via_service`` (e.g. ``"s3.us-east-1.amazonaws.com"``) makes the calls look made
        through that AWS service, for ``kms:ViaService`` conditions.
        """
        return self._identities.issue(_principal(principal), via_service)

    def client(self, region_name: Optional[str] = None, *, principal: Optional[str] = None,
               via_service: Optional[str] = None, **client_kwargs: Any) -> Any:
        """A boto3 KMS client calling as ``principal`` (the default account's root if None)."""
        import boto3
        credentials = self.credentials(principal or self.account_id, via_service=via_service)
        return boto3.client("kms", region_name=region_name or self.region, **credentials, **client_kwargs)

    def allow(self, principal: str, policy: Union[str, Dict[str, Any]]) -> None:
        """Attach an identity (IAM) policy to ``principal`` (a role's also serve its sessions).

        Once a principal has identity policies, only they speak for its IAM side; without
        any, a principal is allowed in its own account whatever the key policy delegates
        to the account (see the README's "Identities and policies").
        """
        target = _principal(principal)
        if target.kind == "assumed-role":
            raise ValueError(f"{principal} is a role session: IAM attaches policies to the role "
                             f"({target.role_arn}), whose sessions all get them")
        text = policy if isinstance(policy, str) else json.dumps(policy)
        try:
            parsed = Policy.parse(text, key_policy=False)
        except MalformedPolicy as malformed:
            raise ValueError(f"not a usable identity policy: {malformed.message or 'not a JSON object'}") from None
        with self.world.lock:
            self.world.attach_identity_policy(target, parsed)

    def dump(self) -> Dict[str, Any]:
        """The whole world as a seed: ``mock_kms(state=kms.dump())`` continues it exactly
        (same keys, materials, policies, grants, aliases, tags, rotations, clock)."""
        with self.world.lock:
            return snapshot.dump(self.world)

    def fail(self, operation: Optional[str] = None, error: str = "ThrottlingException", *, times: int = 1,
             key: Optional[str] = None, message: Optional[str] = None, status: Optional[int] = None) -> Fault:
        """Make the next ``times`` calls of ``operation`` (any operation if None; only those naming
        ``key``, a key id, ARN or alias, if given) fail with ``error``.

        Known errors get AWS's HTTP status (ThrottlingException 400, KMSInternalException 500,
        DependencyTimeoutException 503, KeyUnavailableException 500) unless ``status`` says
        otherwise.  Faulted calls go through botocore's retry loop: each attempt takes one fault.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        return self.faults.add(faults.fault(operation, error, times, key, message, status))

    def fail_custom_key_store(self, custom_key_store_id: str, connection_error_code: str,
                              region: Optional[str] = None, account_id: Optional[str] = None) -> None:
        """Make the store's next connection attempt end FAILED with ``connection_error_code``
        (e.g. ``"NETWORK_ERRORS"``, ``"INVALID_CREDENTIALS"``, ``"XKS_PROXY_TIMED_OUT"``)."""
        with self.world.lock:
            store = self.world.store(account_id or self.account_id, region or self.region)
            if custom_key_store_id not in store.custom_key_stores:
                raise KeyError(f"no custom key store {custom_key_store_id} in {region or self.region}")
            store.custom_key_stores[custom_key_store_id].fail_with = connection_error_code

    def _caller(self, access_key: Optional[str], region: str) -> service.Caller:
        """Who makes a call: the identity the credentials were issued for, else the account's
        root user in the partition of the call's Region (``arn:aws-cn:iam::...:root`` in China)."""
        issued = self._identities.lookup(access_key)
        if issued is not None:
            return service.Caller(*issued)
        return service.Caller(principals.root(self.account_id, arns.partition_of(region)))

    # -- answering calls -------------------------------------------------------------------
    def answer(self, operation: str, body: bytes, region: Optional[str],
               access_key: Optional[str], parsed: bool = False,
               arguments: Optional[Dict[str, Any]] = None) -> wire.Response:
        """Answer one JSON 1.1 request (the interceptor and the server both come here).

        ``arguments``: the client's own arguments ``body`` was serialised from, if known."""
        region = region or self.region          # the Region the call is served in, also when recorded
        known = self._callers.get((access_key, region))
        if known is None:
            known = self._callers[(access_key, region)] = (self._caller(access_key, region), _withheld(region))
        caller, withheld = known
        if self.faults.left:
            injected = self._injected(operation, body, region, caller)
            if injected is not None:
                return injected
        response = wire.serve(operation, body, service.dispatch, service.Request(self.world, region, caller),
                              parsed, withheld, arguments)
        self.calls.append(CallRecord(operation, region, caller.account, response.params, response.error_code,
                                     caller.arn, response.error_message))
        return response

    def _injected(self, operation: str, body: bytes, region: str, caller: service.Caller) -> Optional[wire.Response]:
        params = faults.params_of(body)
        fault = self.faults.take(operation, params)
        if fault is None:
            return None
        response = wire.encode_error(AWSError(fault.error, fault.message, fault.status))
        self.calls.append(CallRecord(operation, region, caller.account, params, response.error_code, caller.arn,
                                     fault.message))
        return response

    # -- decorating ------------------------------------------------------------------------
    def _fresh(self) -> "MockKMS":
        fresh = MockKMS(account_id=self.account_id, region=self.region, enforce_policies=self.enforce_policies,
                        on_demand_rotation_limit=self.on_demand_rotation_limit, state=self._state,
                        on_demand_rotation_seconds=self.on_demand_rotation_seconds,
                        call_log_limit=self.calls.limit)
        fresh._single_use = True
        return fresh

    def __call__(self, target: T) -> T:
        if inspect.isclass(target):
            return _decorate_class(self, target)  # type: ignore[return-value]
        if callable(target):
            return _decorate_function(self, target)
        raise TypeError(f"mock_kms cannot decorate {target!r}: use it on a function, a coroutine function "
                        "or a unittest.TestCase class, or as a context manager")

    def __repr__(self) -> str:
        with self.world.lock:
            return display.summary(self)

    def _repr_html_(self) -> str:
        """What a notebook shows for the handle: a table of the keys."""
        with self.world.lock:
            return display.html_table(self)


def _decorate_function(template: MockKMS, func: Any) -> Any:
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        raise TypeError(f"mock_kms cannot decorate the generator function {func.__qualname__}: the mock would "
                        "stop before its body runs; use `with mock_kms():` inside it, or the kms fixture")
    if inspect.iscoroutinefunction(func):
        @wrapt.decorator
        async def run_async(wrapped: Any, instance: Any, args: tuple, kwargs: dict) -> Any:
            async with template._fresh():
                return await wrapped(*args, **kwargs)
        return run_async(func)

    @wrapt.decorator
    def run(wrapped: Any, instance: Any, args: tuple, kwargs: dict) -> Any:
        with template._fresh():
            return wrapped(*args, **kwargs)
    return run(func)


_SETUP_HOOKS = ("setup_method", "teardown_method", "setup", "teardown")


def _is_test_case(cls: type) -> bool:
    # A TestCase subclass exists only once unittest is imported: no need to import it here.
    unittest = sys.modules.get("unittest")
    return unittest is not None and issubclass(cls, unittest.TestCase)


def _decorate_class(template: MockKMS, cls: type) -> type:
    if _is_test_case(cls):
        # TestCase.run drives setUp, the test, tearDown and cleanups (also asyncSetUp & co.
        # for IsolatedAsyncioTestCase), so one fresh mock around it covers them all.
        original_run = cls.run

        def run(self: Any, result: Any = None) -> Any:
            with template._fresh():
                return original_run(self, result)

        cls.run = run  # type: ignore[assignment]
        return cls
    # pytest collects inherited test methods and runs inherited hooks too, so look
    # through the whole MRO; decorated copies go on cls and the bases stay untouched.
    members: dict = {}
    for klass in reversed(cls.__mro__[:-1]):
        members.update(vars(klass))
    hooks = [name for name in _SETUP_HOOKS if name in members]
    if hooks:
        raise TypeError(f"mock_kms cannot decorate {cls.__qualname__}: its {', '.join(hooks)} would run outside "
                        "the test's mock. Use the kms pytest fixture, or decorate the test methods.")
    tests = {name: value for name, value in members.items()
             if name.startswith("test") and not inspect.isclass(value)
             and (callable(value) or isinstance(value, (staticmethod, classmethod)))}
    if not tests:
        raise TypeError(f"mock_kms cannot decorate {cls.__qualname__}: it is neither a unittest.TestCase "
                        "nor a class with test methods")
    for name, value in tests.items():
        if isinstance(value, (staticmethod, classmethod)):
            # Decorate the function inside, so an async staticmethod is still seen as async.
            setattr(cls, name, type(value)(_decorate_function(template, value.__func__)))
        else:
            setattr(cls, name, _decorate_function(template, value))
    return cls


def mock_kms(target: Any = None, *, account_id: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION,
             enforce_policies: bool = True, on_demand_rotation_limit: int = 25,
             state: Optional[snapshot.Seed] = None, on_demand_rotation_seconds: float = 0,
             call_log_limit: Optional[int] = DEFAULT_CALL_LOG_LIMIT) -> Any:
    """A new mock; or, used bare as ``@mock_kms``, the decorated target.

    ``enforce_policies=False`` stores key policies, identity policies and grants but
    lets every caller do everything (only the API's own rules still hold).
    ``on_demand_rotation_limit`` is RotateKeyOnDemand's per-key quota (25, as the API
    documentation states; a 2025 recording of AWS hit 10).  ``state`` seeds the world:
    a dict, or a JSON / TOML file, in the format ``kms.dump()`` writes (see mockkms.snapshot).
    ``on_demand_rotation_seconds`` makes RotateKeyOnDemand take that long on the mock's clock
    (AWS rotates asynchronously); by default it completes at once.
    ``call_log_limit`` caps ``kms.calls`` at the newest that many records (None keeps all).
    """
    template = MockKMS(account_id=account_id, region=region, enforce_policies=enforce_policies,
                       on_demand_rotation_limit=on_demand_rotation_limit, state=state,
                       on_demand_rotation_seconds=on_demand_rotation_seconds, call_log_limit=call_log_limit)
    if target is None:
        return template
    return template(target)


_WITHHELD: Dict[str, Any] = {}


def _withheld(region: str) -> Any:
    """The enum values ``region`` does not offer (cached: one lookup per call)."""
    withheld = _WITHHELD.get(region)
    if withheld is None:
        withheld = _WITHHELD[region] = service.regions.withheld(region)
    return withheld


def _principal(value: str) -> principals.Principal:
    principal = principals.parse(value)
    if principal is None:
        raise ValueError(f"{value!r} names no principal: use an account id, an account root, IAM user or role "
                         "ARN, or an assumed-role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>)")
    return principal


def current_mock() -> Optional[MockKMS]:
    """The mock answering this thread's calls (e.g. inside a ``@mock_kms`` test), or None."""
    return interceptor.current()
