"""The store's people: the reps and managers of this database, and who is no longer with
the team (deactivated people keep their name on the history and the reports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.rules.refusals import NotFound
from workbench.store.tables import User


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    name: str
    email: str
    role: str
    deactivated_at: datetime | None

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


class PeopleQueries:
    """Mixed into the Store (which gives reading() and writing())."""

    def people(self) -> list[PersonRecord]:
        """Everyone, deactivated people too, by name."""
        with self.reading() as s:
            return [PersonRecord(*row) for row in s.execute(
                select(User.id, User.name, User.email, User.role, User.deactivated_at)
                .order_by(User.name, User.email))]

    def save_person(self, email: str, name: str, role: str) -> tuple[int, bool]:
        """Add a person, or make a known email active again with this name and role;
        returns (id, whether they were new)."""
        with self.writing() as s:
            user = _by_email(s, email)
            if user is None:
                user = User(email=email, name=name, role=role)
                s.add(user)
                s.flush()
                return user.id, True
            user.name, user.role, user.deactivated_at = name, role, None
            return user.id, False

    def deactivate_person(self, email: str, at: datetime) -> PersonRecord:
        with self.writing() as s:
            user = _by_email(s, email)
            if user is None:
                raise NotFound(f"There is no person with email {email}; "
                               "'workbench users list' shows who there is.")
            if user.deactivated_at is None:
                user.deactivated_at = at
            return PersonRecord(user.id, user.name, user.email, user.role,
                                user.deactivated_at)


def _by_email(s: Session, email: str) -> User | None:
    return s.scalar(select(User).where(User.email == email))
