"""Loading a rule pack: its YAML files read and validated into the model of
:mod:`duban.core.pack`, every problem with ``path:line``.

A pack is a folder of YAML files (see README, "写规则包"):

* ``pack.yaml``       name, title, the source document, the office's own
                      words (``words:``, see :mod:`duban.core.vocabulary`)
* ``tiers.yaml``      red / yellow / blue with the pack's Chinese labels
* ``categories.yaml`` per category (and per tier where the document
                      distinguishes them): deadline, maximum, reporting
                      cadence, look-back, read-only (转阅)
* ``process.yaml``    due-soon lead time, the escalation ladder, return
                      (退办) answer window, transfer-back (退回) window,
                      extension cut-off, count-triggered consequences
* ``calendar.yaml``   local holiday / 调休 corrections and added years
* ``scoring.yaml``    the quarterly scoring table
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from duban.core.calendar import merged_calendar
from duban.core.errors import Problem
from duban.core.model import ROLES, TIERS
from duban.core.pack import (
    CADENCE_UNITS,
    DIMENSIONS,
    LATE_TRIGGERS,
    PER_ITEM,
    REPORT_FIELDS,
    ROLLS,
    STEPS,
    TRIGGER_ARGS,
    TRIGGERS,
    Cadence,
    CategoryRule,
    Consequence,
    Process,
    RulePack,
    ScoreRule,
    Scoring,
    Step,
    TimeRule,
)
from duban.core.schema import Source, check_mapping, check_type, field_name
from duban.core.vocabulary import DEFAULTS, SECTIONS, SLIPS, Words, words
from duban.store.yamlio import YamlError, load_path

TIME_KEYS = {
    "working_days",
    "days",
    "months",
    "same_day",
    "end_of",
    "set_by",
    "roll",
    "source",
    "before_deadline",
    "note",
}


def parse_time_rule(
    src: Source, value, keypath: tuple, allow=("working_days", "days", "months", "same_day", "end_of", "clerk")
) -> TimeRule | None:
    if value == "clerk" and "clerk" in allow:
        return TimeRule("clerk")
    if value == "same_day" and "same_day" in allow:
        return TimeRule("same_day")
    if value == "before_deadline" and "before_deadline" in allow:
        return TimeRule("before_deadline")
    if not check_mapping(src, value, keypath, TIME_KEYS):
        return None
    source = str(value.get("source", ""))
    roll = value.get("roll", "next")
    if roll not in ROLLS:
        src.error(keypath + ("roll",), f"roll 只能是 next 或 none，而不是 “{roll}”")
        roll = "next"
    kinds = [
        k for k in ("working_days", "days", "months", "same_day", "end_of", "set_by", "before_deadline") if k in value
    ]
    if len(kinds) != 1:
        src.error(
            keypath,
            f"{field_name(keypath)} 须且只须给出一种期限: working_days / days / months / "
            f"same_day / end_of / set_by: clerk",
        )
        return None
    kind = kinds[0]
    if kind == "set_by":
        if value["set_by"] != "clerk":
            src.error(keypath + ("set_by",), "set_by 只能是 clerk")
            return None
        kind = "clerk"
    if kind not in allow:
        src.error(keypath + (kinds[0],), f"此处不能使用 {kinds[0]}")
        return None
    if kind in ("working_days", "days", "months"):
        if not check_type(src, value, kind, int, keypath, "整数") or value[kind] < 0:
            if isinstance(value.get(kind), int) and value[kind] < 0:
                src.error(keypath + (kind,), f"{kind} 不能为负数")
            return None
        return TimeRule(kind, n=value[kind], roll=roll, source=source)
    if kind == "end_of":
        if value["end_of"] not in ("month", "quarter", "year"):
            src.error(keypath + ("end_of",), "end_of 只能是 month / quarter / year")
            return None
        return TimeRule("end_of", period=value["end_of"], roll=roll, source=source)
    if kind in ("same_day", "before_deadline"):
        return TimeRule(kind, source=source)
    return TimeRule(kind, source=source)


def parse_cadence(src: Source, value, keypath: tuple) -> Cadence | None:
    if value in (None, "none"):
        return None
    if not check_mapping(src, value, keypath, {"every", "unit", "anchor", "source", "wording", "note"}, ("unit",)):
        return None
    every = value.get("every", 1)
    unit = value.get("unit")
    anchor = value.get("anchor", "issued")
    ok = True
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        src.error(keypath + ("every",), "every 应为正整数")
        ok = False
    if unit not in CADENCE_UNITS:
        src.error(keypath + ("unit",), f"unit 只能是 {' / '.join(CADENCE_UNITS)}，而不是 “{unit}”")
        ok = False
    if anchor not in ("issued", "period_end"):
        src.error(keypath + ("anchor",), "anchor 只能是 issued 或 period_end")
        ok = False
    if not ok:
        return None
    return Cadence(every, unit, anchor, str(value.get("source", "")), str(value.get("wording", "")))


CATEGORY_KEYS = {
    "label",
    "source",
    "deadline",
    "max",
    "cadence",
    "lookback",
    "lookback_until",
    "supervise",
    "report_requires",
    "cadences",
    "follow_up",
    "notice_within",
    "forward",
    "note",
    "tiers",
}


OVERRIDE_KEYS = CATEGORY_KEYS - {"label", "tiers"}


def _choice(src: Source, data: dict, key: str, choices: dict[str, str], keypath: tuple) -> str | None:
    """``data[key]`` if it is one of ``choices`` (value -> what it means); else an error naming them, and None."""
    if data[key] in choices:
        return str(data[key])
    said = " 或 ".join(f"{k}（{v}）" for k, v in choices.items())
    src.error(keypath + (key,), f"{key} 只能是 {said}，而不是 “{data[key]}”")
    return None


def _parse_rule_fields(src: Source, data: dict, keypath: tuple, base: CategoryRule) -> CategoryRule:
    changes: dict[str, object] = {}
    if "source" in data:
        changes["source"] = str(data["source"])
    if "note" in data:
        changes["note"] = str(data["note"])
    if "deadline" in data:
        rule = parse_time_rule(src, data["deadline"], keypath + ("deadline",))
        if rule:
            changes["deadline"] = rule
    if "max" in data:
        rule = parse_time_rule(src, data["max"], keypath + ("max",), allow=("working_days", "days", "months"))
        if rule:
            changes["max"] = rule
    if "cadence" in data:
        changes["cadence"] = parse_cadence(src, data["cadence"], keypath + ("cadence",))
    if "lookback" in data:
        changes["lookback"] = parse_cadence(src, data["lookback"], keypath + ("lookback",))
    if "supervise" in data:
        changes["supervise"] = parse_cadence(src, data["supervise"], keypath + ("supervise",))
    if "cadences" in data:
        choices = data["cadences"]
        if check_mapping(src, choices, keypath + ("cadences",), set(choices) if isinstance(choices, dict) else set()):
            parsed = {str(k): parse_cadence(src, v, keypath + ("cadences", k)) for k, v in choices.items()}
            changes["cadences"] = {k: v for k, v in parsed.items() if v is not None}
    if "follow_up" in data:
        changes["follow_up"] = parse_cadence(src, data["follow_up"], keypath + ("follow_up",))
    if "notice_within" in data:
        rule = parse_time_rule(src, data["notice_within"], keypath + ("notice_within",), allow=("working_days", "days"))
        if rule:
            changes["notice_within"] = rule
    if "report_requires" in data:
        names = data["report_requires"] if isinstance(data["report_requires"], list) else [data["report_requires"]]
        bad = [n for n in names if n not in REPORT_FIELDS]
        if bad:
            src.error(
                keypath + ("report_requires",), f"report_requires 只能取 {' / '.join(REPORT_FIELDS)}，而不是 {bad}"
            )
        else:
            changes["report_requires"] = tuple(names)
    if "lookback_until" in data:
        choice = _choice(src, data, "lookback_until", {"closed": "至销号", "done": "至办结落实"}, keypath)
        if choice:
            changes["lookback_until"] = choice
    if "forward" in data:
        if check_type(src, data, "forward", bool, keypath, "true 或 false"):
            changes["forward"] = data["forward"]
    return replace(base, **changes)  # type: ignore[arg-type]


# process.yaml sections holding one time rule: section -> (its key, allowed kinds); parsed into
# the Process fields ``{section}_{key}`` and ``{section}_source``
TIMED_SECTIONS = {
    "return": ("answer", ("working_days", "days")),
    "transfer_back": ("within", ("working_days", "days", "same_day")),
    "extension": ("cutoff", ("working_days", "before_deadline")),
}


def _parse_process(src: Source, data, words: Words) -> Process:
    allowed = {
        "due_soon",
        "ladder",
        "return",
        "transfer_back",
        "extension",
        "consequences",
        "note",
        "source",
        "report_lapse",
        "unit_events",
        "new_lapse",
        "co_units",
    }
    if data is None:
        data = {}
    if not check_mapping(src, data, (), allowed, ("ladder",)):
        return Process()
    kw: dict = {"unit_events": _parse_unit_events(src, data.get("unit_events") or {})}
    if "due_soon" in data:
        kw["due_soon"] = parse_time_rule(src, data["due_soon"], ("due_soon",), allow=("working_days", "days"))
    steps = []
    ladder = data.get("ladder")
    if ladder is not None and not isinstance(ladder, list):
        src.error(("ladder",), "ladder 应为列表")
        ladder = []
    for i, st in enumerate(ladder or []):
        kp = ("ladder", i)
        keys = {"step", "label", "answer", "proposal", "source", "note", "form", "times", "proposes"}
        if not check_mapping(src, st, kp, keys, ("step",)):
            continue
        if st.get("step") not in STEPS:
            src.error(kp + ("step",), f"step 只能是 {' / '.join(STEPS)}，而不是 “{st.get('step')}”")
            continue
        form, times, proposes = str(st.get("form") or ""), st.get("times", 1), str(st.get("proposes") or "")
        if form and form not in STEPS:
            src.error(kp + ("form",), f"form 只能是 {' / '.join(STEPS)}（按哪一种文书印制、编号），而不是 “{form}”")
            form = ""
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            src.error(kp + ("times",), f"times 应为正整数（同一逾期发几次），而不是 “{times}”")
            times = 1
        if proposes and (proposes not in kw["unit_events"] or not st.get("proposal")):
            src.error(
                kp + ("proposes",),
                f"proposes 须与 proposal: true 同用，且是 unit_events 中的一种（{'、'.join(kw['unit_events']) or '尚未定义'}）",
            )
            proposes = ""
        answer = (
            parse_time_rule(src, st["answer"], kp + ("answer",), allow=("working_days", "days"))
            if st.get("answer") is not None
            else None
        )
        if i < len(ladder) - 1 and answer is None:
            src.error(kp, "除最后一步外，每一步都须给出答复时限 answer")
        steps.append(
            Step(
                st["step"],
                str(st.get("label") or words.entry(st["step"])),
                answer,
                bool(st.get("proposal", False)),
                str(st.get("source", "")),
                form,
                times,
                proposes,
                str(st.get("note", "")),
            )
        )
    if len({s.step for s in steps}) != len(steps):
        src.error(("ladder",), "ladder 中同一种文书只能出现一次")
    kw["ladder"] = tuple(steps)
    for section, (key, allow) in TIMED_SECTIONS.items():
        sub = data.get(section)
        if sub is not None and check_mapping(src, sub, (section,), {key, "source", "note"}, (key,)):
            rule = parse_time_rule(src, sub[key], (section, key), allow=allow)
            if rule:
                kw[f"{section}_{key}"] = rule
            kw[f"{section}_source"] = str(sub.get("source", ""))
    if "new_lapse" in data:
        sub = data["new_lapse"]
        if check_mapping(src, sub, ("new_lapse",), {"from", "source", "note"}, ("from",)):
            choice = _choice(src, sub, "from", {"first": "从第一步起", "reached": "从已到达的一步起"}, ("new_lapse",))
            if choice:
                kw["new_lapse"], kw["new_lapse_source"] = choice, str(sub.get("source", ""))
    if "co_units" in data:
        sub = data["co_units"]
        if check_mapping(src, sub, ("co_units",), {"wording", "source", "note"}, ("wording",)):
            kw["co_units"], kw["co_units_source"] = str(sub["wording"]), str(sub.get("source", ""))
    if "report_lapse" in data:
        sub = data["report_lapse"]
        if check_mapping(src, sub, ("report_lapse",), {"up_to", "source", "note"}, ("up_to",)):
            if sub["up_to"] not in {s.step for s in steps}:
                src.error(
                    ("report_lapse", "up_to"), f"up_to 须是 ladder 中的一步（{' / '.join(s.step for s in steps)}）"
                )
            else:
                kw["report_lapse_up_to"] = sub["up_to"]
                kw["report_lapse_source"] = str(sub.get("source", ""))
    cons = []
    for i, c in enumerate(data.get("consequences") or []):
        kp = ("consequences", i)
        if not check_mapping(
            src,
            c,
            kp,
            {"id", "count", "at", "and_more", "event", "action", "owes", "source", "note"},
            ("id", "count", "at", "action"),
        ):
            continue
        if c.get("count") not in ("overdue", "unit_event"):
            src.error(kp + ("count",), f"count 只能是 overdue 或 unit_event，而不是 “{c.get('count')}”")
            continue
        if c["count"] == "unit_event" and c.get("event") not in kw.get("unit_events", {}):
            src.error(
                kp + ("event",),
                f"event 须是 unit_events 中的一种（{'、'.join(kw.get('unit_events', {})) or '尚未定义'}）",
            )
            continue
        owes = (
            parse_time_rule(src, c["owes"], kp + ("owes",), allow=("working_days", "days"))
            if c.get("owes") is not None
            else None
        )
        if check_type(src, c, "at", int, kp, "整数"):
            cons.append(
                Consequence(
                    str(c["id"]),
                    c["count"],
                    c["at"],
                    str(c["action"]),
                    str(c.get("source", "")),
                    str(c.get("event", "")),
                    bool(c.get("and_more", False)),
                    owes,
                    str(c.get("note", "")),
                )
            )
    kw["consequences"] = tuple(cons)
    kw["ladder_source"] = str(data.get("source", ""))
    return Process(**kw)


UNIT_EVENT_KEYS = {"label", "source", "note", "item", "within", "late"}


def _parse_unit_events(src: Source, data) -> dict[str, dict]:
    """``unit_events:`` kind -> {label, source, note, item (the event must name its item), within (a time rule: how
    long after the act it answers, e.g. the 通报 an objection contests, it may be filed), late (the event kind to record
    instead when it comes too late)}."""
    out: dict[str, dict] = {}
    if not check_mapping(src, data, ("unit_events",), set(data) if isinstance(data, dict) else set()):
        return out
    for kind, body in data.items():
        kp = ("unit_events", kind)
        if not check_mapping(src, body, kp, UNIT_EVENT_KEYS, ("label",)):
            continue
        entry: dict = {k: str(body[k]) for k in ("label", "source", "note", "late") if body.get(k) is not None}
        if "item" in body and check_type(src, body, "item", bool, kp, "true 或 false"):
            entry["item"] = body["item"]
        if body.get("within") is not None:
            rule = parse_time_rule(src, body["within"], kp + ("within",), allow=("working_days", "days"))
            if rule:
                entry["within"] = rule
        out[str(kind)] = entry
    for kind, entry in out.items():
        if entry.get("late") and entry["late"] not in out:
            src.error(("unit_events", kind, "late"), f"late 须是 unit_events 中的一种（{'、'.join(out)}）")
    return out


def _number(src: Source, value, keypath: tuple) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        src.error(keypath, f"{field_name(keypath)} 应为数值，而不是 “{value}”")
        return None
    return Decimal(str(value))


def _parse_delta(src: Source, value, keypath: tuple):
    if not isinstance(value, dict):
        return _number(src, value, keypath)
    for _name, keys in DIMENSIONS:
        if value and set(value) <= set(keys):
            out = {k: _parse_delta(src, v, keypath + (k,)) for k, v in value.items()}
            return None if None in out.values() else out
    words = "；".join(f"{name}: {' / '.join(keys)}" for name, keys in DIMENSIONS)
    src.error(keypath, f"{field_name(keypath)} 的键应全部取自同一维度（{words}），而不是 {', '.join(map(str, value))}")
    return None


def _names(src: Source, rule: dict, key: str, keypath: tuple, allowed) -> tuple[str, ...]:
    value = rule.get(key)
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    for v in values:
        if allowed is not None and v not in allowed:
            src.error(keypath + (key,), f"{key} “{v}” 不在可用值中（{' / '.join(map(str, allowed))}）")
    return tuple(str(v) for v in values)


RULE_KEYS = {
    "id",
    "when",
    "label",
    "source",
    "note",
    "category",
    "tier",
    "role",
    "silent",
    "delta",
    "per",
    "each_time",
    "at",
    "and_more",
    "flag",
    "zero",
    "lasts",
    "tally",
}


def _parse_score_rule(src: Source, r, keypath: tuple, pack: RulePack) -> ScoreRule | None:
    if not check_mapping(src, r, keypath, RULE_KEYS, ("id", "when", "source")):
        return None
    on, arg = r.get("when"), ""
    if isinstance(on, dict) and len(on) == 1:
        ((on, arg),) = on.items()
        if TRIGGER_ARGS.get(on) is None:
            src.error(keypath + ("when",), f"when 的参数形式只用于 {' / '.join(TRIGGER_ARGS)}")
            return None
    if on not in TRIGGERS:
        src.error(keypath + ("when",), f"when 只能是 {' / '.join(TRIGGERS)}，而不是 “{on}”")
        return None
    arg = str(arg or "")
    known: list[str] = {
        "event": list(pack.process.unit_events),
        "slip": list(STEPS),
        "consequence": [c.id for c in pack.process.consequences],
    }.get(on, [])
    if (arg or on == "event") and arg not in known:
        where = "process.yaml 的 unit_events" if on == "event" else "可用值"
        src.error(keypath + ("when",), f"{TRIGGER_ARGS[on]} “{arg}” 不在{where}中（有: {'、'.join(known) or '无'}）")
        return None
    delta = _parse_delta(src, r["delta"], keypath + ("delta",)) if r.get("delta") is not None else None
    per = r.get("per", "occurrence")
    if per not in ("occurrence", "day") or (per == "day" and on not in LATE_TRIGGERS):
        src.error(keypath + ("per",), f"per 只能是 occurrence，或对 {' / '.join(LATE_TRIGGERS)} 用 day（按逾期天数）")
        return None
    if r.get("silent") and on != "overdue":
        src.error(keypath + ("silent",), "silent 只用于 when: overdue（期限内未报告进展的逾期）")
    lasts = r.get("lasts", "period")
    if lasts not in ("period", "year"):
        src.error(keypath + ("lasts",), "lasts 只能是 period（本考核期）或 year（当年余下的考核期）")
    at = r.get("at", 0)
    if isinstance(at, bool) or not isinstance(at, int) or at < 0 or ("at" in r and at == 0):
        src.error(keypath + ("at",), f"at 应为正整数，而不是 “{at}”")
        return None
    if r.get("delta") is None and not r.get("flag") and not r.get("zero") and not r.get("tally"):
        src.error(keypath, "规则须给出 delta、flag、zero 或 tally 中的至少一项")
        return None
    return ScoreRule(
        id=str(r["id"]),
        on=on,
        arg=arg,
        label=str(r.get("label") or ""),
        source=str(r["source"]),
        categories=_names(src, r, "category", keypath, list(pack.categories) or None),
        tiers=_names(src, r, "tier", keypath, TIERS),
        roles=_names(src, r, "role", keypath, ROLES),
        silent=bool(r.get("silent", False)),
        delta=delta,
        per=per,
        each_time=bool(r.get("each_time", False)),
        at=at,
        and_more=bool(r.get("and_more", False)),
        flag=str(r.get("flag") or ""),
        zero=bool(r.get("zero", False)),
        lasts="year" if r.get("zero") else lasts,
        note=str(r.get("note") or ""),
        tally=bool(r.get("tally", False)),
    )


def _parse_scoring(src: Source, data, pack: RulePack) -> Scoring:
    allowed = {"base", "caps", "per_item", "period", "rules", "source", "note", "done_on"}
    if not check_mapping(src, data, (), allowed, ("base", "rules")):
        return Scoring()
    kw: dict = {"source": str(data.get("source", ""))}
    kw["base"] = _number(src, data["base"], ("base",)) or Decimal(0)
    caps = data.get("caps") or {}
    if check_mapping(src, caps, ("caps",), {"score", "bonus", "penalty", "source", "note"}):
        for key in ("score", "bonus", "penalty"):
            if caps.get(key) is not None:
                kw[f"cap_{key}"] = _number(src, caps[key], ("caps", key))
    for key, choices in (("per_item", PER_ITEM), ("period", ("quarter", "year")), ("done_on", ("report", "review"))):
        if key in data:
            if data[key] in choices:
                kw[key] = data[key]
            else:
                src.error((key,), f"{key} 只能是 {' / '.join(choices)}，而不是 “{data[key]}”")
    rules, seen = [], set()
    if not isinstance(data["rules"], list):
        src.error(("rules",), "rules 应为列表")
        return Scoring(**kw)
    for i, r in enumerate(data["rules"]):
        rule = _parse_score_rule(src, r, ("rules", i), pack)
        if rule is None:
            continue
        if rule.id in seen:
            src.error(("rules", i, "id"), f"规则编号 “{rule.id}” 重复")
        seen.add(rule.id)
        rules.append(rule)
    kw["rules"] = tuple(rules)
    return Scoring(**kw)


def _load(root: Path, name: str, rel_root: str, problems: list[Problem], required=True):
    path = root / name
    rel = f"{rel_root}/{name}"
    if not path.exists():
        if required:
            problems.append(Problem(rel, 1, "规则包缺少此文件"))
        return None, Source(rel, {})
    try:
        data, lines = load_path(path)
    except YamlError as e:
        problems.append(Problem(rel, e.line, e.message))
        return None, Source(rel, {})
    return data, Source(rel, lines)


def _parse_words(src: Source, data) -> dict[str, dict[str, str]]:
    """``words:`` of pack.yaml: sections of the vocabulary, each key one the default table knows."""
    if data is None or not check_mapping(src, data, ("words",), set(SECTIONS)):
        return {}
    out: dict[str, dict[str, str]] = {}
    for section, values in data.items():
        if section not in SECTIONS:
            continue
        known = SLIPS if section == "slip" else tuple(DEFAULTS[section])
        if not check_mapping(src, values, ("words", section), set(known)):
            continue
        for key, word in values.items():
            if key in known:
                if not isinstance(word, str) or not word.strip():
                    src.error(("words", section, key), f"words.{section}.{key} 应为非空文本")
                else:
                    out.setdefault(section, {})[key] = word.strip()
    return out


def load_pack(root: Path, rel_root: str = "rules") -> tuple[RulePack, list[Problem]]:
    problems: list[Problem] = []
    pack = RulePack(root=root)

    data, src = _load(root, "pack.yaml", rel_root, problems)
    overrides: dict = {}
    if data is not None and check_mapping(
        src, data, (), {"name", "title", "document", "source", "note", "words"}, ("name",)
    ):
        pack.name, pack.title = str(data.get("name", "")), str(data.get("title", ""))
        pack.document = str(data.get("document", ""))
        overrides = _parse_words(src, data.get("words"))
    problems += src.problems

    data, src = _load(root, "tiers.yaml", rel_root, problems)
    if data is not None and check_mapping(src, data, (), set(TIERS), TIERS):
        for t in TIERS:
            if check_mapping(src, data.get(t), (t,), {"label", "short", "source", "note"}, ("label",)):
                pack.tiers[t] = data[t]
    problems += src.problems
    pack.words = words(overrides, {t: str(v["short"]) for t, v in pack.tiers.items() if v.get("short")})

    data, src = _load(root, "categories.yaml", rel_root, problems)
    if data is not None and check_mapping(src, data, (), set(data) if isinstance(data, dict) else set()):
        for key, body in data.items():
            kp = (key,)
            if not check_mapping(src, body, kp, CATEGORY_KEYS, ("label", "source")):
                continue
            base = _parse_rule_fields(src, body, kp, CategoryRule(str(key), str(body.get("label", key))))
            pack.categories[key] = base
            tiers = body.get("tiers") or {}
            if check_mapping(src, tiers, kp + ("tiers",), set(TIERS)):
                for tier, over in tiers.items():
                    if check_mapping(src, over, kp + ("tiers", tier), OVERRIDE_KEYS):
                        pack.tier_rules[(key, tier)] = _parse_rule_fields(src, over, kp + ("tiers", tier), base)
    problems += src.problems

    data, src = _load(root, "process.yaml", rel_root, problems)
    if data is not None:
        pack.process = _parse_process(src, data, pack.words)
    problems += src.problems

    data, src = _load(root, "calendar.yaml", rel_root, problems, required=False)
    local = _parse_calendar(src, data) if data is not None else {}
    problems += src.problems
    pack.calendar = merged_calendar(local, f"{rel_root}/calendar.yaml")

    data, src = _load(root, "scoring.yaml", rel_root, problems, required=False)
    if data is not None:
        pack.scoring = _parse_scoring(src, data, pack)
    problems += src.problems
    return pack, problems


def _parse_calendar(src: Source, data) -> dict[int, dict]:
    out: dict[int, dict] = {}
    if not check_mapping(src, data, (), {"years", "note", "source"}):
        return out
    years = data.get("years") or {}
    if not check_mapping(src, years, ("years",), set(years) if isinstance(years, dict) else set()):
        return out
    for year, body in years.items():
        kp = ("years", year)
        if isinstance(year, bool) or not isinstance(year, int):
            src.error(kp, f"年份应为整数，而不是 “{year}”")
            continue
        if not check_mapping(src, body, kp, {"holidays", "workdays", "source", "note"}):
            continue
        entry: dict[str, dict[date, str]] = {"holidays": {}, "workdays": {}}
        for kind in ("holidays", "workdays"):
            for i, item in enumerate(body.get(kind) or []):
                ikp = kp + (kind, i)
                if not check_mapping(src, item, ikp, {"date", "from", "to", "name"}):
                    continue
                name = str(item.get("name", ""))
                start = item.get("date", item.get("from"))
                stop = item.get("date", item.get("to", start))
                if not isinstance(start, date) or not isinstance(stop, date) or stop < start:
                    src.error(ikp, "应给出 date，或 from 与 to（日期 YYYY-MM-DD，from 不晚于 to）")
                    continue
                d = start
                while d <= stop:
                    if d.year != year:
                        src.error(ikp, f"日期 {d} 不在 {year} 年")
                        break
                    entry[kind][d] = name
                    d = date.fromordinal(d.toordinal() + 1)
        out[year] = entry
    return out


def official_calendar_file() -> Path:
    """The chinese_calendar package's table of holidays (an upgrade of it changes every calendar)."""
    from importlib.util import find_spec

    spec = find_spec("chinese_calendar")
    return Path(spec.origin).with_name("constants.py") if spec and spec.origin else Path("chinese_calendar")


def pack_digest(root: Path, pack: RulePack, extra: str = "", calendar: Path | None = None) -> bytes:
    """What the rule pack is made of: its folder's files, the official calendar's table (``calendar``, by
    default the installed one's: its bytes rather than the package's version, which importlib.metadata takes
    20 ms to tell), and ``extra``: what else the caller's values depend on.  Not the pack object's pickle: its
    sets pickle in an order that changes from run to run."""
    from hashlib import blake2b

    h = blake2b(extra.encode())
    try:
        h.update((calendar or official_calendar_file()).read_bytes())
    except OSError:
        h.update(b"no calendar table")
    folder = root / (pack.root or "")
    for path in sorted(folder.rglob("*")) if pack.root and folder.is_dir() else []:
        if path.is_file():
            h.update(f"\n{path.relative_to(folder).as_posix()} {path.stat().st_size}\n".encode())
            h.update(path.read_bytes())
    return h.digest()
