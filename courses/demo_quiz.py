"""Demo question bank and the installation certification exam.

Questions are written in the spreadsheet row format trainers use (``courses.quiz.spreadsheet``)
and keyed by code, so loading twice changes nothing a trainer edited: a question whose code
already exists is left alone. The exam draws 20 questions at random from the bank and sits in
the last lesson of 分体式空调安装."""

from courses.models import LessonPage, Quiz, QuizDraw, ReviewPolicy
from courses.quiz.spreadsheet import question_row_parse, question_upsert

INSTALL = "空调安装"
DIAGNOSIS = "故障诊断"
REFRIGERANT = "冷媒安全"
ETIQUETTE = "服务礼仪"

EXAM_TITLE = "家用空调安装上岗考试"

# code, type, category, stem, options (one per line or |), answer, tags, difficulty, explanation
QUESTIONS = [
    # --- Installation ----------------------------------------------------------------------
    (
        "AC-IN-01",
        "单选",
        INSTALL,
        "分体挂机室外机支架的承重能力应不小于整机重量的几倍？",
        "1倍|2倍|4倍|10倍",
        "C",
        "支架,安全",
        2,
        "按安装规范，支架及膨胀螺栓的承重须不小于室外机重量的4倍，并考虑台风和积雪。",
    ),
    (
        "AC-IN-02",
        "单选",
        INSTALL,
        "抽真空结束后保压，R32机型真空度应达到多少以下并保持不回升？",
        "-0.02 MPa|-0.05 MPa|-0.1 MPa（表压，约 -760 mmHg）|0 MPa",
        "C",
        "抽真空",
        2,
        "抽至 -0.1 MPa 后关闭歧管阀保压至少5分钟，指针不回升才说明系统无泄漏。",
    ),
    (
        "AC-IN-03",
        "判断",
        INSTALL,
        "连接线长度不够时，可以在中间用胶布缠绕接头延长。",
        "",
        "错",
        "电气",
        1,
        "连接线中间不得有接头，长度不够必须更换整根线。",
    ),
    (
        "AC-IN-04",
        "多选",
        INSTALL,
        "以下哪些位置可以作为空调的接地？",
        "专用接地端子|燃气管|自来水管|建筑物的保护接地线",
        "A,D",
        "电气,安全",
        2,
        "严禁把接地线接到燃气管、自来水管或暖气管上。",
    ),
    (
        "AC-IN-05",
        "排序",
        INSTALL,
        "请按正确顺序排列分体空调安装的主要步骤。",
        "勘察定位并确认电源|安装室外机支架和室外机|连接配管和连接线|抽真空并保压检漏|"
        "开阀试机并验收",
        "",
        "流程",
        2,
        "先勘察再安装，配管连接后必须抽真空检漏，最后开阀试机。",
    ),
    (
        "AC-IN-06",
        "填空",
        INSTALL,
        "抽真空使用的专用设备叫____。",
        "",
        "真空泵|双级真空泵",
        "抽真空",
        1,
        "抽真空必须使用真空泵，不能用冷媒“排空气”。",
    ),
    (
        "AC-IN-07",
        "单选",
        INSTALL,
        "室内机排水管的正确走向是？",
        "全程保持向下的坡度|中间可以有上翘|可以与进水管共用|出墙后可向上绕行",
        "A",
        "排水",
        1,
        "排水管全程要有向下坡度，不得有倒坡或积水弯，否则会漏水。",
    ),
    (
        "AC-IN-08",
        "判断",
        INSTALL,
        "制冷试机运行15分钟后，室内机进出风温差一般应不小于8 ℃。",
        "",
        "对",
        "试机",
        1,
        "进出风温差不小于8 ℃ 是判断制冷效果的常用标准。",
    ),
    (
        "AC-IN-09",
        "单选",
        INSTALL,
        "喇叭口扩口后，检查的重点是？",
        "颜色是否发亮|口面光滑无裂纹、尺寸均匀|越大越好|可以有少量毛刺",
        "B",
        "配管",
        2,
        "喇叭口必须光滑、无裂纹、无毛刺、大小合适，否则接头会泄漏。",
    ),
    (
        "AC-IN-10",
        "多选",
        INSTALL,
        "交付验收时应向用户讲解哪些内容？",
        "遥控器使用|滤网清洁周期|制热化霜等正常现象|冷媒充注压力的调整方法",
        "A,B,C",
        "验收,服务",
        1,
        "冷媒压力由技师负责，不应让用户自行调整。",
    ),
    (
        "AC-IN-11",
        "单选",
        INSTALL,
        "穿墙孔的正确做法是？",
        "内高外低，略向室外倾斜|内低外高|水平即可|越大越好",
        "A",
        "打孔",
        1,
        "穿墙孔内高外低，防止雨水倒灌和冷凝水流回室内。",
    ),
    (
        "AC-IN-12",
        "填空",
        INSTALL,
        "高空作业（2米以上）时，安装人员必须系好____。",
        "",
        "安全带|安全绳",
        "安全",
        1,
        "高空作业必须系好安全带，并确认挂点牢固。",
    ),
    # --- Diagnosis ---------------------------------------------------------------------------
    (
        "AC-DG-01",
        "单选",
        DIAGNOSIS,
        "变频空调断电后，检修室外机主板前至少应等待多久并确认电容已放电？",
        "10秒|1分钟|5分钟|无需等待",
        "C",
        "变频,安全",
        2,
        "电解电容断电后仍存有高压直流电，须等待至少5分钟并用万用表确认已放电。",
    ),
    (
        "AC-DG-02",
        "单选",
        DIAGNOSIS,
        "制冷时低压明显偏低、出风不凉、室外机气管结霜，最可能的原因是？",
        "冷媒不足或系统堵塞|电源电压偏高|遥控器没电|室内温度过低",
        "A",
        "压力",
        2,
        "低压偏低加结霜，常见原因是冷媒不足或毛细管、过滤器堵塞。",
    ),
    (
        "AC-DG-03",
        "判断",
        DIAGNOSIS,
        "显示通信故障时，应先检查内外机连接线的接线和端子号是否一一对应。",
        "",
        "对",
        "故障代码",
        1,
        "通信故障多数由接线错误、松动或连接线损坏造成。",
    ),
    (
        "AC-DG-04",
        "多选",
        DIAGNOSIS,
        "判断压缩机是否正常时，可以测量哪些参数？",
        "绕组阻值|运行电流|对地绝缘电阻|遥控器电池电压",
        "A,B,C",
        "压缩机",
        3,
        "绕组阻值、运行电流和绝缘电阻可以判断压缩机状态，与遥控器无关。",
    ),
    (
        "AC-DG-05",
        "排序",
        DIAGNOSIS,
        "请按正确顺序排列上门维修的诊断步骤。",
        "询问用户故障现象|查看故障代码和运行状态|测量电压电流压力等参数|确定故障原因并向用户说明|"
        "维修后试机确认",
        "",
        "流程",
        2,
        "先问后看再测，确认原因并告知用户后再维修，最后试机确认。",
    ),
    (
        "AC-DG-06",
        "单选",
        DIAGNOSIS,
        "室外机风机不转、压缩机运行，短时间后高压保护，首先应检查？",
        "室外风机电机及其电容|室内机滤网|遥控器|排水管",
        "A",
        "保护",
        2,
        "室外风机不转会导致冷凝压力升高而触发高压保护。",
    ),
    (
        "AC-DG-07",
        "填空",
        DIAGNOSIS,
        "测量压缩机绕组阻值使用的仪表是____。",
        "",
        "万用表|数字万用表",
        "仪表",
        1,
        "用万用表电阻档测量绕组阻值。",
    ),
    (
        "AC-DG-08",
        "判断",
        DIAGNOSIS,
        "制热时室外机周期性停止运转并冒白汽，一定是故障。",
        "",
        "错",
        "制热",
        1,
        "这是正常的化霜过程，应向用户解释。",
    ),
    (
        "AC-DG-09",
        "单选",
        DIAGNOSIS,
        "测量绝缘电阻时，压缩机对地绝缘电阻一般应不低于？",
        "0.5 MΩ|2 MΩ|100 Ω|1 kΩ",
        "B",
        "压缩机,安全",
        3,
        "绝缘电阻低于2 MΩ说明有漏电风险，需进一步检查。",
    ),
    (
        "AC-DG-10",
        "多选",
        DIAGNOSIS,
        "室内机漏水的常见原因有？",
        "排水管倒坡或堵塞|室内机安装不水平|接水盘脏堵|冷媒充注过多导致压力升高",
        "A,B,C",
        "排水",
        2,
        "漏水多与排水有关：倒坡、堵塞、机身不水平或接水盘脏堵。",
    ),
    (
        "AC-DG-11",
        "单选",
        DIAGNOSIS,
        "变频空调室外机显示电流保护，排查时优先确认？",
        "电源电压和接线是否正常|室内机颜色|遥控器型号|用户的使用时间",
        "A",
        "变频,保护",
        2,
        "电源电压过低或接线不良会导致电流过大而保护。",
    ),
    # --- Refrigerant safety ------------------------------------------------------------------
    (
        "RF-SF-01",
        "单选",
        REFRIGERANT,
        "R32冷媒的安全分类是？",
        "A1（不可燃）|A2L（弱可燃）|A3（可燃）|B1（有毒）",
        "B",
        "R32",
        1,
        "R32属于A2L弱可燃冷媒，作业时须远离明火并保持通风。",
    ),
    (
        "RF-SF-02",
        "单选",
        REFRIGERANT,
        "R290冷媒的安全分类是？",
        "A1|A2L|A3（高可燃）|B2L",
        "C",
        "R290",
        1,
        "R290（丙烷）属于A3高可燃冷媒，维修须严格执行防爆要求。",
    ),
    (
        "RF-SF-03",
        "判断",
        REFRIGERANT,
        "维修时可以把系统里的冷媒直接排放到大气中。",
        "",
        "错",
        "回收",
        1,
        "冷媒必须用回收机回收，严禁直接排放。",
    ),
    (
        "RF-SF-04",
        "多选",
        REFRIGERANT,
        "R290机型维修现场必须做到？",
        "保持通风|现场无明火和火花|使用防爆型工具和检漏仪|在密闭小房间内焊接",
        "A,B,C",
        "R290",
        2,
        "R290为A3可燃冷媒，严禁在密闭空间内动火作业。",
    ),
    (
        "RF-SF-05",
        "排序",
        REFRIGERANT,
        "请按正确顺序排列含冷媒系统的焊接维修步骤。",
        "用回收机回收冷媒|用氮气吹扫置换管路|充氮保护焊接|保压检漏后抽真空|定量充注冷媒",
        "",
        "焊接,回收",
        3,
        "先回收，再氮气置换，焊接时充氮保护，检漏抽真空后再按铭牌定量充注。",
    ),
    (
        "RF-SF-06",
        "填空",
        REFRIGERANT,
        "焊接管路时，管内应充入____进行保护，防止产生氧化皮。",
        "",
        "氮气|N2",
        "焊接",
        2,
        "充氮焊接防止管内生成氧化皮堵塞系统。",
    ),
    (
        "RF-SF-07",
        "单选",
        REFRIGERANT,
        "R32机型充注冷媒的正确方式是？",
        "按铭牌标注量定量充注|凭经验看压力充|越多越好|用R22代替",
        "A",
        "R32,充注",
        2,
        "应按铭牌标注的充注量使用电子秤定量充注。",
    ),
    (
        "RF-SF-08",
        "判断",
        REFRIGERANT,
        "不同种类的冷媒可以混合充注。",
        "",
        "错",
        "充注",
        1,
        "混用冷媒会导致系统压力异常和设备损坏，严禁混充。",
    ),
    (
        "RF-SF-09",
        "多选",
        REFRIGERANT,
        "检漏可以使用以下哪些方法？",
        "肥皂水|电子检漏仪|明火检漏|充氮保压",
        "A,B,D",
        "检漏,安全",
        2,
        "严禁用明火检漏，尤其是可燃冷媒。",
    ),
    (
        "RF-SF-10",
        "单选",
        REFRIGERANT,
        "冷媒钢瓶存放的正确做法是？",
        "阴凉通风处直立存放，远离热源|放在车内暴晒|靠近电焊作业点|随意横放",
        "A",
        "存放",
        1,
        "冷媒钢瓶应直立存放在阴凉通风处，远离热源和火源。",
    ),
    (
        "RF-SF-11",
        "判断",
        REFRIGERANT,
        "回收的冷媒钢瓶充装量不得超过其容积的80%。",
        "",
        "对",
        "回收",
        2,
        "留出膨胀空间，防止温度升高时钢瓶超压。",
    ),
    (
        "RF-SF-12",
        "单选",
        REFRIGERANT,
        "发现R290机型明显泄漏时，首先应？",
        "立即开窗通风并切断电源，禁止开关电器|马上焊接补漏|打开风扇吹散|继续运行观察",
        "A",
        "R290,应急",
        3,
        "先通风、断电，避免任何火花，再进行后续处理。",
    ),
    # --- Service etiquette -------------------------------------------------------------------
    (
        "SV-ET-01",
        "单选",
        ETIQUETTE,
        "上门服务前，技师应在什么时候与用户电话预约？",
        "接单后尽快，并按约定时间准时上门|到门口时再打电话|不需要预约|完工后再联系",
        "A",
        "预约",
        1,
        "接单后尽快与用户预约，准时上门，如有变化提前告知。",
    ),
    (
        "SV-ET-02",
        "多选",
        ETIQUETTE,
        "进入用户家中时应做到？",
        "出示工牌并自我介绍|穿鞋套|铺设防护垫保护地面和家具|随意使用用户的洗手间和物品",
        "A,B,C",
        "上门",
        1,
        "使用用户物品须征得同意。",
    ),
    (
        "SV-ET-03",
        "判断",
        ETIQUETTE,
        "收费项目应在维修前向用户说明并征得同意，按公司价目表收费。",
        "",
        "对",
        "收费",
        1,
        "明码标价、先说明后维修，是服务规范的基本要求。",
    ),
    (
        "SV-ET-04",
        "排序",
        ETIQUETTE,
        "请按正确顺序排列标准上门服务流程。",
        "电话预约|上门自我介绍并穿戴鞋套|检查并说明故障和费用|维修并试机|清理现场并请用户签字确认",
        "",
        "流程",
        1,
        "预约→上门→说明→维修→清理签字，是标准服务流程。",
    ),
    (
        "SV-ET-05",
        "单选",
        ETIQUETTE,
        "用户情绪激动、投诉服务时，技师首先应？",
        "耐心倾听，表示理解|立即争辩|转身离开|让用户去找别人",
        "A",
        "投诉",
        1,
        "先倾听和安抚情绪，再了解问题并给出解决方案。",
    ),
    (
        "SV-ET-06",
        "判断",
        ETIQUETTE,
        "可以在用户家中吸烟，只要开窗通风即可。",
        "",
        "错",
        "上门",
        1,
        "服务过程中严禁在用户家中吸烟、饮酒。",
    ),
    (
        "SV-ET-07",
        "填空",
        ETIQUETTE,
        "服务完成后，应请用户在____上签字确认。",
        "",
        "工单|服务工单|维修工单",
        "验收",
        1,
        "工单签字是服务完成的确认依据。",
    ),
    (
        "SV-ET-08",
        "多选",
        ETIQUETTE,
        "以下哪些属于用户隐私，不得拍照或外传？",
        "用户家庭住址和电话|室内陈设和家人|空调条码|用户的证件",
        "A,B,D",
        "隐私",
        2,
        "空调条码为工单需要拍摄的内容，其余都属于用户隐私。",
    ),
    (
        "SV-ET-09",
        "单选",
        ETIQUETTE,
        "需要更换的旧配件应该怎样处理？",
        "向用户展示并按公司规定回收|直接扔进用户的垃圾桶|自行出售|藏起来不告诉用户",
        "A",
        "配件",
        2,
        "旧件应向用户展示并按规定回收，做到透明。",
    ),
    (
        "SV-ET-10",
        "判断",
        ETIQUETTE,
        "因配件缺货无法当天修好时，应向用户说明原因并约定再次上门时间。",
        "",
        "对",
        "预约",
        1,
        "主动说明并约定时间，避免用户反复催促。",
    ),
]


def _ensure_questions() -> int:
    from courses.models import Question

    created = 0
    for code, kind, category, stem, options, answer, tags, difficulty, explanation in QUESTIONS:
        if Question.objects.filter(code=code).exists():
            continue
        row = question_row_parse(
            row=0,
            values={
                "code": code,
                "type": kind,
                "category": category,
                "stem": stem,
                "options": options,
                "answer": answer,
                "tags": tags,
                "difficulty": difficulty,
                "explanation": explanation,
            },
        )
        if row.errors:
            raise ValueError(f"demo question {code}: {row.errors}")
        question_upsert(data=row.data)
        created += 1
    return created


def _ensure_exam() -> Quiz:
    from courses.models import QuestionCategory

    exam = Quiz.objects.filter(title=EXAM_TITLE).first()
    if exam is not None:
        return exam
    exam = Quiz(
        title=EXAM_TITLE,
        description="家用分体空调安装技师上岗前的认证考试：安装规范、故障诊断、冷媒安全和服务礼仪，"
        "从题库随机抽取20题，80分及格。",
        shuffle_questions=True,
        shuffle_choices=True,
        pass_mark=80,
        time_limit_minutes=30,
        attempts_allowed=3,
        cooldown_minutes=60,
        review_policy=ReviewPolicy.EXPLANATIONS,
        answers_only_after_passing=True,
    )
    exam.draws = [
        QuizDraw(category=QuestionCategory.objects.get(name=name), count=5, sort_order=i)
        for i, name in enumerate([INSTALL, DIAGNOSIS, REFRIGERANT, ETIQUETTE])
    ]
    exam.save()
    exam.save_revision()
    return exam


def _place_exam(exam: Quiz, course) -> None:
    """Appends the exam to the course's last lesson, unless a quiz is already there."""
    lesson = LessonPage.objects.child_of(course).order_by("-path").first()
    if lesson is None or any(block.block_type == "quiz" for block in lesson.body):
        return
    lesson.body.append(
        (
            "quiz",
            {"quiz": exam, "intro": "完成全部课时后参加考试。通过即完成本课时，可申请上岗认证。"},
        )
    )
    lesson.save_revision().publish()


def load(*, install_course) -> Quiz:
    """Creates the missing demo questions and the exam, and places the exam in the course."""
    _ensure_questions()
    exam = _ensure_exam()
    if install_course is not None:
        _place_exam(exam, install_course)
    return exam
