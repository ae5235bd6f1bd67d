"""The symmetric ciphertext blob: AES-256-GCM, context-bound, opaque to readers.

Layout (bytes)::

    0      version (0x01)
    1..12  nonce of the sealed header
    13..108 sealed header: AES-GCM under a fixed library key of
            account (12 ASCII digits) | key id (36 ASCII chars) | material id (32 bytes)
    109..120 nonce of the body
    121..  body: AES-256-GCM(key material, plaintext), AAD = bytes 0..120 + encryption context

The header is sealed only so that nothing readable (key id, account) sits in the
blob; the fixed key makes blobs portable across processes (snapshots, server
mode).  Tampering with any byte, or a different encryption context, makes
decryption fail, which the service reports as InvalidCiphertextException.
"""
from __future__ import annotations

import hashlib
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


def seal(account: str, key_id: str, material: KeyMaterial, plaintext: bytes,
         context: Optional[Dict[str, str]]) -> bytes:
    plain_header = account.encode().ljust(12, b"\0") + key_id.encode().ljust(36, b"\0") + \
        bytes.fromhex(material.material_id)
    header_nonce = os.urandom(12)
    prefix = VERSION + header_nonce + _HEADER_AEAD.encrypt(header_nonce, plain_header, VERSION)
    nonce = os.urandom(12)
    prefix += nonce
    return prefix + material.aead.encrypt(nonce, plaintext, prefix + _context_bytes(context))


def read_header(blob: bytes) -> Header:
    if len(blob) < OVERHEAD or blob[:1] != VERSION:
        raise InvalidCiphertext()
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
