"""Server mode: the same mock behind an HTTP endpoint, for the AWS CLI and other SDKs.

    python -m mockkms serve [--host 127.0.0.1] [--port 0] [--state FILE]

    with mockkms.serve() as server:            # in tests: a free port, stopped on exit
        boto3.client("kms", endpoint_url=server.url, ...)

Requests are parsed by the standard library's HTTP server and answered by the
same wire/model/service code as the in-process mock.  The caller and the Region
come from the request's SigV4 ``Authorization`` header (its signature is not
checked): credentials from ``server.kms.credentials(principal)`` call as that
principal, any others as the root of the mock's account.  A request without a
usable header gets AWS's authentication error.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Tuple

from . import wire
from .errors import AWSError
from .mock import MockKMS

def _identity(authorization: Optional[str]) -> Tuple[str, str]:
    """(access key, Region) from a SigV4 Authorization header, or AWS's error for a bad one."""
    if not authorization:
        raise AWSError("MissingAuthenticationTokenException", "Missing Authentication Token")
    scope = wire.credential_scope(authorization)
    if not authorization.startswith("AWS4-HMAC-SHA256 ") or scope is None:
        # Wording [G]: AWS's text for a malformed Authorization header.
        raise AWSError("IncompleteSignatureException",
                       "Authorization header requires 'Credential' parameter. Authorization=" + authorization)
    access_key, region, service = scope
    if service != "kms":
        raise AWSError("InvalidSignatureException", "Credential should be scoped to correct service: 'kms'. ")
    return access_key, region


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            access_key, region = _identity(self.headers.get("Authorization"))
            operation = wire.operation_from_target(self.headers.get("X-Amz-Target"))
        except AWSError as error:
            response = wire.encode_error(error)
        else:
            response = self.server.kms.answer(operation, body, region, access_key)
            if self.server.on_answer is not None and response.error_code is None:
                self.server.on_answer()  # e.g. make the change durable before acknowledging it
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: Tuple[str, int], kms: MockKMS, verbose: bool = False):
        super().__init__(address, _Handler)
        self.kms = kms
        self.verbose = verbose
        self.on_answer: Any = None


class Server:
    """A running endpoint: ``url``, the ``kms`` handle it serves, ``stop()``; a context manager.

    With ``state_file`` the world survives restarts: it is loaded from the file if the file
    exists, and written back after every successful call, before the answer is sent
    (atomically: a crash mid-write leaves the previous file whole).
    """

    def __init__(self, kms: Optional[MockKMS] = None, host: str = "127.0.0.1", port: int = 0,
                 verbose: bool = False, state_file: Optional[str] = None):
        if state_file is not None and not state_file.endswith(".json"):
            raise ValueError(f"{state_file}: the state file is written as JSON; name it *.json")
        if kms is None:
            state = state_file if state_file is not None and os.path.exists(state_file) else None
            kms = MockKMS(state=state, call_log_limit=10_000)  # a server runs for long: a shorter call log
        self.kms = kms
        self.state_file = state_file
        self._save_lock = threading.Lock()
        self._httpd = _Server((host, port), self.kms, verbose)
        if state_file is not None:
            self._httpd.on_answer = self.save
        host_name, port_number = self._httpd.server_address[:2]
        self.url = f"http://{host_name}:{port_number}"
        self._thread: Optional[threading.Thread] = None

    def save(self) -> None:
        """Write the world to the state file: a new file, flushed, then renamed over the old one."""
        if self.state_file is None:
            return
        with self._save_lock:
            text = json.dumps(self.kms.dump(), indent=1, sort_keys=True)
            directory = os.path.dirname(os.path.abspath(self.state_file))
            handle, temporary = tempfile.mkstemp(prefix=".mockkms-state-", dir=directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.state_file)
            except BaseException:
                if os.path.exists(temporary):
                    os.unlink(temporary)
                raise

    def start(self) -> "Server":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="mockkms-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a serve_forever() that must be running
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve(kms: Optional[MockKMS] = None, host: str = "127.0.0.1", port: int = 0, verbose: bool = False,
          state_file: Optional[str] = None) -> Server:
    """A server for ``kms`` (a fresh mock, or one loaded from ``state_file``, if None);
    use it as ``with mockkms.serve() as server:``."""
    return Server(kms, host, port, verbose, state_file)
