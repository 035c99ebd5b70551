"""The server key behind keyed hashes (anonymous readiness answers): ``$ORGANIZER_SECRET_KEY``, or a
random key kept in ``organizer.key`` (mode 0600) next to the SQLite database, or in the working folder
for other databases. Every process sharing a database must use the same key."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

ENV = "ORGANIZER_SECRET_KEY"
KEY_FILE = "organizer.key"


def key_path(db_url: str) -> Path:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().parent / KEY_FILE
    return Path(KEY_FILE)


def server_key(db_url: str, env: Mapping[str, str] | None = None) -> bytes:
    env = os.environ if env is None else env
    if env.get(ENV):
        return env[ENV].encode()
    path = key_path(db_url)
    if not path.exists():
        # written whole to a private temporary file, then linked into place: a process starting at
        # the same moment either wins the link or reads the winner's complete key
        tmp = path.with_name(f".{KEY_FILE}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes().strip()


def keyed_hash(key: bytes, *parts: object) -> str:
    return hmac.new(key, ":".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()
