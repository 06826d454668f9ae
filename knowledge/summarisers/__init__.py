"""Summarisers turn one redacted ticket into a KCS-shaped case draft.

One interface (``base.Summariser``), an embedded default (``builtin``: no network, jieba-based
extraction) and a scale-out option (``llm``: an OpenAI-compatible chat endpoint, off until
configured). ``get_summariser()`` returns the configured one; every implementation passes the
same contract tests (tests/unit/knowledge/test_summariser_contract.py)."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import CaseDraft, Summariser, TicketText

__all__ = ["CaseDraft", "Summariser", "TicketText", "get_summariser"]


def get_summariser() -> Summariser:
    return import_string(settings.KNOWLEDGE_SUMMARISER)()
