"""Small helpers for validating loaded YAML into problems with file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from duban.core.errors import Problem

Lines = dict  # key path (tuple) -> 1-based line number


def line_of(lines: Lines, *path) -> int:
    """The line of the deepest known prefix of ``path``."""
    p = tuple(path)
    while p and p not in lines:
        p = p[:-1]
    return lines.get(p, 1)


@dataclass
class Source:
    """One file being validated: where problems about it go."""

    path: str
    lines: Lines
    problems: list[Problem] = field(default_factory=list)

    def error(self, keypath: tuple, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.path, line_of(self.lines, *keypath), message, severity))

    def line(self, keypath: tuple) -> int:
        return line_of(self.lines, *keypath)


def field_name(keypath: tuple) -> str:
    parts: list[str] = []
    for k in keypath:
        parts.append(f"[{k}]" if isinstance(k, int) else (("." if parts else "") + str(k)))
    return "".join(parts) or "(文件)"


def check_mapping(src: Source, data, keypath: tuple, allowed, required=()) -> bool:
    """True when ``data`` is a mapping holding every required key; reports unknown and missing keys."""
    if not isinstance(data, dict):
        src.error(keypath, f"{field_name(keypath)} 应为键值映射")
        return False
    for key in data:
        if key not in allowed:
            src.error(keypath + (key,), f"未知的键 “{key}”（可用: {', '.join(sorted(map(str, allowed)))}）")
    complete = True
    for key in required:
        if key not in data or data[key] is None:
            src.error(keypath, f"缺少必填字段 “{key}”")
            complete = False
    return complete


TYPE_WORDS = {date: "日期 YYYY-MM-DD", str: "文本", int: "整数", bool: "true 或 false", list: "列表", dict: "键值映射"}


def check_fields(src: Source, data: dict, keypath: tuple, types: dict) -> bool:
    """Check the type of every present field of ``data`` against ``types``; True when all are right.

    A number where text is expected is accepted (a title “2026” is text)."""
    ok = True
    for key, typ in types.items():
        value = data.get(key)
        if value is None or (typ is str and isinstance(value, (int, float)) and not isinstance(value, bool)):
            continue
        ok = check_type(src, data, key, typ, keypath, TYPE_WORDS[typ]) and ok
    return ok


def check_type(src: Source, data: dict, key, types, keypath: tuple, what: str) -> bool:
    if key not in data or data[key] is None:
        return False
    value = data[key]
    if types is date and not isinstance(value, date):
        src.error(keypath + (key,), f"{field_name(keypath + (key,))} 应为日期 YYYY-MM-DD，而不是 “{value}”")
        return False
    if types is int and (isinstance(value, bool) or not isinstance(value, int)):
        src.error(keypath + (key,), f"{field_name(keypath + (key,))} 应为整数，而不是 “{value}”")
        return False
    if types is not date and types is not int and not isinstance(value, types):
        src.error(keypath + (key,), f"{field_name(keypath + (key,))} 应为{what}，而不是 “{value}”")
        return False
    return True
