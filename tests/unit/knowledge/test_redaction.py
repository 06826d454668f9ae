"""Customer data never survives redaction; technical content always does."""

import dataclasses
import re

import pytest

from knowledge.redaction import (
    ADDRESS_PLACEHOLDER,
    EMAIL_PLACEHOLDER,
    ID_CARD_PLACEHOLDER,
    NAME_PLACEHOLDER,
    PHONE_PLACEHOLDER,
    PLATE_PLACEHOLDER,
    RedactionKind,
    redact_text,
    redact_ticket,
)
from tests.unit.knowledge.redaction_corpus import CORPUS, RedactionCase

# ------------------------------------------------------------------------------------------------
# What counts as a leak. Written independently of the module so the check cannot share its bugs.

_FULL_WIDTH = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}
_SEPARATORS = re.compile(r"[\s\-.·()+—]")
_HOTLINE = re.compile(r"[48]00\d{7}")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "慕容", "钟离")
_TITLES = ("先生", "女士", "小姐", "太太", "师傅", "阿姨", "大爷", "姐", "哥")
_ROAD_NAME = re.compile(
    r"[\u4e00-\u9fff]{2}(?:大道|大街|路|街|道|巷|胡同)(?=[东南西北中一二三四五六七八九十\d])"
)
_HOUSE_NUMBER = re.compile(
    r"(?:路|街|道|巷|弄|段|[东南西北中])(?:\d+|[一二三四五六七八九十百]+)(?:号|弄)"
)
_COMPOUND = re.compile(r"[\u4e00-\u9fff]{2}(?:小区|花园|家园|新村|公寓|大厦|城|村)(?=\d)")
_BUILDING = re.compile(r"\d+(?:栋|幢|号楼|组|楼|单元)\d+")


def _fold(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def _squeeze(text: str) -> str:
    return _SEPARATORS.sub("", _fold(text))


def _phone_digit_windows(phone: str) -> set[str]:
    windows = set()
    for number in re.split(r"[/,，;；、]", _fold(phone)):
        digits = re.sub(r"\D", "", re.split(r"转|分机", number)[0])
        digits = digits.removeprefix("0086")
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if _HOTLINE.fullmatch(digits):
            continue  # a service hotline typed into the phone field is not the customer's
        windows |= {digits[i : i + 7] for i in range(len(digits) - 6)}
    return windows


def _surname_and_given(name: str) -> tuple[str, str]:
    name = re.sub(r"\s+", "", name)
    for title in ("先生", "女士", "小姐"):
        name = name.removesuffix(title)
    for compound in _COMPOUND_SURNAMES:
        if name.startswith(compound):
            return compound, name[len(compound) :]
    return name[:1], name[1:]


def _address_cores(address: str) -> set[str]:
    address = _fold(re.sub(r"\s+", "", address))
    return {
        *_ROAD_NAME.findall(address),
        *_HOUSE_NUMBER.findall(address),
        *_COMPOUND.findall(address),
        *_BUILDING.findall(address),
    }


def _secrets(case: RedactionCase) -> set[str]:
    """Every string that must be absent from the redacted texts of ``case``."""
    secrets = set(case.other_secrets)
    whole_input = _fold("".join(case.texts))
    name = re.sub(r"\s+", "", case.customer_name)
    surname, given = _surname_and_given(name)
    if given:
        secrets.add(name)
    if len(given) >= 2:
        secrets.add(given)
    secrets |= {surname + title for title in _TITLES if surname + title in whole_input}
    if case.customer_address:
        cores = _address_cores(case.customer_address)
        assert cores, f"{case.case_id}: no road, number or building found in the address field"
        secrets |= cores
    return secrets


def _leaks(case: RedactionCase, redacted_texts: list[str]) -> list[str]:
    leaks = []
    phone_windows = _phone_digit_windows(case.customer_phone)
    for text in redacted_texts:
        folded, squeezed = _fold(text), _squeeze(text)
        for secret in sorted(_secrets(case)):
            if secret in folded or _squeeze(secret) in squeezed:
                leaks.append(f"{case.case_id}: {secret!r} survived in {text!r}")
        for window in sorted(phone_windows):
            if window in squeezed:
                leaks.append(f"{case.case_id}: phone digits {window} survived in {text!r}")
    return leaks


def _redact_case(case: RedactionCase) -> list[str]:
    return [
        redact_text(
            text,
            customer_name=case.customer_name,
            customer_phone=case.customer_phone,
            customer_address=case.customer_address,
        ).text
        for text in case.texts
    ]


# ------------------------------------------------------------------------------------------------
# The corpus.


def test_corpus_is_large_and_varied_enough_to_mean_something():
    assert len(CORPUS) >= 120
    assert len({case.case_id for case in CORPUS}) == len(CORPUS)
    prefixes = {case.case_id.split("-")[0] for case in CORPUS}
    assert {"ac", "cac", "wm", "fr", "wh", "tr"} <= prefixes


def test_no_customer_data_leaks_anywhere_in_the_corpus():
    leaks = []
    checked = 0
    for case in CORPUS:
        leaks += _leaks(case, _redact_case(case))
        checked += len(case.texts)
    print(f"redaction corpus: {len(CORPUS)} cases, {checked} texts, {len(leaks)} leaks")
    assert leaks == [], "\n".join(leaks)


def test_every_technical_substring_in_the_corpus_survives():
    lost = []
    for case in CORPUS:
        redacted = "\n".join(_redact_case(case))
        lost += [
            f"{case.case_id}: {keep!r} lost" for keep in case.must_survive if keep not in redacted
        ]
    kept = sum(len(case.must_survive) for case in CORPUS)
    print(f"redaction corpus: {kept} technical substrings checked, {len(lost)} lost")
    assert lost == [], "\n".join(lost)


def test_redacting_redacted_text_changes_nothing():
    for case in CORPUS:
        for text in _redact_case(case):
            again = redact_text(
                text,
                customer_name=case.customer_name,
                customer_phone=case.customer_phone,
                customer_address=case.customer_address,
            )
            assert again.text == text, case.case_id
            assert again.total == 0, case.case_id


# ------------------------------------------------------------------------------------------------
# Phones.


@pytest.mark.parametrize(
    "spelling",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "1380 013 8000",
        "138.0013.8000",
        "+86 13800138000",
        "+86-138-0013-8000",
        "86-13800138000",
        "(+86)138 0013 8000",
        "（+86）13800138000",
        "008613800138000",
        "１３８００１３８０００",
        "１３８ ００１３ ８０００",
    ],
)
def test_phone_numbers_are_removed_in_every_common_spelling(spelling):
    result = redact_text(f"客户电话{spelling}，晚上联系。")

    assert result.text == f"客户电话{PHONE_PLACEHOLDER}，晚上联系。"
    assert result.found["phone"] == 1


@pytest.mark.parametrize(
    "spelling",
    [
        "021-58881234",
        "0755 2665 1234",
        "(020)38765432",
        "（020）38765432",
        "0571-8765-1234",
        "+86 21 5888 1234",
        "021-58881234转802",
        "0755-26651234-802",
        "010-62581234 分机 8001",
    ],
)
def test_landlines_with_area_codes_and_extensions_are_removed(spelling):
    result = redact_text(f"座机{spelling}，工作日有人。")

    assert result.text == f"座机{PHONE_PLACEHOLDER}，工作日有人。"


@pytest.mark.parametrize(
    "hotline",
    ["400-820-1234", "4008201234", "400 820 1234", "800-830-1234", "８００８３０１２３４"],
)
def test_400_service_hotlines_are_not_treated_as_customer_phones(hotline):
    text = f"如需帮助请拨打服务热线{hotline}，电话{hotline}也可以。"

    assert redact_text(text, customer_phone="13800138000").text == text


def test_a_hotline_typed_into_the_phone_field_is_not_redacted_as_the_customers():
    text = "客户留的是热线4008201234。"

    assert redact_text(text, customer_phone="400-820-1234").text == text


def test_the_customers_own_number_is_removed_even_without_a_phone_shape():
    result = redact_text(
        "家人接听了62581234，也可拨 1 3 8 0 0 1 3 8 0 0 0。",
        customer_phone=("13800138000/021-62581234"),
    )

    assert "62581234" not in result.text
    assert "1 3 8" not in result.text
    assert result.found["phone"] == 2


def test_the_customers_number_is_found_even_when_broken_across_lines():
    result = redact_text("电话：138\n0013 8000", customer_phone="13800138000")

    assert result.text == f"电话：{PHONE_PLACEHOLDER}"


def test_the_customers_landline_is_found_without_its_area_code_or_extension():
    result = redact_text("前台转接 8888 1234 即可。", customer_phone="0755-8888 1234-802")

    assert result.text == f"前台转接 {PHONE_PLACEHOLDER} 即可。"


def test_a_date_after_a_phone_word_is_not_a_phone():
    text = "电话:2026-11-03 回访，客户满意。"

    assert redact_text(text).text == text


def test_a_number_after_a_phone_word_is_removed_whatever_its_shape():
    result = redact_text("手机号：1380013800，微信号 wx_li2026，QQ 834512345")

    assert (
        result.text
        == f"手机号：{PHONE_PLACEHOLDER}，微信号 {PHONE_PLACEHOLDER}，QQ {PHONE_PLACEHOLDER}"
    )


# ------------------------------------------------------------------------------------------------
# Names.


def test_full_name_given_name_and_surname_forms_of_the_customer_are_removed():
    text = "王建国来电，王先生说建国昨天试过，老王和小王都在家，王大爷不在，王某某签字。"

    result = redact_text(text, customer_name="王建国")

    assert "王" not in result.text
    assert "建国" not in result.text
    assert result.found["name"] == 7


def test_technician_honorifics_of_other_surnames_are_kept():
    text = "王先生报修，王师傅和张工上门，李师傅电话指导。"

    result = redact_text(text, customer_name="李娜")

    assert result.text == f"{NAME_PLACEHOLDER}报修，王师傅和张工上门，{NAME_PLACEHOLDER}电话指导。"


def test_technician_form_of_the_customers_own_surname_is_removed_because_it_is_ambiguous():
    result = redact_text("张女士说张师傅上次来过。", customer_name="张丽")

    assert result.text == f"{NAME_PLACEHOLDER}说{NAME_PLACEHOLDER}上次来过。"


def test_customers_of_any_common_surname_addressed_as_sir_or_madam_are_removed():
    text = "邻居刘女士和对门赵先生、楼上的孙小姐都反映过，陈阿姨开门，周师傅维修。"

    result = redact_text(text)

    assert result.text == (
        f"邻居{NAME_PLACEHOLDER}和对门{NAME_PLACEHOLDER}、楼上的{NAME_PLACEHOLDER}都反映过，"
        "陈阿姨开门，周师傅维修。"
    )


def test_full_names_with_a_title_keep_the_word_before_them():
    result = redact_text("张师傅和王明先生确认，也和欧阳娜娜女士确认。")

    assert result.text == f"张师傅和{NAME_PLACEHOLDER}确认，也和{NAME_PLACEHOLDER}确认。"


def test_compound_surnames_are_removed_with_their_honorifics():
    text = "欧阳女士说小欧阳在家，司马先生是邻居，欧阳娜娜签字，娜娜满意。"

    result = redact_text(text, customer_name="欧阳娜娜")

    assert "欧阳" not in result.text
    assert "司马" not in result.text
    assert "娜娜" not in result.text


def test_a_name_field_recorded_as_surname_and_title_removes_the_surname_forms():
    result = redact_text("黄先生说老黄家的外机报E4，黄师傅没来。", customer_name="黄先生")

    assert (
        result.text
        == f"{NAME_PLACEHOLDER}说{NAME_PLACEHOLDER}家的外机报E4，{NAME_PLACEHOLDER}没来。"
    )


def test_spaced_out_customer_names_are_removed():
    result = redact_text("客户王 建 国说外机响。", customer_name="王建国")

    assert result.text == f"客户{NAME_PLACEHOLDER}说外机响。"


@pytest.mark.parametrize(
    ("customer_name", "text"),
    [
        ("于静", "温差小于2℃时停机，运行2小时后正常。"),
        ("时光", "加热一小时后水温只有30℃。"),
        ("施华", "移机需要施工，施工后试机。"),
        ("高峰", "高压保护E1，高低压开关正常。"),
        ("孔亮", "底部小孔有水。"),
        ("路明", "老路口停车不便，小路口也堵。"),
        ("师红", "老师傅检查了线路。"),
        ("马丽", "马达不转，小马达也坏了。"),
        ("金花", "金属摩擦声。"),
    ],
)
def test_words_that_merely_contain_the_customers_surname_survive(customer_name, text):
    assert redact_text(text, customer_name=customer_name).text == text


# ------------------------------------------------------------------------------------------------
# Addresses.


def test_address_field_value_and_its_fragments_are_removed():
    address = "上海市浦东新区张杨路1200弄5号3单元502室"
    text = (
        "地址上海市浦东新区张杨路1200弄5号3单元502室，客户说张杨路那边修路，"
        "1200弄5号门口停车，3单元502室没人时放门卫。"
    )

    result = redact_text(text, customer_address=address)

    for fragment in ("张杨路", "1200弄", "5号", "3单元", "502"):
        assert fragment not in result.text
    assert result.text.startswith(f"地址{ADDRESS_PLACEHOLDER}，客户说{ADDRESS_PLACEHOLDER}那边修路")


@pytest.mark.parametrize(
    "address",
    [
        "上海市浦东新区张杨路1200弄5号3单元502室",
        "杭州西湖区文三路478号",
        "阳光花园小区12栋2单元1801",
        "朝阳区建国路88号院",
        "广东省深圳市南山区科技园南路18号",
        "成都市武侯区人民南路四段27号",
        "湛江市霞山区人民大道南45号",
        "甘泉镇吴家村3组15号",
        "康富北路三十六号",
        "古北花园8号楼301",
        "5号楼1单元301室",
    ],
)
def test_address_shaped_text_is_removed_without_any_field(address):
    result = redact_text(f"另一户在{address}，同样报E1。")

    assert result.text == f"另一户在{ADDRESS_PLACEHOLDER}，同样报E1。"
    assert result.found["address"] == 1


def test_house_numbers_written_without_units_are_removed_after_a_known_address():
    result = redact_text(
        "客户在张杨路1200弄5-3-502，隔壁文三路478那栋楼也报E1，沿中山路3公里处有网点。",
        customer_address="上海市浦东新区张杨路1200弄5号3单元502室",
    )

    assert result.text == (
        f"客户在{ADDRESS_PLACEHOLDER}，隔壁{ADDRESS_PLACEHOLDER}那栋楼也报E1，沿中山路3公里处有网点。"
    )


def test_an_address_dictated_after_an_address_word_is_removed_up_to_the_punctuation():
    result = redact_text("客户地址：西安市长安区韦曲街道青年街9号，洗衣机报E30。")

    assert result.text == f"客户地址：{ADDRESS_PLACEHOLDER}，洗衣机报E30。"


@pytest.mark.parametrize(
    "text",
    [
        "室外机不转，室内机滴水，区域经理已知悉。",
        "1号线路板和2号端子正常，3号室内机报E4。",
        "电源线路3号端子松动，风道2号挡板变形。",
        "3室2厅的房子装了两台柜机。",
        "客户约11月3号上午，12号下午回访。",
        "第2单元控制板损坏，更换功率单元，单元机正常。",
        "这个小区的电压不稳，整个小区都停过电。",
    ],
)
def test_technical_words_resembling_addresses_survive(text):
    assert redact_text(text).text == text


# ------------------------------------------------------------------------------------------------
# ID cards, e-mails, plates.


@pytest.mark.parametrize(
    "id_number",
    ["11010519491231002X", "110105194912310021", "110105491231002", "330501 19850612 3214"],
)
def test_id_card_numbers_are_removed(id_number):
    result = redact_text(f"延保登记用身份证{id_number}。")

    assert result.text == f"延保登记用身份证{ID_CARD_PLACEHOLDER}。"
    assert result.found["id_card"] == 1


@pytest.mark.parametrize(
    "email", ["lina@163.com", "liu.yang+service@example.cn", "chuhong＠163.com", "A_B-1@mail.co.uk"]
)
def test_emails_are_removed(email):
    result = redact_text(f"发票发到{email}谢谢")

    assert result.text == f"发票发到{EMAIL_PLACEHOLDER}谢谢"


@pytest.mark.parametrize("plate", ["沪A12345", "粤B·D12345", "京A-88888", "苏E 12345D", "浙a3b456"])
def test_licence_plates_are_removed(plate):
    result = redact_text(f"车牌{plate}挡住了外机")

    assert result.text == f"车牌{PLATE_PLACEHOLDER}挡住了外机"


# ------------------------------------------------------------------------------------------------
# Technical content.


@pytest.mark.parametrize(
    "text",
    [
        "报E1、F4、P0、CH05、H6、U8、rE、E21、UE，代码11为熄火保护。",
        "型号KFR-35GW/BpNhAa1、KFR-72LW/(72555)FNhAa-A3、XQG100-B14866、BCD-520WKPZM(E)。",
        "燃气热水器JSQ25-13HS5，电热水器ES60H-M5，多联机MDV-D56T2/N1-C。",
        "换新KFR35GW，备件号17122000017543，条码6921734900123，配件60019812。",
        "工单号SR202611030045，GD2026110300156。",
    ],
)
def test_error_codes_and_model_numbers_survive_redaction(text):
    assert redact_text(text, customer_name="王建国", customer_phone="13800138000").text == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-03 14:30 上门，2026/11/03 09:30 回访，保修至2027-05-31。",
        "上门费¥50，配件180元，合计230元。",
        "R32 0.8kg，R410A 2.5kg，R600a 58g。",
        "电压220V，三相381V，低压0.45MPa，高压2.8MPa，燃气压力2000Pa。",
        "电流4.2A，电容35μF，绝缘0.2MΩ，阻值10kΩ，噪音45dB，水流量2.4m³/h。",
    ],
)
def test_dates_prices_and_measurements_survive_redaction(text):
    assert redact_text(text).text == text


def test_full_width_text_outside_redacted_spans_is_returned_unchanged():
    text = "孙女士手机１３８ ００１３ ８０００，洗衣机ＸＱＧ１００－Ｂ１４８６６报Ｅ２１。"

    result = redact_text(text, customer_name="孙丽")

    assert result.text == (
        f"{NAME_PLACEHOLDER}手机{PHONE_PLACEHOLDER}，洗衣机ＸＱＧ１００－Ｂ１４８６６报Ｅ２１。"
    )


# ------------------------------------------------------------------------------------------------
# The result and the ticket helper.


def test_found_counts_each_kind_separately():
    text = (
        "王先生电话13800138000，住文三路478号，身份证11010519491231002X，"
        "邮箱wang@163.com，车牌沪A12345。"
    )

    result = redact_text(text)

    assert dict(result.found) == {
        "name": 1,
        "phone": 1,
        "address": 1,
        "id_card": 1,
        "email": 1,
        "plate": 1,
    }
    assert result.total == 6
    assert set(result.found) == {kind.value for kind in RedactionKind}


def test_the_result_cannot_be_changed():
    result = redact_text("王先生")

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "王先生"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.found["name"] = 0  # type: ignore[index]


def test_empty_text_comes_back_as_it_was_with_nothing_found():
    result = redact_text("", customer_name="王建国")

    assert result.text == ""
    assert result.total == 0


def test_redact_ticket_redacts_free_text_and_replaces_the_customer_fields():
    ticket = {
        "ticket_no": "SR202611030045",
        "model": "KFR-35GW/BpNhAa1",
        "customer_name": "王建国",
        "customer_phone": "13800138000",
        "customer_address": "杭州市西湖区文三路478号",
        "symptom": "王先生说外机不转，报E1，电话138 0013 8000。",
        "diagnosis": "建国家在文三路478号，外风机电容失效。",
        "notes": "",
    }

    redacted = redact_ticket(ticket, free_text_fields=("symptom", "diagnosis", "notes", "absent"))

    assert redacted == {
        "ticket_no": "SR202611030045",
        "model": "KFR-35GW/BpNhAa1",
        "customer_name": NAME_PLACEHOLDER,
        "customer_phone": PHONE_PLACEHOLDER,
        "customer_address": ADDRESS_PLACEHOLDER,
        "symptom": f"{NAME_PLACEHOLDER}说外机不转，报E1，电话{PHONE_PLACEHOLDER}。",
        "diagnosis": f"{NAME_PLACEHOLDER}家在{ADDRESS_PLACEHOLDER}，外风机电容失效。",
        "notes": "",
    }
    assert ticket["customer_name"] == "王建国"


def test_redact_ticket_keeps_empty_customer_fields_empty():
    redacted = redact_ticket(
        {"customer_name": "", "customer_phone": "", "symptom": "李女士说冰箱不制冷"},
        free_text_fields=("symptom",),
    )

    assert redacted == {
        "customer_name": "",
        "customer_phone": "",
        "symptom": f"{NAME_PLACEHOLDER}说冰箱不制冷",
    }


def test_relatives_and_contacts_named_in_the_text_are_redacted():
    text = "儿子代报修（林宏伟，18561630500）：洗澡洗到一半变凉；联系人：张小红 电话见工单"
    result = redact_text(text, customer_name="林桂芳")
    assert "林宏伟" not in result.text and "张小红" not in result.text
    assert "儿子代报修" in result.text and "联系人" in result.text
