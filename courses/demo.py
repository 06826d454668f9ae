"""Demo training content: onboarding and skills courses written the way a brand's technical
quality department (技质部) writes them, the learning paths that bundle them, assignments and a
little learner progress so dashboards have something to show.

Runs after ``portal.demo`` (it needs the organisation). Idempotent: pages are looked up by slug
under their parent, images and documents by title, paths by title; anything already there is
left as it is (a trainer may have edited it), only what is missing is created."""

import datetime as dt
from io import BytesIO

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.rich_text import RichText

from portal.models import ProductLine, ServiceOutlet, StaffProfile
from portal.roles import Role

from .models import (
    CourseIndexPage,
    CourseLayer,
    CoursePage,
    LearningPath,
    LearningPathItem,
    LessonPage,
    LessonProgress,
    PathAssignment,
)
from .selectors import course_lessons
from .services import lesson_complete, onboarding_assign, path_assign
from .setup import course_catalogue_ensure

# Course slugs, referred to by paths, prerequisites and demo progress.
CULTURE = "company-culture"
SERVICE_RULES = "service-standards"
COMMUNICATION = "customer-communication"
AC_INSTALL = "split-ac-installation"
AC_DIAG = "inverter-ac-diagnostics"
GAS_WH = "gas-water-heater-repair"

# title, description, is_onboarding, course slugs in order
PATHS = [
    (
        "新员工入职培训",
        "新入职员工须在入职30天内完成：企业文化与服务理念、售后服务规范与流程、客户沟通与"
        "投诉处理。全部课程完成并通过考核后，方可独立上门服务。",
        True,
        [CULTURE, SERVICE_RULES, COMMUNICATION],
    ),
    (
        "家用空调安装维修技能",
        "家用分体空调的标准安装与变频空调故障诊断。完成本路径后可报名参加家用空调安装维修"
        "认证考核，认证通过后调度方可派发相应工单。",
        False,
        [AC_INSTALL, AC_DIAG],
    ),
    (
        "燃气热水器维修资质",
        "燃气热水器安全检修专项培训，由网点申报、技质部审核后分配，不开放自主报名。"
        "涉及燃气通路的维修只能由完成本路径并取得认证的工程师承担。",
        False,
        [GAS_WH],
    ),
]


# --- StreamField helpers ---------------------------------------------------------------


def _text(html: str) -> tuple:
    return ("rich_text", RichText(html))


def _callout(level: str, html: str) -> tuple:
    return ("safety_warning", {"level": level, "text": RichText(html)})


def _figure(image, caption: str) -> tuple:
    return ("image", {"image": image, "caption": caption})


def _procedure(title: str, steps: list[tuple]) -> tuple:
    """``steps`` are (title, instruction html) or (title, instruction html, image)."""
    return (
        "procedure",
        {
            "title": title,
            "steps": [
                {
                    "title": step[0],
                    "instruction": RichText(step[1]),
                    "image": step[2] if len(step) > 2 else None,
                }
                for step in steps
            ],
        },
    )


def _fault_codes(title: str, rows: list[tuple[str, str, str]]) -> tuple:
    return (
        "fault_codes",
        {
            "title": title,
            "rows": [{"code": c, "meaning": m, "check": k} for c, m, k in rows],
        },
    )


def _download(document, description: str) -> tuple:
    return ("download", {"document": document, "description": description})


# --- Schematic images --------------------------------------------------------------------
# Shapes, digits and Latin letters only: CJK fonts may be missing where this runs. The Chinese
# explanation lives in the caption next to the image.

INK = (45, 55, 72)
GREY = (205, 210, 218)
BLUE = (38, 110, 200)
RED = (205, 55, 50)
YELLOW = (225, 170, 20)
GREEN = (40, 150, 80)
SIZE = (800, 480)


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _canvas():
    from PIL import Image as PILImage
    from PIL import ImageDraw

    img = PILImage.new("RGB", SIZE, "white")
    return img, ImageDraw.Draw(img)


def _arrow(draw, start, end, fill=INK, width=3):
    """A straight line with a small head at ``end``."""
    import math

    draw.line([start, end], fill=fill, width=width)
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    head = [
        end,
        (end[0] - 14 * math.cos(angle - 0.4), end[1] - 14 * math.sin(angle - 0.4)),
        (end[0] - 14 * math.cos(angle + 0.4), end[1] - 14 * math.sin(angle + 0.4)),
    ]
    draw.polygon(head, fill=fill)


def _draw_bracket():
    img, d = _canvas()
    small, label = _font(18), _font(24)
    # Wall with hatching.
    d.rectangle([30, 20, 110, 470], fill=GREY, outline=INK, width=2)
    for y in range(20, 470, 22):
        d.line([(30, y + 22), (110, y - 10)], fill=INK, width=1)
    # Bracket: wall plate, arm, diagonal brace.
    d.rectangle([110, 285, 124, 450], fill=INK)
    d.rectangle([110, 292, 580, 304], fill=INK)
    d.line([(124, 440), (540, 304)], fill=INK, width=10)
    # Expansion bolts into the wall.
    for y in (320, 370, 420):
        d.rectangle([60, y - 4, 124, y + 4], fill=(120, 125, 135))
    # Outdoor unit on anti-vibration pads.
    d.rectangle([190, 286, 216, 292], fill=(20, 20, 20))
    d.rectangle([520, 286, 546, 292], fill=(20, 20, 20))
    d.rectangle([170, 100, 570, 286], fill=(240, 242, 245), outline=INK, width=3)
    for x in range(190, 560, 16):
        d.line([(x, 120), (x, 266)], fill=GREY, width=2)
    d.text((300, 180), "OUTDOOR UNIT", fill=INK, font=label)
    # Gap to the wall.
    d.line([(110, 70), (110, 95)], fill=BLUE, width=2)
    d.line([(170, 70), (170, 95)], fill=BLUE, width=2)
    _arrow(d, (140, 82), (112, 82), fill=BLUE, width=2)
    _arrow(d, (140, 82), (168, 82), fill=BLUE, width=2)
    d.text((120, 40), ">= 10 cm", fill=BLUE, font=small)
    # Callouts A, B, C.
    for letter, (x, y), target in (
        ("A", (620, 330), (560, 300)),
        ("B", (150, 455), (100, 420)),
        ("C", (620, 250), (546, 288)),
    ):
        d.line([(x, y), target], fill=RED, width=2)
        d.ellipse([x - 16, y - 16, x + 16, y + 16], fill="white", outline=RED, width=3)
        d.text((x - 7, y - 13), letter, fill=RED, font=label)
    d.text((650, 300), "L-bracket", fill=INK, font=small)
    d.text((178, 444), "M10 x3", fill=INK, font=small)
    d.text((650, 236), "pad + M8", fill=INK, font=small)
    return img


def _draw_manifold():
    img, d = _canvas()
    small, label = _font(18), _font(26)
    # Gauges.
    for cx, colour, name in ((310, BLUE, "LO"), (490, RED, "HI")):
        d.ellipse([cx - 70, 40, cx + 70, 180], fill="white", outline=colour, width=6)
        d.text((cx - 16, 130), name, fill=colour, font=label)
        d.line([(cx, 110), (cx, 60)], fill=GREY, width=2)
    d.line([(310, 110), (262, 78)], fill=INK, width=5)  # LO needle pinned at full vacuum
    d.line([(490, 110), (490, 62)], fill=INK, width=5)
    d.text((120, 100), "-0.1 MPa", fill=BLUE, font=small)
    # Manifold body and valve knobs.
    d.rectangle([240, 200, 560, 250], fill=(225, 228, 234), outline=INK, width=3)
    d.rectangle([200, 210, 240, 240], fill=BLUE)
    d.rectangle([560, 210, 600, 240], fill=RED)
    # Hoses: LO to outdoor unit service port, centre to pump, HI capped.
    d.line([(300, 250), (300, 330), (185, 330), (185, 360)], fill=BLUE, width=7)
    d.line([(400, 250), (400, 380)], fill=YELLOW, width=7)
    d.line([(500, 250), (500, 330), (640, 330), (640, 360)], fill=RED, width=7)
    d.rectangle([628, 360, 652, 378], fill=INK)
    d.text((665, 358), "HI closed", fill=INK, font=small)
    # Outdoor unit with 3-way valve.
    d.rectangle([20, 360, 160, 465], fill=(240, 242, 245), outline=INK, width=3)
    d.ellipse([168, 360, 202, 394], fill="white", outline=INK, width=3)
    d.text((40, 400), "3-WAY", fill=INK, font=small)
    d.text((30, 430), "VALVE PORT", fill=INK, font=small)
    # Vacuum pump.
    d.rounded_rectangle([320, 380, 530, 460], radius=12, fill=(250, 236, 200), outline=INK, width=3)
    d.ellipse([485, 395, 515, 425], outline=INK, width=3)
    d.text((335, 408), "VACUUM PUMP", fill=INK, font=small)
    return img


def _draw_vacuum_curve():
    img, d = _canvas()
    small, label = _font(18), _font(22)
    x0, y_top, y_bottom, per_min = 90, 70, 380, 24  # y_top = 0 MPa, y_bottom = -0.1 MPa

    def point(minute: float, mpa: float) -> tuple[float, float]:
        return x0 + minute * per_min, y_top + (-mpa / 0.1) * (y_bottom - y_top)

    d.line([(x0, 40), (x0, 420)], fill=INK, width=3)
    d.line([(x0, 420), (x0 + 26 * per_min, 420)], fill=INK, width=3)
    for minute in range(0, 26, 5):
        x = x0 + minute * per_min
        d.line([(x, 420), (x, 428)], fill=INK, width=2)
        d.text((x - 8, 432), str(minute), fill=INK, font=small)
    d.text((x0 + 26 * per_min - 10, 440), "min", fill=INK, font=small)
    for mpa, text in ((0.0, "0"), (-0.05, "-0.05"), (-0.1, "-0.1")):
        _x, y = point(0, mpa)
        d.line([(x0 - 8, y), (x0, y)], fill=INK, width=2)
        d.text((12, y - 10), text, fill=INK, font=small)
    d.text((12, 20), "MPa", fill=INK, font=small)
    # Pump running: fast drop, then flat at full vacuum.
    curve = [point(t / 2, -0.1 * (1 - 0.62 ** (t / 2))) for t in range(0, 31)]
    d.line(curve, fill=BLUE, width=5)
    # Pump off at 15 min; hold 5 min.
    x_off, _y = point(15, 0)
    d.line([(x_off, 60), (x_off, 420)], fill=GREY, width=2)
    d.text((x_off - 40, 44), "PUMP OFF", fill=INK, font=small)
    d.line([point(15, -0.1), point(20, -0.1)], fill=GREEN, width=6)
    d.text((point(15.3, -0.1)[0], point(0, -0.1)[1] + 8), "HOLD 5 min OK", fill=GREEN, font=small)
    # A leak: pressure creeping back up during the hold.
    leak = [point(15 + t / 4, -0.1 + 0.002 * t) for t in range(0, 21)]
    for a, b in zip(leak[::2], leak[1::2], strict=False):
        d.line([a, b], fill=RED, width=4)
    d.text((point(20.3, -0.06)[0], point(0, -0.06)[1] - 12), "LEAK", fill=RED, font=label)
    # ">= 15 min" bracket.
    _arrow(d, (x0 + 6 * per_min, 402), (x0 + 2, 402), fill=BLUE, width=2)
    _arrow(d, (x0 + 9 * per_min, 402), (x_off - 2, 402), fill=BLUE, width=2)
    d.text((x0 + 6.3 * per_min, 392), ">= 15", fill=BLUE, font=small)
    return img


def _draw_board():
    img, d = _canvas()
    small, label = _font(18), _font(24)
    # Display panel showing a code.
    d.rounded_rectangle([30, 60, 270, 260], radius=18, fill=(25, 30, 40))
    d.text((62, 85), "E6", fill=(255, 120, 60), font=_font(120))
    d.ellipse([230, 225, 246, 241], fill=GREEN)
    d.text((60, 275), "DISPLAY", fill=INK, font=small)
    # Outdoor control board.
    d.rounded_rectangle([310, 40, 780, 440], radius=10, fill=(30, 120, 70), outline=INK, width=3)
    d.rectangle([340, 80, 480, 190], fill=(30, 30, 30))
    for x in range(345, 480, 12):
        d.line([(x, 70), (x, 80)], fill=(160, 165, 170), width=6)
    d.text((385, 122), "IPM", fill="white", font=label)
    d.rectangle([520, 90, 620, 160], fill=(30, 30, 30))
    d.text((545, 112), "MCU", fill="white", font=small)
    d.rectangle([650, 90, 750, 160], fill=(60, 60, 60))
    d.text((675, 112), "PFC", fill="white", font=small)
    for cx in (380, 450):
        d.ellipse([cx - 30, 230, cx + 30, 290], fill=(40, 70, 160), outline="white", width=3)
        d.text((cx - 6, 250), "C", fill="white", font=small)
    d.text((345, 300), "DC BUS 310V", fill="white", font=small)
    d.ellipse([560, 220, 580, 240], fill=(255, 220, 60))
    d.text((590, 218), "LED", fill="white", font=small)
    d.rectangle([560, 260, 640, 290], fill=(230, 230, 230))
    d.text((572, 264), "FUSE", fill=INK, font=small)
    # Terminal block L N S with the signal line highlighted.
    d.rectangle([520, 340, 760, 410], fill=(240, 240, 240), outline=INK, width=2)
    for i, name in enumerate(("L", "N", "S")):
        cx = 560 + i * 80
        d.ellipse([cx - 14, 350, cx + 14, 378], fill=(180, 180, 180), outline=INK, width=2)
        d.text((cx - 6, 382), name, fill=INK, font=small)
    d.line([(734, 364), (768, 364), (768, 462), (140, 462)], fill=YELLOW, width=5)
    _arrow(d, (160, 462), (40, 462), fill=YELLOW, width=5)
    d.text((40, 425), "S LINE TO INDOOR", fill=INK, font=small)
    return img


def _draw_gas_heater():
    img, d = _canvas()
    small, label = _font(18), _font(22)
    # Outside wall and flue sloping down towards the outside.
    d.rectangle([700, 0, 740, 480], fill=GREY, outline=INK, width=2)
    d.rectangle([330, 20, 370, 70], fill=(200, 200, 205), outline=INK, width=2)
    d.polygon([(330, 20), (780, 36), (780, 66), (370, 50)], fill=(200, 200, 205), outline=INK)
    _arrow(d, (560, 110), (770, 110), fill=INK, width=2)
    d.text((560, 118), "FLUE: SLOPE DOWN", fill=INK, font=small)
    # Cabinet.
    d.rounded_rectangle([220, 70, 480, 400], radius=10, fill=(246, 247, 250), outline=INK, width=3)
    d.ellipse([315, 85, 385, 155], outline=INK, width=3)
    d.line([(350, 95), (350, 145)], fill=INK, width=3)
    d.line([(325, 120), (375, 120)], fill=INK, width=3)
    d.text((395, 110), "FAN", fill=INK, font=small)
    # Heat exchanger.
    zigzag = [(240 + i * 22, 190 if i % 2 == 0 else 220) for i in range(0, 11)]
    d.line(zigzag, fill=(190, 110, 40), width=5)
    d.text((246, 228), "HEAT EXCHANGER", fill=INK, font=small)
    # Burner and flames.
    d.rectangle([250, 320, 450, 335], fill=INK)
    for x in range(262, 446, 26):
        d.polygon([(x, 320), (x + 16, 320), (x + 8, 282)], fill=BLUE)
    d.line([(452, 318), (492, 292)], fill=YELLOW, width=3)
    d.text((498, 280), "IGN", fill=INK, font=small)
    # Pipes: cold in, gas with valve, hot out.
    for x, colour, name in ((270, BLUE, "COLD IN"), (350, YELLOW, "GAS"), (430, RED, "HOT OUT")):
        d.line([(x, 400), (x, 445)], fill=colour, width=10)
        d.text((x - len(name) * 5, 452), name, fill=INK, font=small)
    d.polygon([(336, 420), (364, 436), (364, 420), (336, 436)], fill=INK)
    d.text((40, 200), "NO OPEN", fill=RED, font=label)
    d.text((40, 228), "FLAME", fill=RED, font=label)
    d.text((40, 256), "LEAK TEST", fill=RED, font=label)
    return img


IMAGES = {
    # key: (title, file name, drawer)
    "bracket": ("示意图：室外机墙挂支架安装", "demo-ac-outdoor-bracket.png", _draw_bracket),
    "manifold": ("示意图：双表阀组与真空泵连接", "demo-ac-gauge-manifold.png", _draw_manifold),
    "vacuum": ("示意图：抽真空与保压曲线", "demo-ac-vacuum-hold.png", _draw_vacuum_curve),
    "board": ("示意图：变频室外控制板与故障显示", "demo-ac-inverter-board.png", _draw_board),
    "gas_heater": ("示意图：强排式燃气热水器结构", "demo-wh-gas-heater.png", _draw_gas_heater),
}


def _ensure_images() -> dict:
    Image = get_image_model()
    found = {}
    for key, (title, filename, draw) in IMAGES.items():
        image = Image.objects.filter(title=title).first()
        if image is None:
            buffer = BytesIO()
            draw().save(buffer, format="PNG")
            image = Image(title=title, file=ImageFile(BytesIO(buffer.getvalue()), name=filename))
            image.save()
            image.get_file_size()
            image.get_file_hash()
        found[key] = image
    return found


CHECKLIST_TITLE = "分体式空调安装自检表"
CHECKLIST_TEXT = """分体式空调安装自检表（技质部 制）

机型：__________  内机条码：__________  外机条码：__________
用户地址（仅写小区/楼栋，不写门牌）：__________

一、安全
[ ] 离地2米以上作业已系全身式安全带，安全绳固定在建筑承重结构上
[ ] R32机型：作业区域无明火、无人吸烟
[ ] 楼下作业区已设警示

二、室外机
[ ] 支架固定在实心砖墙或混凝土上，每个支架M10膨胀螺栓不少于3颗
[ ] 支架下压、摇动无松动，墙面无裂纹
[ ] 外机加减振垫，M8螺栓四角紧固，手推无晃动
[ ] 进风侧离墙不小于10cm，出风侧50cm内无遮挡
[ ] 排水嘴、排水管已装好

三、配管与真空
[ ] 穿墙孔内高外低（外倾5-10mm），已装护套
[ ] 喇叭口光滑无裂纹，纳子用力矩扳手紧固
[ ] 抽真空时间 ____ 分钟（不少于15分钟），真空度达到 -0.1MPa
[ ] 先关阀组再停泵；保压5分钟指针不回升
[ ] 先开液管阀，后开气管阀；阀帽、检修口帽已拧紧
[ ] 四个接头及阀帽检漏合格
[ ] 配管长度 ____ m，追加冷媒 ____ g

四、电气
[ ] 专用回路，实测电压 ____ V（198-242V）
[ ] 连接线端子一一对应，无中间接头
[ ] 接地可靠，未接在燃气管、水管上

五、试机（制冷16度、高风，运行15分钟以上）
[ ] 进出风温差 ____ 度（不小于8度）
[ ] 低压 ____ MPa，运行电流 ____ A（不超过铭牌值）
[ ] 排水试验通畅
[ ] 无异常振动和噪音，遥控功能正常

六、交付
[ ] 已向用户讲解使用、滤网清洁和化霜等正常现象
[ ] 现场已清理，旧包装已带走
[ ] 照片已上传：外机全景、支架固定、配管走向、内机、条码
[ ] 用户已核对工单并签字

工程师：__________  日期：__________
"""


def _ensure_checklist():
    Document = get_document_model()
    document = Document.objects.filter(title=CHECKLIST_TITLE).first()
    if document is None:
        document = Document(
            title=CHECKLIST_TITLE,
            file=ContentFile(CHECKLIST_TEXT.encode("utf-8"), name="ac-split-install-checklist.txt"),
        )
        document.save()
        document.get_file_size()
        document.get_file_hash()
    return document


# --- Course content ----------------------------------------------------------------------


def _course_culture(media: dict) -> dict:
    return {
        "slug": CULTURE,
        "title": "企业文化与服务理念",
        "summary": "面向新入职员工：了解品牌售后服务体系由哪些部分组成，我们对用户做出的服务"
        "承诺和必须遵守的行为准则，以及培训、考核与上岗资格的基本要求。",
        "layer": CourseLayer.ONBOARDING,
        "product_line": None,
        "target_roles": [Role.NEW_STAFF.value],
        "skill_codes": "",
        "estimated_minutes": 40,
        "self_enrolment": True,
        "lessons": [
            (
                "service-network",
                "品牌售后服务体系",
                10,
                [
                    _text(
                        "<p>我们的产品覆盖家用空调、中央空调、洗衣机、冰箱和热水器五条产品线。"
                        "用户买下的不只是一台机器，还有此后十年的安装、维修和保养。售后服务做得"
                        "好不好，用户记住的往往是上门的那一位工程师。</p>"
                        "<p>售后服务体系由三部分组成：</p><ul>"
                        "<li><b>总部售后服务部</b>：制定服务政策和收费标准，管理配件供应，"
                        "受理升级投诉；</li>"
                        "<li><b>技术质量部（技质部）</b>：编写培训教材，组织新品和疑难故障培训，"
                        "按季度分析重复发生和批量性的质量问题，把典型维修案例整理进案例库；</li>"
                        "<li><b>授权服务网点</b>：经品牌审核授权，在指定区域承担安装、维修和"
                        "保养的服务公司。网点按产品线获得授权，只能承接已授权产品线的工单。</li>"
                        "</ul>"
                        "<p>品牌每月对网点的服务质量、配件库存和人员资质进行考核，连续考核不达标"
                        "的网点须限期整改，整改无效的取消授权。网点里每一位员工的表现，都关系到"
                        "网点能否继续合作。</p>"
                        "<p>你的工单由网点调度专员派发。调度优先把工单派给距离最近、<b>并且持有"
                        "相应资质</b>的工程师——没有取得对应产品的认证，这类工单就不会派给你。</p>"
                    ),
                ],
            ),
            (
                "service-values",
                "服务理念与行为准则",
                15,
                [
                    _text(
                        "<p>我们的服务理念是十二个字：<b>守时守信、一次修好、用户满意</b>。</p>"
                        "<h3>守时守信</h3><p>约定的上门时间就是对用户的承诺。确实无法按时到达，"
                        "至少提前30分钟致电用户说明原因并重新约定。做不到的事不承诺。</p>"
                        "<h3>一次修好</h3><p>出发前根据报修内容判断可能的故障，带齐工具和常用"
                        "配件；到现场先查清原因再动手，避免“换一个不行再换一个”。一次修复率是"
                        "工程师考核的重要指标。</p>"
                        "<h3>用户满意</h3><p>用户评价由回访客服独立采集。不得诱导、要求用户给"
                        "好评，更不得代替用户评价。</p>"
                        "<h3>行为准则</h3><ul>"
                        "<li>不虚报故障、不夸大维修项目，不以旧件、非原厂件冒充新件；</li>"
                        "<li>严格按公司收费标准收费，不私收费用，收费必须开具票据；</li>"
                        "<li>不向用户推销与本次服务无关的商品；</li>"
                        "<li>不收受用户礼品、礼金，不在用户家中吸烟、饮食；</li>"
                        "<li>不把保内维修转成保外收费，不绕开网点私自接单。</li></ul>"
                        "<p>公司实行嘉奖、记功、记大功和警告、记过、记大过的奖惩制度：累计三次"
                        "小过折合一次大过，累计三次大过解除劳动合同。收到用户书面表扬、攻克疑难"
                        "故障、提交的案例被收入案例库，都可以获得奖励。</p>"
                    ),
                    _callout(
                        "warning",
                        "<p>私自收费、泄露用户信息、在工单或照片上弄虚作假属于<b>严重违规</b>，"
                        "一经查实直接记大过；情节严重的解除劳动合同，并取消其品牌服务资格。</p>",
                    ),
                ],
            ),
            (
                "training-and-qualification",
                "培训、考核与上岗资格",
                15,
                [
                    _text(
                        "<p>品牌培训分为三个层次：</p><ol>"
                        "<li><b>入职培训</b>：企业文化、售后政策、服务流程、沟通技巧和产品基础"
                        "知识，须在入职30天内完成；</li>"
                        "<li><b>技能培训</b>：新产品上市培训、故障诊断、专用工具使用、零部件识别"
                        "与更换，按产品线和岗位定期安排；</li>"
                        "<li><b>管理培训</b>：面向网点经理、调度专员和技术主管，内容包括服务质量"
                        "管理、人员考核和投诉分析。</li></ol>"
                        "<p>培训采用集中授课、实操训练和案例分析相结合的方式。每门课程结束后都有"
                        "考核，<b>考核合格方可上岗</b>。技能课程考核通过后，系统记录你取得的认证，"
                        "调度据此判断哪些工单可以派给你。</p>"
                        "<p>除品牌认证外，国家对部分作业有强制持证要求：从事制冷与空调设备安装"
                        "维修，须持《特种作业操作证（制冷与空调作业）》；接驳电源线路须持电工"
                        "作业证；离地2米以上的安装作业须持高处作业证。特种作业操作证有有效期，"
                        "须按期复审，过期即失效。<b>品牌认证不能代替国家证书。</b></p>"
                        "<p>个人和网点按月度、年度考核，主要指标有：维修及时率、维修成功率、用户"
                        "满意度、投诉率，以及培训完成情况和培训效果。因服务问题被投诉并查实的，"
                        "除整改外，还可能被要求重新参加相关培训。</p>"
                    ),
                    _callout(
                        "caution",
                        "<p>请在证书到期前至少两个月联系网点安排复审。证书过期期间，不得承接"
                        "相应类别的工单。</p>",
                    ),
                ],
            ),
        ],
    }


def _course_service_rules(media: dict) -> dict:
    return {
        "slug": SERVICE_RULES,
        "title": "售后服务规范与流程",
        "summary": "从接单预约、上门礼仪、故障说明与报价，到服务记录、用户签字和用户信息保密："
        "每一位上门人员都必须掌握的服务规范。",
        "layer": CourseLayer.ONBOARDING,
        "product_line": None,
        "target_roles": [Role.NEW_STAFF.value],
        "skill_codes": "",
        "estimated_minutes": 60,
        "self_enrolment": True,
        "lessons": [
            (
                "appointment",
                "接单与预约",
                10,
                [
                    _text(
                        "<p>工单由调度专员派发到你的账号。接单后按以下要求处理：</p><ol>"
                        "<li><b>30分钟内联系用户</b>（22:00以后派发的工单，次日9:00前联系）。"
                        "先报网点名称和自己的姓名，再核对用户姓名、地址、产品型号和故障现象。"
                        "</li>"
                        "<li><b>约定上门时间</b>：时间段不超过2小时，例如“明天上午9点到11点”。"
                        "用户有特殊要求的尽量满足，不能满足时说明原因、协商其他时间。</li>"
                        "<li><b>预判故障、备齐配件</b>：根据用户描述和故障代码查询案例库，带上"
                        "可能用到的配件，减少二次上门。</li>"
                        "<li><b>在系统中登记预约</b>：改约、用户取消等情况都要如实记录，不能在"
                        "系统外私下改约。</li></ol>"
                        "<p>上门时限按距离承诺：300公里以内24小时内上门，300至1000公里48小时内，"
                        "1000公里以上72小时内。安装工单以与用户约定的时间为准。</p>"
                    ),
                    _callout(
                        "caution",
                        "<p>因故不能按约定时间到达，必须<b>至少提前30分钟</b>致电用户说明原因"
                        "并重新约定，同时在系统中更新预约。迟到且未提前告知的，按服务失约处理。"
                        "</p>",
                    ),
                ],
            ),
            (
                "on-site-etiquette",
                "上门服务礼仪",
                15,
                [
                    _text(
                        "<p>用户对我们的第一印象，在开门的那一刻就形成了。上门服务按下面七步"
                        "进行，每一步都不能省略。</p>"
                    ),
                    _procedure(
                        "入户服务七步",
                        [
                            (
                                "到达前确认",
                                "<p>穿统一工装、佩戴工牌，工装保持整洁。到达楼下时再次致电"
                                "用户，告知即将到达。</p>",
                            ),
                            (
                                "敲门与自我介绍",
                                "<p>轻敲门三下或按一次门铃后等候。开门后出示工牌：“您好，我是"
                                "××服务网点的工程师，今天来为您检修空调。”</p>",
                            ),
                            (
                                "穿鞋套后进门",
                                "<p><b>在门外穿好鞋套再进门</b>。中途出门取工具、配件，回来时"
                                "换一副新鞋套。用户家中铺有地毯或木地板的，更要注意。</p>",
                            ),
                            (
                                "铺设防护",
                                "<p>在工作区域铺防护垫，工具和拆下的零件放在垫子上，不直接放在"
                                "用户的家具和地板上。需要移动家具、物品时先征得用户同意，完工后"
                                "放回原位。</p>",
                            ),
                            (
                                "规范作业",
                                "<p>不在用户家中吸烟、饮食；不借用用户的工具；不随意走动、翻看"
                                "用户物品；确需使用卫生间或用水，先征得同意。接听私人电话时回避"
                                "用户，通话简短。</p>",
                            ),
                            (
                                "清理现场",
                                "<p>完工后清理灰尘、铜屑、线头和包装物，垃圾和旧件带走，用干净"
                                "抹布擦净机身和周边。</p>",
                            ),
                            (
                                "交代与告别",
                                "<p>讲解使用注意事项，确认用户没有其他问题后道别，离开时轻轻"
                                "关门。</p>",
                            ),
                        ],
                    ),
                    _callout(
                        "caution",
                        "<p>上门时如果家中只有未成年人，应礼貌说明需要成年家属在场，另约时间，"
                        "不得单独进入。</p>",
                    ),
                ],
            ),
            (
                "fault-and-price",
                "故障说明与报价",
                12,
                [
                    _text(
                        "<p>原则：<b>先检测、后说明、再维修</b>。用户同意之前，不得动手更换任何"
                        "配件。</p><ol>"
                        "<li>检测完成后，用用户听得懂的话说明故障原因，可以请用户看故障部位或"
                        "测量结果。例如：“室外机的温度传感器阻值已经偏离正常范围，空调误以为外面"
                        "温度异常，所以停机保护。”</li>"
                        "<li>确认保修状态：查看购机发票或电子保修卡。整机保修期内，以及主要部件"
                        "保修期内的维修，不收取费用。</li>"
                        "<li>保外维修必须先报价：按公司统一收费标准，把配件费和维修费分别告诉"
                        "用户，并出示收费标准表；有远程上门费的，按标准单独列出。</li>"
                        "<li>用户同意后再维修。用户不同意维修的，只按标准收取检测费（保内不收），"
                        "并在工单中记录“用户放弃维修”。</li>"
                        "<li>维修完成后按报价收费，开具正规票据或电子收据，不得私收现金。</li>"
                        "</ol>"
                        "<p>换下的旧件先给用户看过再回收：保内旧件按要求交回网点，用于旧件核销和"
                        "质量分析；保外旧件用户要求保留的，可以留给用户。</p>"
                    ),
                    _callout(
                        "warning",
                        "<p>报价后发现还需要更换其他配件的，必须先停下来，重新向用户说明并取得"
                        "同意，<b>不得先修后加价</b>。</p>",
                    ),
                ],
            ),
            (
                "service-record",
                "服务记录与用户签字",
                12,
                [
                    _text(
                        "<p>服务工单是服务可追溯的依据，也是考核、配件核销和质量分析的原始数据。"
                        "每张工单必须记录：</p><ul>"
                        "<li>用户信息：姓名、联系电话、地址；</li>"
                        "<li>报修信息：报修时间和报修内容；</li>"
                        "<li>产品信息：型号，内外机条码（扫码录入，不要手抄）；</li>"
                        "<li>检测与维修：故障现象、故障代码、故障原因、维修措施；</li>"
                        "<li>更换配件：配件编码、名称、数量，新旧件条码；</li>"
                        "<li>服务结果：是否修复，是否需要二次上门；</li>"
                        "<li>用户评价、用户签字和负责工程师。</li></ul>"
                        "<p>填写要求：</p><ol>"
                        "<li>在用户现场填写，内容真实、具体。“已修好”“正常”这类笼统的描述不合格，"
                        "应写成“室外机主板通信电路损坏，更换室外主板，试机30分钟制冷正常”。</li>"
                        "<li>拍照上传：产品条码、故障部位、维修完成后的整机；安装工单另需拍摄"
                        "外机支架固定和配管走向。</li>"
                        "<li>请用户核对工单内容后签字。用户本人不在、由家属签字的，注明签字人与"
                        "用户的关系。<b>严禁代签。</b></li>"
                        "<li>服务完成后24小时内在系统中完成工单闭环。</li></ol>"
                        "<p>工单按时间、服务类型和责任人归档，回访客服会随机抽查。工单内容与回访"
                        "结果不符的，按弄虚作假处理。</p>"
                    ),
                ],
            ),
            (
                "customer-privacy",
                "用户信息保密",
                10,
                [
                    _text(
                        "<p>为完成服务，我们掌握着用户的姓名、电话、住址，有时还了解其家庭成员和"
                        "作息情况。这些信息只能用于本次服务。</p><p>必须做到：</p><ul>"
                        "<li>不向任何第三方提供用户信息，包括其他商家、装修公司、回收公司和同行；"
                        "</li>"
                        "<li>不把用户信息存进个人手机通讯录、私人微信或个人网盘；在工作群里沟通"
                        "工单，只使用工单号；</li>"
                        "<li>不在朋友圈、短视频平台发布能识别用户身份或住址的照片和视频，如门牌号、"
                        "小区外景、快递单；</li>"
                        "<li>纸质工单随身妥善保管，按时交回网点归档，不得随意丢弃；</li>"
                        "<li>向案例库提交维修案例时，删去用户姓名、电话、地址、身份证号等信息，"
                        "只保留机型、故障现象和处理过程。</li></ul>"
                        "<p>离职时须交回全部纸质工单和工作资料，离职后保密义务继续有效。</p>"
                    ),
                    _callout(
                        "danger",
                        "<p>泄露、出售用户个人信息，不仅违反公司规定，还可能违反《个人信息保护法》"
                        "等法律法规并承担法律责任。发现信息泄露或疑似泄露，立即报告网点经理。</p>",
                    ),
                ],
            ),
        ],
    }


def _course_communication(media: dict) -> dict:
    return {
        "slug": COMMUNICATION,
        "title": "客户沟通与投诉处理",
        "summary": "上门沟通的基本功、常见情境的应对方法，以及投诉从受理、处理到回访和原因分析"
        "的标准流程。",
        "layer": CourseLayer.ONBOARDING,
        "product_line": None,
        "target_roles": [Role.NEW_STAFF.value],
        "skill_codes": "",
        "estimated_minutes": 45,
        "self_enrolment": True,
        "lessons": [
            (
                "communication-basics",
                "服务沟通基本功",
                15,
                [
                    _text(
                        "<p>很多投诉并不是因为没修好，而是因为用户觉得“没人跟我讲清楚”。上门"
                        "沟通抓住三点：</p><ol>"
                        "<li><b>先听完</b>：让用户把问题说完，不打断，不急于下结论。用户说的"
                        "“有异味”“声音大”“时好时坏”，往往就是重要线索。</li>"
                        "<li><b>复述确认</b>：“您是说空调开机半小时后室内机开始滴水，对吗？”"
                        "复述能避免误解，也让用户感到被重视。</li>"
                        "<li><b>讲结果，也讲原因</b>：用简单的比方解释技术问题，少用专业术语；"
                        "没有把握的事不要说死。</li></ol>"
                        "<p>规范用语示例：</p><ul>"
                        "<li>“您好，我是××服务网点的工程师，今天来为您检修洗衣机。”</li>"
                        "<li>“我先检查一下，大约二十分钟，查清楚后跟您说明情况。”</li>"
                        "<li>“给您添麻烦了，这个问题我们一定处理好。”</li></ul>"
                        "<p>禁止使用的语言：</p><ul>"
                        "<li>“这不归我管”“你自己去问厂家”；</li>"
                        "<li>“你们装的位置就有问题，坏了很正常”；</li>"
                        "<li>“肯定是你使用不当”；</li>"
                        "<li>贬低其他品牌、其他网点或同事。</li></ul>"
                        "<p>打电话时先确认对方是否方便接听。遇到老年用户，语速放慢，时间、费用等"
                        "关键信息重复一遍。</p>"
                    ),
                ],
            ),
            (
                "common-situations",
                "常见情境应对",
                15,
                [
                    _text(
                        "<h3>用户对收费有疑问</h3><p>出示统一收费标准，逐项解释配件费和维修费。"
                        "不要争辩，也不要为了平息情绪擅自打折；收费调整须经网点经理同意，并在"
                        "工单中注明。</p>"
                        "<h3>配件需要等待</h3><p>明确告诉用户配件预计到货时间和二次上门安排；"
                        "到货后主动联系，不让用户反复催问。配件超过3天未到，报告网点经理协调。"
                        "</p>"
                        "<h3>报修的其实是正常现象</h3><p>不少报修属于产品正常工作现象，例如："
                        "空调制热开机后1至3分钟不出风（防冷风功能）；化霜时室外机冒白汽、室内机"
                        "暂停出热风；冰箱运行时侧板发热；洗衣机脱水前反复正反转调整衣物平衡。"
                        "讲清原理、现场演示，必要时告诉用户说明书的相应页码，比一句“这是正常的”"
                        "更能让人放心。</p>"
                        "<h3>用户要求退换机</h3><p>按国家“三包”规定和公司政策答复：不能现场"
                        "承诺退换，也不能一口回绝。如实记录用户诉求，报告网点经理，由其按流程"
                        "申请鉴定。</p>"
                    ),
                    _callout(
                        "caution",
                        "<p>不得与用户争执，更不得发生肢体冲突。现场情绪激烈、难以沟通时，保持"
                        "礼貌，暂停作业，致电网点经理协助处理。</p>",
                    ),
                ],
            ),
            (
                "complaint-handling",
                "投诉处理流程",
                15,
                [
                    _text(
                        "<p>投诉可能来自服务热线、回访不满意、网络平台留言等渠道。网点收到投诉后，"
                        "按以下流程处理：</p>"
                    ),
                    _procedure(
                        "投诉处理六步",
                        [
                            (
                                "受理登记",
                                "<p>记录投诉人、工单号、投诉内容和诉求。工作时间内2小时之内"
                                "指定处理责任人。</p>",
                            ),
                            (
                                "联系安抚",
                                "<p>责任人24小时内联系用户：先致歉、再倾听，不辩解、不推诿。</p>",
                            ),
                            (
                                "核实情况",
                                "<p>调阅工单、照片和回访记录，询问当事工程师，必要时上门复查。</p>",
                            ),
                            (
                                "提出方案",
                                "<p>48小时内给出处理方案，如免费复修、退还多收费用、另派工程师"
                                "上门。方案超出网点权限的，报大区审批。</p>",
                            ),
                            (
                                "落实与回访",
                                "<p>方案落实后3日内回访。用户仍不满意的，升级处理。</p>",
                            ),
                            (
                                "原因分析",
                                "<p>每月汇总投诉，区分技术问题、服务态度问题和流程问题。查实"
                                "属于服务问题的，当事人须整改、重新培训或按制度处罚。</p>",
                            ),
                        ],
                    ),
                    _text(
                        "<p>网点月度投诉率纳入考核。处理投诉的目的不是“让用户别再打电话”，而是"
                        "找出问题、不让它再次发生。</p>"
                    ),
                ],
            ),
        ],
    }


def _course_ac_install(media: dict) -> dict:
    img = media["images"]
    return {
        "slug": AC_INSTALL,
        "title": "分体式空调安装",
        "summary": "家用分体挂机、柜机的标准安装：勘察与安全准备、室外机支架安装、配管连接与"
        "抽真空保压、电气接线与试机验收。适用于R32和R410A冷媒机型。",
        "layer": CourseLayer.SKILLS,
        "product_line": "AC",
        "target_roles": [Role.TECHNICIAN.value],
        "skill_codes": "AC-SPLIT-INSTALL",
        "estimated_minutes": 120,
        "self_enrolment": True,
        "prerequisites": [SERVICE_RULES],
        "cover": "bracket",
        "lessons": [
            (
                "site-survey-and-safety",
                "安装前勘察与安全准备",
                25,
                [
                    _text(
                        "<p>安装质量决定了空调今后十年的故障率。动工之前先完成勘察，和用户确认"
                        "安装方案。</p><h3>勘察要点</h3><ul>"
                        "<li><b>墙体</b>：室外机支架必须固定在实心砖墙或混凝土结构上。空心砖、"
                        "加气块、外墙保温层和装饰板不能承重，应改用落地支架或另选位置。</li>"
                        "<li><b>室外机位置</b>：进风侧离墙不小于10 cm，出风侧前方50 cm内无遮挡，"
                        "左右两侧不小于30 cm；避开燃气表、排烟口和易燃物；出风和噪音不得直对"
                        "邻居门窗。</li>"
                        "<li><b>室内机位置</b>：顶部距天花板不小于15 cm，两侧不小于10 cm；不正对"
                        "床头吹风，远离热源。配管长度和内外机高差不超过说明书规定（常规挂机配管"
                        "不超过15 m，高差不超过10 m）。</li>"
                        "<li><b>电源</b>：空调使用专用回路，插座和空气开关容量与机型匹配（1至1.5"
                        "匹挂机一般用16 A插座；2匹以上柜机按说明书选用空开或直接接线）；电压在"
                        "198至242 V之间；插座接地可靠。不符合要求的，请用户整改后再安装，并在工单"
                        "中记录。</li></ul>"
                        "<p><b>必备工具</b>：电锤及Φ65/Φ80开孔钻头、割管刀、倒角器、扩口器、力矩"
                        "扳手、双表阀组、真空泵、电子秤、内六角扳手、水平尺、万用表、钳形电流表、"
                        "电子检漏仪、全身式安全带。</p>"
                    ),
                    _callout(
                        "danger",
                        "<p><b>高处作业必须系好安全带。</b></p><ul>"
                        "<li>离地2 m以上或在窗外、阳台外作业，必须持高处作业证，穿戴全身式安全带；"
                        "安全绳固定在建筑承重结构上，<b>不得系在空调支架、防盗网、晾衣架或窗框"
                        "上</b>；</li>"
                        "<li>作业前检查安全带、安全绳有无磨损，锁扣是否完好；</li>"
                        "<li>工具系防坠绳，小零件放在工具包内，严禁上下抛掷；</li>"
                        "<li>楼下作业区域设置警示，并安排人员看护；</li>"
                        "<li>遇6级及以上大风、雷雨，或夜间照明不足时，停止室外作业。</li></ul>",
                    ),
                    _callout(
                        "danger",
                        "<p><b>R32冷媒可燃，作业现场严禁明火。</b></p><ul>"
                        "<li>R32属于弱可燃制冷剂，泄漏后在通风不良处可能积聚，遇火源燃烧；</li>"
                        "<li>作业区域内禁止吸烟、禁止使用明火，不得在带冷媒的管路上动火焊接；需要"
                        "焊接时，先回收冷媒、充氮置换后再进行；</li>"
                        "<li>使用标明适用于R32的真空泵、双表阀组和检漏仪；</li>"
                        "<li>检漏只能用肥皂水或电子检漏仪，<b>严禁用明火检漏</b>；</li>"
                        "<li>安装房间面积须满足铭牌和说明书对该机型R32充注量的要求。</li></ul>",
                    ),
                ],
            ),
            (
                "outdoor-unit-mounting",
                "室外机支架安装",
                30,
                [
                    _text(
                        "<p>以墙挂式角钢支架为例。支架和膨胀螺栓须使用随机附带或品牌认可的配件，"
                        "支架承重能力不小于室外机重量的4倍。</p>"
                    ),
                    _figure(
                        img["bracket"],
                        "A 角钢支架（含斜撑）；B 每个支架不少于3颗M10膨胀螺栓；C 减振垫与M8螺栓。"
                        "外机背面离墙不小于10 cm。",
                    ),
                    _procedure(
                        "室外机支架安装步骤",
                        [
                            (
                                "定位划线",
                                "<p>按勘察确定的位置，用水平尺在墙上画出两个支架的安装线。两"
                                "支架的间距与室外机底脚孔距一致（常见为480至540 mm，以实物为准），"
                                "两支架上沿高度一致。</p><p>室外机底部离下方雨篷或空调板不少于"
                                "15 cm，便于排水和日后检修。</p>",
                                img["bracket"],
                            ),
                            (
                                "钻孔并装入膨胀螺栓",
                                "<p>电锤垂直墙面打孔，<b>每个支架不少于3颗M10膨胀螺栓</b>；孔深比"
                                "螺栓埋入长度深约10 mm，孔位离墙体边缘不小于100 mm。</p><p>清除"
                                "孔内粉尘后敲入膨胀螺栓。打孔前用探测仪确认避开墙内暗线和水管。"
                                "</p>",
                            ),
                            (
                                "固定支架并检查",
                                "<p>套入支架，用扳手对角交替拧紧螺母。</p><p>用力下压并左右摇动"
                                "支架，<b>不得有任何松动、晃动</b>。墙面出现裂纹或螺栓打滑的，"
                                "必须重新选位，不得凑合。</p>",
                            ),
                            (
                                "吊装室外机",
                                "<p>两人配合：用吊带或绳索兜住室外机底部（不得只绑外机提手或"
                                "铜管），室内人员将绳索绕过固定物控制下放速度，室外人员系好安全带"
                                "引导外机落位。</p>",
                            ),
                            (
                                "固定室外机",
                                "<p>外机底脚与支架之间加装减振垫，用M8螺栓加平垫、弹垫紧固，"
                                "四角全部固定。外机可略向排水孔一侧倾斜（不超过3°），便于化霜水"
                                "排出；装上排水嘴和排水管。</p><p>最后用手推外机，确认无晃动。"
                                "</p>",
                            ),
                        ],
                    ),
                    _callout(
                        "warning",
                        "<p>室外机和支架的全部重量都落在膨胀螺栓上，任何一颗螺栓没有拧紧，都可能"
                        "导致外机坠落伤人。安装完成后必须拍摄支架固定照片并上传工单。</p>",
                    ),
                ],
            ),
            (
                "piping-vacuum-leak-test",
                "配管连接、抽真空与保压检漏",
                40,
                [
                    _text(
                        "<p><b>穿墙孔</b>：按配管外径选用Φ65或Φ80钻头，室内高、室外低，向外倾斜"
                        "5至10 mm，装上穿墙护套，防止雨水倒灌。</p>"
                        "<p><b>切管与扩口</b>：用割管刀切管，切口平整后去毛刺，去毛刺时管口朝下，"
                        "防止铜屑进入管内；先套上纳子再扩口。喇叭口应圆整、光滑、无裂纹，大小与"
                        "纳子匹配。弯管半径不小于100 mm，不得压扁、折死。包扎时排水管放在最下方。"
                        "</p>"
                        "<p><b>纳子紧固力矩</b>（参考值，以机型说明书为准）：</p><ul>"
                        "<li>Φ6.35 mm（1/4英寸）：14至18 N·m</li>"
                        "<li>Φ9.52 mm（3/8英寸）：34至42 N·m</li>"
                        "<li>Φ12.7 mm（1/2英寸）：49至61 N·m</li>"
                        "<li>Φ15.88 mm（5/8英寸）：68至82 N·m</li></ul>"
                        "<p>必须使用力矩扳手。拧得过紧会使喇叭口开裂，过松则会慢漏，两者都要几个"
                        "月后才表现出来。</p>"
                    ),
                    _figure(
                        img["manifold"],
                        "双表阀组连接：低压表软管接室外机气管阀（三通阀）检修口，中间软管接真空泵，"
                        "高压侧阀门保持关闭。",
                    ),
                    _procedure(
                        "抽真空、保压检漏与开阀",
                        [
                            (
                                "连接双表阀组",
                                "<p>确认室外机液管阀（二通阀）和气管阀（三通阀）都处于关闭状态。"
                                "双表阀组低压软管接三通阀检修口（带顶针的一端），中间软管接"
                                "真空泵，高压侧阀门保持关闭。</p>",
                                img["manifold"],
                            ),
                            (
                                "抽真空",
                                "<p>打开阀组低压阀，启动真空泵。<b>抽真空时间不少于15分钟</b>；"
                                "配管超过5 m或环境潮湿时延长到30分钟。</p><p>低压表应达到"
                                "−0.1 MPa（约−76 cmHg）；使用电子真空计时，真空度应低于500微米"
                                "汞柱（约67 Pa）。</p>",
                                img["vacuum"],
                            ),
                            (
                                "保压检漏",
                                "<p><b>先关闭阀组低压阀，再停真空泵</b>。顺序不能反，否则空气"
                                "会倒吸进系统。</p><p>保压不少于5分钟，观察低压表：指针不回升为"
                                "合格。指针回升，说明有漏点或系统内有水分：用肥皂水检查各纳子"
                                "连接处，重新紧固或重做喇叭口，再重新抽真空。</p>",
                                img["vacuum"],
                            ),
                            (
                                "开阀",
                                "<p>拆下阀帽，用内六角扳手<b>先打开液管阀（二通阀），再打开气管阀"
                                "（三通阀）</b>，均逆时针开到底。冷媒进入配管后，迅速拆下低压"
                                "软管。</p><p>装回阀帽和检修口帽并拧紧——阀帽本身也是一道密封。"
                                "</p>",
                            ),
                            (
                                "检漏与追加冷媒",
                                "<p>用肥皂水或电子检漏仪检查室内外机共四个接头和阀帽，持续观察"
                                "1分钟无气泡、检漏仪不报警为合格。</p><p>配管长度超过机组标准"
                                "配管长度（一般为5 m）的，按铭牌标注的每米追加量，用电子秤定量"
                                "追加冷媒，并把配管长度和追加量写入工单。</p>",
                            ),
                        ],
                    ),
                    _callout(
                        "danger",
                        "<p><b>禁止用外机自带冷媒“排空气”</b>（不抽真空，直接稍开阀门用冷媒把"
                        "空气赶出去）。这样会把空气和水分留在系统里，造成高压偏高、冰堵和压缩机"
                        "损坏；R32机型还会把可燃冷媒直接排到作业现场。</p>",
                    ),
                ],
            ),
            (
                "wiring-test-run",
                "电气接线、试机与验收",
                25,
                [
                    _callout(
                        "danger",
                        "<p>接线和检查端子前必须断开电源。移机或维修变频机型时，断电后室外机主板"
                        "电解电容仍存有高压直流电，须等待至少5分钟，并用万用表确认已放电后再"
                        "触碰。</p>",
                    ),
                    _text(
                        "<h3>电气连接</h3><ul>"
                        "<li>按机组接线图连接内外机连接线，端子号一一对应（L、N、S及接地），螺钉"
                        "压紧后轻拉导线确认不松脱；</li>"
                        "<li>连接线中间不得有接头，长度不够时更换整根线；</li>"
                        "<li>接地线必须可靠连接到接地端子，<b>严禁接在燃气管、自来水管或暖气管上"
                        "</b>；</li>"
                        "<li>电源线和连接线用线卡固定，不得与喇叭口接头捆扎在一起。</li></ul>"
                        "<h3>试机（制冷模式，设定16 ℃，高风）</h3><ol>"
                        "<li>运行15分钟后测量室内机进出风温差，不小于8 ℃；</li>"
                        "<li>在气管阀检修口测低压：R32机型一般在0.8至1.1 MPa之间，随室外温度"
                        "变化；</li>"
                        "<li>用钳形电流表测运行电流，不超过铭牌额定电流；</li>"
                        "<li>向室内机接水盘缓慢倒入约500 ml清水，确认排水通畅、排水管没有倒坡；"
                        "</li>"
                        "<li>检查内外机有无异常振动和噪音，遥控器各项功能是否正常。</li></ol>"
                        "<p>冬季安装可用制热模式试机，压力按说明书中的制热参考值核对。</p>"
                        "<h3>交付验收</h3><p>向用户讲解遥控器使用、滤网清洁周期（一般两周至一个"
                        "月）以及制热化霜等正常现象；清理现场；按要求拍照上传（外机全景、支架"
                        "固定、配管走向、室内机、条码）；请用户核对工单后签字。</p>"
                    ),
                    _download(
                        media["checklist"],
                        "安装完成后逐项自检，随工单照片一并存档。",
                    ),
                ],
            ),
        ],
    }


AC_FAULT_CODES = [
    (
        "E1",
        "室内环境温度传感器故障",
        "1. 检查传感器插头与主板插座是否松脱、氧化；\n"
        "2. 断电拔下插头测阻值，对照阻值表（常见为25 ℃时约10 kΩ），开路或短路则更换；\n"
        "3. 传感器正常仍报码，更换室内主板。",
    ),
    (
        "E2",
        "室内盘管温度传感器故障",
        "1. 检查探头是否插到铜管感温套底部、有无脱出；\n"
        "2. 测阻值，检查引线有无被挤压破皮；\n"
        "3. 更换传感器后仍报码，检查室内主板检测电路。",
    ),
    (
        "E3",
        "室内风机转速异常",
        "1. 断电后手拨风叶，检查是否卡滞、贯流风叶是否松脱；\n"
        "2. 检查风机插头及转速反馈线；\n"
        "3. 通电测风机供电和反馈信号：有供电无反馈换风机，无供电换室内主板。",
    ),
    (
        "E5",
        "室外盘管温度传感器故障",
        "1. 检查方法同E1；\n2. 室外引线易被老鼠咬断或被雨水腐蚀，注意检查整段引线。",
    ),
    (
        "E6",
        "内外机通信故障",
        "1. 确认室外机已上电（外机板指示灯是否点亮）；\n"
        "2. 核对L、N、S端子是否一一对应，连接线有无中间接头、破损；\n"
        "3. 测S与N之间电压，正常时应不断跳动，恒定不变说明通信未建立；\n"
        "4. 检查室外板保险管、电抗器接线；\n"
        "5. 以上正常，依次替换室外主板、室内主板判断。",
    ),
    (
        "E8",
        "室外直流风机故障",
        "1. 检查风叶是否被异物卡住、冬季是否结冰；\n"
        "2. 检查风机插头；\n"
        "3. 测风机绕组阻值和室外板输出，判断是风机还是主板损坏。",
    ),
    (
        "EE",
        "主板存储器（EEPROM）数据错误",
        "1. 断电1分钟后重新上电；\n"
        "2. 插座式存储芯片检查是否插好、引脚是否氧化；\n"
        "3. 仍报码更换对应主板，核对新板型号与机型匹配。",
    ),
    (
        "F1",
        "室外环境温度传感器故障",
        "1. 检查方法同E1，阻值以该传感器阻值表为准；\n"
        "2. 检查传感器是否被阳光直射或贴近排风口，造成读数异常。",
    ),
    (
        "F4",
        "排气温度传感器异常",
        "1. 检查探头是否卡在压缩机排气管感温套内，脱落会造成误报；\n"
        "2. 测阻值（排气传感器常见为25 ℃时约50 kΩ，明显大于其他传感器属正常）；\n"
        "3. 检查引线是否被排气管烫伤；\n"
        "4. 传感器正常仍报码，更换室外主板。",
    ),
    (
        "F5",
        "排气温度过高保护",
        "1. 测系统压力，判断是否缺冷媒并查找漏点；\n"
        "2. 检查电子膨胀阀线圈、插头，阀体是否卡死；\n"
        "3. 检查室外换热器是否脏堵、外机通风是否受阻；\n"
        "4. 以上正常，检查排气传感器是否偏差。",
    ),
    (
        "P0",
        "IPM模块保护",
        "1. 检查压缩机U、V、W接线是否接错、松动，端子是否烧蚀；\n"
        "2. 断电放电后测压缩机三相绕组阻值，应基本相等（一般0.5至3 Ω），对地绝缘不小于2 MΩ；\n"
        "3. 检查模块与散热器间导热硅脂和固定螺钉；\n"
        "4. 检查供电电压是否大幅波动；\n"
        "5. 压缩机和线路正常，更换室外主板（模块）。",
    ),
    (
        "P1",
        "电源电压过高或过低保护",
        "1. 开机状态下测室外机接线端子电压，正常为198至242 V；\n"
        "2. 电压偏低时检查线径、空开和插座接触，是否与其他大功率电器共用回路；\n"
        "3. 电压正常仍报码，检查室外板电压检测电路。",
    ),
    (
        "P2",
        "压缩机过电流保护",
        "1. 测运行电流并与铭牌额定电流对照；\n"
        "2. 检查冷媒是否过量、室外换热器是否脏堵、外风机是否运转；\n"
        "3. 检查压缩机是否卡缸（启动电流大、运转异响）。",
    ),
    (
        "P4",
        "压缩机驱动异常（失步或启动失败）",
        "1. 检查压缩机三相接线顺序和接触；\n"
        "2. 停机后压力未平衡立即重启会启动困难，停机3分钟后再试；\n"
        "3. 测绕组阻值判断压缩机；\n"
        "4. 仍不能启动，更换室外主板后试机。",
    ),
]


def _course_ac_diag(media: dict) -> dict:
    img = media["images"]
    return {
        "slug": AC_DIAG,
        "title": "变频空调故障诊断与故障代码",
        "summary": "变频空调控制系统的构成与诊断思路，常见故障代码的含义与检查方法，以及通信"
        "故障、IPM模块保护、排气温度过高等典型故障的排查流程和案例。",
        "layer": CourseLayer.SKILLS,
        "product_line": "AC",
        "target_roles": [Role.TECHNICIAN.value],
        "skill_codes": "AC-INVERTER-DIAG",
        "estimated_minutes": 90,
        "self_enrolment": True,
        "cover": "board",
        "lessons": [
            (
                "inverter-system-basics",
                "变频控制系统与诊断思路",
                20,
                [
                    _text(
                        "<p>和定频空调相比，变频空调多了一整套电力电子电路：室外机把220 V交流电"
                        "整流成约310 V直流电（直流母线），再由IPM智能功率模块逆变成频率可调的三相"
                        "电，驱动直流变频压缩机。室内外主板通过通信线交换温度、设定和运行状态，"
                        "任何一个环节出问题，都会以故障代码的形式报出来。</p><p>主要部件：</p><ul>"
                        "<li>室内机：主控板、显示板、室内风机、环境和盘管温度传感器；</li>"
                        "<li>室外机：主控板、IPM模块、PFC电路、电解电容、直流风机、电子膨胀阀、"
                        "四通阀；</li>"
                        "<li>传感器：室外环境、室外盘管、排气、吸气温度传感器，多为NTC热敏电阻，"
                        "温度越高阻值越小。</li></ul>"
                    ),
                    _figure(
                        img["board"],
                        "变频室外控制板示意：IPM模块、PFC电路、直流母线电容和L/N/S接线端子。"
                        "左侧为室内显示板报出的E6代码。",
                    ),
                    _text(
                        "<h3>诊断四步法</h3><ol>"
                        "<li><b>问</b>：故障什么时候出现，开机就报还是运行一段时间后报，最近是否"
                        "移机、停电或遇雷雨；</li>"
                        "<li><b>看</b>：读取故障代码（遥控器查询，或数室外板指示灯闪烁次数），查看"
                        "接线、插头、有无烧蚀痕迹；</li>"
                        "<li><b>测</b>：用万用表、钳形电流表和压力表测电压、电阻、电流和压力，"
                        "用数据说话；</li>"
                        "<li><b>判</b>：先外部后内部、先简单后复杂，排除线路和传感器问题后，再判定"
                        "主板或模块故障。</li></ol>"
                        "<p>技质部对返厂主板的检测表明，相当一部分“故障主板”检测完全正常，问题"
                        "实际出在插头松动、接线错误或传感器损坏上。<b>不能一看到代码就换板。</b>"
                        "</p>"
                    ),
                    _callout(
                        "danger",
                        "<p>室外机断电后，直流母线电容仍储存约310 V直流电，足以造成电击。打开"
                        "电控盒后，<b>先等待至少5分钟</b>，再用万用表直流档测量电容两端电压，低于"
                        "36 V后方可触碰主板和压缩机接线。</p>",
                    ),
                ],
            ),
            (
                "fault-code-reference",
                "常见故障代码速查",
                25,
                [
                    _text(
                        "<p>下表为本品牌家用变频挂机、柜机的通用代码定义。个别系列的代码可能不同，"
                        "以机型维修手册为准。读取代码的同时，记下室外板指示灯状态，一并写入工单。"
                        "</p>"
                    ),
                    _fault_codes("家用变频空调常见故障代码", AC_FAULT_CODES),
                    _callout(
                        "caution",
                        "<p>传感器阻值随温度变化。测量时用温度计记下当时的环境温度，再查阻值表"
                        "比对；不能只凭“有阻值”就判断传感器正常。</p>",
                    ),
                ],
            ),
            (
                "e6-communication-fault",
                "通信故障（E6）排查流程",
                25,
                [
                    _text(
                        "<p>E6是上门率最高的代码之一，也是误换主板最多的代码。按下面的顺序排查，"
                        "多数故障能在30分钟内定位。</p>"
                    ),
                    _procedure(
                        "E6通信故障排查",
                        [
                            (
                                "确认故障现象",
                                "<p>记录报码时机：开机即报，多为接线错误或外机没有上电；运行"
                                "一段时间后报，多为接触不良、干扰或板件过热。</p><p>观察室外机："
                                "风机和压缩机是否运转过，外机板指示灯是否点亮。</p>",
                            ),
                            (
                                "检查供电与接线",
                                "<p>断电后打开内外机接线盖，核对L、N、S端子是否一一对应，有无"
                                "接错、压到绝缘皮、松动、端子发黑。</p><p>新装机报E6，首先怀疑"
                                "接线错误；移机后报E6，重点检查连接线中间是否有接头。</p>",
                            ),
                            (
                                "测量通信电压",
                                "<p>上电开机，用万用表测室外机S端子与N端子之间的电压：</p><ul>"
                                "<li>电压不断跳动：通信已建立，故障可能是间歇性的，重点查插头和"
                                "端子接触；</li>"
                                "<li>电压为0或恒定不变：通信未建立，继续下一步。</li></ul>",
                            ),
                            (
                                "检查室外主板",
                                "<p>检查室外板保险管是否熔断，电抗器和整流桥接线是否松脱，通信"
                                "电路光耦附近有无烧蚀。</p><p>端子上有220 V而外机板指示灯不亮，"
                                "说明室外板电源部分故障。</p>",
                                img["board"],
                            ),
                            (
                                "替换判断与记录",
                                "<p>用确认良好的主板替换判断，先换室外板，后换室内板。更换后连续"
                                "试机30分钟不再报码，方可判定修复。</p><p>工单中写明实测电压值和"
                                "更换件条码，旧件贴故障标签交回网点。</p>",
                            ),
                        ],
                    ),
                    _text(
                        "<h3>案例：夏季午后间歇报E6</h3><p>一台安装三年的1.5匹变频挂机，夏季"
                        "午后频繁报E6，晚上使用正常。工程师上门时代码已消失，测通信电压正常。仔细"
                        "检查发现，室外机接线端子N线螺钉松动，端子和线鼻已氧化发黑。午后室外温度"
                        "高、负荷大，接触点发热后接触电阻增大，通信随之中断。</p><p>处理：剪去"
                        "氧化线头，重新压接线鼻并紧固端子，试机1小时正常，此后回访未再报码。</p>"
                        "<p><b>经验</b>：间歇性E6不要急于换板，先查端子有没有过热痕迹。</p>"
                    ),
                ],
            ),
            (
                "p0-and-discharge-temperature",
                "IPM模块保护与排气温度过高",
                20,
                [
                    _text(
                        "<h3>P0：IPM模块保护</h3><p>IPM模块检测到过电流、过热或驱动电压不足时，"
                        "会立即关断输出并报P0。原因分为两类：一是外部原因，如供电电压波动、压缩机"
                        "绕组或接线故障、系统负荷过大；二是模块本身或其散热不良。只有排除了外部"
                        "原因，才能更换室外主板，否则新板装上去很快又会损坏。</p>"
                        "<p>排查顺序：</p><ol>"
                        "<li>查压缩机接线：U、V、W三根线是否接错、松动，端子有无烧蚀；</li>"
                        "<li>测压缩机：三相绕组阻值应基本相等，对地绝缘电阻不小于2 MΩ；</li>"
                        "<li>查散热：模块与散热器之间导热硅脂是否干涸、固定螺钉是否松动，外机"
                        "通风是否良好；</li>"
                        "<li>查负荷：测系统压力和运行电流，排除冷媒过量、换热器脏堵。</li></ol>"
                        "<h3>F5：排气温度过高</h3><p>排气温度过高最常见的原因是缺冷媒。R32机型"
                        "制冷运行时，如果低压明显低于0.8 MPa、运行电流偏小、室内机出风温差小、"
                        "蒸发器只有一部分结露，可以判断缺冷媒。</p><p>缺冷媒一定是有漏点：先用"
                        "电子检漏仪或肥皂水查喇叭口、阀门、焊点和蒸发器U形弯，处理漏点后重新抽"
                        "真空，按铭牌充注量用电子秤定量充注。<b>不得不找漏点只补冷媒。</b></p>"
                        "<h3>案例：运行10分钟后报P0</h3><p>一台1.5匹变频挂机制冷运行约10分钟后"
                        "停机报P0，重新开机后重复出现。压缩机绕组和绝缘测量正常，供电电压稳定。"
                        "拆下室外主板发现，模块与散热器间的导热硅脂已干涸开裂，模块运行升温过快"
                        "触发过热保护。处理：清理后重新均匀涂抹导热硅脂，按规定力矩紧固模块螺钉，"
                        "连续运行2小时正常。</p>"
                    ),
                    _callout(
                        "danger",
                        "<p>R32系统补焊漏点时：先回收系统内冷媒，再充氮气置换并保持微量氮气流动"
                        "焊接；现场保持通风，配备灭火器。严禁在系统内仍有冷媒的情况下动火。</p>",
                    ),
                ],
            ),
        ],
    }


def _course_gas_heater(media: dict) -> dict:
    img = media["images"]
    return {
        "slug": GAS_WH,
        "title": "燃气热水器安全检修",
        "summary": "强排式燃气热水器的结构与工作原理、燃气安全检修要求以及常见故障处理。"
        "本课程仅对通过“燃气热水器维修资质”学习路径分配的人员开放。",
        "layer": CourseLayer.SKILLS,
        "product_line": "WH",
        "target_roles": [Role.TECHNICIAN.value],
        "skill_codes": "GAS-WH-REPAIR",
        "estimated_minutes": 90,
        "self_enrolment": False,
        "cover": "gas_heater",
        "lessons": [
            (
                "structure-and-principle",
                "结构与工作原理",
                25,
                [
                    _text(
                        "<p>家用燃气热水器以强制排气式（强排式）为主。打开热水龙头后，工作过程"
                        "如下：</p><ol>"
                        "<li>水流传感器检测到水流（启动水流量一般约2.5至3 L/min），向控制器发出"
                        "信号；</li>"
                        "<li>风机启动前清扫，风压开关或风机转速反馈确认排烟通道畅通；</li>"
                        "<li>点火针高压放电，同时电磁阀打开，比例阀按设定开度供气，燃气在火排上"
                        "点燃；</li>"
                        "<li>火焰检测针检测到火焰离子电流，确认点火成功；检测不到火焰，控制器在"
                        "数秒内关闭燃气阀并报警；</li>"
                        "<li>控制器根据出水温度调节比例阀开度和风机转速，保持恒温；</li>"
                        "<li>关闭龙头后燃气阀立即关闭，风机继续运转一段时间，排净残余烟气。</li>"
                        "</ol>"
                    ),
                    _figure(
                        img["gas_heater"],
                        "强排式燃气热水器结构示意：风机、热交换器、火排与点火针；下方自左至右为"
                        "冷水进口、燃气进口（带阀门）、热水出口；烟管向室外稍向下倾斜。",
                    ),
                    _text(
                        "<p><b>气源必须与铭牌一致</b>：天然气机型（12T）不能直接用于液化石油气"
                        "（20Y），反之亦然。改换气源须更换喷嘴并调整参数，只能由具备资质的人员"
                        "按厂家规定进行。</p>"
                        "<p>主要安全装置：熄火保护、风压（烟道堵塞）保护、防干烧保护、超温保护，"
                        "部分机型还有一氧化碳报警。<b>检修时任何安全装置都不得短接或拆除。</b></p>"
                    ),
                ],
            ),
            (
                "gas-safety",
                "燃气安全检修要求",
                30,
                [
                    _callout(
                        "danger",
                        "<p><b>进门闻到燃气味，立即按以下顺序处理，不得进行任何维修：</b></p><ol>"
                        "<li>不开关任何电器（包括电灯、排风扇、门铃），不在现场拨打或接听电话；"
                        "</li>"
                        "<li>打开门窗通风；</li>"
                        "<li>关闭燃气表前阀门或灶前总阀；</li>"
                        "<li>带领在场人员撤到室外，在室外拨打燃气公司抢修电话；</li>"
                        "<li>报告网点，并在工单中记录。</li></ol>"
                        "<p>燃气表及表前管道由燃气公司负责维护，我们不得拆改。</p>",
                    ),
                    _text(
                        "<h3>检修前准备与环境检查</h3><ul>"
                        "<li>检修前关闭热水器前燃气阀，拔下电源插头；</li>"
                        "<li>准备可燃气体检测仪和检漏液（肥皂水），<b>严禁用明火检漏</b>；</li>"
                        "<li>热水器不得安装在浴室、卧室内，安装房间必须通风良好；</li>"
                        "<li>烟管必须伸出室外，接口严密，水平段向室外稍向下倾斜，防止冷凝水和雨水"
                        "倒流；烟管不得接入公共烟道或排风道；</li>"
                        "<li>燃气连接管应为不锈钢波纹管或燃气专用管。橡胶软管老化、长度超过2 m或"
                        "穿墙的，必须书面建议用户更换。</li></ul>"
                    ),
                    _procedure(
                        "维修后的安全检查",
                        [
                            (
                                "气密性检查",
                                "<p>打开燃气阀，不开机，用检漏液涂抹燃气进气接头、电磁阀和比例阀"
                                "接口，观察1分钟无气泡；再用可燃气体检测仪沿管路检测，无报警为"
                                "合格。</p>",
                            ),
                            (
                                "点火与燃烧检查",
                                "<p>打开热水龙头，点火应顺畅；火焰呈蓝色、稳定，无黄焰、离焰和"
                                "回火。连续运行不少于5分钟。</p>",
                            ),
                            (
                                "烟气检查",
                                "<p>检查烟管各接口无漏烟，排烟口无遮挡。有条件的用烟气分析仪测"
                                "烟气中一氧化碳含量，须符合标准要求。</p>",
                            ),
                            (
                                "验证安全保护",
                                "<p>关水后火焰应立即熄灭；运行中关闭燃气阀，熄火保护应动作并"
                                "报警。</p>",
                            ),
                            (
                                "向用户交代",
                                "<p>提醒用户使用时保持通风、定期检查连接管，讲清闻到燃气味时的"
                                "处理方法；在工单中记录各项检查结果。</p>",
                            ),
                        ],
                    ),
                    _callout(
                        "warning",
                        "<p>发现过热、漏烟或漏气且现场无法修复的，必须明确告知用户<b>停止使用</b>，"
                        "关闭燃气阀，并请用户在工单上签字确认已被告知。</p>",
                    ),
                ],
            ),
            (
                "common-faults",
                "常见故障与处理",
                35,
                [
                    _text(
                        "<p>燃气热水器的故障多集中在点火、火焰检测和排烟三个环节。下表为本品牌"
                        "强排式机型的通用代码，具体以机型维修手册为准。</p>"
                    ),
                    _fault_codes(
                        "燃气热水器常见故障代码",
                        [
                            (
                                "E1",
                                "点火失败",
                                "1. 确认燃气阀已打开、燃气表有余量、气源类型与铭牌一致；\n"
                                "2. 新装或长期停用时管内有空气，可多次点火排空；\n"
                                "3. 检查点火针与火排间距（一般3至5 mm）、点火针瓷体有无裂纹；\n"
                                "4. 测电磁阀线圈阻值，检查比例阀插头；\n"
                                "5. 检查控制器点火输出。",
                            ),
                            (
                                "E2",
                                "意外熄火（火焰检测失败）",
                                "1. 检查火焰检测针是否积碳、位置偏移，用细砂纸清理；\n"
                                "2. 检查接地线——火焰离子电流需要良好的接地回路；\n"
                                "3. 检查燃气压力是否过低，大风天烟管是否倒灌。",
                            ),
                            (
                                "E3",
                                "风机或风压故障",
                                "1. 检查烟管有无堵塞、鸟窝，排烟口是否被遮挡；\n"
                                "2. 检查风压开关取压管是否脱落、积水；\n"
                                "3. 测风机运行电压和转速反馈。",
                            ),
                            (
                                "E4",
                                "出水超温保护",
                                "1. 检查进水压力和水量是否过小；\n"
                                "2. 检查热交换器是否结垢堵塞；\n"
                                "3. 检查出水温度传感器阻值。",
                            ),
                            (
                                "E5",
                                "防干烧（过热）保护动作",
                                "1. 检查过热保护开关是否断开，查明原因后再复位；\n"
                                "2. 检查热交换器表面有无积碳、变色；\n"
                                "3. 找到原因前不得短接保护开关。",
                            ),
                            (
                                "E6",
                                "出水温度传感器故障",
                                "1. 检查插头；\n2. 测阻值并对照阻值表；\n3. 更换传感器。",
                            ),
                            (
                                "E7",
                                "燃气比例阀故障",
                                "1. 检查比例阀插头和线圈阻值；\n"
                                "2. 测控制器输出电流；\n"
                                "3. 更换比例阀后必须做气密性检查，并调整最小、最大燃气压力。",
                            ),
                        ],
                    ),
                    _text(
                        "<h3>无代码的常见问题</h3><ul>"
                        "<li><b>水温忽冷忽热</b>：多为水压不稳，或水流量接近启动下限，几个龙头"
                        "同时使用时容易出现。清洗进水过滤网，调整水量。</li>"
                        "<li><b>水温上不去</b>：冬季进水温度低，设定温度高、水量又大时超出机器"
                        "能力，可适当减小水量；同时检查燃气压力。</li>"
                        "<li><b>燃烧噪音大、点火有爆燃声</b>：检查点火针间距和燃气压力，清理火排"
                        "堵塞。</li></ul>"
                    ),
                    _callout(
                        "caution",
                        "<p>更换比例阀、电磁阀、火排、燃气管路等任何涉及燃气通路的部件后，必须按"
                        "上一课的步骤完成气密性检查和燃烧检查，并在工单中记录结果。</p>",
                    ),
                ],
            ),
        ],
    }


COURSE_BUILDERS = [
    _course_culture,
    _course_service_rules,
    _course_communication,
    _course_ac_install,
    _course_ac_diag,
    _course_gas_heater,
]


# --- Writing pages, paths, assignments and progress --------------------------------------


def _publish(page) -> None:
    page.save_revision().publish()


def _ensure_course(catalogue: CourseIndexPage, spec: dict, media: dict, by_slug: dict):
    course = CoursePage.objects.child_of(catalogue).filter(slug=spec["slug"]).first()
    if course is None:
        product_line = None
        if spec["product_line"]:
            product_line = ProductLine.objects.get(code=spec["product_line"])
        course = catalogue.add_child(
            instance=CoursePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                layer=spec["layer"],
                product_line=product_line,
                target_roles=spec["target_roles"],
                skill_codes=spec["skill_codes"],
                estimated_minutes=spec["estimated_minutes"],
                self_enrolment=spec["self_enrolment"],
                cover_image=media["images"].get(spec.get("cover")),
                live=False,
            )
        )
        course.prerequisites = [by_slug[slug] for slug in spec.get("prerequisites", [])]
        _publish(course)
    for slug, title, minutes, body in spec["lessons"]:
        if LessonPage.objects.child_of(course).filter(slug=slug).exists():
            continue
        lesson = course.add_child(
            instance=LessonPage(
                title=title, slug=slug, estimated_minutes=minutes, body=body, live=False
            )
        )
        _publish(lesson)
    return course


def _ensure_paths(courses: dict) -> dict:
    paths = {}
    for title, description, is_onboarding, slugs in PATHS:
        path = LearningPath.objects.filter(title=title).first()
        if path is None:
            path = LearningPath(
                title=title,
                description=description,
                is_onboarding=is_onboarding,
                onboarding_due_days=30,
            )
            path.items = [
                LearningPathItem(course=courses[slug], sort_order=i) for i, slug in enumerate(slugs)
            ]
            path.save()
            path.save_revision()
        paths[title] = path
    return paths


def _ensure_assignments(paths: dict) -> None:
    trainer = User.objects.filter(username="T1001").first()
    profiles = StaffProfile.objects.select_related("user").prefetch_related("user__groups")
    for profile in profiles:
        if profile.has_role(Role.NEW_STAFF):
            onboarding_assign(user=profile.user)
    path_assign(
        path=paths["家用空调安装维修技能"],
        assigned_by=trainer,
        role=Role.TECHNICIAN.value,
        due_mode=PathAssignment.DueMode.AFTER_ASSIGNMENT,
        due_days=60,
    )
    outlet = ServiceOutlet.objects.filter(code="GZ-TH-01").first()
    if outlet is not None:
        path_assign(
            path=paths["燃气热水器维修资质"],
            assigned_by=trainer,
            outlet=outlet,
            due_mode=PathAssignment.DueMode.FIXED,
            due_date=dt.date(2026, 12, 31),
        )


def _ensure_progress(courses: dict) -> None:
    """A little history for dashboards, only for demo people who have none yet. Lessons are
    completed through the same service the "mark as completed" button uses, so the course
    prerequisites apply: J3003 finishes 售后服务规范与流程 before starting the installation
    course that requires it."""

    def lessons(slug: str) -> list[LessonPage]:
        return course_lessons(course=courses[slug])

    install = lessons(AC_INSTALL)
    plan = {
        "J3001": lessons(CULTURE) + lessons(SERVICE_RULES),
        "J3002": lessons(CULTURE) + lessons(SERVICE_RULES),
        "J3003": lessons(SERVICE_RULES) + install[: len(install) // 2],
        "N4001": lessons(CULTURE)[:1],
    }
    for username, todo in plan.items():
        user = User.objects.filter(username=username).first()
        if user is None or LessonProgress.objects.filter(user=user).exists():
            continue
        for lesson in todo:
            lesson_complete(user=user, lesson=lesson)


@transaction.atomic
def load() -> None:
    """Creates what is missing of the demo training content; safe to run repeatedly."""
    catalogue = course_catalogue_ensure()
    if catalogue is None:
        raise RuntimeError("The course catalogue needs the home page; run migrate first.")
    media = {"images": _ensure_images(), "checklist": _ensure_checklist()}
    courses: dict[str, CoursePage] = {}
    for build in COURSE_BUILDERS:
        spec = build(media)
        courses[spec["slug"]] = _ensure_course(catalogue, spec, media, courses)
    paths = _ensure_paths(courses)
    _ensure_assignments(paths)
    _ensure_progress(courses)
    from . import demo_quiz

    demo_quiz.load(install_course=courses[AC_INSTALL])
