"""Rebuild the embedded sample ledger by living through an office year.

Items are issued, reported, reviewed, extended … on their own dates through
duban's real library calls, and the sweep runs every morning, so every
slip in the sample is exactly what duban itself would have written.

    python tools/make_sample.py            # rewrites items/ and counters.yaml at the repository root
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from duban.commands import items  # noqa: E402
from duban.commands.events import record  # noqa: E402
from duban.commands.items import extend_item, issue_item  # noqa: E402
from duban.commands.setup import init_ledger  # noqa: E402
from duban.commands.sweep import run as sweep  # noqa: E402
from duban.store.git import git  # noqa: E402

END = date(2026, 11, 19)  # the sample stands as of the evening of this day; the README demo runs 2026-11-20
D = date.fromisoformat

# (issued, category, tier, lead, co, title, deadline or None, basis, [(date, action, kwargs)])
ITEMS = [
    (
        "2026-01-06",
        "work_report",
        "yellow",
        "fgw",
        ["czj"],
        "全年地区生产总值增长6%目标任务分解落实",
        None,
        "区十八届人大五次会议《政府工作报告》",
        [
            (
                "2026-03-30",
                "report",
                dict(unit="fgw", text="一季度地区生产总值同比增长5.8%，重点项目开工18个。", percent=25),
            ),
            ("2026-06-29", "report", dict(unit="fgw", text="上半年增长6.1%，完成全年目标进度。", percent=50)),
            ("2026-09-29", "report", dict(unit="fgw", text="前三季度增长6.0%。", percent=75)),
        ],
    ),
    (
        "2026-01-06",
        "work_report",
        "blue",
        "jyj",
        [],
        "新建改扩建中小学及幼儿园6所",
        None,
        "区十八届人大五次会议《政府工作报告》",
        [
            ("2026-03-31", "report", dict(unit="jyj", text="6所学校均已完成立项，3所开工。", percent=20)),
            ("2026-07-02", "report", dict(unit="jyj", text="4所主体封顶。", percent=55)),
        ],
    ),
    (
        "2026-01-06",
        "work_report",
        "red",
        "zjj",
        ["fangzhi-jd"],
        "纺织城片区老旧小区改造42个",
        None,
        "区十八届人大五次会议《政府工作报告》",
        [
            ("2026-03-27", "report", dict(unit="zjj", text="42个小区完成摸底设计，开工15个。", percent=20)),
            ("2026-06-30", "report", dict(unit="zjj", text="开工38个，完工9个。", percent=45)),
            ("2026-09-30", "report", dict(unit="zjj", text="完工27个。", percent=70)),
        ],
    ),
    (
        "2026-02-03",
        "meeting_executive",
        "yellow",
        "sthjj",
        ["cgj"],
        "落实区政府第12次常务会议关于灞河沿岸扬尘治理的决定",
        None,
        "区政府第12次常务会议纪要",
        [
            (
                "2026-02-13",
                "report",
                dict(unit="sthjj", text="已完成沿岸工地围挡和雾炮设置，建立巡查台账。", final=True),
            ),
            ("2026-02-26", "review", dict(accept=True, reason="材料齐全，现场核查属实")),
            ("2026-03-05", "lookback", dict(text="回头望：沿岸工地扬尘措施保持到位。")),
            ("2026-03-09", "close", dict(text="经回头望，措施落实到位，注结销号")),
        ],
    ),
    (
        "2026-03-10",
        "meeting_topic",
        "yellow",
        "swj",
        ["zsj"],
        "区政府专题会议确定的夜间经济街区打造事项",
        None,
        "区政府专题会议纪要〔2026〕5号",
        [
            ("2026-03-23", "report", dict(unit="swj", text="完成街区业态规划，招引商户40家。", final=True)),
            ("2026-03-26", "review", dict(accept=True, reason="同意办结，转入回头望")),
        ],
    ),
    (
        "2026-04-07",
        "leader_instruction",
        "red",
        "wjw",
        [],
        "区长批示：立即核查某小区二次供水污染问题",
        None,
        "区长批示 2026-04-07",
        [
            ("2026-04-07", "report", dict(unit="wjw", text="当日完成水质检测，已停供清洗并恢复供水。", final=True)),
            ("2026-04-08", "review", dict(accept=True, reason="处置及时")),
            ("2026-04-10", "close", dict(text="注结销号")),
        ],
    ),
    (
        "2026-04-20",
        "leader_instruction",
        "yellow",
        "zrzyj",
        ["fgw"],
        "区长批示：加快灞河新区东片区土地收储",
        "2026-06-30",
        "区长批示 2026-04-18",
        [
            ("2026-05-04", "report", dict(unit="zrzyj", text="已完成土地权属调查。", percent=30)),
            ("2026-05-18", "report", dict(unit="zrzyj", text="收储方案报区政府审定。", percent=50)),
            ("2026-06-15", "extend", dict(to="2026-08-31", reason="收储资金需市级审批", approved_by="分管副区长")),
            ("2026-08-28", "report", dict(unit="zrzyj", text="收储协议全部签订。", final=True)),
            ("2026-09-02", "review", dict(accept=True, reason="同意办结")),
        ],
    ),
    (
        "2026-05-11",
        "proposal",
        "blue",
        "jtj",
        [],
        "区政协委员提案：增设纺织城地铁站公交接驳线",
        "2026-08-11",
        "区政协十届五次会议第37号提案",
        [
            ("2026-07-20", "report", dict(unit="jtj", text="新开接驳线2条，已答复委员并获满意。", final=True)),
            ("2026-07-23", "review", dict(accept=True, reason="委员满意")),
            ("2026-07-30", "close", dict(text="注结销号")),
        ],
    ),
    (
        "2026-05-11",
        "proposal",
        "blue",
        "nlj",
        ["sthjj"],
        "人大代表建议：整治洪庆山沿线农家乐污水直排",
        "2026-08-11",
        "区人大十八届五次会议第52号建议",
        [
            ("2026-08-07", "report", dict(unit="nlj", text="已答复代表，整治完成。", final=True)),
            ("2026-08-12", "review", dict(accept=False, reason="答复未说明长效监管措施，退回重办")),
            ("2026-08-18", "report", dict(unit="nlj", text="补充长效监管机制，已与代表沟通。", final=True)),
            ("2026-08-20", "review", dict(accept=True, reason="同意办结")),
        ],
    ),
    (
        "2026-06-02",
        "netizen_message",
        "yellow",
        "cgj",
        [],
        "人民网网民反映席王街道夜间渣土车扰民",
        "2026-06-16",
        "人民网领导留言板 2026-05-30",
        [
            ("2026-06-12", "report", dict(unit="cgj", text="已约谈运输企业，调整运输时段。", final=True)),
            ("2026-06-15", "review", dict(accept=True, reason="已回复网民")),
        ],
    ),
    (
        "2026-06-15",
        "arena_commitment",
        "yellow",
        "zsj",
        ["swj"],
        "擂台赛承诺：全年引进500强企业项目5个",
        "2026-12-31",
        "市委擂台赛区政府承诺事项",
        [
            ("2026-06-29", "report", dict(unit="zsj", text="签约1个，在谈3个。", percent=20)),
            ("2026-07-30", "report", dict(unit="zsj", text="签约2个。", percent=40)),
            ("2026-09-29", "report", dict(unit="zsj", text="签约3个。", percent=60)),
            ("2026-10-30", "report", dict(unit="zsj", text="签约4个。", percent=80)),
        ],
    ),
    (
        "2026-07-06",
        "key_project",
        "red",
        "fgw",
        ["zjj", "zrzyj"],
        "西安国际港务区配套道路灞桥段建设",
        "2026-12-20",
        "区级重点项目 2026 年第 3 号",
        [
            ("2026-07-13", "report", dict(unit="fgw", text="完成征地拆迁。", percent=20)),
            ("2026-07-20", "report", dict(unit="fgw", text="路基施工。", percent=30)),
            ("2026-07-27", "report", dict(unit="fgw", text="路基施工过半。", percent=40)),
        ],
    ),
    (
        "2026-08-03",
        "city_assigned",
        "yellow",
        "scjgj",
        [],
        "市政府督查室交办：校园周边食品安全专项整治",
        "2026-09-15",
        "市政府督查室督办单〔2026〕41号",
        [
            ("2026-09-10", "report", dict(unit="scjgj", text="检查校园周边商户312家，立案14起。", final=True)),
            ("2026-09-14", "review", dict(accept=True, reason="同意上报市政府督查室")),
            ("2026-09-21", "close", dict(text="已上报，注结销号")),
        ],
    ),
    (
        "2026-08-17",
        "leader_instruction",
        "blue",
        "rsj",
        [],
        "区长批示：根治拖欠农民工工资专项行动",
        "2026-10-30",
        "区长批示 2026-08-15",
        [("2026-10-28", "report", dict(unit="rsj", text="追回欠薪326万元，涉及农民工412人。", final=True))],
    ),
    (
        "2026-09-01",
        "business_environment",
        "yellow",
        "sjj",
        [],
        "营商环境：企业开办全程网办压缩至1个工作日",
        "2026-10-31",
        "区营商环境提升年工作方案",
        [
            ("2026-10-20", "report", dict(unit="sjj", text="已实现企业开办0.5个工作日办结。", final=True)),
            ("2026-10-23", "review", dict(accept=True, reason="同意办结")),
        ],
    ),
    (
        "2026-09-07",
        "investment_project",
        "yellow",
        "zsj",
        ["bahe-xq"],
        "招商项目落地：新能源汽车零部件产业园签约项目开工",
        "2026-11-27",
        "区招商项目落地年工作方案",
        [("2026-10-15", "report", dict(unit="zsj", text="完成项目备案和环评批复。", percent=60))],
    ),
    (
        "2026-09-14",
        "media_exposure",
        "red",
        "cgj",
        ["hongqi-jd"],
        "《每日聚焦》曝光红旗街道背街小巷垃圾堆积",
        "2026-09-21",
        "《每日聚焦》2026-09-13 报道",
        [
            ("2026-09-18", "report", dict(unit="cgj", text="清运垃圾86吨，建立日常保洁机制。", final=True)),
            ("2026-09-21", "review", dict(accept=True, reason="经现场复查，整改到位")),
        ],
    ),
    (
        "2026-09-22",
        "leader_concern",
        "yellow",
        "jyj",
        [],
        "区长调研关注：学校课后服务全覆盖",
        "2026-10-30",
        "区长调研 2026-09-20",
        [
            ("2026-10-26", "report", dict(unit="jyj", text="全区中小学课后服务已全覆盖。", final=True)),
            ("2026-10-29", "review", dict(accept=False, reason="缺少学生参与率和家长满意度数据，退回重办")),
        ],
    ),
    (
        "2026-10-09",
        "meeting_executive",
        "yellow",
        "wjw",
        ["czj"],
        "落实区政府第21次常务会议关于社区卫生服务中心标准化建设的决定",
        None,
        "区政府第21次常务会议纪要",
        [("2026-10-20", "report", dict(unit="wjw", text="已完成7个中心的标准化评估。", percent=40))],
    ),
    (
        "2026-10-12",
        "leader_instruction",
        "yellow",
        "zjj",
        ["shilipu-jd"],
        "区长批示：十里铺城中村改造安置房交付",
        "2026-11-30",
        "区长批示 2026-10-10",
        [
            ("2026-10-26", "report", dict(unit="zjj", text="安置房竣工验收完成。", percent=70)),
            ("2026-11-09", "report", dict(unit="zjj", text="入户抽签方案已公示。", percent=85)),
        ],
    ),
    (
        "2026-10-19",
        "other",
        "blue",
        "czj",
        [],
        "区政府领导交办：编制2027年区级财政预算草案",
        "2026-12-15",
        "分管副区长交办 2026-10-16",
        [("2026-11-13", "report", dict(unit="czj", text="各部门预算已汇总，正在平衡。", percent=50))],
    ),
    (
        "2026-10-26",
        "netizen_message",
        "yellow",
        "xiwang-jd",
        [],
        "西部网网民反映席王街道小区电梯长期停运",
        "2026-11-09",
        "西部网问政 2026-10-24",
        [],
    ),
    (
        "2026-10-27",
        "leader_instruction",
        "yellow",
        "sthjj",
        [],
        "区长批示：秋冬季大气污染防治攻坚",
        "2026-12-31",
        "区长批示 2026-10-26",
        [("2026-11-09", "report", dict(unit="sthjj", text="制定攻坚方案，建立重点企业清单。", percent=20))],
    ),
    (
        "2026-11-02",
        "leader_instruction",
        "yellow",
        "jtj",
        ["cgj"],
        "区长批示：浐灞大道拥堵点位治理",
        "2026-11-23",
        "区长批示 2026-11-01",
        [("2026-11-16", "report", dict(unit="jtj", text="完成3处信号灯配时优化。", percent=50))],
    ),
    (
        "2026-11-03",
        "work_style",
        "blue",
        "nlj",
        [],
        "作风建设明察暗访：农业农村局窗口工作人员脱岗",
        None,
        "区政府督查办明察暗访 2026-11-03",
        [],
    ),
    (
        "2026-11-04",
        "leader_instruction",
        "blue",
        "baqiao-jd",
        ["zrzyj"],
        "区长批示：灞桥街道违法占地建房问题整改",
        "2026-11-13",
        "区长批示 2026-11-03",
        [
            ("2026-11-04", "transfer_back", dict(unit="baqiao-jd", reason="涉及耕地执法，属自然资源部门职责")),
            ("2026-11-05", "reassign", dict(lead="zrzyj", co=["baqiao-jd"], deadline="2026-11-27")),
        ],
    ),
    (
        "2026-11-09",
        "meeting_topic",
        "blue",
        "fgw",
        ["czj", "zjj"],
        "区政府专题会议：2027年重点项目储备",
        None,
        "区政府专题会议纪要〔2026〕19号",
        [],
    ),
    (
        "2026-11-10",
        "leader_instruction",
        "yellow",
        "wjw",
        [],
        "区长批示转阅：市卫健委冬季流感防控通知",
        None,
        "区长批示 2026-11-09",
        [],
    ),
    (
        "2026-11-12",
        "city_assigned",
        "red",
        "scjgj",
        ["sjj"],
        "市政府督查室交办：燃气安全隐患排查整治",
        "2026-11-24",
        "市政府督查室督办单〔2026〕77号",
        [("2026-11-18", "report", dict(unit="scjgj", text="排查餐饮场所1021家，整改隐患56处。", percent=60))],
    ),
    (
        "2026-11-16",
        "business_environment",
        "blue",
        "sjj",
        ["scjgj"],
        "营商环境：涉企经营许可事项告知承诺制",
        "2026-12-31",
        "区营商环境提升年工作方案",
        [],
    ),
    (
        "2026-11-17",
        "leader_instruction",
        "red",
        "fangzhi-jd",
        ["cgj"],
        "区长批示：纺织城街道燃气管道泄漏紧急处置",
        None,
        "区长批示 2026-11-17",
        [("2026-11-17", "report", dict(unit="fangzhi-jd", text="已关阀抢修，周边居民安全。", final=True))],
    ),
    (
        "2026-11-18",
        "proposal",
        "blue",
        "wjw",
        ["jyj"],
        "区政协委员提案：中小学生近视防控",
        "2027-02-18",
        "区政协十届五次会议第88号提案",
        [],
    ),
    (
        "2026-11-19",
        "key_project",
        "yellow",
        "bahe-xq",
        ["fgw"],
        "灞河新区科创中心二期主体封顶",
        "2026-12-10",
        "区级重点项目 2026 年第 9 号",
        [],
    ),
]
# unit-level events (duban event): (date, unit, kind, item title or None, note) — 附件1 第五条 其他事项
UNIT_EVENTS = [
    ("2026-03-20", "sthjj", "praise", "落实区政府第12次常务会议关于灞河沿岸扬尘治理的决定", "《督查专报》第3期表扬"),
    ("2026-05-15", "baqiao-jd", "secondment", None, "抽调1人参加区政府营商环境专项督查"),
    ("2026-06-10", "zrzyj", "criticism", "区长批示：加快灞河新区东片区土地收储", "《督查专报》第6期通报批评"),
    ("2026-09-01", "baqiao-jd", "secondment", None, "抽调1人参加秋季重点项目联合督查"),
    ("2026-09-25", "cgj", "praise", "《每日聚焦》曝光红旗街道背街小巷垃圾堆积", "《督查专报》第9期表扬"),
    ("2026-10-20", "xiwang-jd", "non_cooperation", None, "明察暗访时未按要求提供台账资料"),
]
FORWARD_TITLES = {"区长批示转阅：市卫健委冬季流感防控通知"}


def build(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sample"
        init_ledger(root, sample=False, pack=None)
        for name in ("duban.yaml", "units.yaml"):
            shutil.copy2(REPO / name, root / name)
        (root / "items" / ".gitkeep").unlink(missing_ok=True)
        git(root, "add", "-A")
        git(root, "-c", "user.name=s", "-c", "user.email=s@x", "commit", "-qm", "sample settings")
        plan: dict[date, list] = {}
        for issued, cat, tier, lead, co, title, deadline, basis, events in ITEMS:
            plan.setdefault(D(issued), []).append(
                (
                    "issue",
                    title,
                    dict(
                        title=title,
                        category=cat,
                        tier=tier,
                        lead=lead,
                        co=co,
                        issued=D(issued),
                        deadline=D(deadline) if deadline else None,
                        basis=basis,
                        ref=None,
                        requirement="请按要求落实，并按时限报送落实情况。",
                        forward=title in FORWARD_TITLES,
                    ),
                )
            )
            for day, action, kw in events:
                plan.setdefault(D(day), []).append((action, title, kw))
        for day, unit, kind, title, note in UNIT_EVENTS:
            plan.setdefault(D(day), []).append(("event", title, dict(unit=unit, kind=kind, note=note)))
        ids: dict[str, str] = {}
        day = date(2026, 1, 5)
        while day <= END:
            sweep(root, day)
            for action, title, kw in plan.get(day, []):
                do(root, ids, action, title, dict(kw), day)
            day += timedelta(days=1)
        for name in ("counters.yaml",):
            shutil.copy2(root / name, target / name)
        for folder in ("items", "events"):
            shutil.rmtree(target / folder, ignore_errors=True)
            shutil.copytree(root / folder, target / folder)


def do(root, ids, action, title, kw, day):
    if action == "issue":
        ids[title] = issue_item(root, today=day, **kw)
        return
    if action == "event":
        record(root, level=None, item=ids.get(title), day=day, today=day, **kw)
        return
    item = ids[title]
    if action == "report":
        items.report(
            root,
            item,
            day=day,
            attachments=[],
            today=day,
            percent=kw.pop("percent", None),
            final=kw.pop("final", False),
            **kw,
        )
    elif action == "review":
        items.review(root, item, today=day, **kw)
    elif action == "extend":
        extend_item(
            root, item, to=D(kw["to"]), reason=kw["reason"], approved_by=kw["approved_by"], requested=None, today=day
        )
    elif action == "transfer_back":
        items.transfer_back(root, item, day=day, today=day, **kw)
    elif action == "reassign":
        items.reassign(root, item, lead=kw["lead"], co=kw["co"], deadline=D(kw["deadline"]), today=day)
    elif action == "lookback":
        items.lookback(root, item, today=day, **kw)
    elif action == "close":
        items.close(root, item, today=day, **kw)
    else:
        raise ValueError(action)


if __name__ == "__main__":
    build(REPO)
    print(f"sample rebuilt: {len(ITEMS)} items as of {END}")
