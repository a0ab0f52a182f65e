"""The analyst's offer form: an offer as form values and back, with its errors in place.

Values stay text while edited, so a rejected form shows exactly what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.domain import LANGUAGES, Channel, OfferStatus
from servesell.errors import CatalogError, RuleError

if TYPE_CHECKING:
    from starlette.datastructures import FormData

    from servesell.domain import Offer

LOCAL_FIELDS = ("name", "script")
"""Fields written once per language (``name_en``, ``name_zh``, ...)."""
TEXT_FIELDS = (
    "id",
    "product",
    "rule",
    "description",
    "campaign",
    "handover_team",
    *(f"{field}_{lang}" for field in LOCAL_FIELDS for lang in LANGUAGES),
)
NUMBER_FIELDS = (
    "value",
    "piece_rate",
    "extra_handle_seconds",
    "prior_propensity",
    "lever",
    "control_share",
    "completion_days",
)
DATE_FIELDS = ("starts_on", "ends_on")
CHANNELS = tuple(Channel)
STATUSES = tuple(OfferStatus)


@dataclass(frozen=True, slots=True)
class OfferForm:
    """Form values by field, the channels ticked, and whether the VIP box is ticked."""

    values: dict[str, str]
    channels: tuple[str, ...]
    vip_allowed: bool
    is_new: bool

    @classmethod
    def blank(cls) -> OfferForm:
        """An empty form for a new offer (the catalog's defaults filled in)."""
        values = dict.fromkeys(TEXT_FIELDS + NUMBER_FIELDS + DATE_FIELDS, "")
        values.update(status=OfferStatus.DRAFT.value, prior_propensity="0.05", lever="1")
        values.update(piece_rate="0", control_share="0")
        return cls(values, (Channel.IN_CALL.value,), vip_allowed=False, is_new=True)

    @classmethod
    def of(cls, offer: Offer) -> OfferForm:
        """The form showing ``offer``."""
        data = offer.model_dump(mode="json")
        for field in LOCAL_FIELDS:
            texts = data.pop(field)
            texts = {LANGUAGES[0]: texts} if isinstance(texts, str) else texts
            data.update({f"{field}_{lang}": texts.get(lang) for lang in LANGUAGES})
        values = {name: _text(data.get(name)) for name in TEXT_FIELDS + NUMBER_FIELDS}
        values.update({name: _text(data.get(name)) for name in DATE_FIELDS})
        values["status"] = offer.status.value
        return cls(values, tuple(data["channels"]), offer.vip_allowed, is_new=False)

    @classmethod
    def posted(cls, form: FormData) -> OfferForm:
        """The form as the browser sent it."""
        names = TEXT_FIELDS + NUMBER_FIELDS + DATE_FIELDS + ("status",)
        values = {name: str(form.get(name) or "").strip() for name in names}
        values["rule"] = str(form.get("rule") or "")
        channels = tuple(str(c) for c in form.getlist("channels"))
        return cls(values, channels, form.get("vip_allowed") == "on", form.get("is_new") == "1")

    def data(self) -> dict[str, Any]:
        """The offer fields to validate; empty optional fields are left out (defaults).

        A name or script is kept per language that was filled in (none: an error).
        """
        local = {f"{field}_{lang}" for field in LOCAL_FIELDS for lang in LANGUAGES}
        data: dict[str, Any] = {
            name: value
            for name, value in self.values.items()
            if name not in local and (value != "" or name == "rule")
        }
        for field in LOCAL_FIELDS:
            texts = {lang: self.values.get(f"{field}_{lang}", "") for lang in LANGUAGES}
            data[field] = {lang: text for lang, text in texts.items() if text}
        data["channels"] = list(self.channels)
        data["vip_allowed"] = self.vip_allowed
        return data


@dataclass(frozen=True, slots=True)
class FormError:
    """Why a save was refused: the field at fault and, for a rule, where in it."""

    message: str
    field: str | None = None
    rule_error: RuleError | None = None

    @classmethod
    def of(cls, exc: CatalogError | RuleError) -> FormError:
        """The error of a refused offer."""
        if isinstance(exc, RuleError):
            return cls(exc.message, "rule", exc)
        return cls(exc.message, exc.field)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
