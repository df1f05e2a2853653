"""Setting up a ledger: ``duban init``."""

from __future__ import annotations

import shutil
from pathlib import Path

from duban.core.errors import DubanError
from duban.store.git import Repo, git, identity_args
from duban.store.ledger import CONFIG, load_config
from duban.store.merge import ATTRIBUTES
from duban.store.sync import install_driver
from duban.store.yamlio import atomic_write

GITIGNORE = "out/\n__pycache__/\n*.tmp\n"


def init_ledger(path: Path, sample: bool, pack: str | None) -> Path:
    from duban.store.data import sample_dir, shipped_packs, templates_dir

    path = path.expanduser().resolve()
    if path.exists() and any(path.iterdir()):
        if (path / CONFIG).is_file():
            raise DubanError(f"{path} 已经是台账目录，无需再次初始化")
        raise DubanError(f"{path} 不是空目录，也不是台账；为免覆盖，请指定一个新的或空的目录")
    packs = shipped_packs()
    pack = pack or next(iter(packs))
    if pack not in packs:
        raise DubanError(f"未知的规则包 “{pack}”；可用: {'、'.join(packs)}")
    if sample and pack != next(iter(packs)):
        raise DubanError(f"示例台账按默认规则包 {next(iter(packs))} 编写，不能与 --pack {pack} 同用")
    path.mkdir(parents=True, exist_ok=True)
    shutil.copytree(packs[pack], path / "rules")
    shutil.copytree(templates_dir(), path / "templates", ignore=shutil.ignore_patterns("~$*"))
    (path / "items").mkdir()
    if sample:
        src = sample_dir()
        for name in (CONFIG, "units.yaml", "counters.yaml"):
            shutil.copy2(src / name, path / name)
        for folder in ("items", "events"):
            if (src / folder).is_dir():
                shutil.copytree(src / folder, path / folder, dirs_exist_ok=True)
    else:
        atomic_write(path / CONFIG, DEFAULT_CONFIG)
        atomic_write(path / "units.yaml", DEFAULT_UNITS)
        (path / "items" / ".gitkeep").write_text("", encoding="utf-8")
    atomic_write(path / ".gitignore", GITIGNORE)
    atomic_write(path / ".gitattributes", ATTRIBUTES)  # item, event and counter files merge by meaning
    git(path, "init", "-q")
    install_driver(Repo(path))
    cfg = load_config(path)
    git(path, "add", "-A")
    git(
        path,
        *identity_args(path, cfg.author_name, cfg.author_email),
        "commit",
        "-q",
        "--no-verify",
        "-m",
        f"督办 建立台账{'（含示例）' if sample else ''}",
        "-m",
        "Duban-Action: init",
    )
    return path


DEFAULT_CONFIG = """\
# 督查室设置
office: 某某区人民政府办公室        # 发文机关（表单落款）
short: 区政府督查办                  # 督查机构简称
ref_prefix: 某政督                   # 督查通知单发文字号前缀：某政督〔2026〕8号
rules: rules                         # 使用的规则包目录
timezone: Asia/Shanghai
author: {name: 区政府督查办, email: duban@localhost}   # git 提交署名（git 未配置用户时使用）
contact: {person: '', phone: '', fax: '', email: ''}  # 表单上督查室的联系人
"""


DEFAULT_UNITS = """\
# 承办单位。id 用小写字母、数字和 -，立项时用 --lead / --co 引用。
units:
  - {id: example, name: 示例单位, kind: 部门, contact: '', phone: '', fax: '', email: ''}
"""
