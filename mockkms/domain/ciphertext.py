"""The symmetric ciphertext blob: AES-256-GCM, context-bound, opaque to readers.

Layout (bytes)::

    0      version (0x01)
    1..12  nonce of the sealed header
    13..108 sealed header: AES-GCM under a fixed library key of
            account (12 ASCII digits) | key id (36 ASCII chars) | material id (32 bytes)
    109..120 nonce of the body (a fixed field naming the process + a counter, see _Nonces)
    121..  body: AES-256-GCM(key material, plaintext), AAD = bytes 0..120 + encryption context

The header is sealed (once per key material) only so that nothing readable (key
id, account) sits in the blob; the fixed key makes blobs portable across processes (snapshots, server
mode).  Tampering with any byte, or a different encryption context, makes
decryption fail, which the service reports as InvalidCiphertextException.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
from typing import Dict, NamedTuple, Optional

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .key import KeyMaterial

VERSION = b"\x01"
_HEADER_AEAD = AESGCM(hashlib.sha256(b"mockkms ciphertext header v1").digest())
_HEADER_PLAIN = 12 + 36 + 32
_HEADER_END = 1 + 12 + _HEADER_PLAIN + 16
_BODY_START = _HEADER_END + 12
OVERHEAD = _BODY_START + 16


#: Headers this process sealed, so reading one back costs a dict lookup.  Bounded by
#: the number of (key, material) pairs ever used; blobs from elsewhere (another
#: process, a snapshot) are still read by decrypting their header.
_KNOWN_HEADERS: "Dict[bytes, Header]" = {}
_KNOWN_HEADERS_MAX = 100_000


class InvalidCiphertext(Exception):
    """The blob is not one of ours, was altered, or the context does not match."""


class Header(NamedTuple):
    account: str
    key_id: str
    material_id: str


def _context_bytes(context: Optional[Dict[str, str]]) -> bytes:
    if not context:
        return b""
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


def _sealed_header(account: str, key_id: str, material: KeyMaterial) -> bytes:
    """Version byte + sealed header, made once per (key, material) and reused.

    The header only has to be unreadable, not unlinkable (real KMS blobs carry
    the key id in clear), so one sealing per material is enough.
    """
    sealed = material.sealed_headers
    cached = sealed.get((account, key_id)) if sealed is not None else None
    if cached is None:
        plain = account.encode().ljust(12, b"\0") + key_id.encode().ljust(36, b"\0") + \
            bytes.fromhex(material.material_id)
        nonce = os.urandom(12)
        cached = VERSION + nonce + _HEADER_AEAD.encrypt(nonce, plain, VERSION)
        if sealed is None:
            sealed = material.sealed_headers = {}
        sealed[(account, key_id)] = cached
        if len(_KNOWN_HEADERS) >= _KNOWN_HEADERS_MAX:
            _KNOWN_HEADERS.clear()
        _KNOWN_HEADERS[cached] = Header(account, key_id, material.material_id)
    return cached


class _Nonces:
    """Body nonces by NIST SP 800-38D's deterministic construction (§8.2.1): a fixed field that
    names this process (6 random bytes, drawn again in a forked child) and a 6-byte invocation
    counter.  Unique per key for 2**48 seals a process, with no system call per seal (a random
    nonce costs a getrandom call, about a microsecond inside a busy client)."""

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        self._fixed = os.urandom(6)
        self._count = itertools.count(int.from_bytes(os.urandom(2), "big"))  # any start will do

    def next(self) -> bytes:
        return self._fixed + (next(self._count) & 0xFFFFFFFFFFFF).to_bytes(6, "big")


_NONCES = _Nonces()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_NONCES._start)


def seal(account: str, key_id: str, material: KeyMaterial, plaintext: bytes,
         context: Optional[Dict[str, str]]) -> bytes:
    prefix = _sealed_header(account, key_id, material) + _NONCES.next()
    return prefix + material.aead.encrypt(prefix[_HEADER_END:], plaintext, prefix + _context_bytes(context))


def read_header(blob: bytes) -> Header:
    if len(blob) < OVERHEAD or blob[:1] != VERSION:
        raise InvalidCiphertext()
    known = _KNOWN_HEADERS.get(blob[:_HEADER_END])
    if known is not None:
        return known
    try:
        plain = _HEADER_AEAD.decrypt(blob[1:13], blob[13:_HEADER_END], VERSION)
    except InvalidTag:
        raise InvalidCiphertext() from None
    return Header(plain[:12].rstrip(b"\0").decode(), plain[12:48].rstrip(b"\0").decode(), plain[48:].hex())


def open_body(blob: bytes, material: KeyMaterial, context: Optional[Dict[str, str]]) -> bytes:
    try:
        return material.aead.decrypt(blob[_HEADER_END:_BODY_START], blob[_BODY_START:],
                                     blob[:_BODY_START] + _context_bytes(context))
    except InvalidTag:
        raise InvalidCiphertext() from None
