"""Trainer accounts: salted slow hashes, verification, and throttling of wrong passwords."""

import pytest

import quizzes
from quizzes import AuthError
from quizzes.auth import FREE_FAILURES, check_password, hash_password, lock_seconds

T0 = 1_750_000_000.0


@pytest.fixture
def db(tmp_path):
    with quizzes.connect(tmp_path / "auth.db") as database:
        yield database


def test_hash_is_salted_scrypt_and_checks():
    first, second = hash_password("安全第一abc"), hash_password("安全第一abc")
    assert first.startswith("scrypt$") and first != second  # a fresh salt each time
    assert check_password("安全第一abc", first) and not check_password("安全第一abd", first)
    assert not check_password("x", "not-a-hash")


def test_password_is_never_stored_in_clear(db):
    quizzes.add_trainer(db, "王老师", "correct horse")
    [stored] = db.execute("SELECT password_hash FROM trainers").fetchone()
    assert "correct horse" not in stored and stored.startswith("scrypt$16384$8$1$")


def test_verify_right_and_wrong_password(db):
    trainer = quizzes.add_trainer(db, "王老师", "correct horse")
    ok = quizzes.verify_trainer(db, "王老师", "correct horse", now=T0)
    assert ok.ok and ok.trainer == trainer and ok.retry_after_s == 0
    assert not quizzes.verify_trainer(db, "王老师", "wrong horse", now=T0).ok
    assert not quizzes.verify_trainer(db, "无此人", "correct horse", now=T0).ok


def test_account_rules(db):
    quizzes.add_trainer(db, "王老师", "correct horse")
    with pytest.raises(AuthError):
        quizzes.add_trainer(db, "王老师", "another pass")
    with pytest.raises(AuthError):
        quizzes.add_trainer(db, "李老师", "short")
    quizzes.set_trainer_password(db, "王老师", "new password")
    assert quizzes.verify_trainer(db, "王老师", "new password").ok


def test_repeated_failures_lock_for_growing_delays(db):
    quizzes.add_trainer(db, "王老师", "correct horse")
    waits = [
        quizzes.verify_trainer(db, "王老师", "bad", now=T0 + 100 * i).retry_after_s
        for i in range(FREE_FAILURES + 2)
    ]
    assert waits == [0, 0, 2, 4, 8]
    assert waits == [lock_seconds(n) for n in range(1, FREE_FAILURES + 3)]
    # While locked even the right password fails, and the reply says how long to wait.
    last = T0 + 100 * (FREE_FAILURES + 1)
    locked = quizzes.verify_trainer(db, "王老师", "correct horse", now=last + 3)
    assert not locked.ok and locked.retry_after_s == pytest.approx(5)
    # After the lock expires the right password works and resets the count.
    assert quizzes.verify_trainer(db, "王老师", "correct horse", now=last + 9).ok
    assert quizzes.verify_trainer(db, "王老师", "bad", now=last + 10).retry_after_s == 0
