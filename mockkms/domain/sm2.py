"""SM2 (GB/T 32918, China Regions): keys, SM2DSA signatures, SM2PKE encryption, ECDH.

``cryptography`` has no SM2, so the curve arithmetic is here, written from the
standard and checked in the tests against OpenSSL's own SM2 (signatures verify,
ciphertexts decrypt, shared secrets agree, keys load).  Formats are AWS's:
signatures DER ``SEQUENCE {r, s}`` with the default distinguishing ID
``1234567812345678``; ciphertexts DER ``SEQUENCE {x1, y1, C3, C2}`` (GM/T 0009);
keys DER SubjectPublicKeyInfo / PKCS#8 with curve OID 1.2.156.10197.1.301.
SM3 comes from hashlib (OpenSSL).
"""
from __future__ import annotations

import hashlib
import os
from typing import Any, Optional, Tuple

from . import der
from .optional import MissingDependency

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
G = (0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
     0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0)
DEFAULT_ID = b"1234567812345678"
MAX_PLAINTEXT = 1024

_EC_PUBLIC_KEY = der.oid("1.2.840.10045.2.1")
_SM2_CURVE = der.oid("1.2.156.10197.1.301")
_ALGORITHM = der.sequence(_EC_PUBLIC_KEY, _SM2_CURVE)

Point = Optional[Tuple[int, int]]  # None is the point at infinity


def sm3(data: bytes) -> bytes:
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:
        raise MissingDependency("SM2 keys", "a Python whose OpenSSL provides SM3") from None


# -- curve arithmetic (Jacobian coordinates; a = -3) ----------------------------------------
def _double(x: int, y: int, z: int) -> Tuple[int, int, int]:
    if y == 0:
        return 0, 1, 0
    zz = z * z % P
    m = 3 * (x - zz) * (x + zz) % P
    yy = y * y % P
    s = 4 * x * yy % P
    x3 = (m * m - 2 * s) % P
    return x3, (m * (s - x3) - 8 * yy * yy) % P, 2 * y * z % P


def _add(p: Tuple[int, int, int], q: Tuple[int, int, int]) -> Tuple[int, int, int]:
    x1, y1, z1 = p
    x2, y2, z2 = q
    if z1 == 0:
        return q
    if z2 == 0:
        return p
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    h, r = (u2 - u1) % P, (s2 - s1) % P
    if h == 0:
        return _double(x1, y1, z1) if r == 0 else (0, 1, 0)
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - s1 * hhh) % P, z1 * z2 * h % P


def _affine(p: Tuple[int, int, int]) -> Point:
    x, y, z = p
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return x * zi2 % P, y * zi2 * zi % P


def multiply(k: int, point: Tuple[int, int]) -> Point:
    result = (0, 1, 0)
    addend = (point[0], point[1], 1)
    for bit in bin(k)[2:]:
        result = _double(*result)
        if bit == "1":
            result = _add(result, addend)
    return _affine(result)


def _sum(p: Point, q: Point) -> Point:
    if p is None:
        return q
    if q is None:
        return p
    return _affine(_add((p[0], p[1], 1), (q[0], q[1], 1)))


def on_curve(point: Tuple[int, int]) -> bool:
    x, y = point
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def _bytes32(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _random_scalar() -> int:
    while True:
        k = int.from_bytes(os.urandom(32), "big")
        if 1 <= k <= N - 2:
            return k


# -- keys ----------------------------------------------------------------------------------
class SM2PublicKey:
    __slots__ = ("point",)

    def __init__(self, point: Tuple[int, int]):
        self.point = point

    def encoded_point(self) -> bytes:
        return b"\x04" + _bytes32(self.point[0]) + _bytes32(self.point[1])

    def public_bytes(self, *_: Any) -> bytes:
        """DER SubjectPublicKeyInfo (the arguments of ``cryptography``'s method are accepted and ignored)."""
        return der.sequence(_ALGORITHM, der.bit_string(self.encoded_point()))


class SM2PrivateKey:
    __slots__ = ("d", "_public")

    def __init__(self, d: int):
        self.d = d
        point = multiply(d, G)
        assert point is not None
        self._public = SM2PublicKey(point)

    def public_key(self) -> SM2PublicKey:
        return self._public

    def private_bytes(self, *_: Any) -> bytes:
        """DER PKCS#8 PrivateKeyInfo wrapping an RFC 5915 ECPrivateKey."""
        inner = der.sequence(der.integer(1), der.octet_string(_bytes32(self.d)),
                             der.tlv(0xA1, der.bit_string(self._public.encoded_point())))
        return der.sequence(der.integer(0), _ALGORITHM, der.octet_string(inner))


def generate() -> SM2PrivateKey:
    return SM2PrivateKey(_random_scalar())


def load_public_der(data: bytes) -> Optional[SM2PublicKey]:
    """An SM2 public key from DER SubjectPublicKeyInfo, or None if ``data`` is not one."""
    try:
        parts = der.children(der.read_all(data, der.SEQUENCE))
        if len(parts) != 2 or parts[0] != (der.SEQUENCE, _ALGORITHM[2:]) or parts[1][0] != der.BIT_STRING:
            return None
        bits = parts[1][1]
    except der.DerError:
        return None
    if len(bits) != 66 or bits[:2] != b"\x00\x04":
        return None
    point = (int.from_bytes(bits[2:34], "big"), int.from_bytes(bits[34:], "big"))
    return SM2PublicKey(point) if on_curve(point) else None


# -- SM2DSA (GB/T 32918.2) --------------------------------------------------------------------
def message_digest(public: SM2PublicKey, message: bytes) -> bytes:
    """e = SM3(Z || M) with Z from the default distinguishing ID: what MessageType DIGEST expects."""
    x, y = public.point
    z = sm3(len(DEFAULT_ID * 8).to_bytes(2, "big") + DEFAULT_ID + _bytes32(A) + _bytes32(B)
            + _bytes32(G[0]) + _bytes32(G[1]) + _bytes32(x) + _bytes32(y))
    return sm3(z + message)


def sign(private: SM2PrivateKey, digest: bytes) -> bytes:
    e = int.from_bytes(digest, "big")
    while True:
        k = _random_scalar()
        point = multiply(k, G)
        assert point is not None
        r = (e + point[0]) % N
        if r == 0 or r + k == N:
            continue
        s = pow(1 + private.d, -1, N) * (k - r * private.d) % N
        if s:
            return der.sequence(der.integer(r), der.integer(s))


def verify(public: SM2PublicKey, digest: bytes, signature: bytes) -> bool:
    try:
        parts = der.children(der.read_all(signature, der.SEQUENCE))
        if len(parts) != 2 or any(tag != der.INTEGER for tag, _ in parts):
            return False
        r, s = (der.as_integer(body) for _, body in parts)
    except der.DerError:
        return False
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    point = _sum(multiply(s, G), multiply(t, public.point))
    return point is not None and (int.from_bytes(digest, "big") + point[0]) % N == r


# -- SM2PKE (GB/T 32918.4) --------------------------------------------------------------------
def _kdf(secret: bytes, length: int) -> bytes:
    out = b"".join(sm3(secret + counter.to_bytes(4, "big")) for counter in range(1, length // 32 + 2))
    return out[:length]


def encrypt(public: SM2PublicKey, plaintext: bytes) -> bytes:
    while True:
        k = _random_scalar()
        c1, shared = multiply(k, G), multiply(k, public.point)
        assert c1 is not None and shared is not None
        x2, y2 = _bytes32(shared[0]), _bytes32(shared[1])
        mask = _kdf(x2 + y2, len(plaintext))
        if any(mask):
            break
    c2 = bytes(m ^ t for m, t in zip(plaintext, mask))
    c3 = sm3(x2 + plaintext + y2)
    return der.sequence(der.integer(c1[0]), der.integer(c1[1]), der.octet_string(c3), der.octet_string(c2))


def decrypt(private: SM2PrivateKey, blob: bytes) -> Optional[bytes]:
    """The plaintext, or None when ``blob`` is not this key's SM2 ciphertext."""
    try:
        parts = der.children(der.read_all(blob, der.SEQUENCE))
        tags = [tag for tag, _ in parts]
        if tags != [der.INTEGER, der.INTEGER, der.OCTET_STRING, der.OCTET_STRING]:
            return None
        c1 = (der.as_integer(parts[0][1]), der.as_integer(parts[1][1]))
    except der.DerError:
        return None
    c3, c2 = parts[2][1], parts[3][1]
    if not on_curve(c1) or len(c3) != 32 or not c2:
        return None
    shared = multiply(private.d, c1)
    if shared is None:
        return None
    x2, y2 = _bytes32(shared[0]), _bytes32(shared[1])
    mask = _kdf(x2 + y2, len(c2))
    plaintext = bytes(c ^ t for c, t in zip(c2, mask))
    return plaintext if sm3(x2 + plaintext + y2) == c3 else None


# -- ECDH ----------------------------------------------------------------------------------
def shared_secret(private: SM2PrivateKey, peer: SM2PublicKey) -> bytes:
    point = multiply(private.d, peer.point)
    assert point is not None  # the peer point is on the curve, and the group order is prime
    return _bytes32(point[0])
