"""The quarterly 督查通报: what was registered, done and overdue, per category
and per unit, the lagging items by name, the score table and a bar chart.

matplotlib is imported here only, when a bulletin is rendered."""

from __future__ import annotations

import io
from datetime import date

from duban.core.calendar import UnknownYear
from duban.core.scoring import Period, parse_period, plain, score
from duban.core.state import ACTIVE, derive
from duban.outputs.forms import common, date_cn

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "FangSong",
    "AR PL UMing CN",
)


def _rate(done: int, open_: int) -> str:
    return f"{100 * done / (done + open_):.1f}%" if done + open_ else "0.0%"


def statistics(ledger, period: Period, until: date) -> dict:
    """Counts per category and per lead unit; an item counts where it stood at ``until``."""
    cats: dict[str, dict] = {}
    units: dict[str, dict] = {}
    lagging = []
    total = {"registered": 0, "done": 0, "open": 0, "overdue": 0}
    for item in sorted(ledger.items.values(), key=lambda i: i.id):
        if item.forward or item.issued > until:
            continue
        try:
            st = derive(item, ledger.pack, until)
        except UnknownYear:
            continue
        row = {
            "registered": int(item.issued >= period.start),
            "done": int(st.done_on is not None and period.start <= st.done_on <= until),
            "open": int(st.status in ACTIVE),
            "overdue": int(st.overdue),
        }
        if not any(row.values()):
            continue
        for table, key in ((cats, item.category), (units, st.lead)):
            acc = table.setdefault(key, dict.fromkeys(total, 0))
            for k, v in row.items():
                acc[k] += v
        for k, v in row.items():
            total[k] += v
        if st.overdue:
            lagging.append(
                {
                    "id": item.id,
                    "title": item.title,
                    "lead": ledger.unit_name(st.lead),
                    "deadline": date_cn(st.deadline),
                    "days": st.days_overdue,
                }
            )

    def rows(table, name):
        return [{"name": name(k), **v, "rate": _rate(v["done"], v["open"])} for k, v in table.items()]

    order = list(ledger.pack.categories)
    cat_rows = rows(
        dict(sorted(cats.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)),
        lambda k: ledger.pack.categories[k].label if k in ledger.pack.categories else k,
    )
    unit_order = list(ledger.units)
    unit_rows = rows(
        dict(sorted(units.items(), key=lambda kv: unit_order.index(kv[0]) if kv[0] in unit_order else 999)),
        ledger.unit_name,
    )
    lagging.sort(key=lambda x: (-x["days"], x["id"]))
    return {
        **total,
        "rate": _rate(total["done"], total["open"]),
        "categories": cat_rows,
        "units": unit_rows,
        "lagging": lagging,
    }


def chart_png(scores, title: str, base: float = 80.0, cap: float | None = None) -> bytes:
    """A bar chart of unit scores; unit names when a Chinese font is installed, unit codes otherwise."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = next((f for f in CJK_FONTS if f in installed), None)
    labels = [s.name if cjk else s.unit for s in scores]
    plt.rcParams["font.family"] = [cjk] if cjk else ["DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=150)
    values = [float(s.score) for s in scores]
    ax.bar(range(len(values)), values, color="#b22222")
    ax.set_xticks(range(len(values)), labels, rotation=60, ha="right", fontsize=7)
    low = min([*values, base])  # the axis spans the pack's base score and its cap (灞桥: 80 and 100)
    ax.set_ylim(max(0.0, low - 10), max([*values, cap if cap is not None else base]) + 2)
    ax.set_ylabel("score" if not cjk else "得分")
    if cjk:
        ax.set_title(title, fontsize=10)
    for i, v in enumerate(values):
        ax.text(i, v + 0.3, f"{v:g}", ha="center", fontsize=6)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def bulletin_context(ledger, target: str | None, day: date):
    period = parse_period(target, None, day, ledger.pack.scoring.period)
    until = min(period.end, day)
    stats = statistics(ledger, period, until)
    scores = score(ledger, period, day) if ledger.pack.scoring.rules else []
    ctx = {
        **common(ledger, day),
        "period_label": period.label,
        "until_cn": date_cn(until),
        **stats,
        "lagging_none": "" if stats["lagging"] else "无。",
        "scores": [
            {
                "rank": s.rank,
                "name": s.name,
                "base": plain(s.base),
                "bonus": plain(s.bonus),
                "penalty": plain(s.penalty),
                "score": plain(s.score),
            }
            for s in scores
        ],
        "chart": "",
    }
    images = (
        {
            "chart": (
                chart_png(
                    scores,
                    f"{period.label}各单位考核得分",
                    float(ledger.pack.scoring.base),
                    None if ledger.pack.scoring.cap_score is None else float(ledger.pack.scoring.cap_score),
                ),
                150,
            )
        }
        if scores
        else None
    )
    return ctx, images, period
