from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TicketText:
    """What a summariser may read: the redacted free text and the ticket's technical facts.
    Customer fields are not part of it, so no summariser can leak them."""

    product_line_name: str
    product_model: str
    error_code: str
    reported_symptom: str
    diagnosis: str
    root_cause: str
    resolution: str
    parts_replaced: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class CaseDraft:
    """A case as a summariser proposes it (KCS: issue, environment, cause, resolution)."""

    title: str
    symptom: str
    cause: str
    resolution: str
    parts: list[str] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    product_models: list[str] = field(default_factory=list)
    refrigerant: str = ""


class Summariser(ABC):
    """Turns one redacted ticket into a case draft.

    Guarantees every implementation keeps (checked by the contract tests): the title names the
    product and the symptom and is at most 60 characters; symptom and resolution are never
    empty for a ticket that has them; error codes and models are carried over exactly; nothing
    is invented that the ticket does not say."""

    @abstractmethod
    def summarise(self, ticket: TicketText) -> CaseDraft:
        """Subclasses must implement this."""
