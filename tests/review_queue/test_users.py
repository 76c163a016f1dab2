"""Accounts: argon2 hashes, login, roles, disabling."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

import review_queue
import store
from review_queue import users as users_mod
from review_queue.errors import BadCredentials, UnknownRole, UnknownUser, UserExists, WeakPassword


@pytest.fixture
def real_db(tmp_path):
    conn = store.open_db(tmp_path / "u.db")
    review_queue.init(conn)
    yield conn
    conn.close()


def test_password_is_stored_as_argon2_hash_and_checked(real_db) -> None:
    review_queue.add_user(real_db, "张三", "reviewer", "s3cret-密码-long")
    stored = real_db.execute("SELECT password_hash FROM users WHERE name = '张三'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "s3cret" not in stored
    user = review_queue.authenticate(real_db, "张三", "s3cret-密码-long")
    assert (user.name, user.role, user.disabled) == ("张三", "reviewer", False)
    with pytest.raises(BadCredentials, match="wrong user name or password"):
        review_queue.authenticate(real_db, "张三", "s3cret-密码-lonG")


def test_unknown_user_costs_one_argon2_verification_like_a_wrong_password(real_db, monkeypatch) -> None:
    review_queue.add_user(real_db, "li", "editor", "another password")
    calls = []

    class Spy(PasswordHasher):
        def verify(self, hashed: str, password: str) -> bool:
            calls.append(hashed.split("$")[1])
            return super().verify(hashed, password)

    monkeypatch.setattr(users_mod, "HASHER", Spy())
    for name in ("li", "nobody"):
        with pytest.raises(BadCredentials, match="^wrong user name or password$"):
            review_queue.authenticate(real_db, name, "wrong password!")
    assert calls == ["argon2id", "argon2id"]  # no early return that would reveal which names exist


def test_set_password_disable_and_roles(db) -> None:
    review_queue.set_password(db, "rita", "a brand new one")
    with pytest.raises(BadCredentials):
        review_queue.authenticate(db, "rita", "correct horse battery")
    assert review_queue.authenticate(db, "rita", "a brand new one").role == "reviewer"
    review_queue.disable_user(db, "rita")
    with pytest.raises(BadCredentials, match="disabled"):
        review_queue.authenticate(db, "rita", "a brand new one")
    review_queue.disable_user(db, "rita", disabled=False)
    review_queue.set_role(db, "rita", "editor")
    assert review_queue.authenticate(db, "rita", "a brand new one").role == "editor"
    names = [(u.name, u.role) for u in review_queue.list_users(db)]
    assert ("rita", "editor") in names and ("ada", "admin") in names


@pytest.mark.parametrize(("name", "role", "password", "error"), [
    ("rita", "reviewer", "long enough pw", UserExists),
    ("new", "chief", "long enough pw", UnknownRole),
    ("new", "reviewer", "short", WeakPassword),
    ("has space", "reviewer", "long enough pw", UnknownUser),
    ("a/b", "reviewer", "long enough pw", UnknownUser),
    ("auto", "admin", "long enough pw", UserExists),
    ("new", "reviewer", "Password123", WeakPassword),
    ("new", "reviewer", "woaini1314", WeakPassword),
    ("new", "reviewer", "1qaz2wsx", WeakPassword),
    ("new", "reviewer", "123456123456", WeakPassword),  # a common one repeated
    ("new", "reviewer", "zzzzzzzzzzzz", WeakPassword),
    ("zhangsan", "reviewer", "zhangsan2026", WeakPassword),  # the user's own name
])
def test_bad_accounts_are_refused_with_a_reason(db, name, role, password, error) -> None:
    with pytest.raises(error) as info:
        review_queue.add_user(db, name, role, password)
    assert "\n" not in str(info.value)


def test_unknown_user_cannot_act(db, fake_norm) -> None:
    with pytest.raises(UnknownUser, match="ghost"):
        review_queue.set_password(db, "ghost", "long enough pw")
    with pytest.raises(UnknownUser):
        review_queue.approve(db, [1], user="ghost")
