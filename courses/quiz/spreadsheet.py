"""Questions to and from XLSX, so trainers can write the bank in bulk.

One row per question. Columns (English or Chinese headers):
``code 编码, type 题型, category 分类, stem 题干, options 选项, answer 答案, tags 标签,
difficulty 难度, partial_credit 部分得分, explanation 解析``.

- type: single/multiple/true_false/fill_in/ordering or 单选/多选/判断/填空/排序;
- options: one per line (or separated by ``|``), lettered A, B, C… in that order; for ordering
  questions, the steps in their correct order;
- answer: letters for choice questions (``B`` or ``A,C``), 对/错 for true/false, accepted
  answers separated by ``|`` for fill-in, empty for ordering.

Every row is validated on its own and reported with its errors in the reader's language;
valid rows are written (each in its own transaction) and invalid ones left out. A row with a
code updates the question with that code; without one it creates a new question."""

import io
import re
import string
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from courses.models import Question, QuestionCategory, QuestionChoice, QuestionType
from portal.exceptions import PortalError
from portal.imports import read_table

COLUMNS = (
    "code",
    "type",
    "category",
    "stem",
    "options",
    "answer",
    "tags",
    "difficulty",
    "partial_credit",
    "explanation",
)
CHINESE_HEADERS = {
    "code": "编码",
    "type": "题型",
    "category": "分类",
    "stem": "题干",
    "options": "选项",
    "answer": "答案",
    "tags": "标签",
    "difficulty": "难度",
    "partial_credit": "部分得分",
    "explanation": "解析",
}
ALIASES = {chinese: english for english, chinese in CHINESE_HEADERS.items()}
TYPE_NAMES = {
    "single": QuestionType.SINGLE,
    "单选": QuestionType.SINGLE,
    "单选题": QuestionType.SINGLE,
    "multiple": QuestionType.MULTIPLE,
    "多选": QuestionType.MULTIPLE,
    "多选题": QuestionType.MULTIPLE,
    "true_false": QuestionType.TRUE_FALSE,
    "判断": QuestionType.TRUE_FALSE,
    "判断题": QuestionType.TRUE_FALSE,
    "fill_in": QuestionType.FILL_IN,
    "填空": QuestionType.FILL_IN,
    "填空题": QuestionType.FILL_IN,
    "ordering": QuestionType.ORDERING,
    "排序": QuestionType.ORDERING,
    "排序题": QuestionType.ORDERING,
}
TYPE_EXPORT = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
    QuestionType.FILL_IN: "填空",
    QuestionType.ORDERING: "排序",
}
TRUE_WORDS = {"对", "正确", "是", "true", "t", "1", "√", "yes"}
FALSE_WORDS = {"错", "错误", "否", "false", "f", "0", "×", "no"}
YES_WORDS = {"1", "true", "yes", "是", "y"}
LETTERS = string.ascii_uppercase


@dataclass
class QuestionRow:
    row: int
    code: str
    status: str = ""  # created, updated, error (or will_create / will_update on a dry run)
    errors: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


@dataclass
class QuestionImportReport:
    rows: list[QuestionRow]
    file_errors: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def error_rows(self) -> list[QuestionRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.error_rows

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.rows))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _split(value: str, *, lines: bool) -> list[str]:
    pattern = r"[\n|]" if lines else r"[|]"
    return [part.strip() for part in re.split(pattern, value) if part.strip()]


def question_row_parse(*, row: int, values: dict) -> QuestionRow:
    """Validates one row into the fields of a question; errors are listed, not raised."""
    data = {ALIASES.get(k, k): _text(v) for k, v in values.items()}
    result = QuestionRow(row=row, code=data.get("code", ""))
    errors = result.errors
    kind = TYPE_NAMES.get(data.get("type", "").lower())
    if kind is None:
        errors.append(_("Unknown question type: %(value)s") % {"value": data.get("type") or "—"})
    stem = data.get("stem", "")
    if not stem:
        errors.append(_("The question text is required."))
    category = data.get("category", "")
    if not category:
        errors.append(_("The category is required."))
    difficulty = data.get("difficulty") or "2"
    if difficulty not in ("1", "2", "3"):
        errors.append(_("Difficulty must be 1, 2 or 3."))
    options = _split(data.get("options", ""), lines=True)
    answer = data.get("answer", "")
    parsed = {
        "code": result.code,
        "question_type": kind,
        "stem": stem,
        "category": category,
        "difficulty": int(difficulty) if difficulty in ("1", "2", "3") else 2,
        "tags": [t.strip() for t in re.split(r"[,，、]", data.get("tags", "")) if t.strip()],
        "partial_credit": data.get("partial_credit", "").lower() in YES_WORDS,
        "explanation": data.get("explanation", ""),
        "choices": [],
        "true_false_answer": True,
        "accepted_answers": "",
    }
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(options) < 2:
            errors.append(_("Give at least two options."))
        letters = [x.strip().upper() for x in re.split(r"[,，、\s]+", answer) if x.strip()]
        letters = [x for part in letters for x in (part if part.isalpha() else [part])]
        if not letters:
            errors.append(_("Give the correct option letters, e.g. A or A,C."))
        for letter in letters:
            if letter not in LETTERS[: len(options)]:
                errors.append(_("Option %(letter)s does not exist.") % {"letter": letter})
        if kind == QuestionType.SINGLE and len(set(letters)) > 1:
            errors.append(_("A single-choice question has exactly one correct option."))
        parsed["choices"] = [
            (text, LETTERS[i] in letters) for i, text in enumerate(options[: len(LETTERS)])
        ]
    elif kind == QuestionType.ORDERING:
        if len(options) < 2:
            errors.append(_("Give at least two steps, in their correct order."))
        parsed["choices"] = [(text, False) for text in options]
    elif kind == QuestionType.TRUE_FALSE:
        word = answer.lower()
        if word in TRUE_WORDS:
            parsed["true_false_answer"] = True
        elif word in FALSE_WORDS:
            parsed["true_false_answer"] = False
        else:
            errors.append(_("The answer of a true/false question must be 对 or 错."))
    elif kind == QuestionType.FILL_IN:
        accepted = _split(answer, lines=True)
        if not accepted:
            errors.append(_("Give at least one accepted answer."))
        parsed["accepted_answers"] = "\n".join(accepted)
    result.data = parsed
    return result


def question_upsert(*, data: dict) -> tuple[Question, bool]:
    category, _created = QuestionCategory.objects.get_or_create(name=data["category"])
    question = Question.objects.filter(code=data["code"]).first() if data["code"] else None
    created = question is None
    question = question or Question(code=data["code"])
    stem = data["stem"]
    question.stem = stem if stem.startswith("<") else f"<p>{stem}</p>"
    question.question_type = data["question_type"]
    question.category = category
    question.difficulty = data["difficulty"]
    question.partial_credit = data["partial_credit"]
    question.explanation = data["explanation"]
    question.true_false_answer = data["true_false_answer"]
    question.accepted_answers = data["accepted_answers"]
    question.choices = [
        QuestionChoice(text=text, is_correct=correct, sort_order=i)
        for i, (text, correct) in enumerate(data["choices"])
    ]
    question.tags.set(data["tags"])
    question.save()
    question.save_revision()
    return question, created


def questions_import(*, content: bytes, filename: str, dry_run: bool = False):
    """Reads, validates and (unless ``dry_run``) writes the questions of a file."""
    try:
        _headers, table = read_table(content=content, filename=filename)
    except PortalError as exc:
        return QuestionImportReport(rows=[], file_errors=[exc.message])
    rows = [question_row_parse(row=number, values=values) for number, values in table]
    codes = Counter(r.code for r in rows if r.code)
    for row in rows:
        if row.code and codes[row.code] > 1:
            row.errors.append(
                _("Code %(code)s appears more than once in this file.") % {"code": row.code}
            )
    existing = set(
        Question.objects.filter(code__in=[r.code for r in rows if r.code]).values_list(
            "code", flat=True
        )
    )
    for row in rows:
        if row.errors:
            row.status = "error"
        elif dry_run:
            row.status = "will_update" if row.code in existing else "will_create"
        else:
            with transaction.atomic():
                _question, created = question_upsert(data=row.data)
            row.status = "created" if created else "updated"
    return QuestionImportReport(rows=rows, applied=not dry_run)


def questions_export(*, questions) -> bytes:
    """The questions as an XLSX file that ``questions_import`` reads back."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append([CHINESE_HEADERS[c] for c in COLUMNS])
    for question in questions.select_related("category").prefetch_related("choices", "tags"):
        choices = list(question.choices.all())
        kind = question.question_type
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            answer = ",".join(LETTERS[i] for i, c in enumerate(choices) if c.is_correct)
        elif kind == QuestionType.TRUE_FALSE:
            answer = "对" if question.true_false_answer else "错"
        elif kind == QuestionType.FILL_IN:
            answer = "|".join(question.accepted_answer_list())
        else:
            answer = ""
        sheet.append(
            [
                question.code,
                TYPE_EXPORT.get(kind, kind),
                question.category.name,
                strip_tags(question.stem).strip(),
                "\n".join(c.text for c in choices),
                answer,
                ",".join(sorted(t.name for t in question.tags.all())),
                question.difficulty,
                "是" if question.partial_credit else "",
                question.explanation,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
