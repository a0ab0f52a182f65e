"""The one error tree of servesell.

Every error a user can cause is a :class:`ServesellError` that says what went wrong and
where. The CLI prints the message (never a traceback) and the API maps the class to an
HTTP status in ``api/``; nothing else knows about status codes.

::

    ServesellError
     ├── ConfigError            settings that cannot work (bad URL, default secret in prod)
     ├── SchemaError            a declared customer-profile schema is invalid
     ├── RuleError              an eligibility rule does not parse or validate (has position)
     ├── CatalogError           an offer definition is invalid (has offer id and field)
     ├── PolicyError            a contact-policy change that does not validate (has field)
     ├── ClockError             a client's time the server's clock does not accept (has field)
     ├── InputFileError         a whole input file cannot be read (empty, unknown columns, ...)
     │    └── DataError         a table that cannot be learned from (has column)
     ├── NotFoundError          an id that does not exist (customer, offer, decision, ...)
     ├── OutcomeError           an outcome that contradicts the decision log
     ├── TemplateError          message templates that do not validate (has lines)
     ├── ChannelError           a follow-up channel refused or misconfigured (no secrets)
     ├── CampaignError          a campaign or a change of its state that is refused
     ├── AccessError            an identity acting where it does not belong (not its call, ...)
     ├── BusyError              a bounded resource is in use (a user's rule preview); retry later
     ├── FrontlineError         a script variant or hand-over change that is refused
     └── StoreError             the database refused (not migrated, locked, foreign data)
"""

from __future__ import annotations


class ServesellError(Exception):
    """Base of every error a user of servesell can cause or needs to read."""


class ConfigError(ServesellError):
    """Settings that cannot work."""


class SchemaError(ServesellError):
    """A declared customer-profile schema is invalid."""


class RuleError(ServesellError):
    """An eligibility rule that does not parse or does not validate.

    ``position`` is the 0-based character offset in ``rule`` where the problem starts
    (``None`` when the whole rule is at fault); ``offer_id`` names the offer when known.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str = "",
        position: int | None = None,
        offer_id: str | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.rule = rule
        self.position = position
        self.offer_id = offer_id
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = [self.source] if self.source else []
        if self.offer_id:
            where.append(f"offer {self.offer_id!r}")
        if self.position is not None:
            where.append(f"position {self.position}")
        prefix = f"{', '.join(where)}: " if where else ""
        text = f"{prefix}{self.message}"
        if self.rule and self.position is not None:
            caret = " " * min(self.position, len(self.rule)) + "^"
            text += f"\n    {self.rule}\n    {caret}"
        return text

    def located(self, *, offer_id: str | None = None, source: str | None = None) -> RuleError:
        """The same error, attributed to an offer and/or a place in a file."""
        return RuleError(
            self.message,
            rule=self.rule,
            position=self.position,
            offer_id=offer_id or self.offer_id,
            source=source or self.source,
        )


class CatalogError(ServesellError):
    """An offer definition that is invalid; names the offer, the field and the place."""

    def __init__(
        self,
        message: str,
        *,
        offer_id: str | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.offer_id = offer_id
        self.field = field
        self.source = source
        where = [
            part
            for part in (
                source or "",
                f"offer {offer_id!r}" if offer_id else "",
                f"field {field!r}" if field else "",
            )
            if part
        ]
        super().__init__(f"{', '.join(where)}: {message}" if where else message)

    def located(self, *, source: str) -> CatalogError:
        """The same error, attributed to a place in a file."""
        return CatalogError(self.message, offer_id=self.offer_id, field=self.field, source=source)


class PolicyError(ServesellError):
    """A contact-policy change that does not validate; ``field`` names the setting."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class ClockError(ServesellError):
    """A time sent by a client that the server's clock rules refuse; ``field`` names it."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class InputFileError(ServesellError):
    """A whole input file cannot be used (empty, unreadable, wrong columns)."""


class DataError(InputFileError):
    """A readable table that cannot be learned from; ``column`` names the culprit if one is."""

    def __init__(self, message: str, *, column: str | None = None) -> None:
        self.column = column
        super().__init__(message)


class NotFoundError(ServesellError):
    """A referenced object does not exist."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"unknown {kind} {ident!r}")


class OutcomeError(ServesellError):
    """An outcome that contradicts the decision log (offer not shown, conflicting result)."""


class AccessError(ServesellError):
    """A user acting beyond their role (another agent's call, a customer not served, ...).

    Also revoking oneself or the last admin. The message says what and whose.
    """


class BusyError(ServesellError):
    """A bounded resource is already in use (e.g. a user's rule preview); try again later."""


class StoreError(ServesellError):
    """The database cannot be used as asked."""


class TemplateError(ServesellError):
    """Message templates that do not validate; ``problems`` lists ``(line, message)``.

    ``line`` is 1-based in the template file (``None`` when the whole file is at fault).
    """

    def __init__(self, problems: list[tuple[int | None, str]], *, source: str = "") -> None:
        self.problems = problems
        self.source = source
        lines = [
            f"{source}:{line}: {message}" if line else f"{source}: {message}"
            for line, message in problems
        ]
        super().__init__("\n".join(lines))


class ChannelError(ServesellError):
    """A follow-up channel that cannot be used as configured, or a bad receipt or token.

    The message never contains a credential.
    """


class CampaignError(ServesellError):
    """A campaign that does not validate, or a change of its state that is not allowed.

    ``field`` names the part of the campaign at fault when there is one.
    """

    def __init__(self, message: str, *, campaign_id: str | None = None, field: str | None = None):
        self.campaign_id = campaign_id
        self.field = field
        where = [p for p in (f"campaign {campaign_id!r}" if campaign_id else "", field or "") if p]
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class FrontlineError(ServesellError):
    """A script variant or a hand-over to specialists that is refused (says which and why)."""
