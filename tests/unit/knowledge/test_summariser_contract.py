"""Every summariser keeps the same guarantees (knowledge/summarisers/base.py); the LLM one falls
back to the built-in one on any failure of the outside service."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from knowledge.summarisers.base import TicketText
from knowledge.summarisers.builtin import BuiltinSummariser
from knowledge.summarisers.llm import LlmSummariser

TICKET = TicketText(
    product_line_name="家用空调",
    product_model="KFR-35GW/BpNhAa1",
    error_code="E6",
    reported_symptom="用户反映开机十分钟后显示E6，空调停机不制冷",
    diagnosis="室外机接线端子处连接线氧化松动",
    root_cause="连接线氧化导致内外机通信中断",
    resolution="剪除氧化线头重新压接。紧固端子。试机30分钟正常。",
    parts_replaced=("接线端子",),
    notes="冷媒R32压力正常",
)


class FakeLlm(BaseHTTPRequestHandler):
    """A local OpenAI-compatible endpoint whose answer each test chooses."""

    answer: object = None
    status = 200

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        content = self.answer if isinstance(self.answer, str) else json.dumps(self.answer)
        body = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_llm(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeLlm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KNOWLEDGE_LLM_BASE_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.KNOWLEDGE_LLM_MODEL = "test-model"
    settings.KNOWLEDGE_LLM_TIMEOUT = 2
    yield FakeLlm
    server.shutdown()
    FakeLlm.answer, FakeLlm.status = None, 200


GOOD_ANSWER = {
    "title": "家用空调E6通信故障：连接线氧化",
    "symptom": "开机十分钟后显示E6停机",
    "cause": "连接线氧化导致通信中断",
    "resolution": "重新压接线头\n紧固端子",
    "parts": ["接线端子"],
    "error_codes": ["E6"],
    "product_models": ["KFR-35GW/BpNhAa1"],
    "refrigerant": "R32",
}


@pytest.fixture(params=["builtin", "llm"])
def summariser(request, fake_llm):
    fake_llm.answer = GOOD_ANSWER
    return BuiltinSummariser() if request.param == "builtin" else LlmSummariser()


def test_every_summariser_names_product_and_symptom_in_a_short_title(summariser):
    draft = summariser.summarise(TICKET)
    assert "空调" in draft.title and "E6" in draft.title and len(draft.title) <= 60


def test_every_summariser_carries_codes_models_and_parts_exactly(summariser):
    draft = summariser.summarise(TICKET)
    assert draft.error_codes == ["E6"]
    assert draft.product_models == ["KFR-35GW/BpNhAa1"]
    assert draft.parts == ["接线端子"]
    assert draft.symptom and draft.resolution and draft.cause


def test_the_builtin_summariser_splits_resolution_into_steps_and_finds_the_refrigerant():
    draft = BuiltinSummariser().summarise(TICKET)
    assert draft.resolution.splitlines() == ["剪除氧化线头重新压接", "紧固端子", "试机30分钟正常"]
    assert draft.refrigerant == "R32"
    assert not draft.symptom.startswith("用户反映")


@pytest.mark.parametrize(
    "answer",
    [
        "not json at all",
        {"title": 5, "resolution": "x"},
        {"title": "缺少处理步骤"},
        {**GOOD_ANSWER, "error_codes": ["F9"]},
        {**GOOD_ANSWER, "parts": "接线端子"},
    ],
)
def test_the_llm_summariser_falls_back_on_bad_answers(fake_llm, answer):
    fake_llm.answer = answer
    assert LlmSummariser().summarise(TICKET) == BuiltinSummariser().summarise(TICKET)


def test_the_llm_summariser_falls_back_when_the_endpoint_fails(fake_llm):
    fake_llm.status = 500
    fake_llm.answer = GOOD_ANSWER
    assert LlmSummariser().summarise(TICKET) == BuiltinSummariser().summarise(TICKET)


def test_the_llm_summariser_is_off_until_configured(settings):
    settings.KNOWLEDGE_LLM_BASE_URL = ""
    assert LlmSummariser().summarise(TICKET) == BuiltinSummariser().summarise(TICKET)


def test_the_llm_summariser_uses_a_valid_answer(fake_llm):
    fake_llm.answer = GOOD_ANSWER
    assert LlmSummariser().summarise(TICKET).title == GOOD_ANSWER["title"]


def test_titles_leave_out_who_reported_the_fault():
    ticket = TicketText(
        **{**TICKET.__dict__, "reported_symptom": "女儿代报修（【客户】，【电话】）：空调不制冷"}
    )
    assert BuiltinSummariser().summarise(ticket).title == "家用空调 E6 空调不制冷"
