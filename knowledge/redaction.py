"""Removal of customer data from ticket text before it reaches anything else.

Closed tickets become knowledge-base cases that every technician reads, so the customer's name,
phone numbers, address, ID-card number, e-mail address and licence plate are replaced by neutral
placeholders first. Two sources of knowledge are combined:

* the ticket's own ``customer_name`` / ``customer_phone`` / ``customer_address`` values, found
  anywhere in the text in the spellings people actually use (spaces, dashes, ``+86``, full-width
  digits, ``王先生`` / ``老王`` for the customer's surname, the given name alone, parts of the
  address);
* shape-based detectors for data the fields do not mention (another phone number, an ID card, an
  address dictated in a note, a third person addressed as ``李女士``).

Guarantees:

* Text outside a redacted span is returned unchanged, character for character (full-width
  characters included); only whole spans are swapped for the placeholders below.
* The placeholders never match a detector, so redacting a redacted text changes nothing.
* Technical content survives: error codes, model and part numbers, dates and times, prices,
  measurements, ``400``/``800`` service hotlines, ``室外机``/``室内机``, ``1号端子`` and the
  ``师傅``/``工`` forms of technicians whose surname is not the customer's. When a form is
  ambiguous (the customer's surname is 张 and the text says ``张师傅``), privacy wins.
* The module is pure Python with every shape-based pattern compiled at import; the customer's
  name and address patterns are built once per distinct customer and cached, so redacting the
  several free-text fields of one ticket compiles nothing twice.

Detection is heuristic: a spelling nobody anticipated (a landline in Chinese numerals, a name in
pinyin mixed with Chinese, a third person named without any title) can slip through. The test
corpus under ``tests/unit/knowledge`` records what is covered; extend it with the patterns.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

NAME_PLACEHOLDER = "【客户】"
PHONE_PLACEHOLDER = "【电话】"
ADDRESS_PLACEHOLDER = "【地址】"
ID_CARD_PLACEHOLDER = "【身份证号】"
EMAIL_PLACEHOLDER = "【邮箱】"
PLATE_PLACEHOLDER = "【车牌】"


class RedactionKind(StrEnum):
    """What a redacted span was; the values are the keys of :attr:`RedactionResult.found`."""

    NAME = "name"
    PHONE = "phone"
    ADDRESS = "address"
    ID_CARD = "id_card"
    EMAIL = "email"
    PLATE = "plate"


PLACEHOLDERS: Mapping[RedactionKind, str] = MappingProxyType(
    {
        RedactionKind.NAME: NAME_PLACEHOLDER,
        RedactionKind.PHONE: PHONE_PLACEHOLDER,
        RedactionKind.ADDRESS: ADDRESS_PLACEHOLDER,
        RedactionKind.ID_CARD: ID_CARD_PLACEHOLDER,
        RedactionKind.EMAIL: EMAIL_PLACEHOLDER,
        RedactionKind.PLATE: PLATE_PLACEHOLDER,
    }
)


@dataclass(frozen=True)
class RedactionResult:
    """The redacted text and how many spans of each kind were replaced.

    ``found`` always has one entry per :class:`RedactionKind` (zero when nothing was found) and is
    read-only.
    """

    text: str
    found: Mapping[str, int]

    @property
    def total(self) -> int:
        """Number of spans replaced, all kinds together."""
        return sum(self.found.values())


# --------------------------------------------------------------------------------------------
# Normalisation. Matching runs on a copy where full-width ASCII, odd spaces and dashes are folded
# to plain ASCII one character for one character, so every offset found in the copy is valid in
# the original and the output keeps the writer's characters.


def _normalisation_table() -> dict[int, str]:
    table = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    for code in (0x3000, 0x00A0, 0x202F, 0x205F, 0xFEFF, *range(0x2000, 0x200C)):
        table[code] = " "
    for code in (*range(0x2010, 0x2016), 0x2212, 0xFE63):
        table[code] = "-"
    for code in (0x2022, 0x2027, 0x30FB, 0x2219):
        table[code] = "·"
    return table


_NORMALISE = _normalisation_table()


def _normalise(text: str) -> str:
    return text.translate(_NORMALISE)


# --------------------------------------------------------------------------------------------
# Word lists.


def _words(*lines: str) -> tuple[str, ...]:
    return tuple(" ".join(lines).split())


# Characters that are almost never part of a place or person name but are everywhere in ticket
# prose. Excluding them from name-like runs stops a match from swallowing the words before it
# ("师傅到文三路478号" must lose "文三路478号", not "师傅到文三路478号").
_BARRIER = (
    "在到去往住于从至的了是与及为把被给对说称报修映诉查看测换装拆移赶达址请约等您我你他她它们"
    "这那该个此其户也就还又再已很较更最由因但而或并且则只仅才刚要能可应需必得着过吗呢吧啊呀"
    "哦嗯哈傅醒业整同旁附近边工隔壁"
)
_COMPOUND_SURNAMES = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 长孙 宇文 司徒 轩辕 端木 独孤",
    "南宫 西门 百里 呼延 澹台 申屠 太史 闻人 赫连 钟离 宗政 濮阳 公冶 单于 完颜 万俟 司空",
    "东郭 拓跋",
)
_COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿"
    "关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华"
    "喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗"
    "瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
# Characters that are both a surname and a common word ("和", "于"): a titled match starting with
# one of them that also matches one character later is taken from there ("和王明先生" keeps 和).
_AMBIGUOUS_SURNAME_CHARS = frozenset("和于向应时全解查成文明路师商单")
# What may follow the customer's own surname, most specific first. Privacy wins over
# readability: the technician "张师傅" is redacted when the customer is a 张, because the two
# cannot be told apart in free text.
_SURNAME_TITLES = _words(
    "先生 女士 小姐 太太 夫人 师傅 阿姨 大爷 大妈 大娘 大姐 大哥 大叔 大伯 奶奶 爷爷 婆婆",
    "老师 老板 经理 主任 同学 某某 总 工 姐 哥 叔 婶 姨 伯 某",
)
# Titles that may follow any form of the customer's name and go with it ("王建国先生", "锋哥").
_TRAILING_TITLES = (
    "(?:先生|女士|小姐|太太|夫人|师傅|阿姨|大爷|大妈|大姐|大哥|老师|老板|经理|主任|同学|姐|哥)?"
)
# Surname + title and 老/小 + surname forms that are ordinary words, never a name.
_NAME_FORM_WORDS = frozenset(
    _words(
        "施工 童工 加工 化工 开工 小时 小心 小区 小米 小麦 小于 小路 小包 小车 小康 小管 小孔",
        "小毛 小费 小卫 小程 小商 小房 小阳 小单 小项 小麻 小冷 小温 小方 小组 老化 老师 老年",
        "老家 老路 老房 老板 老公 老管 老毛 老车 老式 老旧 老人 老是 老实 老大 老伴",
    )
)
# Technical words holding a name form of some surname ("小马达" holds 小马, "金属" holds 金). A
# customer-name match that cuts into one is dropped; one covering the whole term is kept (the
# customer really is called 马达).
_PROTECTED_TERMS = _words(
    "马达 小马达 金属 高压 高温 高低压 高速 高度 温度 温差 小温差 小时 小于 小区 小孔 小方块",
    "小毛病 老毛病 老化 施工 老师傅 小程序 小卫生间 小阳台 小房间 小管 毛细管 小路口 老路口",
    "常温 常压 常开 常闭 方向 方块 石墨 石英 钟表 江水 向阳面 应答 全自动 全直流 于是 由于",
    "关机 关闭 开关 安装 安全 成功 明显 时间 文档 华氏 韦伯 伍德 万用表 毕业 管理 管道",
    "单元机 单相 单冷 双向 车间 程序 宁可",
)
# Words ending in 路/道 that are circuits, pipes and ducts, not roads ("电源线路3号端子").
_TECHNICAL_ROADS = frozenset(
    _words(
        "线路 电路 回路 管路 油路 水路 气路 短路 断路 通路 支路 开路 旁路 风路 环路 主路 辅路",
        "一路 通道 管道 风道 烟道 水道 轨道 频道 渠道 车道 味道 知道 隧道 气道 油道",
    )
)
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# --------------------------------------------------------------------------------------------
# Phones, ID cards, e-mails, plates.


def _han_except(excluded: str) -> str:
    return rf"[^\x00-\u4dff\ua000-\U0010ffff{excluded}]"


def _placeholder(kind: RedactionKind) -> str:
    return re.escape(PLACEHOLDERS[kind])


# Optional separator between two digits of a phone number: spaces, or one dash/dot with spaces.
_SEP = r"(?:[ \t]*[-.·][ \t]*|[ \t]+)?"
_COUNTRY = r"(?:(?:\+|00)[ \t]*86|\([ \t]*\+?[ \t]*86[ \t]*\)|86)[ \t]*-?[ \t]*"
_EXTENSION_MARK = r"[ \t]*(?:转|分机|ext\.?|x|-)[ \t]*\d{1,5}(?!\d)"
_CN_DIGIT = "[零〇一二三四五六七八九幺两]"

_ID_CARD_IN_CONTEXT = re.compile(
    r"(?<!【)(?:身份证|证件)(?:号码|号)?[ \t]*:?[ \t]*(?:是|为)?[ \t]*"
    r"(?P<r>(?:[0-9Xx][ \t-]?){14,17}[0-9Xx])(?![0-9A-Za-z])"
)
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}[ \t-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"[ \t-]?\d{3}[0-9Xx](?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MOBILE = re.compile(rf"(?<!\d)(?:{_COUNTRY})?1{_SEP}[3-9](?:{_SEP}\d){{9}}(?!\d)")
# A mobile dictated digit by digit in Chinese numerals (一三八零零一三八零零零, 幺 for 1).
_MOBILE_IN_CHINESE_NUMERALS = re.compile(
    rf"(?<!{_CN_DIGIT})[一幺][ \t]*[三四五六七八九](?:[ \t]*{_CN_DIGIT}){{9}}(?!{_CN_DIGIT})"
)
# Landlines need an area code (0 + 2-3 digits, or the +86 form without the 0); 400/800 service
# hotlines therefore never match, and neither do dates, prices or part numbers.
_LANDLINE = re.compile(
    rf"(?<![\d.])(?:\([ \t]*0\d{{2,3}}[ \t]*\)|0\d{{2,3}}|{_COUNTRY}\(?0?[1-9]\d{{1,2}}\)?)"
    rf"[ \t]*-?[ \t]*[2-9](?:{_SEP}\d){{6,7}}(?!\d)(?:{_EXTENSION_MARK})?"
)
# A number right after a word saying it is a phone is one, whatever its shape, unless a hotline.
_PHONE_IN_CONTEXT = re.compile(
    r"(?<!【)(?i:电话|手机|座机|固话|联系方式|tel|phone|mobile)(?:号码|号)?"
    r"[ \t]*:?[ \t]*(?:是|为)?[ \t]*(?!400|800|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
    rf"(?P<r>\d(?:{_SEP}\d){{6,11}})(?!\d)"
)
_MESSAGING_ID = re.compile(
    r"(?i:微信|wechat|vx|qq)(?:号)?[ \t]*:?[ \t]*(?:是|为)?[ \t]*"
    r"(?P<r>[A-Za-z0-9][A-Za-z0-9_-]{4,19})(?![A-Za-z0-9_-])"
)
# 400/800 numbers are the brand's and its outlets' service hotlines, never a customer's.
_HOTLINE = re.compile(r"[48]00\d{7}")
# The customer's own digits are looked for across line breaks too: the digits are known exactly.
_DIGIT_RUN = re.compile(r"\d(?:(?:\s*[-.·]\s*|\s+)?\d)*")
_DASHED_EXTENSION = re.compile(r"-[ \t]*(\d{1,5})[ \t]*$")
# Fold a country or area code before a redacted number, and an extension after it, into it.
_PHONE_REMAINDER = re.compile(
    rf"(?:{_COUNTRY}|\([ \t]*0\d{{2,3}}[ \t]*\)|(?<![\d.])0\d{{2,3}})[ \t]*-?[ \t]*"
    rf"{_placeholder(RedactionKind.PHONE)}(?:{_EXTENSION_MARK})?"
    rf"|{_placeholder(RedactionKind.PHONE)}{_EXTENSION_MARK}"
)
_PLATE = re.compile(
    rf"[{_PLATE_PROVINCES}][A-Za-z][ \t]*[·.-]?[ \t]*"
    r"(?P<tail>[A-Za-z0-9]{5,6}(?![A-Za-z0-9])|[A-Za-z0-9]{4}[挂学警港澳])"
)
_NEW_ENERGY_TAIL = re.compile(r"[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]")

# --------------------------------------------------------------------------------------------
# Addresses: admin divisions, then a road with a house number, a residential compound or
# building details. A bare number is an address only in that company, so "2号端子" survives.

_PLACE_CHAR = _han_except(_BARRIER + "省市区县镇乡")
_COMPOUND_CHAR = _han_except(_BARRIER)
_NUM = r"[0-9零〇一二三四五六七八九十百千]+"
_ID_PART = r"[0-9A-Za-z零〇一二三四五六七八九十]+"
_ADMIN_SEGMENT = rf"{_PLACE_CHAR}{{2,5}}?(?:自治区|自治州|新区|街道|省|市|区|县|旗|镇|乡)"
_ROAD = rf"(?P<road>{_PLACE_CHAR}{{2,5}}?(?:大道|大街|胡同|路|街|道|巷|弄))"
# Long roads are numbered per section or side: 人民南路四段27号, 人民大道南45号.
_ROAD_SECTION = r"(?:[东南西北中一二三四五六七八九十]{1,2}段|[东南西北中])?"
_HOUSE_UNIT = r"(?:号院|号楼|支弄|号|弄)"
_HOUSE = rf"{_NUM}(?:-{_NUM})?[ \t]*{_HOUSE_UNIT}(?:[ \t]*{_NUM}(?:-{_NUM})?[ \t]*{_HOUSE_UNIT})?"
# After a road the 号 is often left out ("文三路478那栋楼"); a unit or decimal after it is not.
_BARE_HOUSE = r"\d+(?![\d.A-Za-z%℃°公米千万个台次年月日天小分秒条元块度])"
_ROAD_HOUSE = rf"{_ROAD}[ \t]*{_ROAD_SECTION}[ \t]*(?:{_HOUSE}|{_BARE_HOUSE})"
_STRONG_COMPOUND = rf"{_COMPOUND_CHAR}{{2,4}}?(?:小区|新村|家园|公寓|社区)"
_WEAK_COMPOUND = (
    rf"{_COMPOUND_CHAR}{{1,5}}?(?:花园|华庭|华府|广场|大厦|大楼|中心|山庄|公馆|宿舍|大院"
    r"|苑|园|庭|府|城|村|里|湾|郡|阁|轩|邸|庄|坊)"
)
_BUILDING = rf"{_ID_PART}[ \t]*(?:号楼|号院|栋|幢|座|#楼|#)"
_UNIT = rf"{_ID_PART}[ \t]*单元(?!机)"
_GROUP = rf"{_ID_PART}[ \t]*(?:组|队|社)"
_FLOOR = rf"{_ID_PART}[ \t]*(?:楼|层)(?![梯道板顶下上面])"
# A house number after a compound: not 号 followed by words that make it a technical position.
_COMPOUND_HOUSE = rf"{_NUM}[ \t]*号(?![楼院线端机位插口键阀管板电风])"
_ROOM = r"\d+(?:-\d+)?[ \t]*(?:室|房|户)?(?![\d外内厅机])"
_DETAILS = rf"(?:{_BUILDING}|{_UNIT}|{_GROUP}|{_FLOOR}|{_COMPOUND_HOUSE})"
_CHAIN = rf"(?:[ \t]*{_DETAILS})+(?:[ \t]*{_ROOM})?"
# Building details that are an address with nothing before them ("12栋2单元1801", "502室").
_STANDALONE = (
    r"(?<![0-9A-Za-z第])(?:\d+[ \t]*弄[ \t]*\d+[ \t]*号"
    rf"|(?:\d+[A-Za-z]?[ \t]*(?:号楼|号院|栋|幢)|\d+[ \t]*单元(?!机))(?:{_CHAIN})?"
    rf"(?:[ \t]*{_ROOM})?|\d{{3,4}}[ \t]*室(?![外内厅]))"
)
_ADDRESS = re.compile(
    rf"(?:{_ADMIN_SEGMENT}){{0,4}}"
    rf"(?:{_ROAD_HOUSE}(?:{_STRONG_COMPOUND}|{_WEAK_COMPOUND})?(?:{_CHAIN})?"
    rf"|{_STRONG_COMPOUND}(?:{_CHAIN})?|{_WEAK_COMPOUND}{_CHAIN})|{_STANDALONE}"
)
_ADDRESS_STOP = r"(?:电话|手机|联系|客户|用户|故障|型号|报修|反映|师傅|[,。;!?\n【】])"
_ADDRESS_IN_CONTEXT = re.compile(
    r"(?<!【)(?:地址|住址|家住|住在|居住在|搬到)[ \t]*:?[ \t]*(?:是|为)?[ \t]*"
    rf"(?P<r>(?:(?!{_ADDRESS_STOP}).){{3,40}}?)(?={_ADDRESS_STOP}|$)",
    re.MULTILINE,
)
_ADDRESS_EVIDENCE = re.compile(r"[0-9省市区县镇乡村路街巷弄栋幢苑园]")
# Fold what is left around a redacted address into it: the district before, the building
# details after ("浦东新区【地址】5号3单元502室" -> "【地址】").
_ADDRESS_REMAINDER = re.compile(
    rf"(?:{_ADMIN_SEGMENT}){{1,4}}{_placeholder(RedactionKind.ADDRESS)}"
    rf"|{_placeholder(RedactionKind.ADDRESS)}"
    rf"(?:[ \t]*(?:{_HOUSE}|{_BUILDING}|{_UNIT}|{_GROUP}|{_FLOOR}))+(?:[ \t]*{_ROOM})?"
    # building-unit-room written with dashes: 【地址】5-3-502
    rf"|{_placeholder(RedactionKind.ADDRESS)}[ \t]*\d+(?:-\d+){{1,3}}(?![\d.])"
)

# --------------------------------------------------------------------------------------------
# Names of people who are not in the customer field: how customers are addressed. Technicians
# are 师傅/工, so only these titles mark a customer by shape.

_SURNAME = "(?:" + "|".join(_COMPOUND_SURNAMES) + f"|[{_COMMON_SURNAMES}])"
_CUSTOMER_TITLES = "(?:先生|女士|小姐|太太|夫人)"
_TITLED_PERSON = re.compile(rf"{_SURNAME}(?:{_han_except(_BARRIER)}{{1,2}}?)?{_CUSTOMER_TITLES}")
_TITLED_SURNAME_ONLY = re.compile(rf"{_SURNAME}{_CUSTOMER_TITLES}")
_PROTECTED_TERM = re.compile("|".join(sorted(_PROTECTED_TERMS, key=len, reverse=True)))
# The same placeholder twice in a row reads as one span ("地址【地址】【地址】" -> "地址【地址】").
_REPEATED = MappingProxyType(
    {
        kind: re.compile(rf"{_placeholder(kind)}(?:[ \t]*{_placeholder(kind)})+")
        for kind in PLACEHOLDERS
    }
)

# --------------------------------------------------------------------------------------------
# Finding spans.

_Spans = list[tuple[int, int]]


@dataclass
class _Work:
    """The text being redacted, as written and folded, kept aligned span for span."""

    normalised: str
    original: str
    found: dict[str, int]

    def replace(self, kind: RedactionKind, spans: _Spans, *, counted: bool = True) -> None:
        """Swap each span (in order, not overlapping) for the kind's placeholder in both copies."""
        if not spans:
            return
        placeholder = PLACEHOLDERS[kind]
        normalised: list[str] = []
        original: list[str] = []
        last = 0
        for start, end in spans:
            normalised += (self.normalised[last:start], placeholder)
            original += (self.original[last:start], placeholder)
            last = end
        self.normalised = "".join([*normalised, self.normalised[last:]])
        self.original = "".join([*original, self.original[last:]])
        if counted:
            self.found[kind] += len(spans)


def _spans(
    pattern: re.Pattern[str], text: str, accept: Callable[[re.Match[str]], bool] | None = None
) -> _Spans:
    """Spans of the accepted matches (of their ``r`` group when the pattern has one)."""
    group = "r" if "r" in pattern.groupindex else 0
    found: _Spans = []
    for match in pattern.finditer(text):
        if accept is None or accept(match):
            start, end = match.span(group)
            if end > start:
                found.append((start, end))
    return found


def _outside_protected_terms(spans: _Spans, text: str) -> _Spans:
    """Drop the spans that cut into a protected technical term without covering it."""
    terms = [m.span() for m in _PROTECTED_TERM.finditer(text)]
    if not terms:
        return spans
    return [
        (start, end)
        for start, end in spans
        if not any(
            start < term_end and term_start < end and not (start <= term_start and term_end <= end)
            for term_start, term_end in terms
        )
    ]


def _is_plate(match: re.Match[str]) -> bool:
    tail = match.group("tail").upper()
    if len(tail) == 6:
        return bool(_NEW_ENERGY_TAIL.fullmatch(tail))
    letters = sum(char.isalpha() and char.isascii() for char in tail)
    return letters <= 2 and "I" not in tail and "O" not in tail


def _is_not_technical_road(match: re.Match[str]) -> bool:
    road = match.group("road")
    return road is None or road[-2:] not in _TECHNICAL_ROADS


def _has_address_evidence(match: re.Match[str]) -> bool:
    return bool(_ADDRESS_EVIDENCE.search(match.group("r")))


def _titled_people(text: str) -> _Spans:
    found: _Spans = []
    for match in _TITLED_PERSON.finditer(text):
        start, end = match.span()
        if text[start] in _AMBIGUOUS_SURNAME_CHARS and (
            _TITLED_PERSON.fullmatch(text, start + 1, end)
            or _TITLED_SURNAME_ONLY.fullmatch(text, start + 1, end)
        ):
            start += 1
        found.append((start, end))
    return found


# --------------------------------------------------------------------------------------------
# Patterns built from the ticket's own customer fields.


def _spaced(value: str) -> str:
    """Pattern for ``value`` allowing spaces between its characters."""
    return r"[ \t]*".join(re.escape(char) for char in value)


def _split_name(name: str) -> tuple[str, str]:
    """``(surname, given name)``; a name recorded as ``王先生`` has no given name."""
    for title in _SURNAME_TITLES:
        if name.endswith(title) and len(name) > len(title):
            name = name[: -len(title)]
            break
    for compound in _COMPOUND_SURNAMES:
        if name.startswith(compound):
            return compound, name[len(compound) :]
    return name[:1], name[1:]


def _name_pattern(customer_name: str) -> re.Pattern[str] | None:
    name = re.sub(r"\s+", "", _normalise(customer_name))
    if not name:
        return None
    if "·" in name:
        parts = [name, *(part for part in name.split("·") if len(part) >= 2)]
        alternatives = [_spaced(part) for part in sorted(parts, key=len, reverse=True)]
    elif all(_is_han(char) for char in name):
        surname, given = _split_name(name)
        titles = [title for title in _SURNAME_TITLES if surname + title not in _NAME_FORM_WORDS]
        prefixes = [prefix for prefix in ("老", "小") if prefix + surname not in _NAME_FORM_WORDS]
        # Title forms first: a customer called 龙女 is addressed as 龙女士, which must go whole.
        alternatives = [f"{re.escape(surname)}(?:{'|'.join(titles)})"]
        if given:
            alternatives.append(_spaced(surname + given))
        if prefixes:
            alternatives.append(f"(?:{'|'.join(prefixes)}){re.escape(surname)}")
        if len(given) >= 2:
            alternatives.append(_spaced(given))
        elif given:
            alternatives.append(f"{re.escape(given)}[哥姐]")
    else:
        parts = [name, *(part for part in re.split(r"[\s·.]+", customer_name) if len(part) >= 3)]
        alternatives = [_spaced(part) for part in sorted(parts, key=len, reverse=True)]
    return re.compile(f"(?:{'|'.join(alternatives)}){_TRAILING_TITLES}", re.IGNORECASE)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _phone_cores(customer_phone: str) -> tuple[str, ...]:
    """The digit strings that identify the customer's numbers, longest first.

    A landline also yields its local part, which people dial without the area code; a country
    prefix and an extension are dropped; a 400/800 hotline typed into the field yields nothing.
    """
    cores = set()
    for number in re.split(r"[/,;、|]|或|和", _normalise(customer_phone)):
        digits = re.sub(r"\D", "", re.split(r"转|分机|ext", number, maxsplit=1)[0])
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86") and len(digits) in (12, 13):
            digits = digits[2:]
        extension = _DASHED_EXTENSION.search(number)
        if extension and _is_complete_number(digits[: -len(extension.group(1))]):
            digits = digits[: -len(extension.group(1))]
        if len(digits) < 7 or _HOTLINE.fullmatch(digits):
            continue
        cores.add(digits)
        if digits.startswith("0") and len(digits) >= 10:
            local = digits[3:] if digits[1] in "12" else digits[4:]
            if len(local) >= 7:
                cores.add(local)
    return tuple(sorted(cores, key=len, reverse=True))


def _is_complete_number(digits: str) -> bool:
    return bool(re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}", digits))


def _customer_phone_spans(text: str, cores: tuple[str, ...]) -> _Spans:
    """Spans of the customer's numbers however their digits are spaced or dashed.

    Works on runs of digits and separators, so a number spelled ``1 3 8 0 0 ...`` or glued to
    other digits is still found, without compiling anything per customer.
    """
    spans: _Spans = []
    for run in _DIGIT_RUN.finditer(text):
        positions = [run.start() + i for i, char in enumerate(run.group()) if char.isdecimal()]
        digits = "".join(text[position] for position in positions)
        for core in cores:
            index = digits.find(core)
            if index >= 0:
                spans.append((positions[index], positions[index + len(core) - 1] + 1))
                break
    return spans


_ADDRESS_TOKEN = re.compile(
    r".+?(?:自治区|自治州|新区|街道|小区|社区|新村|家园|公寓|花园|大道|大街|胡同|号院|号楼|单元|广场|"
    r"大厦|省|市|区|县|旗|镇|乡|路|街|巷|弄|村|组|号|栋|幢|座|楼|层|室|苑|园|庭|府|城|里|湾|郡)|.+$"
)
_ADMIN_TOKEN = re.compile(r".*(?:自治区|自治州|新区|街道|省|市|县|旗|镇|乡|(?<![小社])区)")
_NUMERIC_TOKEN = re.compile(r"[0-9A-Za-z零〇一二三四五六七八九十#-]+.{0,2}")
_SUFFIX_ONLY_TOKENS = frozenset(_words("小区 社区 新村 家园 公寓 大道 大街 胡同 广场 大厦"))
_STRONG_NUMERIC_SUFFIXES = ("室", "栋", "幢", "单元", "号楼", "号院", "弄")


def _address_fragments(customer_address: str) -> set[str]:
    address = re.sub(r"\s+", "", _normalise(customer_address))
    if not address:
        return set()
    tokens: list[str] = []
    fragments = {address}
    for token in _ADDRESS_TOKEN.findall(address):
        if tokens and (token in _SUFFIX_ONLY_TOKENS or len(token) == 1):
            if len(tokens[-1]) >= 3 and not _NUMERIC_TOKEN.fullmatch(tokens[-1]):
                fragments.add(tokens[-1])
            tokens[-1] += token
        else:
            tokens.append(token)
    kinds = [
        "admin"
        if _ADMIN_TOKEN.fullmatch(token)
        else "number"
        if _NUMERIC_TOKEN.fullmatch(token)
        else "place"
        for token in tokens
    ]
    first_detail = next((i for i, kind in enumerate(kinds) if kind != "admin"), len(tokens))
    if first_detail < len(tokens):
        fragments.add("".join(tokens[first_detail:]))
    for i, (token, kind) in enumerate(zip(tokens, kinds, strict=True)):
        if kind == "place":
            end = i + 1
            while end < len(tokens) and kinds[end] == "number":
                end += 1
            if end > i + 1 or len(token) >= 3:
                fragments.add("".join(tokens[i:end]))
            if len(token) >= 3:
                fragments.add(token)
        elif kind == "number":
            if token.endswith(_STRONG_NUMERIC_SUFFIXES):
                fragments.add(token)
            end = i + 1
            while end < len(tokens) and kinds[end] == "number":
                end += 1
            if end > i + 1:
                fragments.add("".join(tokens[i:end]))
    return fragments


def _address_pattern(customer_address: str) -> re.Pattern[str] | None:
    fragments = _address_fragments(customer_address)
    if not fragments:
        return None
    alternatives = []
    for fragment in sorted(fragments, key=len, reverse=True):
        # A fragment ending or starting in a digit must not match inside a longer number.
        before = r"(?<!\d)" if fragment[0].isdigit() else ""
        after = r"(?!\d)" if fragment[-1].isdigit() else ""
        alternatives.append(f"{before}{_spaced(fragment)}{after}")
    return re.compile("|".join(alternatives))


@functools.lru_cache(maxsize=256)
def _customer_patterns(
    customer_name: str, customer_phone: str, customer_address: str
) -> tuple[tuple[str, ...], re.Pattern[str] | None, re.Pattern[str] | None]:
    """The customer's phone digits and address and name patterns (``None`` when empty).

    Cached per customer: the free-text fields of one ticket share one compilation.
    """
    return (
        _phone_cores(customer_phone),
        _address_pattern(customer_address),
        _name_pattern(customer_name),
    )


# --------------------------------------------------------------------------------------------
# Public API.


# Another person named next to a relation word: 儿子代报修（林宏伟，…）, 联系人：张小红. Only the
# name is replaced; the relation word stays, it helps the reader and identifies nobody.
_NAME_STOP = r"(?=[，,、）)：:；;\s]|电话|手机|联系|\d|【|$)"
_RELATIVE_NAMED = re.compile(
    r"(?:儿子|女儿|丈夫|妻子|老公|老婆|爱人|家属|邻居|朋友|父亲|母亲|亲戚|联系人|代报修人?|报修人)"
    r"(?:代报修|代为报修)?[（(：:\s]*"
    r"(?P<r>[\u4e00-\u9fff]{2,3})" + _NAME_STOP
)


def redact_text(
    text: str,
    *,
    customer_name: str = "",
    customer_phone: str = "",
    customer_address: str = "",
) -> RedactionResult:
    """Replace customer data in ``text`` with placeholders.

    The customer fields, when given, are found in every spelling described in the module
    docstring; shape-based detectors run whether or not they are given. The order is fixed:
    ID cards and e-mails first (so their digits are not read as phones), then phones and plates,
    then addresses (so a road named like the customer, 张杨路, is redacted as an address), then
    names. The returned text differs from ``text`` only inside redacted spans.
    """
    found = {kind.value: 0 for kind in RedactionKind}
    if not text or text.isspace():
        return RedactionResult(text=text, found=MappingProxyType(found))
    phone_digits, address, name = _customer_patterns(
        customer_name.strip(), customer_phone.strip(), customer_address.strip()
    )
    work = _Work(normalised=_normalise(text), original=text, found=found)
    kind = RedactionKind

    work.replace(kind.ID_CARD, _spans(_ID_CARD_IN_CONTEXT, work.normalised))
    work.replace(kind.ID_CARD, _spans(_ID_CARD, work.normalised))
    work.replace(kind.EMAIL, _spans(_EMAIL, work.normalised))
    work.replace(kind.PHONE, _customer_phone_spans(work.normalised, phone_digits))
    for phone in (
        _MOBILE,
        _MOBILE_IN_CHINESE_NUMERALS,
        _LANDLINE,
        _PHONE_IN_CONTEXT,
        _MESSAGING_ID,
    ):
        work.replace(kind.PHONE, _spans(phone, work.normalised))
    work.replace(kind.PHONE, _spans(_PHONE_REMAINDER, work.normalised), counted=False)
    work.replace(kind.PLATE, _spans(_PLATE, work.normalised, _is_plate))
    if address is not None:
        work.replace(kind.ADDRESS, _spans(address, work.normalised))
    work.replace(kind.ADDRESS, _spans(_ADDRESS_IN_CONTEXT, work.normalised, _has_address_evidence))
    work.replace(kind.ADDRESS, _spans(_ADDRESS, work.normalised, _is_not_technical_road))
    work.replace(kind.ADDRESS, _spans(_ADDRESS_REMAINDER, work.normalised), counted=False)
    if name is not None:
        spans = _outside_protected_terms(_spans(name, work.normalised), work.normalised)
        work.replace(kind.NAME, spans)
    work.replace(kind.NAME, _titled_people(work.normalised))
    work.replace(kind.NAME, _spans(_RELATIVE_NAMED, work.normalised))
    for repeated in kind:
        work.replace(repeated, _spans(_REPEATED[repeated], work.normalised), counted=False)

    return RedactionResult(text=work.original, found=MappingProxyType(found))


def redact_ticket(
    fields: Mapping[str, str], *, free_text_fields: tuple[str, ...]
) -> dict[str, str]:
    """Return a copy of ``fields`` that is safe to show to technicians.

    Every field named in ``free_text_fields`` is redacted with the ticket's own
    ``customer_name`` / ``customer_phone`` / ``customer_address``; names in ``free_text_fields``
    that the ticket lacks are ignored. The three customer fields themselves are replaced by their
    placeholders (or kept empty when they were empty), so no customer value leaves through the
    returned dict. Every other field is copied unchanged.
    """
    customer = {
        "customer_name": fields.get("customer_name", "") or "",
        "customer_phone": fields.get("customer_phone", "") or "",
        "customer_address": fields.get("customer_address", "") or "",
    }
    redacted = dict(fields)
    for field_name in free_text_fields:
        value = fields.get(field_name)
        if value:
            redacted[field_name] = redact_text(value, **customer).text
    for field_name, placeholder in (
        ("customer_name", NAME_PLACEHOLDER),
        ("customer_phone", PHONE_PLACEHOLDER),
        ("customer_address", ADDRESS_PLACEHOLDER),
    ):
        if field_name in redacted:
            redacted[field_name] = placeholder if customer[field_name].strip() else ""
    return redacted
