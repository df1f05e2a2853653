"""Writing what people read: Word forms (``duban render``, and the forms other
commands produce after their commit) and score exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from duban.core.errors import DubanError, UsageError
from duban.core.scoring import counts_from, parse_period
from duban.outputs.forms import FIELDS, FORMS, item_form, render_docx
from duban.store.data import templates_dir
from duban.store.ledger import Ledger, Scope, add_item, load, normalize_id
from duban.store.yamlio import atomic_write


def ledger_with(root: Path, item_ids) -> Ledger:
    """Settings, units, pack and just these items: what an item form needs, without reading all the history."""
    ledger = load(root, only_config=True)
    for item_id in item_ids:
        add_item(ledger, normalize_id(item_id))
    return ledger


def template_path(root: Path, form: str) -> Path:
    """The ledger's own template (edited in Word), else the one shipped with duban."""
    path = root / "templates" / f"{form}.docx"
    return path if path.is_file() else templates_dir() / f"{form}.docx"


def render(
    ledger: Ledger, form: str, target: str | None, day: date, out: Path | None = None, number: str | None = None
) -> Path:
    """Write one form; returns the path.  ``target`` is an item id, or a period for the bulletin."""
    words = ledger.pack.words
    if form not in FORMS:
        raise UsageError(f"未知的文书 “{form}”；可用: " + "、".join(f"{k}（{words.form(k)}）" for k in FORMS))
    images = None
    if form == "bulletin":
        from duban.outputs.bulletin import bulletin_context

        ctx, images, period = bulletin_context(ledger, target, day)
        ctx = {k: v for k, v in {**ctx, "form_name": words.form(form)}.items() if k in FIELDS[form]}
        name, year = f"{words.form(form)}-{period.code}.docx", period.year
    else:
        if not target:
            raise UsageError(f"请给出事项编号：duban render {form} 2026-0007")
        item = ledger.item(target)
        ctx, name = item_form(ledger, form, item, day, number)
        year = item.year
    data = render_docx(template_path(ledger.root, form), ctx, images)
    path = out or ledger.root / "out" / str(year) / name
    if path.is_dir():
        path = path / name
    atomic_write(safe_target(ledger.root, path), data)
    return path


def safe_target(root: Path, path: Path) -> Path:
    """``path``, unless writing there would touch git's own files or a file the ledger tracks."""
    from duban.store.git import git

    target = Path(path).expanduser().resolve()
    if ".git" in target.parts:
        raise DubanError(f"不能写入 git 的内部目录: {path}")
    root = root.resolve()
    if root in target.parents:
        rel = target.relative_to(root).as_posix()
        top = rel.split("/", 1)[0]
        tracked = target.exists() and git(root, "ls-files", "-z", "--", rel, check=False).strip("\0")
        if tracked or top in LEDGER_FILES:
            raise DubanError(f"{rel} 是台账自身的文件，不能用输出覆盖；请写到 out/ 或台账之外")
    return target


LEDGER_FILES = ("items", "events", "attachments", "rules", "templates", "duban.yaml", "units.yaml", "counters.yaml")


def render_form(
    root: Path, form: str, target: str | None, day: date, out: Path | None = None, number: str | None = None
) -> tuple[Ledger, Path]:
    """``duban render``: load what the form needs (the item, or the period's year for the bulletin), write it."""
    if form == "bulletin":  # the period's year: what was in hand, done or scored then
        ledger = load(root, scope=Scope(since=counts_from(parse_period(target, None, day).year)))
    else:
        ledger = ledger_with(root, [target] if target else [])
    return ledger, render(ledger, form, target, day, out=out, number=number)


def render_quietly(root: Path, jobs: list[tuple[str, str, str | None]], day: date) -> tuple[list[Path], list[str]]:
    """Render several forms after a command committed; a failure is reported, never undoes the command."""
    ledger = ledger_with(root, {item_id for _, item_id, _ in jobs})
    paths, errors = [], []
    for form, item_id, number in jobs:
        try:
            paths.append(render(ledger, form, item_id, day, number=number))
        except (DubanError, OSError) as e:  # a broken template must not hide the commit
            errors.append(f"{item_id} {ledger.pack.words.form(form)}: {e}")
    return paths, errors


def write_export(path: Path, data: bytes, root: Path | None = None) -> Path:
    atomic_write(safe_target(root, path) if root else path, data)
    return path
