"""Shared fixtures: real ledgers in temporary folders, the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.testing
from typer.testing import CliRunner

from duban.cli import app
from duban.commands.setup import init_ledger
from duban.core.errors import DubanError

_COMMANDS: dict[int, tuple] = {}
_get_command = typer.testing._get_command


def _built_once(typer_app):
    """typer builds the click command tree (every signature's type hints) on each invoke: ~0.4 s; once is enough."""
    if id(typer_app) not in _COMMANDS:
        _COMMANDS[id(typer_app)] = (typer_app, _get_command(typer_app))
    return _COMMANDS[id(typer_app)][1]


typer.testing._get_command = _built_once

UNITS = """\
# 承办单位（测试）
units:
  - {id: fgw, name: 区发展和改革委员会, kind: 部门, contact: 李建国, phone: '029-1', fax: '029-2', email: fgw@x.cn}
  - {id: zjj, name: 区住房和城乡建设局, kind: 部门, contact: 张立新, phone: '029-3', fax: '029-4', email: zjj@x.cn}
  - {id: jyj, name: 区教育局, kind: 部门, contact: 刘晓燕, phone: '029-5', fax: '029-6', email: jyj@x.cn}
  - {id: baqiao-jd, name: 灞桥街道办事处, kind: 街道办事处, contact: 宋伟, phone: '029-7', fax: '029-8', email: bq@x.cn}
"""

CONFIG = """\
# 测试台账
office: 西安市灞桥区人民政府办公室
short: 区政府督查办
ref_prefix: 灞政督
rules: rules
timezone: Asia/Shanghai
author: {name: 区政府督查办, email: dcb@x.cn}
contact: {person: 王敏, phone: '029-0', fax: '029-9', email: dcb@x.cn}
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


GIT_ID = {
    "GIT_AUTHOR_NAME": "测试",
    "GIT_AUTHOR_EMAIL": "t@x.cn",
    "GIT_COMMITTER_NAME": "测试",
    "GIT_COMMITTER_EMAIL": "t@x.cn",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "core.quotePath=false", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ID},
    ).stdout


class Ledger:
    """A real ledger in a temporary folder, driven through the real CLI."""

    def __init__(self, root: Path):
        self.root = root

    def __call__(self, *args: str, today: str | None = None) -> Result:
        argv = [*args, "--ledger", str(self.root)]
        if today:
            argv += ["--today", today]
        res = CliRunner().invoke(app, argv, env={"DUBAN_TODAY": None, "DUBAN_LEDGER": None, "COLUMNS": "200"})
        if isinstance(res.exception, DubanError):
            return Result(res.exception.exit_code, res.stdout, res.stderr + str(res.exception))
        if res.exception and not isinstance(res.exception, SystemExit):
            raise res.exception
        return Result(res.exit_code, res.stdout, res.stderr)

    def issue(self, title="关于加快XX路改造工程的批示", today=None, **fields) -> str:
        """Issue an item (``issue_args``' fields), expecting success; returns what duban printed."""
        res = self(*issue_args(title, **fields), today=today or fields.get("issued", "2026-03-02"))
        assert res.code == 0, res.err
        return res.out.strip()

    def path(self, item_id: str) -> Path:
        return self.root / "items" / item_id[:4] / f"{item_id}.yaml"

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").strip()

    def commits(self) -> list[str]:
        return git(self.root, "log", "--format=%s").splitlines()

    def files_in_head(self) -> list[str]:
        return sorted(git(self.root, "show", "--name-only", "--format=", "HEAD").split())

    def clean(self) -> bool:
        return git(self.root, "status", "--porcelain").strip() == ""


def issue_args(
    title="关于加快XX路改造工程的批示",
    category="leader_instruction",
    tier="yellow",
    lead="fgw",
    co=(),
    issued="2026-03-02",
    deadline="2026-03-13",
    **more,
) -> list[str]:
    """The command line of ``duban issue`` (for a test that expects it to be refused, too)."""
    args = ["issue", "--title", title, "--category", category, "--tier", tier, "--lead", lead, "--issued", issued]
    if deadline:
        args += ["--deadline", deadline]
    for u in co:
        args += ["--co", u]
    for k, v in more.items():
        flag = f"--{k.replace('_', '-')}"
        args += [flag] if v is True else [flag, v]
    return args


def make_ledger(path: Path, pack: str | None = None) -> Ledger:
    """A fresh ledger with the test units and settings, on the named rule pack."""
    root = init_ledger(path, sample=False, pack=pack)
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "duban.yaml").write_text(CONFIG, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "测试单位")
    return Ledger(root)


@pytest.fixture
def ledger(request, tmp_path) -> Ledger:
    """A ledger on the default pack, or on the module's ``LEDGER_PACK`` (the per-pack test modules)."""
    return make_ledger(tmp_path / "ledger", getattr(request.module, "LEDGER_PACK", None))


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed console entry point in a real subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "duban", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "DUBAN_TODAY": "", **(env or {})},
    )


@pytest.fixture
def aged_sample(tmp_path) -> Path:
    """The shipped sample ledger, its item files old enough for the cache to trust (the last 2 s are not)."""
    import time

    root = init_ledger(tmp_path / "sample", sample=True, pack=None)
    past = time.time_ns() - 60 * 1_000_000_000
    for path in root.glob("*/*/*.yaml"):
        os.utime(path, ns=(past, past))
    return root
