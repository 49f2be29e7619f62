"""Who is asking: the one object every service call takes, so that permission and
visibility are decided from the same facts everywhere."""

from dataclasses import dataclass
from enum import StrEnum

from registry.schema.enums import Clearance


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"  # writes only its own department's entries
    REVIEWER = "reviewer"  # reads everything within its clearance
    PUBLIC = "public"  # read-only, public clearance


@dataclass(frozen=True)
class Caller:
    identity: str
    role: Role
    clearance: Clearance = Clearance.PUBLIC
    department: str | None = None

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.EDITOR)

    @classmethod
    def system(cls, identity: str = "cli") -> "Caller":
        """The local operator: the CLI on the user's own registry file sees and may do all."""
        return cls(identity=identity, role=Role.ADMIN, clearance=Clearance.TOP_SECRET)

    @classmethod
    def public(cls) -> "Caller":
        return cls(identity="anonymous", role=Role.PUBLIC, clearance=Clearance.PUBLIC)
