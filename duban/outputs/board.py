"""The leaders' board (``duban board``): one self-contained HTML page — inline CSS, inline SVG charts, a
few lines of inline JS to filter the 台账; nothing fetched from the network; prints on A4 landscape.

Every figure carries an ``id``/``data-*`` attribute so a test (or a script) can read it back."""

from __future__ import annotations

from html import escape

LIGHTS = {
    "red": ("红灯", "逾期", "#e5484d"),
    "yellow": ("黄灯", "临期", "#f5a524"),
    "green": ("绿灯", "正常", "#30a46c"),
}

CSS = """
*{box-sizing:border-box}body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",
sans-serif;margin:0;background:#f4f5f7;color:#1c2024;font-size:14px}
header{background:#b3261e;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px;letter-spacing:2px}
header p{margin:4px 0 0;opacity:.85}main{padding:16px 24px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:110px;
box-shadow:0 1px 2px #0002}.card b{display:block;font-size:30px}.card span{color:#60646c}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:16px}
section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002;margin-top:16px}
h2{font-size:16px;margin:0 0 8px;border-left:4px solid #b3261e;padding-left:8px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e4e4e7;padding:5px 6px;text-align:left;
vertical-align:top;white-space:nowrap}th{background:#f0f0f3}td.t{white-space:normal}td.n{text-align:right;white-space:nowrap}
.dot{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:middle}
.late{color:#e5484d;font-weight:bold}.soon{color:#b07000}.tools{margin:6px 0 8px}
.tools input{padding:4px 8px;width:260px}.tools button{margin-left:6px;padding:3px 10px;border:1px solid #ccc;
background:#fff;border-radius:4px;cursor:pointer}.tools button.on{background:#1c2024;color:#fff}
footer{color:#80838d;padding:8px 24px 20px;font-size:12px}
@page{size:A4 landscape;margin:10mm}
@media print{body{background:#fff;font-size:11px}.tools{display:none}section,.card{box-shadow:none;
border:1px solid #ccc}tr{page-break-inside:avoid}header{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.dot{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""

JS = """
(function(){var q=document.getElementById('q'),light='',rows=document.querySelectorAll('#ledger tbody tr');
function apply(){var t=q.value.trim();var n=0;rows.forEach(function(r){var ok=(!t||r.textContent.indexOf(t)>=0)&&
(!light||r.dataset.light===light);r.style.display=ok?'':'none';if(ok)n++;});
document.getElementById('shown').textContent=n;}
q.addEventListener('input',apply);document.querySelectorAll('.tools button').forEach(function(b){
b.addEventListener('click',function(){light=b.dataset.light;document.querySelectorAll('.tools button').forEach(
function(x){x.classList.toggle('on',x===b);});apply();});});apply();document.body.dataset.ready='1';})();
"""


def _e(v) -> str:
    return escape("" if v is None else str(v))


def _dot(light: str) -> str:
    word, _, colour = LIGHTS.get(light, ("", "", "#c1c8cd"))
    return f'<span class="dot" style="background:{colour}" title="{word}"></span>'


def _left(v: dict) -> str:
    if v["overdue"]:
        return f'<span class="late">逾期 {v["days_overdue"]} 天</span>'
    if v["days_left"] is None:
        return ""
    return f'<span class="{"soon" if v["due_soon"] else ""}">剩 {v["days_left"]} 天</span>'


def _bars(rows: list[tuple[str, float, str]], unit: str = "") -> str:
    """A horizontal bar chart as inline SVG: (label, value, colour) per bar."""
    if not rows:
        return "<p>（无数据）</p>"
    top = max(v for _, v, _ in rows) or 1
    h, label_w, bar_w = 22, 150, 320
    out = [f'<svg width="{label_w + bar_w + 60}" height="{h * len(rows) + 4}" role="img">']
    for i, (label, value, colour) in enumerate(rows):
        y = i * h + 2
        w = max(1, round(bar_w * value / top))
        out.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{h - 6}" fill="{colour}" rx="2"/>'
            f'<text x="{label_w + w + 4}" y="{y + 15}" font-size="12">{_e(value)}{unit}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def board_html(data: dict) -> str:
    light = data["light"]
    cards = [
        f'<div class="card" id="count-in-hand" data-count="{data["in_hand"]}"><b>{data["in_hand"]}</b><span>在办事项</span></div>'
    ]
    for k, (word, what, colour) in LIGHTS.items():
        cards.append(
            f'<div class="card" id="count-{k}" data-count="{light[k]}"><b style="color:{colour}">{light[k]}</b>'
            f"<span>{_dot(k)} {word}（{what}）</span></div>"
        )
    status_rows = [(s["label"], s["count"], "#3e63dd") for s in data["status"] if s["count"]]
    status_table = "".join(
        f'<tr id="status-{s["status"]}" data-count="{s["count"]}"><td>{_e(s["label"])}</td><td class="n">{s["count"]}</td></tr>'
        for s in data["status"]
    )
    unit_rows = "".join(
        f'<tr data-unit="{_e(u["unit"])}" data-in-hand="{u["in_hand"]}" data-overdue="{u["overdue"]}">'
        f'<td>{_e(u["name"])}</td><td class="n">{u["in_hand"]}</td>'
        f'<td class="n{" late" if u["overdue"] else ""}">{u["overdue"]}</td><td class="n">{u["slips"]}</td>'
        f'<td class="n">{"" if u["score"] is None else _e(u["score"])}</td></tr>'
        for u in data["units"]
    )

    def short_list(views: list[dict], what: str) -> str:
        if not views:
            return f"<p>没有{what}事项。</p>"
        return (
            "<table><tr><th>编号</th><th>事项</th><th>主办单位</th><th>期限</th><th>天数</th></tr>"
            + "".join(
                f'<tr data-id="{v["id"]}"><td>{v["id"]}</td><td class="t">{_e(v["title"])}</td><td class="t">{_e(v["lead_name"])}</td>'
                f'<td>{_e(v["deadline"])}</td><td class="n">{_left(v)}</td></tr>'
                for v in views
            )
            + "</table>"
        )

    ledger_rows = "".join(
        f'<tr data-id="{v["id"]}" data-light="{v["light"]}"><td>{_dot(v["light"])}</td><td>{v["id"]}</td>'
        f'<td>{_e(v["tier_short"])}</td><td class="t">{_e(v["title"])}</td><td class="t">{_e(v["lead_name"])}</td>'
        f'<td>{_e(v["deadline"])}</td><td class="n">{_left(v)}</td><td>{_e(v["status_label"])}</td>'
        f"<td>{_e(v['escalation']['label'] if v['escalation'] else '')}</td></tr>"
        for v in data["items"]
    )
    scored = [(u["name"], u["score"], "#3e63dd") for u in data["units"] if u["score"] is not None]
    scored.sort(key=lambda r: -r[1])
    score_section = (
        f"<section><h2>{_e(data['scores_period'])}考核得分</h2>{_bars(scored, ' 分')}</section>" if scored else ""
    )
    buttons = '<button class="on" data-light="">全部</button>' + "".join(
        f'<button data-light="{k}">{_dot(k)} {w}</button>' for k, (w, _, _) in LIGHTS.items()
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(data["office"])}督查工作看板</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>{CSS}</style></head>
<body><header><h1>{_e(data["office"])} 督查工作看板</h1><p>截至 {data["today"]}（duban 生成，静态页面，可离线打开、打印）</p></header>
<main><div class="cards">{"".join(cards)}</div>
<div class="grid"><section><h2>事项状态（本年及在办）</h2>{_bars(status_rows, " 项")}
<table id="status">{status_table}</table></section>
<section><h2>承办单位</h2><table id="units"><tr><th>单位</th><th>在办</th><th>逾期</th><th>督办文书</th><th>得分</th></tr>
{unit_rows}</table></section></div>
<div class="grid"><section><h2>逾期事项（{len(data["overdue"])}）</h2><div id="overdue">{short_list(data["overdue"], "逾期")}</div></section>
<section><h2>临期事项（{len(data["due_soon"])}）</h2><div id="due-soon">{short_list(data["due_soon"], "临期")}</div></section></div>
{score_section}
<section><h2>督查事项台账（在办 <span id="shown">{len(data["items"])}</span> 项）</h2>
<div class="tools"><input id="q" placeholder="筛选：标题、单位、编号……">{buttons}</div>
<table id="ledger"><thead><tr><th>灯</th><th>编号</th><th>等级</th><th>事项</th><th>主办单位</th><th>期限</th>
<th>剩余/逾期</th><th>状态</th><th>督办</th></tr></thead><tbody>{ledger_rows}</tbody></table></section></main>
<footer>红灯：已逾期；黄灯：临近期限；绿灯：在期限内办理。</footer>
<script>{JS}</script></body></html>
"""
