"""Writing what people read: Word forms (``duban render``, and the forms other
commands produce after their commit) and score exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from duban.core.errors import DubanError, UsageError
from duban.core.model import Item
from duban.core.scoring import counts_from, parse_period
from duban.outputs import forms
from duban.outputs.forms import FONT_NAMES, FORMS, Templates, finish, item_form, render_docx
from duban.store.data import templates_dir
from duban.store.ledger import Ledger, Scope, add_item, load, normalize_id
from duban.store.yamlio import atomic_write, atomic_write_all


def ledger_with(root: Path, item_ids, known: dict[str, Item] | None = None) -> Ledger:
    """Settings, units, pack and just these items: what an item form needs, without reading all the history
    (``known``: items as just written and read back, not read again)."""
    ledger = load(root, only_config=True)
    for item_id in item_ids:
        if known and item_id in known:
            ledger.items[item_id] = known[item_id]
        else:
            add_item(ledger, normalize_id(item_id))
    return ledger


def template_path(root: Path, form: str) -> Path:
    """The ledger's own template (edited in Word), else the one shipped with duban."""
    path = root / "templates" / f"{form}.docx"
    return path if path.is_file() else templates_dir() / f"{form}.docx"


def render(
    ledger: Ledger,
    form: str,
    target: str | None,
    day: date,
    out: Path | None = None,
    number: str | None = None,
    templates: Templates | None = None,
) -> Path:
    """Write one form; returns the path.  ``target`` is an item id, or a period for the bulletin;
    ``templates``: shared by the forms of one run."""
    place, data = form_bytes(ledger, form, target, day, number, templates)
    path = out or place
    if path.is_dir():
        path = path / place.name
    atomic_write(safe_target(ledger.root, path), data)
    return path


def form_bytes(
    ledger: Ledger,
    form: str,
    target: str | None,
    day: date,
    number: str | None = None,
    templates: Templates | None = None,
) -> tuple[Path, bytes]:
    """One form as :func:`render` writes it, not written: (its place under ``out/``, its bytes)."""
    words = ledger.pack.words
    if form not in FORMS:
        raise UsageError(f"未知的文书 “{form}”；可用: " + "、".join(f"{k}（{words.form(k)}）" for k in FORMS))
    images = None
    if form == "bulletin":
        from duban.outputs.bulletin import bulletin_context

        ctx, images, period = bulletin_context(ledger, target, day)
        ctx, title = finish(ledger, form, ctx)
        name, year, stamp = f"{words.form(form)}-{period.code}.docx", period.year, day
    else:
        if not target:
            raise UsageError(f"请给出事项编号：duban render {form} 2026-0007")
        item = ledger.item(target)
        ctx, name, title, stamp = item_form(ledger, form, item, day, number)
        year = item.year
    data = render_docx(
        template_path(ledger.root, ledger.pack.process.paper(form)),
        ctx,
        images,
        title=title,
        stamp=stamp,
        templates=templates,
    )
    return ledger.root / "out" / str(year) / name, data


def render_day(root: Path, day: date, out: Path | None = None) -> tuple[Path, int]:
    """Every slip issued on ``day`` (the sweep's and those by hand), in issue order, as one document for one
    print job (``out/YEAR/DATE-督办文书.docx``); returns its path and how many slips it holds."""
    from duban.core.entries import SLIP_KINDS
    from duban.outputs.forms import compose

    ledger = load(root, scope=Scope(since=day))  # an item with an entry on that day is in hand or settled since
    slips = [
        (item.id, ev)
        for item in ledger.items.values()
        for ev in item.log
        if ev.get("kind") in SLIP_KINDS and ev.get("date") == day and ev.get("number")
    ]
    if not slips:
        raise DubanError(f"{day} 没有下发督办文书")
    slips.sort(key=lambda s: (s[0], SLIP_KINDS.index(s[1]["kind"]), str(s[1]["number"])))  # as the sweep numbered them
    docs, templates = [], Templates()
    for item_id, ev in slips:
        ctx, _, title, stamp = item_form(ledger, ev["kind"], ledger.items[item_id], day, str(ev["number"]))
        paper = ledger.pack.process.paper(ev["kind"])
        docs.append(render_docx(template_path(root, paper), ctx, title=title, stamp=stamp, templates=templates))
    name = f"{day}-督办文书.docx"
    path = safe_target(root, out) if out else root / "out" / str(day.year) / name
    if path.is_dir():
        path = path / name
    atomic_write(path, compose(docs))
    return path, len(docs)


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


PARALLEL_FORMS = 64  # from this many forms on, render them in worker processes when a core is idle
WRITE_BATCH = 64  # forms written together (their fsyncs overlapping), never all of a catch-up's held at once
EARLY_FORMS = 16  # from this many slips on, a sweep has them rendered by worker processes while it commits
_RENDERING: dict = {}  # what the forked workers render with: the ledger and the day

Job = tuple[str, str, str | None]  # (form, item id, slip number)


class Rendering:
    """Forms rendered by forked worker processes (``workers`` of them, each with its own templates), one job
    after the other as each is free.  Forked as soon as made: each worker imports Word's libraries and reads
    the slips' templates while the command goes on; :meth:`render` hands them the jobs (with the items as
    they will be committed, when they are not in ``ledger``) and :meth:`take` gives (job, (place, bytes) or
    what went wrong) in the jobs' order.  Nothing is written: a sweep starts them before its commit, so
    that they render while git and the disk work, and writes the forms only once committed."""

    def __init__(self, ledger: Ledger, day: date, workers: int):
        import multiprocessing

        _RENDERING.update(ledger=ledger, day=day)
        try:  # the workers are forked here, with the ledger in their memory
            self.pool = multiprocessing.get_context("fork").Pool(workers, initializer=_warm)
        finally:
            _RENDERING.clear()
        self.jobs: list[Job] = []
        self.results: Any = iter(())

    def render(self, jobs: list[Job], items: dict[str, Item] | None = None) -> Rendering:
        items = items or {}
        self.jobs = jobs
        self.results = self.pool.imap(_render_one, [(job, items.get(job[1])) for job in jobs])
        return self

    def take(self):
        try:
            yield from zip(self.jobs, self.results, strict=True)
        finally:
            self.close()

    def close(self) -> None:
        self.pool.terminate()


def _warm() -> None:
    """A worker's start: import what renders a form and read the slips' templates, while the command has other
    work.  (A worker outlives a killed command by one form at most: the pipes it reads jobs from and writes
    forms to then have no other end, and it ends; the ledger's lock it inherited goes with it.)"""
    import docx.opc.pkgwriter  # noqa: F401
    import docxtpl  # noqa: F401

    from duban.core.entries import SLIP_KINDS

    ledger, templates = _RENDERING["ledger"], Templates()
    for kind in SLIP_KINDS:
        try:
            templates.read(template_path(ledger.root, ledger.pack.process.paper(kind)))
        except OSError:
            pass  # reported with the form
    _RENDERING["templates"] = templates


def _render_one(task: tuple[Job, Item | None]) -> tuple[Path, bytes] | str:
    job, item = task
    ledger = _RENDERING["ledger"]
    if item is not None:
        ledger.items[item.id] = item
    return _form_of(ledger, job, _RENDERING["day"], _RENDERING["templates"])


def _form_of(ledger: Ledger, job: Job, day: date, templates: Templates) -> tuple[Path, bytes] | str:
    form, item_id, number = job
    try:
        return form_bytes(ledger, form, item_id, day, number=number, templates=templates)
    except (DubanError, OSError) as e:  # a broken template must not hide the commit
        return f"{item_id} {ledger.pack.words.form(form)}: {e}"


def begin_rendering(root: Path, day: date, forms: int) -> Rendering | None:
    """Before a commit with many forms: worker processes to render them (one per idle core, at least one:
    the commit mostly waits on git and the disk), warming up meanwhile; None for a few."""
    from duban.store.stamps import idle_cores

    if forms < EARLY_FORMS:
        return None
    try:
        return Rendering(ledger_with(root, ()), day, max(1, min(8, int(idle_cores()))))
    except OSError:  # no process to be had now: they are rendered here, after the commit
        return None


def render_quietly(
    root: Path,
    jobs: list[Job],
    day: date,
    known: dict[str, Item] | None = None,
    begun: Rendering | None = None,
) -> tuple[list[Path], list[str]]:
    """Render several forms after a command committed; a failure is reported, never undoes the command
    (``known``: see :func:`ledger_with`; ``begun``: those already rendering, :func:`begin_rendering`).

    Many forms (a catch-up) are rendered in one worker process per idle core; the results come in the jobs'
    order, and the files are written ``WRITE_BATCH`` at a time (:func:`atomic_write_all`)."""
    from duban.store.stamps import idle_cores

    done: dict[Job, Path | str] = {}  # each job's form, or what went wrong
    batch: dict[Path, bytes] = {}  # forms rendered, not yet written (a catch-up's are never all held at once)

    def keep(job: Job, result: tuple[Path, bytes] | str) -> None:
        done[job] = result if isinstance(result, str) else result[0]
        if not isinstance(result, str):
            try:
                batch[safe_target(root, result[0])] = result[1]
            except DubanError as e:
                done[job] = f"{job[1]} {load(root, only_config=True).pack.words.form(job[0])}: {e}"
        if len(batch) >= WRITE_BATCH:
            atomic_write_all(list(batch.items()))
            batch.clear()

    for job, result in begun.take() if begun else ():
        keep(job, result)
    rest = list(dict.fromkeys(job for job in jobs if job not in done))
    if rest:
        ledger = ledger_with(root, {item_id for _, item_id, _ in rest}, known)
        workers = min(8, int(idle_cores()))
        if workers > 1 and len(rest) >= PARALLEL_FORMS:
            for job, result in Rendering(ledger, day, workers).render(rest).take():
                keep(job, result)
        else:
            templates = Templates()
            for job in rest:
                keep(job, _form_of(ledger, job, day, templates))
    atomic_write_all(list(batch.items()))
    results = [done[job] for job in jobs]
    return [r for r in results if isinstance(r, Path)], [r for r in results if isinstance(r, str)]


def write_export(path: Path, data: bytes, root: Path) -> Path:
    """Write an export; never over a ledger file (``safe_target``)."""
    atomic_write(safe_target(root, path), data)
    return path


# ---------------------------------------------------------------------- PDF


def fonts_conf() -> Path:
    """duban's fontconfig file: the official font names onto free faces that look like them."""
    return Path(forms.__file__).resolve().with_name("fonts.conf")


def pdf_env() -> dict:
    import os

    return {**os.environ, "FONTCONFIG_FILE": str(fonts_conf())}


def font_map() -> list[tuple[str, str]]:
    """(name in the templates, the face fontconfig gives LibreOffice for it); empty without fc-match."""
    import shutil
    import subprocess

    if not shutil.which("fc-match"):
        return []
    env = pdf_env()
    return [
        (
            name,
            subprocess.run(
                ["fc-match", "-f", "%{family[0]} %{style[0]}", name], capture_output=True, text=True, env=env
            ).stdout.strip(),
        )
        for name in FONT_NAMES
    ]


def to_pdfs(paths: list[Path], outdir: Path) -> list[Path]:
    """Convert .docx files with LibreOffice in one run (soffice --headless, its own profile, duban's font map);
    says how to install it when it is missing."""
    import shutil
    import subprocess
    import tempfile

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise DubanError(
            "没有找到 LibreOffice，无法转为 PDF。请先安装：Debian/Ubuntu 用 "
            "sudo apt-get install libreoffice-writer fonts-noto-cjk；其他系统见 "
            "https://www.libreoffice.org/download/ ；Word 文档已生成，也可在 Word 中另存为 PDF"
        )
    with tempfile.TemporaryDirectory(prefix="duban-lo-") as profile:
        res = subprocess.run(
            [
                exe,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, paths),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env=pdf_env(),
        )
    pdfs = [outdir / f"{p.stem}.pdf" for p in paths]
    if res.returncode != 0 or not all(pdf.is_file() for pdf in pdfs):
        raise DubanError(f"LibreOffice 转换失败：{(res.stderr or res.stdout).strip()}")
    return pdfs


def to_pdf(path: Path) -> Path:
    """One .docx to PDF beside it."""
    return to_pdfs([path], path.parent)[0]
