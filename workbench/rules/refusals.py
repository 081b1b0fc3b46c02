"""The one error type for what a user asks and the workbench turns down.

Every refusal a user can cause (a move the stage machine forbids, a lead that is not
qualified, another rep's lead, an unknown id, a bad value) is a `Refused` whose message is
the one line shown to the user. The window and the CLI catch `Refused` by name, so a
programming error (a plain ValueError, KeyError...) is never shown as a refusal.

The kinds callers tell apart are subclasses: `BadInput`, `NotFound`, `NotAllowed` here;
`MoveRefused` (workbench.rules.stages) and `NotQualified` (workbench.rules.qualification)
beside the rules they carry. This module imports nothing, so every layer can raise these.
"""


class Refused(Exception):
    """A request turned down; str() is the user's message."""


class BadInput(Refused):
    """A value given that the workbench cannot use: the message says what it wants instead."""


class NotFound(Refused):
    """A lead, user, conflict or database named that does not exist."""


class NotAllowed(Refused):
    """A change the acting person's role does not allow; the message says whose it is."""
