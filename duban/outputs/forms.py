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
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from duban.core.errors import DubanError, Problem
from duban.core.model import Item
from duban.core.pack import STEPS
from duban.core.state import live_slips
from duban.core.vocabulary import DEFAULTS, Words

FORMS = tuple(DEFAULTS["form"])  # notice, reminder, warning, referral, urge, return, forward, feedback, reply, bulletin
COMMON = {
    "heading",
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
    "reply": COMMON | ITEM | {"subject", "responsible", "basic", "progress", "issues", "next_steps", "other"},
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
TITLE_CHARS = 20  # 2号 (22 pt) characters on one 156 mm line
FONT_NAMES = ("方正小标宋简体", "仿宋_GB2312", "黑体", "宋体", "Times New Roman")  # what the templates ask for


def date_cn(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def heading(prefix: str, label: str) -> str:
    """A form's title: one line when it fits, else the issuer over the form's name, or two balanced lines,
    so that no line holds a lone character."""
    text = prefix + label
    if len(text) <= TITLE_CHARS:
        return text
    if len(prefix) <= TITLE_CHARS and len(label) <= TITLE_CHARS:
        return f"{prefix}\n{label}"
    half = (len(text) + 1) // 2
    return f"{text[:half]}\n{text[half:]}"


def government_names(office: str) -> tuple[str, str]:
    """西安市灞桥区人民政府办公室 → (西安市灞桥区人民政府, 区政府)."""
    gov = office[:-3] if office.endswith("办公室") else office
    level = next((c for c in reversed(gov.removesuffix("人民政府")) if c in "区县市州旗"), "")
    return gov, f"{level}政府" if level else gov


def deterministic(data: bytes) -> bytes:
    """The same .docx with fixed zip timestamps, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    return zip_members([(info.filename, src.read(info.filename)) for info in src.infolist()])


def stored(data: bytes) -> bytes:
    """The same zip with its members uncompressed (not a zip: as it is, for docx to report)."""
    try:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info), zipfile.ZIP_STORED)
        return out.getvalue()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return data


def zip_members(members: list[tuple[str, bytes]], deflated: dict[bytes, tuple[bytes, int]] | None = None) -> bytes:
    """A zip of these members with fixed timestamps, byte for byte what ``ZipFile.writestr`` writes;
    ``deflated`` keeps each member's compressed bytes and checksum, so parts repeated across documents (a
    template's styles, theme and fonts) are compressed and summed once."""
    import zlib

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members:
            known = deflated.get(data) if deflated is not None else None
            if known is None:
                z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
                known = z.compress(data) + z.flush(), zlib.crc32(data)
                if deflated is not None:
                    deflated[data] = known
            packed, crc = known
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            info.file_size, info.compress_size, info.CRC = len(data), len(packed), crc
            info.header_offset = dst.fp.tell()  # type: ignore[union-attr]
            dst.fp.write(info.FileHeader(False))  # type: ignore[union-attr]
            dst.fp.write(packed)  # type: ignore[union-attr]
            dst.filelist.append(info)
            dst.NameToInfo[name] = info
            dst.start_dir = dst.fp.tell()  # type: ignore[union-attr]
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
        "stamp": day,
        **{f"office_contact_{k}": cfg.contact.get(k, "") for k in ("person", "phone", "fax", "email")},
    }


def tier_text(ledger, tier: str) -> str:
    """红色（特别重要、特别紧急）: the tier's colour word and its label."""
    info = ledger.pack.tiers.get(tier, {})
    short, label = info.get("short"), ledger.pack.tier_label(tier)
    return f"{short}色（{label}）" if short else label


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
        "tier": tier_text(ledger, item.tier),
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


def slips_before(item: Item, ev: dict) -> list[dict]:
    """The slips sent to the same unit for the same lapse before ``ev``: the ladder that led to it."""
    index = next(i for i, e in enumerate(item.log) if e is ev)
    return [
        e
        for e in live_slips(item.log[:index])
        if e.get("unit") == ev.get("unit") and (not ev.get("lapse") or e.get("lapse") == ev.get("lapse"))
    ]


def slip_history(ledger, slips: list[dict]) -> str:
    """区政府督查办于2026年11月10日下发工作提醒单（2026-8），要求2026年11月12日前说明情况；于…"""
    parts = [
        f"于{date_cn(e['date'])}下发{ledger.pack.words.entry(e['kind'])}（{e.get('number', '')}）"
        + (f"，要求{date_cn(e['answer_by'])}前说明情况" if e.get("answer_by") else "")
        for e in slips
    ]
    return f"{ledger.config.short}" + "；".join(parts) if parts else ""


def lapse_text(ev: dict) -> str:
    lapse = str(ev.get("lapse", ""))
    kind, _, when = lapse.partition(":")
    when_d = date.fromisoformat(when) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", when) else None
    if kind == "report":
        return f"应于{date_cn(when_d)}报送落实情况，截至发单之日仍未报送"
    return f"办理时限为{date_cn(when_d)}，截至发单之日仍未办结报送"


def slip_reason(ledger, item: Item, ev: dict) -> str:
    """The slip's 事由: what lapsed, the slips already sent for it, and what is asked now.  The referral
    speaks to the body that receives it: which unit, which item (title and 文号), which slips went unanswered."""
    history = slip_history(ledger, slips_before(item, ev))
    what = str(ev["reason"]) if ev.get("reason") else "该事项" + lapse_text(ev)
    if ev.get("kind") == "referral":
        unit = ledger.unit_name(ev.get("unit") or item.lead)
        ref = f"（{item.ref}）" if item.ref else ""
        return (
            f"{unit}承办的“{item.title}”{ref}，{what.removeprefix('该事项')}。"
            + (f"{history}，该单位逾期仍未说明情况、报送落实情况。" if history else "")
            + "建议按有关规定启动追责问效程序。"
        )
    answer = ev.get("answer_by")
    ask = (
        f"请于{date_cn(answer)}前将情况说明及措施方案报{ledger.config.short}。"
        if answer
        else "请立即说明情况，抓紧办理。"
    )
    return f"{what.rstrip('。')}。" + (f"{history}，至今未见回复。" if history else "") + ask


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
    short = ledger.config.short
    duties = []
    if rule.cadence:  # the pack's words may name the office's own rhythm (一日一督): say whose it is
        duties.append(f"按{short}“{rule.cadence.describe()}”的督办安排按期报送进展情况")
    if rule.lookback:
        duties.append(f"{short}{rule.lookback.describe()}回头望，请届时报送落实情况")
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
    from duban.core.state import deadline_lapses, replay

    lead = replay(item).lead
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
    problems += [
        f"{date_cn(ev['date'])}被下发{ledger.pack.words.entry(ev['kind'])}（{ev.get('number', '')}）"
        for ev in live_slips(item.log)
        if ev.get("unit", lead) == lead and ev["date"] <= day
    ]
    return {
        **common(ledger, day),
        **item_fields(ledger, item),
        "problems": "；".join(problems) or "无",
        "remark": "",
        "leader": "",
    }


def full_unit_name(government: str, name: str) -> str:
    """区教育局 → 灞桥区教育局, 席王街道办事处 → 灞桥区席王街道办事处 (the seed's 灞桥区***委(办、局))."""
    place = government.removesuffix("人民政府")
    district = place.rsplit("市", 1)[-1] if not place.endswith("市") else place
    if not district or name.startswith(district):
        return name
    return district + name[1:] if name[:1] == district[-1:] else district + name


def reply_context(ledger, item: Item, day: date) -> dict:
    """灞桥 附件2, pre-filled for the unit: what duban knows (the 文号, the unit's last report); the rest, and
    the date, the unit writes."""
    from duban.core.state import replay

    lead = replay(item).lead
    reports = [ev for ev in item.log if ev.get("kind") == "report" and ev.get("unit") == lead and ev.get("text")]
    ctx = {**common(ledger, day), **item_fields(ledger, item)}
    subject = re.split(r"[：:]", item.title)[-1].strip().removeprefix("关于")
    return {
        **ctx,
        "unit_name": full_unit_name(ctx["government"], ctx["unit_name"]),
        "subject": heading("", f"关于{subject}落实情况的报告"),
        "responsible": "＿＿＿＿",
        "basic": "",
        "progress": str(reports[-1]["text"]).strip() if reports else "",
        "issues": "",
        "next_steps": "",
        "other": "无",
        "date_cn": "年　　月　　日",
    }


# --------------------------------------------------------------------- render


class Templates:
    """What rendering many forms shares (a sweep's slips): each template's bytes read once, its parts'
    Jinja templates compiled once, the compressed bytes of the parts no rendering changes."""

    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}
        self.deflated: dict[bytes, tuple[bytes, int]] = {}
        self.compiled: dict[str, object] = {}
        self.opened: dict[bytes, Any] = {}  # a template's bytes → its document as opened, to be copied
        self.patched: dict[str, str] = {}  # a part's XML → docxtpl's clean-up of it for Jinja (a pure function)
        self._env: Any = None

    def read(self, template: Path) -> bytes:
        """The template's bytes, its members stored uncompressed: docx reads every part of it for every form
        (800 KB of styles a slip), and need not inflate them each time."""
        if template not in self.files:
            self.files[template] = stored(template.read_bytes())
        return self.files[template]

    def document(self, source: bytes):
        """A fresh python-docx document of the template ``source``: a copy of the one opened the first time
        (opening parses every part: 4 ms a slip; a copy 2 ms)."""
        import copy

        if source not in self.opened:
            from docx import Document

            with _unparsed(UNTOUCHED):
                self.opened[source] = Document(io.BytesIO(source))
        return copy.deepcopy(self.opened[source])

    def patch(self, tpl) -> None:
        """docxtpl's clean-up of each distinct part XML (5 ms for a slip's document) done once."""
        patch_xml, patched = tpl.patch_xml, self.patched

        def once(xml: str) -> str:
            if xml not in patched:
                patched[xml] = patch_xml(xml)
            return patched[xml]

        tpl.patch_xml = once

    def env(self):
        """A Jinja environment (autoescape on) that compiles each distinct source once."""
        if self._env is not None:
            return self._env
        from jinja2 import Environment

        compiled = self.compiled

        class Once(Environment):
            def from_string(self, source, globals=None, template_class=None):
                if globals is not None or template_class is not None or not isinstance(source, str):
                    return super().from_string(source, globals, template_class)
                if source not in compiled:
                    compiled[source] = super().from_string(source)
                return compiled[source]

        self._env = Once(autoescape=True)
        return self._env


def render_docx(
    template: Path,
    context: dict,
    images: dict | None = None,
    title: str = "",
    stamp: date | None = None,
    templates: Templates | None = None,
) -> bytes:
    """The filled template; its core properties name the form and carry the form's own date (not the day of
    rendering), so the bytes depend on the ledger only.  ``templates``: shared by the forms of one run."""
    from datetime import datetime

    from docx.opc.pkgwriter import PackageWriter
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    templates = templates or Templates()
    try:
        source = templates.read(template)
    except OSError as e:
        raise DubanError(f"模板 {template.name} 无法使用：{e}（duban check 检查模板）") from e
    tpl = DocxTemplate(io.BytesIO(source))
    templates.patch(tpl)
    ctx = dict(context)
    try:
        tpl.docx = templates.document(source)
        for key, (data, width_mm) in (images or {}).items():
            ctx[key] = InlineImage(tpl, io.BytesIO(data), width=Mm(width_mm))
        tpl.render(ctx, jinja_env=templates.env(), autoescape=True)
    except Exception as e:  # not a .docx, or a tag the clerk's edit broke (jinja2 errors)
        raise DubanError(f"模板 {template.name} 无法使用：{e}（duban check 检查模板）") from e
    props = tpl.docx.core_properties
    if title:
        props.title = title
    if stamp:
        props.created = props.modified = datetime(stamp.year, stamp.month, stamp.day)
    package = tpl.docx.part.package
    for part in package.parts:
        part.before_marshal()
    members: Any = _Members()  # what docx's save writes, in its order, without compressing it twice
    PackageWriter._write_content_types_stream(members, package.parts)
    PackageWriter._write_pkg_rels(members, package.rels)
    PackageWriter._write_parts(members, package.parts)
    return zip_members(members.items, templates.deflated)


# The parts of a template no rendering changes (content types): kept as the bytes they are instead of being parsed
# and serialised again for every form (styles.xml alone is 350 KB: 23 ms a slip).  Neither docxtpl's rendering nor
# the core properties touch them.
UNTOUCHED = frozenset(
    f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
    for kind in ("styles", "numbering", "settings")
)


@contextmanager
def _unparsed(content_types: frozenset[str]):
    """While docx opens a package: the parts of these content types loaded as plain parts (their bytes)."""
    from docx.opc.part import Part, PartFactory

    chosen = PartFactory.part_class_selector

    def select(content_type: str, reltype: str):
        if content_type in content_types:
            return Part
        return chosen(content_type, reltype) if chosen is not None else None

    PartFactory.part_class_selector = select
    try:
        yield
    finally:
        PartFactory.part_class_selector = chosen


class _Members:
    """A stand-in for docx's zip writer that collects the members."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.items.append((pack_uri.membername, blob))


def default_name(form: str, target: str, ctx: dict, words: Words) -> str:
    label = words.form(form)
    if form in STEPS:
        return f"{target}-{label}-{ctx['number']}.docx"
    if form == "return":
        return f"{target}-{label}-{ctx['serial']}.docx"
    return f"{target}-{label}.docx"


def finish(ledger, form: str, ctx: dict) -> tuple[dict, str]:
    """The context the template gets (its heading in the pack's words) and the document's title."""
    issuer = ctx["office"] if form == "feedback" else ctx["government"]
    ctx.setdefault("heading", heading(issuer, ledger.pack.words.form(form)))
    return {k: v for k, v in ctx.items() if k in FIELDS[form]}, ctx["heading"].replace("\n", "")


def item_form(ledger, form: str, item: Item, day: date, number: str | None = None) -> tuple[dict, str, str, date]:
    """An item's form: (its template context, default file name, document title, the form's own date)."""
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
    name, stamp = default_name(paper, item.id, ctx, ledger.pack.words), ctx.get("stamp", day)
    fields, title = finish(ledger, paper, ctx)
    return fields, name, title, stamp


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


def compose(documents: list[bytes]) -> bytes:
    """Several rendered forms as one document for one print job: in the order given, each in a section of
    its own that starts a new page and numbers its pages from 1.  docxcompose is imported here only."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docxcompose.composer import Composer

    master = Document(io.BytesIO(documents[0]))
    composer = Composer(master)
    for data in documents[1:]:
        section = master.add_section(WD_SECTION.NEW_PAGE)
        numbering = section._sectPr.find(qn("w:pgNumType"))
        if numbering is None:
            numbering = OxmlElement("w:pgNumType")
            section._sectPr.append(numbering)
        numbering.set(qn("w:start"), "1")
        composer.append(Document(io.BytesIO(data)))
    buf = io.BytesIO()
    composer.save(buf)
    return deterministic(buf.getvalue())
