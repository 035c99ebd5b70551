"""Anonymous voters as only the server sees them: a readiness answer is filed under a keyed hash of the
poll and the person (:attr:`storage.members.Member.voter`), and carries the time it was given sealed with
the same key. Without the key neither says who answered or when."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from bot.secret_key import keyed_hash

_NONCE = 8  # bytes


class Voters:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def key(self, poll_id: int, subject: str) -> str:
        return keyed_hash(self._key, "readiness", poll_id, subject)

    def seal(self, moment: datetime) -> str:
        """``moment`` (to the microsecond) XOR a pad drawn from a fresh nonce: random-looking without the key."""
        nonce = secrets.token_bytes(_NONCE)
        micros = int(moment.timestamp() * 1_000_000)
        return nonce.hex() + f"{micros ^ self._pad(nonce):016x}"

    def opened(self, sealed: str | None) -> int:
        """Microseconds since 1970 of a sealed moment; 0 for an answer given before answers were sealed."""
        if not sealed:
            return 0
        nonce = bytes.fromhex(sealed[:_NONCE * 2])
        return int(sealed[_NONCE * 2:], 16) ^ self._pad(nonce)

    def _pad(self, nonce: bytes) -> int:
        return int.from_bytes(hmac.digest(self._key, b"sealed:" + nonce, "sha256")[:8], "big")

