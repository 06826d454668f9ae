"""The embedded summariser: extractive, deterministic, no network."""

import re

from .base import CaseDraft, Summariser, TicketText

# Latin-letter boundaries only: "冷媒R32" has no \b between 媒 and R.
REFRIGERANT = re.compile(
    r"(?<![A-Za-z0-9])R-?(22|32|134a|290|407C|410A|600a)(?![A-Za-z0-9])", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?\n])")
# Who reported it is not part of the fault: "女儿代报修（【客户】，【电话】）：", "用户反映：".
_FILLER = re.compile(
    r"^(?:(?:儿子|女儿|家属|家人|邻居|物业|【客户】)?代为?报修(?:[（(][^）)]*[）)])?[:：，,]?\s*)?"
    r"(?:(?:用户|客户|顾客|【客户】)?(?:反映|反应|报修|称|说|来电)[:：，,]?\s*)?"
)
TITLE_MAX = 60


def _sentences(text: str) -> list[str]:
    return [s.strip(" ，,。") for s in _SENTENCE_END.split(text or "") if s.strip(" ，,。")]


def _first_clause(text: str, limit: int) -> str:
    text = _FILLER.sub("", (text or "").strip())
    clause = re.split(r"[，,。；;！!？?\n]", text, maxsplit=1)[0].strip()
    return clause[:limit]


class BuiltinSummariser(Summariser):
    """Title = product + model family + error code + the symptom's first clause; symptom = the
    customer's words; cause = root cause, else the diagnosis; resolution = the technician's
    steps, one per line."""

    def summarise(self, ticket: TicketText) -> CaseDraft:
        symptom = _FILLER.sub("", ticket.reported_symptom.strip()) or ticket.diagnosis.strip()
        code = ticket.error_code.strip().upper()
        head = " ".join(p for p in (ticket.product_line_name, code) if p)
        clause = _first_clause(symptom, 30) or _first_clause(ticket.diagnosis, 30)
        title = f"{head} {clause}".strip()[:TITLE_MAX]
        cause = ticket.root_cause.strip() or ticket.diagnosis.strip()
        steps = _sentences(ticket.resolution)
        refrigerant = REFRIGERANT.search(
            " ".join((ticket.diagnosis, ticket.root_cause, ticket.resolution, ticket.notes))
        )
        return CaseDraft(
            title=title,
            symptom=symptom,
            cause=cause,
            resolution="\n".join(steps) if steps else ticket.resolution.strip(),
            parts=[p.strip() for p in ticket.parts_replaced if p and p.strip()],
            error_codes=[code] if code else [],
            product_models=[ticket.product_model.strip()] if ticket.product_model.strip() else [],
            refrigerant=f"R{refrigerant.group(1).upper()}" if refrigerant else "",
        )
