"""Pack zhuoni-2022 (seed 003, 卓政办发〔2022〕16号 and its 评分细则)."""

from __future__ import annotations

from packtools import event, pack, scores, sweep

LEDGER_PACK = NAME = "zhuoni-2022"


def test_tiers_are_red_yellow_blue_with_the_documents_labels():
    # 第九条(二) 一般重要（蓝色）、比较重要（黄色）、特别重要（红色）
    p = pack(NAME)
    assert [p.tier_label(t) for t in ("red", "yellow", "blue")] == ["特别重要", "比较重要", "一般重要"]


def test_base_caps_and_levels(ledger):
    # 一、基础分 80，加分 ≤ 20，减分 ≤ 20; 二、1–3 国家/省/州/县 4/3/2/1
    event(ledger, "fgw", "commendation", "2026-03-02", "--level", "county")
    event(ledger, "fgw", "innovation", "2026-03-03", "--level", "prefecture")
    event(ledger, "fgw", "positive_instruction", "2026-03-04", "--level", "province")
    event(ledger, "zjj", "negative_instruction", "2026-03-04", "--level", "national")
    got = scores(ledger, "2026", "2026-12-31")
    assert (got["fgw"]["score"], got["zjj"]["score"]) == (86, 76)
    for day in ("2026-04-01", "2026-04-02", "2026-04-03", "2026-04-07"):
        event(ledger, "fgw", "commendation", day, "--level", "national")
    assert scores(ledger, "2026", "2026-12-31")["fgw"]["score"] == 100  # 6 + 16 = 22 → 20


def test_late_poor_and_false_feedback_by_tier(ledger):
    # 三、2–4: 超期 / 质量 / 问题 减分，特别重要、比较重要、一般重要 每次 5/3/2
    red = ledger.issue(category="key_project", tier="red", issued="2026-03-02", deadline="2026-03-06")
    blue = ledger.issue(
        category="leader_instruction", tier="blue", lead="jyj", issued="2026-03-02", deadline="2026-03-20"
    )
    ledger("report", blue, "--unit", "jyj", "--text", "过于简单", "--final", today="2026-03-10")
    ledger("review", blue, "return", "--reason", "过于简单", today="2026-03-11")
    event(ledger, "jyj", "false_report", "2026-03-12", "--item", blue)
    got = scores(ledger, "2026", "2026-03-17")  # before the redo deadline (03-18) lapses too
    assert got["fgw"]["penalty"] == 5 and red
    assert [(d["rule"], d["delta"]) for d in got["jyj"]["deltas"]] == [("poor-quality", -2), ("false-report", -2)]


def test_one_point_per_day_late_for_office_documents(ledger):
    # 评分标准: 迟报一天扣一分 — due Friday 03-06, reported Tuesday 03-10: 4 days
    item = ledger.issue(category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-06")
    ledger("report", item, "--unit", "fgw", "--text", "已上报", "--final", today="2026-03-10")
    got = scores(ledger, "2026", "2026-12-31")["fgw"]
    assert got["score"] == 76 and [d["rule"] for d in got["deltas"]] == ["late-per-day"]


def test_same_item_overdue_twice_and_three_times(ledger):
    # 第十二条: 两次逾期 → 通报批评并约谈; 三次 → 县政府主要领导约谈、取消评先评优资格
    item = ledger.issue(category="key_project", tier="blue", issued="2026-03-02", deadline="2026-03-05")
    sweep(ledger, "2026-03-06")
    ext = ("extend", item, "--reason", "客观原因", "--approved-by", "县长")
    assert ledger(*ext, "--to", "2026-03-12", "--requested", "2026-03-04", today="2026-03-06").code == 0
    sweep(ledger, "2026-03-13")
    assert ledger(*ext, "--to", "2026-03-19", "--requested", "2026-03-11", today="2026-03-13").code == 0
    sweep(ledger, "2026-03-20")
    got = scores(ledger, "2026", "2026-12-31")["fgw"]
    assert got["flags"] == ["通报批评并约谈", "取消评先评优资格"]
    assert [d["delta"] for d in got["deltas"]] == [-2, -2, -2]


def test_review_requested_and_decided_within_thirty_days(ledger):
    # 第十七条: 收到申请后督查组应当在 30 日内作出复核决定
    event(ledger, "fgw", "objection", "2026-04-10", "--note", "对第3期督查通报有异议", "--received", "2026-04-03")
    (a,) = sweep(ledger, "2026-04-11")["actions"]
    assert (a["rule"], a["due"]) == ("review-decision", "2026-05-11")  # 05-10 is a Sunday: rolled


def test_feedback_form(ledger):
    item = ledger.issue(category="key_project", tier="red", issued="2026-03-02", deadline="2026-03-06")
    assert ledger("render", "feedback", item, today="2026-03-20").code == 0


def test_false_report_names_its_item_and_costs_by_tier(ledger):
    # 附件1 三、4 谎报、瞒报、虚报……对应特别重要、比较重要、一般重要，每次分别减分 5、3、2 分
    res = ledger("event", "fgw", "false_report", "--date", "2026-03-10", today="2026-03-10")
    assert res.code == 1 and "--item" in res.err
    red = ledger.issue(category="key_project", tier="red", issued="2026-03-02", deadline="2026-06-30")
    event(ledger, "fgw", "false_report", "2026-03-10", "--item", red)
    event(ledger, "fgw", "false_report", "2026-03-11", "--item", red)
    assert [d["delta"] for d in scores(ledger, "2026", "2026-03-31")["fgw"]["deltas"]] == [-5, -5]


def test_objection_within_thirty_days_of_the_bulletin_and_decided_within_thirty(ledger):
    # 第十七条: 自收到督查反馈通报之日起 30 日内申请复核; 督查组应当在 30 日内作出复核决定.
    # received 04-01 + 30 days = Fri 05-01, 劳动节 (05-01…05-05): the last day rolls to Wed 05-06
    obj = ("event", "fgw", "objection", "--received", "2026-04-01")
    late = ledger(*obj, "--date", "2026-05-07", today="2026-05-07")
    assert late.code == 1 and "2026-05-06" in late.err and "late_objection" in late.err
    assert ledger("event", "fgw", "objection", "--date", "2026-05-06", today="2026-05-06").code == 1  # no --received
    assert ledger(*obj, "--date", "2026-05-06", today="2026-05-06").code == 0
    (a,) = sweep(ledger, "2026-05-07")["actions"]
    assert (a["rule"], a["due"]) == ("review-decision", "2026-06-05")  # 05-06 + 30 days, a Friday
    assert any("复核决定" in p["what"] and "已逾期 3 天" in p["what"] for p in sweep(ledger, "2026-06-08")["pending"])
    assert ledger("fulfil", a["id"], "--date", "2026-06-08", today="2026-06-08").code == 0
    assert not any("复核决定" in p["what"] for p in sweep(ledger, "2026-06-09")["pending"])


def test_objection_material_filed_late_is_overdue(ledger):
    # 附件1 三、2 对督查督办存在异议、未在规定日期提报书面意见建议的 … 每次分别减分 5、3、2 分
    blue = ledger.issue(category="leader_instruction", tier="blue", issued="2026-03-02", deadline="2026-06-30")
    event(ledger, "fgw", "late_objection", "2026-05-07", "--item", blue)
    assert [(d["rule"], d["delta"]) for d in scores(ledger, "2026", "2026-05-31")["fgw"]["deltas"]] == [
        ("late-objection", -2)
    ]


def test_slips_are_called_as_the_document_calls_them(ledger):
    # 附件1 三、2 经提示后: the first step is a 督办提示
    item = ledger.issue(category="key_project", tier="blue", issued="2026-03-02", deadline="2026-03-05")
    sweep(ledger, "2026-03-06")
    res = ledger("render", "reminder", item, today="2026-03-06")
    assert res.code == 0 and res.out.strip().endswith("督办提示-2026-1.docx")
