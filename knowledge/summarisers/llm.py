"""Optional summariser calling an OpenAI-compatible chat endpoint.

Off by default: it is used only when KNOWLEDGE_SUMMARISER names it, and then only when
KNOWLEDGE_LLM_BASE_URL and KNOWLEDGE_LLM_MODEL are set. The model gets the redacted ticket only
and must answer a JSON object of the CaseDraft fields; anything else (network error, timeout,
bad JSON, missing or wrong-typed fields, a code or model the ticket never mentioned) falls back
to the built-in summariser, so a case is always produced."""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

from .base import CaseDraft, Summariser, TicketText
from .builtin import TITLE_MAX, BuiltinSummariser

logger = logging.getLogger(__name__)

PROMPT = (
    "你是家电售后技术质量部的工程师。根据下面已脱敏的维修工单，写一条知识库案例。"
    "只输出一个JSON对象，字段为：title（产品+现象，不超过40字）、symptom（用户描述的现象）、"
    "cause（原因）、resolution（处理步骤，每步一行）、parts（更换配件列表）、"
    "error_codes（列表）、product_models（列表）、refrigerant（冷媒型号或空字符串）。"
    "不要编造工单中没有的信息，不要输出任何客户信息。"
)
_STRING_FIELDS = ("title", "symptom", "cause", "resolution", "refrigerant")
_LIST_FIELDS = ("parts", "error_codes", "product_models")


class LlmSummariser(Summariser):
    def __init__(self, fallback: Summariser | None = None):
        self.fallback = fallback or BuiltinSummariser()

    def summarise(self, ticket: TicketText) -> CaseDraft:
        if not (settings.KNOWLEDGE_LLM_BASE_URL and settings.KNOWLEDGE_LLM_MODEL):
            return self.fallback.summarise(ticket)
        try:
            return self._validated(ticket, self._ask(ticket))
        except Exception as exc:  # any failure of the outside service falls back
            logger.warning("LLM summariser failed, using the built-in one: %s", exc)
            return self.fallback.summarise(ticket)

    def _ask(self, ticket: TicketText) -> dict:
        body = json.dumps(
            {
                "model": settings.KNOWLEDGE_LLM_MODEL,
                "temperature": 0,
                "response_format": {"type": "json_object"},
                "messages": [
                    {"role": "system", "content": PROMPT},
                    {"role": "user", "content": json.dumps(ticket.__dict__, ensure_ascii=False)},
                ],
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the configured endpoint
            settings.KNOWLEDGE_LLM_BASE_URL.rstrip("/") + "/chat/completions",
            data=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.KNOWLEDGE_LLM_API_KEY}",
            },
            method="POST",
        )
        with urllib.request.urlopen(  # noqa: S310 - the URL is the configured endpoint
            request, timeout=settings.KNOWLEDGE_LLM_TIMEOUT
        ) as response:
            payload = json.loads(response.read())
        return json.loads(payload["choices"][0]["message"]["content"])

    @staticmethod
    def _validated(ticket: TicketText, data: dict) -> CaseDraft:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        for name in _STRING_FIELDS:
            if not isinstance(data.get(name, ""), str):
                raise ValueError(f"{name} is not a string")
        for name in _LIST_FIELDS:
            value = data.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} is not a list of strings")
        if not data.get("title") or not data.get("resolution"):
            raise ValueError("title or resolution missing")
        known_text = " ".join(str(v) for v in ticket.__dict__.values()).upper()
        codes = [c.upper() for c in data.get("error_codes", [])]
        models = data.get("product_models", [])
        if any(c not in known_text for c in codes) or any(
            m.upper() not in known_text for m in models
        ):
            raise ValueError("the answer names codes or models the ticket does not")
        return CaseDraft(
            title=data["title"][:TITLE_MAX],
            symptom=data.get("symptom") or ticket.reported_symptom,
            cause=data.get("cause", ""),
            resolution=data["resolution"],
            parts=data.get("parts", []),
            error_codes=codes,
            product_models=models,
            refrigerant=data.get("refrigerant", ""),
        )
