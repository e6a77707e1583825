"""Steward console accounts: argon2-hashed passwords, roles as in the API, lock-out after failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from neo4j import ManagedTransaction

from core.errors import Conflict, EhcError, NotFound
from graph import console as repo
from graph import rows
from graph.driver import DuplicateKey, Graph

__all__ = ["CONSOLE_ROLES", "MAX_FAILURES", "ConsoleUser", "ConsoleUserService", "SignInRefused"]

CONSOLE_ROLES = ("steward", "admin")
MAX_FAILURES = 5  # wrong passwords in a row before the account is locked
LOCK_SECONDS = 900
MIN_PASSWORD = 10
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class SignInRefused(EhcError):
    """Wrong name or password, or a locked account (one message for both, so names cannot be probed)."""

    code = "sign_in_refused"


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    username: str
    role: str
    session_version: int = 0


def _check(username: str, role: str, password: str) -> None:
    if (
        not username
        or len(username) > 64
        or not username.replace("-", "").replace("_", "").replace(".", "").isalnum()
    ):
        raise EhcError("a user name is 1-64 letters, digits, '-', '_' or '.'", field="username")
    if role not in CONSOLE_ROLES:
        raise EhcError(f"a console role is one of {', '.join(CONSOLE_ROLES)}", field="role")
    if len(password) < MIN_PASSWORD:
        raise EhcError(f"a password has at least {MIN_PASSWORD} characters", field="password")


class ConsoleUserService:
    def __init__(
        self, graph: Graph, max_failures: int = MAX_FAILURES, lock_seconds: int = LOCK_SECONDS
    ) -> None:
        self.graph = graph
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds

    def add(self, username: str, role: str, password: str, *, replace: bool = False) -> ConsoleUser:
        """Create an account, or with ``replace`` set a new password and role on an existing one."""
        _check(username, role, password)
        hashed = _hasher.hash(password)
        if replace:
            found = self.graph.write(
                lambda tx: repo.set_password(tx, username=username, role=role, password_hash=hashed)
            )
            if found is not None:
                return ConsoleUser(username, role)
        try:
            self.graph.write(lambda tx: repo.add_user(tx, username=username, role=role, password_hash=hashed))
        except DuplicateKey as exc:
            raise Conflict(
                f"a console user {username!r} exists already (--replace sets a new password)",
                field="username",
            ) from exc
        return ConsoleUser(username, role)

    def list(self) -> list[rows.ConsoleUser]:
        return self.graph.read(repo.list_users)

    def authenticate(self, username: str, password: str) -> ConsoleUser:
        """The account, if the password is right and it is not locked; else ``SignInRefused``. Every
        wrong password counts; ``max_failures`` in a row lock the account for ``lock_seconds``."""
        outcome = self.graph.write(self._authenticate_tx, username, password)
        if isinstance(outcome, ConsoleUser):
            return outcome
        raise SignInRefused(outcome, field="password")

    def _authenticate_tx(self, tx: ManagedTransaction, username: str, password: str) -> ConsoleUser | str:
        user = repo.get_user_for_update(tx, username)
        refused = "wrong user name or password"
        if user is None:
            _hasher.hash(password)  # same work as a real check: no timing hint that the name is unknown
            return refused
        locked = user.get("locked_until")
        if locked and datetime.fromisoformat(locked) > datetime.now(UTC):
            return "this account is locked after repeated failed sign-ins; try again later or ask an admin"
        try:
            ok: bool = _hasher.verify(user["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        result = repo.sign_in_result(
            tx, username=username, ok=ok, max_failures=self.max_failures, lock_seconds=self.lock_seconds
        )
        if not ok:
            if result.get("locked_until"):
                return "this account is now locked after repeated failed sign-ins; try again later"
            return refused
        return ConsoleUser(user["username"], user["role"], int(user.get("session_version") or 0))

    def current(self, username: str) -> ConsoleUser | None:
        """The account as it stands now (role, session version), for checking a session cookie."""
        row = self.graph.read(repo.session_user, username)
        return None if row is None else ConsoleUser(username, str(row["role"]), int(row["session_version"]))

    def sign_out(self, username: str) -> None:
        """End every session of ``username`` server-side: cookies issued before now stop working."""
        self.graph.write(repo.sign_out, username)

    def require(self, username: str) -> ConsoleUser:
        for row in self.list():
            if row["username"] == username:
                return ConsoleUser(str(row["username"]), str(row["role"]))
        raise NotFound(f"no console user {username!r}", field="username")
