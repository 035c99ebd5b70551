"""Anonymous voters as only the server sees them: a readiness answer is filed under a keyed hash of the
poll and the person (:attr:`storage.members.Member.voter`), and carries the time it was given and, in an
anonymous poll, the choice, sealed with the same key; a poll's counts per worksite are sealed too.
Without the key none of them says who answered, when, or how. Every seal draws a fresh nonce, so the
same values sealed again look unrelated: rewriting a row tells a copy nothing about what it holds."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from bot.secret_key import keyed_hash

_NONCE = 8  # bytes
_COUNT = 4  # bytes per sealed count: a poll's counts are at most 16 (one SHA-512 pad)


class Voters:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def key(self, poll_id: int, subject: str) -> str:
        return keyed_hash(self._key, "readiness", poll_id, subject)

    def seal(self, moment: datetime, choice: int | None = None) -> str:
        """``moment`` (to the microsecond) and ``choice`` (0–255) XOR a pad drawn from a fresh nonce."""
        return self._seal(int(moment.timestamp() * 1_000_000), choice)

    def reseal(self, sealed: str | None, choice: int | None = None) -> str | None:
        """The same moment and choice (or ``choice``) under a fresh nonce; an answer given before answers
        were sealed and given no choice stays unsealed."""
        choice = self.choice(sealed) if choice is None else choice
        return None if not sealed and choice is None else self._seal(self.opened(sealed), choice)

    def opened(self, sealed: str | None) -> int:
        """Microseconds since 1970 of a sealed moment; 0 for an answer given before answers were sealed."""
        if not sealed:
            return 0
        nonce, pad = self._open(sealed)
        return int(sealed[_NONCE * 2:_NONCE * 2 + 16], 16) ^ int.from_bytes(pad[:8], "big")

    def choice(self, sealed: str | None) -> int | None:
        """The sealed choice; None where only a moment was sealed (a named poll, or an answer sealed before
        choices were)."""
        if not sealed or len(sealed) < (_NONCE + 9) * 2:
            return None
        _, pad = self._open(sealed)
        return int(sealed[_NONCE * 2 + 16:_NONCE * 2 + 18], 16) ^ pad[8]

    def seal_counts(self, counts: list[int]) -> str:
        """Counts per choice, each a signed 4-byte number XOR a pad drawn from a fresh nonce."""
        nonce = secrets.token_bytes(_NONCE)
        pad = self._counts_pad(nonce)
        plain = b"".join(n.to_bytes(_COUNT, "big", signed=True) for n in counts)
        return nonce.hex() + bytes(a ^ b for a, b in zip(plain, pad, strict=False)).hex()

    def open_counts(self, sealed: str) -> list[int]:
        nonce = bytes.fromhex(sealed[:_NONCE * 2])
        pad = self._counts_pad(nonce)
        plain = bytes(a ^ b for a, b in zip(bytes.fromhex(sealed[_NONCE * 2:]), pad, strict=False))
        return [int.from_bytes(plain[i:i + _COUNT], "big", signed=True) for i in range(0, len(plain), _COUNT)]

    def _seal(self, micros: int, choice: int | None) -> str:
        nonce = secrets.token_bytes(_NONCE)
        pad = self._pad(nonce)
        text = nonce.hex() + f"{micros ^ int.from_bytes(pad[:8], 'big'):016x}"
        return text if choice is None else text + f"{choice ^ pad[8]:02x}"

    def _open(self, sealed: str) -> tuple[bytes, bytes]:
        nonce = bytes.fromhex(sealed[:_NONCE * 2])
        return nonce, self._pad(nonce)

    def _pad(self, nonce: bytes) -> bytes:
        return hmac.digest(self._key, b"sealed:" + nonce, "sha256")

    def _counts_pad(self, nonce: bytes) -> bytes:
        return hmac.digest(self._key, b"counts:" + nonce, "sha512")
