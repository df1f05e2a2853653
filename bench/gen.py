"""A synthetic ledger of N items spread over ten years, as an office would have it.

Items are issued through every category and tier of the default pack, to the
sample's units, with Chinese titles and reports.  Older items ran their course
(progress reports, the final report — some late —, review, look-back and
注结销号); about ``open`` of the newest are still in hand (in progress,
reported, returned or done).  Every slip, reminder and periodic-report event
is what duban's own daily sweep would have written up to the evening before
``today``: the generator asks :func:`duban.sweep.due_events` for them.  A few
unit events (表扬、抽调、不配合) are recorded each year.

    python bench/gen.py DIR --items 10000 [--open 2000] [--today 2026-11-20] [--seed 1]

DIR must not exist; it becomes a git repository with one commit.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from duban.core.escalation import due_events  # noqa: E402
from duban.core.model import Item  # noqa: E402
from duban.core.pack import STEPS  # noqa: E402
from duban.core.state import initial_deadline  # noqa: E402
from duban.store.ledger import load  # noqa: E402

ONE = timedelta(days=1)
YEARS = 10

PLACES = ["纺织城", "十里铺", "红旗", "席王", "灞桥", "新合", "洪庆", "狄寨", "新筑", "灞河新区", "浐灞", "东城"]
SUBJECTS = [
    "老旧小区改造",
    "背街小巷环境整治",
    "扬尘污染治理",
    "农贸市场提升",
    "学校扩容建设",
    "社区卫生服务站建设",
    "雨污分流改造",
    "停车场建设",
    "营商环境投诉办理",
    "重点项目用地保障",
    "招商项目落地",
    "冬季清洁取暖",
    "河道清淤",
    "安全生产隐患排查",
    "群众来信反映问题核查",
    "人大代表建议办理",
    "政协委员提案办理",
    "违法建设拆除",
    "垃圾分类示范小区创建",
    "公交线路优化",
]
VERBS = ["推进", "加快", "落实", "做好", "开展", "完成", "督促", "核查"]
PROGRESS = [
    "已召开专题会议研究部署，制定工作方案。",
    "完成现场摸底调查，形成问题清单。",
    "已完成施工招标，进场施工。",
    "完成总工程量的一半，正在加紧推进。",
    "主体工程完工，进入验收准备。",
    "已约谈责任单位，督促限期整改。",
]
FINAL = [
    "已全部完成，经现场核查达到要求。",
    "问题已整改到位，群众满意。",
    "项目已竣工验收并投入使用。",
    "已按要求办结，相关台账资料齐全。",
]
BASES = [
    "区政府常务会议纪要",
    "区长批示",
    "区政府专题会议纪要",
    "《政府工作报告》",
    "市政府督查室交办单",
    "区长办公会议纪要",
    "网民留言",
    "媒体曝光",
]


def flow(ev: dict) -> str:
    parts = []
    for k, v in ev.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        parts.append(f"{k}: {v}")
    return "{" + ", ".join(parts) + "}"


def item_text(it: Item, note_ref: str) -> str:
    """The file as duban writes it, by hand: ruamel (duban.actions.item_text) would take ~20 ms a file."""
    co = f"co: [{', '.join(it.co)}]\n" if it.co else ""
    deadline = f"deadline: {it.deadline}\n" if it.deadline else ""
    log = "".join(f"  - {flow(ev)}\n" for ev in it.log)
    return (
        f"id: {it.id}\ntitle: {it.title}\ncategory: {it.category}\ntier: {it.tier}\nbasis: {it.basis}\n"
        f"ref: {note_ref}\nlead: {it.lead}\n{co}issued: {it.issued}\n{deadline}"
        f"requirement: |\n  请按要求落实，并按时限报送落实情况。\nlog:\n{log}"
    )


class Gen:
    def __init__(self, root: Path, n: int, n_open: int, today: date, seed: int):
        self.root, self.n, self.n_open, self.today = root, n, n_open, today
        self.rng = random.Random(seed)
        self.led = load(REPO, only_config=True)  # the default pack and the sample's units
        self.pack = self.led.pack
        self.cal = self.pack.calendar
        self.units = list(self.led.units)
        self.cats = list(self.pack.categories)
        self.counters: dict[str, dict[int, int]] = {}

    def number(self, kind: str, year: int) -> int:
        per = self.counters.setdefault(kind, {})
        per[year] = per.get(year, 0) + 1
        return per[year]

    # ------------------------------------------------------------- one item
    def item(self, year: int, seq: int, issued: date, live: bool) -> Item:
        r = self.rng
        cat = self.cats[seq % len(self.cats)]
        tier = ("red", "yellow", "blue", "yellow", "blue")[r.randrange(5)]
        deadline = initial_deadline(self.pack, cat, tier, issued) or issued + timedelta(
            days=r.choice((20, 30, 45, 60, 90))
        )
        co = r.sample(self.units, r.choice((0, 0, 1, 2)))
        lead = r.choice([u for u in self.units if u not in co])
        title = f"{r.choice(VERBS)}{r.choice(PLACES)}{r.choice(SUBJECTS)}"
        it = Item(
            id=f"{year}-{seq:04d}",
            title=title,
            category=cat,
            tier=tier,
            lead=lead,
            issued=issued,
            deadline=deadline,
            co=co,
            basis=r.choice(BASES),
            log=[{"date": issued, "kind": "issued"}],
            path=f"items/{year}/{year}-{seq:04d}.yaml",
        )
        horizon = self.today - ONE
        # the unit's answer: on time (most), late, or (for items in hand) not yet
        late = r.random() < 0.15
        final = (
            deadline + timedelta(days=r.randint(1, 20))
            if late
            else max(issued, deadline - timedelta(days=r.randint(0, max(0, (deadline - issued).days))))
        )
        for k in range(r.randint(0, 3)):
            d = issued + timedelta(days=(final - issued).days * (k + 1) // 5)
            if issued < d < final and d <= horizon:
                it.log.append(
                    {"date": d, "kind": "report", "unit": lead, "percent": 20 * (k + 1), "text": r.choice(PROGRESS)}
                )
        stage = "closed"
        if live:
            stage = r.choices(("open", "reported", "returned", "done"), (70, 12, 6, 12))[0]
            if stage == "open" and deadline < horizon - timedelta(days=10) and r.random() < 0.8:
                # long-running work: the deadline was extended (some of them more than once)
                on = max(issued, deadline - timedelta(days=r.randint(1, 5)))
                if all(ev["date"] <= on for ev in it.log):
                    it.log.append(
                        {
                            "date": on,
                            "kind": "extension",
                            "to": self.today + timedelta(days=r.randint(3, 40)),
                            "reason": "工程量大，申请延期",
                            "approved_by": "分管副区长",
                        }
                    )
                    deadline = it.log[-1]["to"]
        if stage == "open" or final > horizon:
            return self.swept(it, horizon)
        it.log.append({"date": final, "kind": "report", "unit": lead, "final": True, "text": r.choice(FINAL)})
        review = final + timedelta(days=r.randint(1, 4))
        if stage == "reported" or review > horizon:
            return self.swept(it, horizon)
        if stage == "returned":
            due = self.cal.add_working_days(review, 5)
            it.log.append(
                {
                    "date": review,
                    "kind": "review",
                    "result": "returned",
                    "reason": "材料不全，请补充佐证材料",
                    "due": due,
                }
            )
            return self.swept(it, horizon)
        it.log.append({"date": review, "kind": "review", "result": "accepted", "reason": "经核查属实，同意办结"})
        if stage == "done":
            return self.swept(it, horizon)
        closing = review + timedelta(days=r.randint(1, 40))
        if self.pack.rule(cat, tier).lookback is not None:
            closing = review + timedelta(days=r.randint(35, 120))
            it.log.append({"date": closing - ONE, "kind": "lookback_done", "text": "回头望：整改成果巩固到位。"})
        if closing > horizon:
            return self.swept(it, horizon)
        self.swept(it, closing - ONE)
        it.log.append({"date": closing, "kind": "close", "text": "经审核，注结销号"})
        return it

    def swept(self, it: Item, upto: date) -> Item:
        """Add what duban's daily sweep would have written up to the evening of ``upto``."""
        new = due_events(it, self.pack, upto)
        for ev in new:
            ev = {k: v for k, v in ev.items() if v is not None}
            if ev["kind"] in STEPS:
                ev = {
                    "date": ev["date"],
                    "kind": ev["kind"],
                    "number": f"{ev['date'].year}-{self.number(ev['kind'], ev['date'].year)}",
                    **{k: v for k, v in ev.items() if k not in ("date", "kind")},
                }
            it.log.append(ev)
            if ev["kind"] == "referral" and ev.get("status") == "proposed" and ev["date"] + 10 * ONE <= upto:
                it.log.append(
                    {
                        "date": ev["date"] + 10 * ONE,
                        "kind": "referral_decision",
                        "number": ev["number"],
                        "decision": self.rng.choice(("approved", "rejected")),
                        "text": "区政府研究决定",
                    }
                )
        it.log.sort(key=lambda ev: ev["date"])  # stable: same-day events keep their order
        return it

    # ------------------------------------------------------------- the ledger
    def plan(self) -> list[tuple[int, int]]:
        """(year, count) for ten years: the last year holds at least the open items and a quarter more."""
        last = self.today.year
        newest = max(self.n // YEARS, min(self.n, self.n_open * 5 // 4))
        older = self.n - newest
        years = [
            (y, older // (YEARS - 1) + (1 if i < older % (YEARS - 1) else 0))
            for i, y in enumerate(range(last - YEARS + 1, last))
        ]
        return years + [(last, newest)]

    def build(self) -> dict:
        root = self.root
        (root / "items").mkdir(parents=True)
        for name in ("duban.yaml", "units.yaml"):
            shutil.copy2(REPO / name, root / name)
        for folder in ("rules", "templates"):
            shutil.copytree(REPO / folder, root / folder)
        (root / ".gitignore").write_text("out/\n__pycache__/\n*.tmp\n", encoding="utf-8")
        stats = {"items": 0, "live": 0, "events": 0}
        last = self.today.year
        for year, count in self.plan():
            start = date(year, 1, 5)
            end = self.today - ONE if year == last else date(year, 12, 20)
            span = (end - start).days
            days = sorted(start + timedelta(days=self.rng.randint(0, span)) for _ in range(count))
            folder = root / "items" / str(year)
            folder.mkdir()
            live_from = count - self.n_open if year == last else count
            for seq, issued in enumerate(days, 1):
                it = self.item(year, seq, issued, live=seq > live_from)
                self.number("item", year)
                (folder / f"{it.id}.yaml").write_text(
                    item_text(it, f"灞政督〔{year}〕{self.number('notice', year)}号"), encoding="utf-8"
                )
                stats["items"] += 1
                stats["events"] += len(it.log)
                stats["live"] += seq > live_from
            self.unit_events(year)
        lines = ["# 编号计数器：由 duban 维护，保证立项编号、通知单号和各类文书编号不重复使用。"]
        lines += [f"{k}: {{{', '.join(f'{y}: {n}' for y, n in sorted(v.items()))}}}" for k, v in self.counters.items()]
        (root / "counters.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return stats

    def unit_events(self, year: int) -> None:
        kinds = [k for k in ("praise", "secondment", "non_cooperation") if k in self.pack.process.unit_events]
        folder = self.root / "events" / str(year)
        folder.mkdir(parents=True)
        for _ in range(6):
            n = self.number("event", year)
            day = date(year, self.rng.randint(1, 10), self.rng.randint(1, 28))
            if day >= self.today:
                continue
            (folder / f"{year}-{n:04d}.yaml").write_text(
                f"id: {year}-{n:04d}\nunit: {self.rng.choice(self.units)}\nkind: {self.rng.choice(kinds)}\n"
                f"date: {day}\nnote: 《督查专报》第{n}期\n",
                encoding="utf-8",
            )


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def make(root: Path, n: int, n_open: int, today: date, seed: int = 1) -> dict:
    root = Path(root)
    if root.exists():
        raise SystemExit(f"{root} already exists")
    t = time.perf_counter()
    stats = Gen(root, n, min(n_open, n // 2), today, seed).build()
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"synthetic ledger: {stats['items']} items")
    stats["seconds"] = round(time.perf_counter() - t, 1)
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--open", type=int, default=2000)
    ap.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 20))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(make(a.dir, a.items, a.open, a.today, a.seed))


if __name__ == "__main__":
    main()
