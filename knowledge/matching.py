"""Duplicate detection: is a new ticket another occurrence of a case we already have?

Similarity uses the product line (must agree), the error code (when both have one they must
agree, and agreeing counts for a lot) and the words of symptom, cause and fix (overlap of jieba
tokens with the domain dictionary). Exact string equality plays no part. Tuned on the demo
ticket file: its ten recurring faults fold, its look-alikes stay apart."""

from portal.search.analysis import get_segmenter, normalise

# Words that say nothing about which fault it is.
STOPWORDS = frozenset(
    {
        "用户",
        "客户",
        "反映",
        "反应",
        "报修",
        "上门",
        "检查",
        "发现",
        "进行",
        "处理",
        "正常",
        "问题",
        "故障",
        "情况",
        "现象",
        "一下",
        "已经",
        "没有",
        "出现",
        "导致",
        "造成",
        "需要",
        "可以",
        "使用",
        "时候",
        "之后",
        "然后",
        "空调",
        "机器",
        "设备",
        "家里",
        "今天",
        "昨天",
        "【客户】",
        "【电话】",
        "【地址】",
    }
)
MATCH_THRESHOLD = 0.32
CODE_BONUS = 0.3
CODE_MISMATCH_PENALTY = 0.2
MIN_WORDS_FOR_OVERLAP = 5


def fingerprint(*texts: str) -> str:
    """Significant words of the texts, deduplicated, as one space-separated string."""
    segmenter = get_segmenter()
    words = []
    seen = set()
    for text in texts:
        for token in segmenter.lcut(normalise(text or "")):
            token = token.strip()
            if len(token) < 2 or token in STOPWORDS or token in seen:
                continue
            if not any(ch.isalnum() for ch in token):
                continue
            seen.add(token)
            words.append(token)
    return " ".join(words)


def similarity(
    *, words_a: set[str], words_b: set[str], code_a: str = "", code_b: str | list = ""
) -> float:
    """0..1. Different error codes on both sides mean different faults: 0."""
    codes_b = {c.upper() for c in (code_b if isinstance(code_b, list) else [code_b]) if c}
    code_a = (code_a or "").upper()
    if code_a and codes_b and code_a not in codes_b:
        return 0.0
    # Overlap coefficient: a short ticket whose words all appear in a richer case is a match;
    # tiny texts fall back to Jaccard so two three-word tickets do not match on one word.
    smaller = min(len(words_a), len(words_b))
    if smaller >= MIN_WORDS_FOR_OVERLAP:
        score = len(words_a & words_b) / smaller
    else:
        union = words_a | words_b
        score = len(words_a & words_b) / len(union) if union else 0.0
    if code_a and code_a in codes_b:
        score += CODE_BONUS
    elif bool(code_a) != bool(codes_b):
        # A coded fault and an uncoded one are rarely the same: ask for more evidence.
        score -= CODE_MISMATCH_PENALTY
    return max(0.0, min(score, 1.0))
