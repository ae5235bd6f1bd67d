"""The little DER (X.690) that SM2 keys and ciphertexts need, which ``cryptography`` cannot do for SM2."""
from __future__ import annotations

from typing import List, Tuple

SEQUENCE, INTEGER, BIT_STRING, OCTET_STRING, OID = 0x30, 0x02, 0x03, 0x04, 0x06


class DerError(ValueError):
    """Not the DER that was expected."""


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def sequence(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")  # leading 0 keeps it positive
    return tlv(INTEGER, body)


def octet_string(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


def bit_string(value: bytes) -> bytes:
    return tlv(BIT_STRING, b"\x00" + value)


def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def read(data: bytes, offset: int = 0) -> Tuple[int, bytes, int]:
    """(tag, content, offset after it) of the element at ``offset``; strict about lengths."""
    if offset + 2 > len(data):
        raise DerError("truncated")
    tag, first = data[offset], data[offset + 1]
    offset += 2
    if first < 0x80:
        length = first
    else:
        size = first & 0x7F
        if size == 0 or size > 4 or offset + size > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[offset:offset + size], "big")
        if length < 0x80 or data[offset] == 0:
            raise DerError("non-minimal length")
        offset += size
    end = offset + length
    if end > len(data):
        raise DerError("truncated")
    return tag, data[offset:end], end


def read_all(data: bytes, tag: int) -> bytes:
    """The content of ``data``, which must be exactly one element with ``tag``."""
    found, content, end = read(data)
    if found != tag or end != len(data):
        raise DerError("unexpected element")
    return content


def children(content: bytes) -> List[Tuple[int, bytes]]:
    items, offset = [], 0
    while offset < len(content):
        tag, body, offset = read(content, offset)
        items.append((tag, body))
    return items


def as_integer(body: bytes) -> int:
    if not body or (len(body) > 1 and body[0] == 0 and body[1] < 0x80) or body[0] >= 0x80:
        raise DerError("not a minimal positive INTEGER")
    return int.from_bytes(body, "big")
