"""Finding and loading a ledger: read → build model → check.

``load(root)`` returns a :class:`Ledger` whose ``problems`` list every
problem found, each with ``path:line``.  A broken item file is reported and
left out of ``items``; it never stops the others from loading.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DubanError, Problem
from .model import Config, Item, Unit, validate_config, validate_item, validate_units
from .rules import TIERS, RulePack, load_pack
from .schema import Source
from .yamlio import YamlError, load_path

CONFIG = "duban.yaml"


@dataclass
class Ledger:
    root: Path
    config: Config
    units: dict[str, Unit]
    pack: RulePack
    items: dict[str, Item]
    problems: list[Problem] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # relative paths of item files that did not load
    events: list = field(default_factory=list)  # unit events (duban.unitevents.UnitEvent)

    @property
    def calendar(self):
        return self.pack.calendar

    def item(self, item_id: str) -> Item:
        item_id = normalize_id(item_id)
        if item_id in self.items:
            return self.items[item_id]
        rel = item_rel(item_id)
        if rel in self.broken:
            raise DubanError(f"事项 {item_id} 的文件 {rel} 有错误，请先修正（duban check 列出问题）")
        raise DubanError(f"没有编号为 {item_id} 的事项")

    def unit_name(self, uid: str) -> str:
        u = self.units.get(uid)
        return u.name if u else uid


# ----------------------------------------------------------------- discovery

def find_root(explicit: str | os.PathLike | None = None) -> Path:
    """--ledger, else DUBAN_LEDGER, else the nearest duban.yaml above the cwd."""
    given = explicit or os.environ.get("DUBAN_LEDGER")
    if given:
        root = Path(given).expanduser().resolve()
        if not (root / CONFIG).is_file():
            raise DubanError(f"{root} 不是台账目录（找不到 {CONFIG}）；可用 duban init 创建")
        return root
    here = Path.cwd().resolve()
    for d in (here, *here.parents):
        if (d / CONFIG).is_file():
            return d
    raise DubanError(f"当前目录及其上级目录中找不到 {CONFIG}；请用 --ledger 指定台账目录，"
                     f"或设置环境变量 DUBAN_LEDGER，或用 duban init 新建台账")


def normalize_id(item_id: str) -> str:
    from .model import ID_RE

    item_id = str(item_id).strip()
    if not ID_RE.match(item_id):
        raise DubanError(f"事项编号 “{item_id}” 格式不对，应为 年份-序号，如 2026-0007")
    return item_id


def item_rel(item_id: str) -> str:
    return f"items/{item_id[:4]}/{item_id}.yaml"


def inside(root: Path, rel: str) -> Path:
    """``root/rel``, refusing any path that would leave the ledger."""
    path = (root / rel).resolve()
    if path != root and root not in path.parents:
        raise DubanError(f"路径 {rel} 超出了台账目录")
    return path


# ------------------------------------------------------------------- loading

def _read(root: Path, rel: str, problems: list[Problem]):
    try:
        data, lines = load_path(root / rel)
    except FileNotFoundError:
        problems.append(Problem(rel, 1, "文件不存在"))
        return None, Source(rel, {})
    except YamlError as e:
        problems.append(Problem(rel, e.line, e.message))
        return None, Source(rel, {})
    return data, Source(rel, lines)


def item_files(root: Path) -> list[str]:
    return files_under(root, "items")


def files_under(root: Path, folder: str) -> list[str]:
    base = root / folder
    if not base.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                out.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return sorted(out)


def load_item_file(root: Path, rel: str) -> tuple[Item | None, list[Problem]]:
    problems: list[Problem] = []
    data, src = _read(root, rel, problems)
    item = validate_item(src, data, rel) if data is not None else None
    if data is None and not problems:
        problems.append(Problem(rel, 1, "文件为空"))
    return item, problems + src.problems


def load_config(root: Path, problems: list[Problem] | None = None) -> Config:
    """duban.yaml alone (problems, if wanted, appended to ``problems``)."""
    problems = [] if problems is None else problems
    data, src = _read(root, CONFIG, problems)
    config = validate_config(src, data) if data is not None else Config()
    problems += src.problems
    return config


def load(root: Path, only_config: bool = False) -> Ledger:
    """The whole ledger; with ``only_config`` the settings, units and rule pack but no items."""
    problems: list[Problem] = []
    config = load_config(root, problems)

    data, src = _read(root, "units.yaml", problems)
    units = validate_units(src, data) if data is not None else {}
    problems += src.problems

    rules_dir = pack_folder(root, config, problems)
    rel = os.path.relpath(rules_dir, root).replace(os.sep, "/") if root in rules_dir.parents else \
        f"<{config.rules}>"
    pack, pack_problems = load_pack(rules_dir, rel)
    problems += pack_problems

    ledger = Ledger(root, config, units, pack, {}, problems)
    if only_config:
        return ledger
    for rel in item_files(root):
        item, item_problems = load_item_file(root, rel)
        ledger.problems += item_problems
        if item is None or any(p.severity == "error" for p in item_problems):
            ledger.broken.add(rel)
            continue
        if item.id in ledger.items:
            other = ledger.items[item.id]
            ledger.problems.append(Problem(rel, item.lines.get(("id",), 1),
                                           f"编号 {item.id} 重复（{other.path} 也用了这个编号）"))
            ledger.broken.add(rel)
            continue
        refs = check_refs(ledger, item)
        ledger.problems += refs
        if refs:
            ledger.broken.add(rel)
            continue
        ledger.items[item.id] = item
    from .unitevents import load_events

    ledger.events, event_problems = load_events(root, ledger)
    ledger.problems += event_problems
    return ledger


def pack_folder(root: Path, config: Config, problems: list[Problem]) -> Path:
    """duban.yaml ``rules:`` — a folder in the ledger, or the name of a pack shipped with duban."""
    try:
        folder = inside(root, config.rules)
    except DubanError as e:
        problems.append(Problem(CONFIG, 1, str(e)))
        return root / "rules"
    if not folder.is_dir():
        from .data import shipped_packs

        shipped = shipped_packs()
        if config.rules in shipped:
            return shipped[config.rules]
        problems.append(Problem(CONFIG, 1, f"rules: 找不到规则包 “{config.rules}”（台账中的目录，"
                                           f"或随 duban 提供的: {'、'.join(shipped)}）"))
    return folder


def check_refs(ledger: Ledger, item: Item) -> list[Problem]:
    """References from an item to units, categories and tiers."""
    out: list[Problem] = []
    src = Source(item.path, item.lines, out)
    pack, units = ledger.pack, ledger.units
    if pack.categories and item.category not in pack.categories:
        src.error(("category",), f"未知的类别 “{item.category}”（可用: {', '.join(pack.categories)}）")
    if item.tier not in TIERS:
        src.error(("tier",), f"未知的等级 “{item.tier}”（可用: {', '.join(TIERS)}）")
    if units:
        if item.lead not in units:
            src.error(("lead",), f"未知的单位 “{item.lead}”（见 units.yaml）")
        for i, u in enumerate(item.co):
            if u not in units:
                src.error(("co", i), f"未知的单位 “{u}”（见 units.yaml）")
        for i, ev in enumerate(item.log):
            for key in ("unit", "lead"):
                if key in ev and ev[key] not in units:
                    src.error(("log", i, key), f"log[{i}].{key}: 未知的单位 “{ev[key]}”")
    return out
