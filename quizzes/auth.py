"""Trainer accounts: salted scrypt password hashes and throttling of repeated wrong passwords."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from .db import from_iso, iso, now_ts, write_transaction
from .errors import AuthError
from .records import clean_line

# scrypt cost: about 50 ms and 16 MiB per check, which makes offline guessing expensive.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8
FREE_FAILURES = 3  # wrong passwords allowed before a lock
MAX_LOCK_S = 300.0


@dataclass(frozen=True)
class Trainer:
    """A trainer account (the hash never leaves this module)."""

    id: int
    name: str


@dataclass(frozen=True)
class AuthResult:
    """Outcome of :func:`verify_trainer`.

    Attributes:
        ok: the password was right and the account was not locked.
        trainer: the account when ok.
        retry_after_s: seconds to wait before the next try (0 when a try is allowed now).
    """

    ok: bool
    trainer: Trainer | None = None
    retry_after_s: float = 0.0


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Salted scrypt hash as ``scrypt$n$r$p$salt$hash`` (base64 parts)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def lock_seconds(failures: int) -> float:
    """Lock after consecutive failures: none for the first few, then 2, 4, 8 … s (capped)."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(2.0 ** (failures - FREE_FAILURES + 1), MAX_LOCK_S)


def add_trainer(db: Database, name: str, password: str) -> Trainer:
    """Create a trainer account.

    Raises:
        AuthError: empty name, password shorter than 8 characters, or name taken.
    """
    name = clean_line(name)
    if not name:
        raise AuthError("培训师名称不能为空")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少 {MIN_PASSWORD} 个字符")
    hashed = hash_password(password)  # slow: computed before taking the write lock
    try:
        with write_transaction(db):
            cursor = db.conn.execute(
                "INSERT INTO trainers (name, password_hash, created_at) VALUES (?, ?, ?)",
                [name, hashed, iso(now_ts())],
            )
    except sqlite3.IntegrityError:
        raise AuthError(f"培训师「{name}」已存在") from None
    return Trainer(cursor.lastrowid, name)


def set_trainer_password(db: Database, name: str, password: str) -> None:
    """Replace a trainer's password (and clear any lock).

    Raises:
        AuthError: unknown trainer or password too short.
    """
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少 {MIN_PASSWORD} 个字符")
    hashed = hash_password(password)
    with write_transaction(db):
        cursor = db.conn.execute(
            "UPDATE trainers SET password_hash = ?, failed_logins = 0, locked_until = NULL "
            "WHERE name = ?",
            [hashed, clean_line(name)],
        )
    if cursor.rowcount == 0:
        raise AuthError(f"培训师「{name}」不存在")


def list_trainers(db: Database) -> list[Trainer]:
    """Every trainer account, by name."""
    rows = db.conn.execute("SELECT id, name FROM trainers ORDER BY name").fetchall()
    return [Trainer(*row) for row in rows]


@functools.cache
def _dummy_hash() -> str:
    return hash_password("unknown trainer", salt=b"\0" * 16)


def verify_trainer(
    db: Database, name: str, password: str, *, now: float | None = None
) -> AuthResult:
    """Check a trainer's password, slowing down repeated failures.

    After a few consecutive wrong passwords the account is locked for a growing number of
    seconds; while locked every try fails (even with the right password) and says how long
    to wait. A right password resets the count. Every try is counted before its password is
    checked, so tries sent in parallel get no more checks than tries sent one by one.

    Args:
        db: an open database.
        name: trainer name (case-insensitive).
        password: the password typed.
        now: epoch seconds (tests fix the clock).
    """
    current = now_ts(now)
    wait = 0.0
    with write_transaction(db):
        row = db.conn.execute(
            "SELECT id, name, password_hash, locked_until FROM trainers WHERE name = ?",
            [clean_line(name)],
        ).fetchone()
        if row is not None:
            trainer_id, stored_name, stored_hash, locked_until = row
            if locked_until and from_iso(locked_until) > current:
                return AuthResult(False, retry_after_s=from_iso(locked_until) - current)
            # Count the try as a failure (and lock if due) before checking the password, in
            # the transaction that checked the lock: tries sent at once from many sessions
            # then find the lock and are refused unchecked, so a lock window allows one
            # check, not one per session. A right password undoes this below.
            failures = db.conn.execute(
                "UPDATE trainers SET failed_logins = failed_logins + 1 WHERE id = ? "
                "RETURNING failed_logins",
                [trainer_id],
            ).fetchone()[0]
            wait = lock_seconds(failures)
            if wait:
                db.conn.execute(
                    "UPDATE trainers SET locked_until = ? WHERE id = ?",
                    [iso(current + wait), trainer_id],
                )
    if row is None:
        check_password(password, _dummy_hash())  # same cost: the reply time does not leak names
        return AuthResult(False)
    if not check_password(password, stored_hash):
        return AuthResult(False, retry_after_s=wait)
    with write_transaction(db):
        db.conn.execute(
            "UPDATE trainers SET failed_logins = 0, locked_until = NULL, last_login_at = ? "
            "WHERE id = ?",
            [iso(current), trainer_id],
        )
    return AuthResult(True, Trainer(trainer_id, stored_name))
