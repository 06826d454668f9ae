"""
Text analysis for the portal's Whoosh search backend.

Technicians search a mix of Chinese prose ("空调压缩机不启动"), fault codes ("E6", "F4", "P0"),
model numbers ("KFR-35GW/BpNhAa1") and refrigerants ("R410A"), typed on phones with full-width
input methods as often as on keyboards. This module turns such text into index terms and query
terms so that the same words meet in the middle.

Guarantees:

* **Normalisation.** Text is NFKC-normalised (full-width letters, digits and punctuation become
  half-width), dash variants become ``-`` and everything is case-folded, so ``ＫＦＲ－３５ＧＷ``,
  ``KFR-35GW`` and ``kfr-35gw`` are the same text.
* **Chinese.** Runs of Han characters are segmented with jieba (precise mode, no HMM guessing)
  using jieba's dictionary plus the after-sales domain dictionary in ``dictionary.txt``. At index
  time a word also yields the dictionary words it contains (``室外机`` also yields ``室外`` and
  ``外机``), at the *same* position, so a query for a shorter word finds the longer one without
  breaking phrase matching.
* **Codes.** A run of letters/digits joined by ``- _ . / # +`` is split into atoms at
  punctuation and at letter/digit boundaries (``KFR-35GW/BpNhAa1`` → ``kfr 35 gw bpnhaa 1``).
  At index time every contiguous run of atoms is emitted, concatenated, at the code's position
  (``kfr``, ``35gw``, ``kfr35gw``, ``kfr35gwbpnhaa1``…). At query time a code becomes a single
  term, the concatenation of its atoms, so ``35GW``, ``KFR35GW`` and ``kfr-35gw`` all find it.
* **Positions.** Every word or code takes one position; the extra terms derived from it share
  that position. Values of a multi-valued field are joined with :data:`VALUE_SEPARATOR`, which
  opens a gap of :data:`VALUE_POSITION_GAP` positions so phrases never span two values.

Limits (by design): there is no stemming and no stop-word removal (codes and Chinese gain nothing
from either); an arbitrary substring of a Chinese word that is not itself a dictionary word (e.g.
``缩机``) is not searchable; highlighting offsets are approximate after normalisation.

* **Trainer vocabulary.** Words added at run time (``SEARCH_VOCABULARY`` setting: a module with
  ``version()`` and ``words()``; in the portal, trainers' dictionary words and synonym words)
  are added to the segmenter within :data:`VOCABULARY_CHECK_SECONDS`, in every process. They
  take effect at once for queries, and for documents indexed from then on. Documents indexed
  before a word existed hold its pieces (``不凉`` → ``不 凉``); :func:`finer_segmentation` gives
  those pieces so the query compiler can match them as a phrase until the next rebuild.

Changing anything here changes index terms: rebuild the index afterwards
(``manage.py update_index`` in the portal).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

from whoosh.analysis import Token, Tokenizer

with warnings.catch_warnings():
    # jieba 0.42's sources contain invalid escape sequences; compiling them warns on every
    # fresh interpreter that has no bytecode cache, which is noise in test and worker logs.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    import jieba
    import jieba.finalseg  # noqa: F401  (compiled here for the same reason)

#: The domain dictionary loaded on top of jieba's own (one ``word frequency [pos]`` per line).
DICTIONARY_PATH = Path(__file__).with_name("dictionary.txt")

#: Join the values of a multi-valued field with this character; see VALUE_POSITION_GAP.
VALUE_SEPARATOR = "\u2029"

#: Positions skipped at a VALUE_SEPARATOR, so a phrase cannot match across two values.
VALUE_POSITION_GAP = 100

#: Codes with at most this many atoms index every contiguous run of atoms; longer ones (rare:
#: URLs, serial lists) index runs of up to LONG_CODE_RUN atoms plus the whole code, to bound the
#: number of terms per code.
MAX_ATOMS_FOR_ALL_RUNS = 8
LONG_CODE_RUN = 4

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_WORD_CHAR = rf"[^\W_{_HAN}]"
_CONNECTORS = "-_./#+"
_RUN_RE = re.compile(
    rf"(?P<code>{_WORD_CHAR}+(?:[{re.escape(_CONNECTORS)}]{_WORD_CHAR}+)*)"
    rf"|(?P<han>[{_HAN}]+)"
    rf"|(?P<separator>{VALUE_SEPARATOR})"
)
_ATOM_RE = re.compile(r"\d+|[^\W\d_]+")
# NFKC leaves these alone, but technicians' documents (Word, WeChat) are full of them.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc", "-"))

# jieba announces its dictionary loading on stderr at DEBUG level; keep worker logs quiet.
jieba.setLogLevel(logging.WARNING)

_segmenter: jieba.Tokenizer | None = None
_segmenter_lock = threading.Lock()

#: How often (seconds) a process asks the vocabulary source whether words changed.
VOCABULARY_CHECK_SECONDS = 5.0
#: Frequency given to run-time words: that of the shipped domain dictionary's entries.
VOCABULARY_FREQUENCY = 20000

logger = logging.getLogger(__name__)


class _Vocabulary:
    """The run-time words currently added to the segmenter, and when they were last checked."""

    def __init__(self):
        self.version = None
        self.words: frozenset[str] = frozenset()
        self.checked = float("-inf")
        self.lock = threading.Lock()


_vocabulary = _Vocabulary()


def _vocabulary_source():
    from django.conf import settings

    if not settings.configured or not getattr(settings, "SEARCH_VOCABULARY", None):
        return None
    from importlib import import_module

    return import_module(settings.SEARCH_VOCABULARY)


def vocabulary_changed() -> None:
    """Make this process re-read the run-time vocabulary on its next analysis (other processes
    notice within VOCABULARY_CHECK_SECONDS)."""
    _vocabulary.checked = float("-inf")


def vocabulary_words() -> frozenset[str]:
    """The run-time words this process added to the segmenter (shipped words excluded)."""
    get_segmenter()
    return _vocabulary.words


def _is_han_word(word: str) -> bool:
    return len(word) >= 2 and all(re.fullmatch(f"[{_HAN}]", char) for char in word)


def _sync_vocabulary(segmenter: jieba.Tokenizer) -> None:
    now = time.monotonic()
    if now - _vocabulary.checked < VOCABULARY_CHECK_SECONDS:
        return
    with _vocabulary.lock:
        if now - _vocabulary.checked < VOCABULARY_CHECK_SECONDS:
            return
        _vocabulary.checked = now
        try:
            source = _vocabulary_source()
            if source is None:
                return
            version = source.version()
            if version == _vocabulary.version:
                return
            wanted = frozenset(normalise(w) for w in source.words())
        except Exception:  # noqa: BLE001 (no database yet, or none allowed: keep what we have)
            logger.debug("Search vocabulary not loaded", exc_info=True)
            return
        wanted = frozenset(w for w in wanted if _is_han_word(w))
        for word in _vocabulary.words - wanted:
            segmenter.del_word(word)
        added = set(_vocabulary.words & wanted)
        for word in wanted - _vocabulary.words:
            # Words the shipped dictionaries already hold are left alone (and never deleted).
            if not segmenter.FREQ.get(word):
                segmenter.add_word(word, freq=VOCABULARY_FREQUENCY)
                added.add(word)
        _vocabulary.words = frozenset(added)
        _vocabulary.version = version


def get_segmenter() -> jieba.Tokenizer:
    """
    Return the process-wide jieba tokenizer with the domain dictionary loaded.

    A private ``jieba.Tokenizer`` is used instead of jieba's global one so that loading the
    domain dictionary never changes segmentation for other code in the process. Loading takes
    about a second, so it happens on first use, not at import.
    """
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                segmenter = jieba.Tokenizer()
                segmenter.load_userdict(str(DICTIONARY_PATH))
                _segmenter = segmenter
    _sync_vocabulary(_segmenter)
    return _segmenter


def finer_segmentation(word: str) -> list[str]:
    """
    How ``word`` segments when it is not itself a dictionary word: the pieces a document
    indexed before ``word`` was added to the vocabulary holds for it (``不凉`` → ``不 凉``).
    Returns ``[]`` for one-character words.
    """
    if len(word) < 2:
        return []
    segmenter = get_segmenter()
    dag = segmenter.get_DAG(word)
    dag[0] = [end for end in dag[0] if end != len(word) - 1] or [0]
    route: dict = {}
    segmenter.calc(word, dag, route)
    pieces, start = [], 0
    while start < len(word):
        end = route[start][1] + 1
        pieces.append(word[start:end])
        start = end
    return pieces


def normalise(text: str) -> str:
    """Return ``text`` NFKC-normalised, with unified dashes, case-folded."""
    return unicodedata.normalize("NFKC", text).translate(_DASHES).casefold()


def _fold_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def code_atoms(code: str) -> list[str]:
    """Split a normalised code into atoms at punctuation and letter/digit boundaries."""
    return _ATOM_RE.findall(_fold_accents(code))


def code_index_terms(code: str) -> list[str]:
    """Return the index terms for one normalised code (whole code first, no duplicates)."""
    atoms = code_atoms(code)
    if not atoms:
        return []
    count = len(atoms)
    longest = count if count <= MAX_ATOMS_FOR_ALL_RUNS else LONG_CODE_RUN
    terms = {"".join(atoms): None}
    for length in range(longest, 0, -1):
        for start in range(count - length + 1):
            terms.setdefault("".join(atoms[start : start + length]), None)
    return list(terms)


def code_query_term(code: str) -> str:
    """Return the single query term for one normalised code: its atoms concatenated."""
    return "".join(code_atoms(code))


def han_subwords(word: str) -> list[str]:
    """Dictionary words of two or more characters strictly inside ``word``, longest first."""
    frequencies = get_segmenter().FREQ
    found = {}
    for length in range(len(word) - 1, 1, -1):
        for start in range(len(word) - length + 1):
            candidate = word[start : start + length]
            if frequencies.get(candidate):
                found.setdefault(candidate, None)
    return list(found)


def _analyse(text: str, *, for_index: bool) -> Iterator[tuple[int, int, int, list[str]]]:
    """Yield ``(position, start_char, end_char, terms)`` for each word or code in ``text``."""
    position = 0
    for match in _RUN_RE.finditer(normalise(text)):
        kind = match.lastgroup
        if kind == "separator":
            position += VALUE_POSITION_GAP
        elif kind == "code":
            code = match.group()
            terms = code_index_terms(code) if for_index else [code_query_term(code)]
            if terms and terms[0]:
                yield position, match.start(), match.end(), terms
                position += 1
        else:
            offset = match.start()
            for word, start, end in get_segmenter().tokenize(match.group(), HMM=False):
                terms = [word]
                if for_index and len(word) > 2:
                    terms.extend(han_subwords(word))
                yield position, offset + start, offset + end, terms
                position += 1


def index_terms(text: str) -> list[tuple[int, str]]:
    """Return the ``(position, term)`` pairs that ``text`` contributes to the index."""
    return [
        (position, term)
        for position, _start, _end, terms in _analyse(text, for_index=True)
        for term in terms
    ]


def query_terms(text: str) -> list[str]:
    """
    Return the query terms for ``text``, one per position, in order.

    Each term is exactly a term that :func:`index_terms` emits for the same word or code, so a
    sequence of query terms can be matched as a phrase.
    """
    return [terms[0] for _position, _start, _end, terms in _analyse(text, for_index=False)]


class ChineseTokenizer(Tokenizer):
    """
    Whoosh tokenizer (usable directly as a field analyzer) producing :func:`index_terms`.

    Queries are not parsed through Whoosh; the query compiler calls :func:`query_terms`. Should
    Whoosh call this analyzer with ``mode="query"`` (e.g. from ``whoosh.qparser``), it yields the
    query terms instead, so the two sides stay consistent.

    Instances hold no state: Whoosh pickles the analyzer into the index's table of contents, so
    the jieba tokenizer lives at module level, not on the instance. For the same reason, moving
    or renaming this class makes existing indexes unreadable until they are rebuilt.
    """

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for_index = mode != "query"
        for position, start, end, terms in _analyse(value, for_index=for_index):
            for term in terms if for_index else terms[:1]:
                token.text = term
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = term
                if positions:
                    token.pos = start_pos + position
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token
