"""Official forms as Word documents, rendered from the ledger's templates.

Every form is ``templates/FORM.docx`` with docxtpl (Jinja) placeholders, so
an office changes wording, seal lines or field order in Word.  Here: which
record each form is rendered from, the fields it is given (:data:`FIELDS`,
also used by ``duban check`` to lint templates), and a renderer whose output
depends only on the ledger (fixed zip timestamps), so rendering a slip twice
gives the same document.

docx and docxtpl are imported inside the functions that need them.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

from duban.core.errors import DubanError, Problem
from duban.core.model import Item
from duban.core.pack import STEPS
from duban.core.vocabulary import DEFAULTS, Words

FORMS = tuple(DEFAULTS["form"])  # notice, reminder, warning, referral, urge, return, forward, feedback, reply, bulletin
COMMON = {
    "form_name",
    "government",
    "government_short",
    "office",
    "office_short",
    "ref_prefix",
    "year",
    "date_cn",
    "office_contact_person",
    "office_contact_phone",
    "office_contact_fax",
    "office_contact_email",
}
ITEM = {
    "item_id",
    "title",
    "ref",
    "basis",
    "requirement",
    "category",
    "tier",
    "lead_name",
    "co_names",
    "deadline_text",
    "unit_name",
    "contact_person",
    "contact_phone",
    "contact_fax",
    "contact_email",
}
OPINIONS = {"opinion_office": "", "opinion_leader": "", "opinion_head": ""}  # left blank for signatures
SLIP = ITEM | {"number", "number_year", "serial", "reason", "answer_by", *OPINIONS}
FIELDS: dict[str, set[str]] = {
    "notice": COMMON | ITEM | {"reporting"},
    **{step: COMMON | SLIP for step in STEPS},
    "return": COMMON | SLIP,
    "forward": COMMON | ITEM,
    "feedback": COMMON | ITEM | {"problems", "remark", "leader"},
    "reply": COMMON | ITEM | {"responsible", "basic", "progress", "issues", "next_steps", "other"},
    "bulletin": COMMON
    | {
        "period_label",
        "until_cn",
        "registered",
        "done",
        "open",
        "overdue",
        "rate",
        "categories",
        "units",
        "lagging",
        "lagging_none",
        "scores",
        "chart",
    },
}
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def date_cn(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def government_names(office: str) -> tuple[str, str]:
    """西安市灞桥区人民政府办公室 → (西安市灞桥区人民政府, 区政府)."""
    gov = office[:-3] if office.endswith("办公室") else office
    level = next((c for c in reversed(gov.removesuffix("人民政府")) if c in "区县市州旗"), "")
    return gov, f"{level}政府" if level else gov


def deterministic(data: bytes) -> bytes:
    """The same .docx with fixed zip timestamps, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ------------------------------------------------------------------ contexts


def common(ledger, day: date) -> dict:
    cfg = ledger.config
    gov, short = government_names(cfg.office)
    return {
        "government": gov,
        "government_short": short,
        "office": cfg.office,
        "office_short": cfg.short,
        "ref_prefix": cfg.ref_prefix,
        "year": day.year,
        "date_cn": date_cn(day),
        **{f"office_contact_{k}": cfg.contact.get(k, "") for k in ("person", "phone", "fax", "email")},
    }


def item_fields(ledger, item: Item, unit: str | None = None, deadline: date | None = None) -> dict:
    from duban.core.state import replay

    st = replay(item)
    unit = unit or st.lead
    u = ledger.units.get(unit)
    deadline = deadline or st.deadline
    return {
        "item_id": item.id,
        "title": item.title,
        "ref": item.ref,
        "basis": item.basis,
        "requirement": item.requirement.strip(),
        "category": ledger.pack.categories[item.category].label
        if item.category in ledger.pack.categories
        else item.category,
        "tier": ledger.pack.tier_label(item.tier),
        "lead_name": ledger.unit_name(st.lead),
        "co_names": "、".join(ledger.unit_name(c) for c in st.co) or "无",
        "deadline_text": f"{date_cn(deadline)}前" if deadline else "由督查室另行通知",
        "unit_name": ledger.unit_name(unit),
        "contact_person": u.contact if u else "",
        **{f"contact_{k}": getattr(u, k, "") if u else "" for k in ("phone", "fax", "email")},
    }


def pick_slip(item: Item, step: str, number: str | None, words: Words) -> dict:
    slips = [ev for ev in item.log if ev.get("kind") == step]
    if number:
        slips = [ev for ev in slips if str(ev.get("number")) == number]
    if not slips:
        which = f"编号为 {number} 的" if number else ""
        raise DubanError(f"事项 {item.id} 没有发出过{which}{words.entry(step)}")
    return slips[-1]


def slip_reason(ledger, item: Item, ev: dict) -> str:
    if ev.get("reason"):
        return str(ev["reason"])
    lapse, answer = str(ev.get("lapse", "")), ev.get("answer_by")
    kind, _, when = lapse.partition(":")
    when_d = date.fromisoformat(when) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", when) else None
    what = (
        f"该事项应于{date_cn(when_d)}报送落实情况，截至发单之日仍未报送"
        if kind == "report"
        else f"该事项办理时限为{date_cn(when_d)}，截至发单之日仍未办结报送"
    )
    ask = (
        f"请于{date_cn(answer)}前将情况说明及措施方案报{ledger.config.short}。"
        if answer
        else "请立即说明情况，抓紧办理。"
    )
    return f"{what}。{ask}"


def slip_context(ledger, item: Item, ev: dict) -> dict:
    number = str(ev.get("number") or "")
    year, _, serial = number.partition("-")
    return {
        **common(ledger, ev["date"]),
        **item_fields(ledger, item, ev.get("unit")),
        "number": number,
        "number_year": year,
        "serial": serial,
        "reason": slip_reason(ledger, item, ev),
        "answer_by": date_cn(ev.get("answer_by")),
        **OPINIONS,
    }


def return_context(ledger, item: Item, number: str | None) -> dict:
    returns = [ev for ev in item.log if ev.get("kind") == "review" and ev.get("result") == "returned"]
    if number:
        if not number.isdigit() or not 1 <= int(number) <= len(returns):
            raise DubanError(f"事项 {item.id} 只有 {len(returns)} 次退办（--number 取 1…{len(returns)}）")
        returns = returns[: int(number)]
    if not returns:
        raise DubanError(f"事项 {item.id} 没有退办记录")
    ev = returns[-1]
    k = len(returns)
    return {
        **common(ledger, ev["date"]),
        **item_fields(ledger, item, deadline=ev.get("due")),
        "number": str(k),
        "number_year": ev["date"].year,
        "serial": k,
        "reason": str(ev.get("reason") or ""),
        "answer_by": date_cn(ev.get("due")),
        **OPINIONS,
    }


def notice_context(ledger, item: Item) -> dict:
    rule = ledger.pack.item_rule(item)
    duties = []
    if rule.cadence:
        duties.append(f"{rule.cadence.describe()}（{ledger.config.short}按期汇总）")
    if rule.lookback:
        duties.append(f"{rule.lookback.describe()}回头望")
    process = ledger.pack.process
    if process.co_units and item.co:
        duties.append(process.co_units)
    duties.append(
        "办结后及时报送办结报告（附佐证材料）"
        + (f"；逾期未报的，将下发{ledger.pack.words.form(process.ladder[0].paper)}" if process.ladder else "")
    )
    return {
        **common(ledger, item.issued),
        **item_fields(ledger, item, deadline=item.deadline),
        "reporting": "；".join(duties) + "。",
    }


def feedback_context(ledger, item: Item, day: date) -> dict:
    from duban.core.state import deadline_lapses

    problems = [
        f"{date_cn(ev['date'])}退办：{ev.get('reason', '')}"
        for ev in item.log
        if ev.get("kind") == "review" and ev.get("result") == "returned"
    ]
    problems += [
        f"办理时限{date_cn(lapse.deadline)}已过，"
        + (f"{date_cn(lapse.resolved)}方才报送" if lapse.resolved else "至今未办结报送")
        for lapse in deadline_lapses(item, day)
    ]
    return {
        **common(ledger, day),
        **item_fields(ledger, item),
        "problems": "；".join(problems) or "无",
        "remark": "",
        "leader": "",
    }


def reply_context(ledger, item: Item, day: date) -> dict:
    from duban.core.state import replay

    lead = replay(item).lead
    reports = [ev for ev in item.log if ev.get("kind") == "report" and ev.get("unit") == lead and ev.get("text")]
    return {
        **common(ledger, day),
        **item_fields(ledger, item),
        "responsible": "＿＿＿＿",
        "basic": item.basis or item.title,
        "progress": str(reports[-1]["text"]).strip() if reports else "",
        "issues": "",
        "next_steps": "",
        "other": "无",
    }


# --------------------------------------------------------------------- render


def render_docx(template: Path, context: dict, images: dict | None = None) -> bytes:
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    tpl = DocxTemplate(str(template))
    ctx = dict(context)
    for key, (data, width_mm) in (images or {}).items():
        ctx[key] = InlineImage(tpl, io.BytesIO(data), width=Mm(width_mm))
    try:
        tpl.render(ctx, autoescape=True)
    except Exception as e:  # not a .docx, or a tag the clerk's edit broke (jinja2 errors)
        raise DubanError(f"模板 {template.name} 无法使用：{e}（duban check 检查模板）") from e
    buf = io.BytesIO()
    tpl.save(buf)
    return deterministic(buf.getvalue())


def default_name(form: str, target: str, ctx: dict, words: Words) -> str:
    label = words.form(form)
    if form in STEPS:
        return f"{target}-{label}-{ctx['number']}.docx"
    if form == "return":
        return f"{target}-{label}-{ctx['serial']}.docx"
    return f"{target}-{label}.docx"


def item_form(ledger, form: str, item: Item, day: date, number: str | None = None) -> tuple[dict, str]:
    """An item's form: its context and default file name."""
    if form in STEPS:
        ctx = slip_context(ledger, item, pick_slip(item, form, number, ledger.pack.words))
    elif form == "return":
        ctx = return_context(ledger, item, number)
    elif form == "notice":
        if item.forward:
            raise DubanError(f"事项 {item.id} 是转阅（办）件，请用 duban render forward")
        ctx = notice_context(ledger, item)
    elif form == "forward":
        if not item.forward:
            raise DubanError(f"事项 {item.id} 不是转阅（办）件，请用 duban render notice")
        ctx = notice_context(ledger, item)
    elif form == "feedback":
        ctx = feedback_context(ledger, item, day)
    else:
        ctx = reply_context(ledger, item, day)
    paper = ledger.pack.process.paper(form)  # a ladder step may print with another step's form (西城: 催办单 again)
    ctx["form_name"] = ledger.pack.words.form(paper)
    return {k: v for k, v in ctx.items() if k in FIELDS[paper]}, default_name(paper, item.id, ctx, ledger.pack.words)


# ------------------------------------------------------------------- lint


def lint_templates(root: Path) -> list[Problem]:
    """A template that is not a valid .docx, or uses a placeholder the renderer does not provide."""
    problems = []
    folder = root / "templates"
    for form in FORMS:
        path = folder / f"{form}.docx"
        rel = f"templates/{form}.docx"
        if not path.is_file():
            continue
        from docx.opc.exceptions import PackageNotFoundError
        from docxtpl import DocxTemplate

        try:
            used = DocxTemplate(str(path)).get_undeclared_template_variables()
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
            problems.append(Problem(rel, 1, f"不是有效的 Word 文档（.docx）：{e}"))
            continue
        except Exception as e:  # jinja2 TemplateSyntaxError and friends: the clerk's edit broke a tag
            problems.append(Problem(rel, 1, f"模板占位符有语法错误：{e}"))
            continue
        unknown = sorted(set(used) - FIELDS[form])
        if unknown:
            problems.append(
                Problem(
                    rel,
                    1,
                    f"模板使用了未提供的占位符 {', '.join(unknown)}"
                    f"（{DEFAULTS['form'][form]}可用: {', '.join(sorted(FIELDS[form]))}）",
                )
            )
    return problems


def to_pdf(path: Path) -> Path:
    """Convert with LibreOffice (soffice --headless); says how to install it when it is missing."""
    import shutil
    import subprocess

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise DubanError(
            "没有找到 LibreOffice，无法转为 PDF。请先安装：Debian/Ubuntu 用 "
            "sudo apt-get install libreoffice-writer fonts-noto-cjk；其他系统见 "
            "https://www.libreoffice.org/download/ ；Word 文档已生成，也可在 Word 中另存为 PDF"
        )
    res = subprocess.run(
        [exe, "--headless", "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = path.with_suffix(".pdf")
    if res.returncode != 0 or not pdf.is_file():
        raise DubanError(f"LibreOffice 转换失败：{(res.stderr or res.stdout).strip()}")
    return pdf
