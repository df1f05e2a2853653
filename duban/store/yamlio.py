"""YAML in and out.

Reads use PyYAML's C loader (safe constructors only) and keep the line of
every mapping key and list entry, so that problems can name ``file:line``.
Writes that change a clerk's file use ruamel.yaml round-trip, so comments,
key order and quoting survive; every write is atomic.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from duban.core.schema import Lines, line_of  # noqa: F401  (re-exported for readers)

if TYPE_CHECKING:
    import yaml


@cache
def _loader() -> type:
    """PyYAML's safe loader (the C one, much faster, where it is built) whose impossible dates (2026-02-30)
    stay text, to be reported as bad dates.  Made on first use: a command served from the cache never
    imports PyYAML."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def timestamp(loader, node):
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    loader: Any = type("_Loader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    if loader.yaml_path_resolvers:  # pragma: no cover - none in a safe loader; then the tags are PyYAML's own
        return loader
    resolve = loader.resolve
    tags: dict = {}

    def resolved(self, kind, value, implicit):
        """PyYAML's resolve(), remembered: the tag of a node is a function of these arguments alone (with no
        path resolvers), and a ledger's files repeat the same dates, kinds and units thousands of times."""
        key = (kind, value, implicit)
        tag = tags.get(key)
        if tag is None:
            tag = resolve(self, kind, value, implicit)
            if value is None or len(value) <= SHORT:
                if len(tags) >= REMEMBERED:
                    tags.clear()
                tags[key] = tag
        return tag

    loader.resolve = resolved
    loader.descend_resolver = loader.ascend_resolver = lambda self, *args: None  # only for path resolvers
    return loader


SHORT = 40  # longer texts are neither remembered nor worth it: they rarely repeat
REMEMBERED = 100_000  # values remembered at most (then forgotten all at once)


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


MAX_DEPTH = 64  # no clerk's file nests deeper; a deeper one is refused before anything recurses into it


def _collect_lines(node: yaml.Node, path: tuple, lines: Lines) -> None:
    """Record the line of every key and list entry; a key repeated in one mapping is an error."""
    if len(path) > MAX_DEPTH:
        raise YamlError(node.start_mark.line + 1, f"嵌套层次过深（超过 {MAX_DEPTH} 层）")
    lines[path] = node.start_mark.line + 1
    if node.id == "mapping":  # type: ignore[attr-defined]  # a yaml.MappingNode (PyYAML is imported only when a file is read)
        seen = set()
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                raise YamlError(key_node.start_mark.line + 1, "键只能是文字，不能是列表或映射")
            if key_node.value in seen:
                raise YamlError(key_node.start_mark.line + 1, f"重复的键 “{key_node.value}”")
            seen.add(key_node.value)
            key = key_node.value
            if key_node.tag.endswith(":int"):  # e.g. a year used as a key
                try:
                    key = int(key)
                except ValueError:
                    pass
            _collect_lines(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif node.id == "sequence":  # type: ignore[attr-defined]
        for i, child in enumerate(node.value):
            _collect_lines(child, path + (i,), lines)


def loads(text: str, lines: bool = True) -> tuple[Any, Lines]:
    """Parse one YAML document safely; return (data, lines).

    Raises :class:`YamlError` with the line for syntax errors, unsafe tags
    and duplicate keys.  ``lines=False``: no line map (``{}``) where the document
    is plain data, for a file read to be used rather than reported on (the map
    costs a sixth of the parse; read the file again with it to say where a
    problem is).
    """
    if not lines:
        quick = _quick(text)
        if quick is not None:
            return quick[1], {}
    _, data, found = _parse(text)
    return data, found


# the tags of the plain data a clerk's file holds, each with its scalar a value of its own (no shared state)
PLAIN = {f"tag:yaml.org,2002:{t}" for t in ("str", "null", "bool", "int", "float", "timestamp")}
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """Something :func:`_quick` leaves to PyYAML's own constructor (and its errors)."""


def _quick(text: str) -> tuple[yaml.Node | None, Any] | None:
    """The document's data as PyYAML's safe constructor makes it, built here from its nodes when they hold
    plain data only: no other tag (merge keys, sets, binary, unsafe ones), no repeated key, no deep nesting;
    None otherwise (or on any error, or an anchor: then an alias may share a node), for :func:`_parse` to do
    (and report) it.  A third of the constructor's time: no generators, and each scalar made once per (tag,
    text) (all of them immutable).  Also the document's node (with every entry's position)."""
    if "&" in text:
        return None
    loader = _loader()(text)
    try:
        node = loader.get_single_node()
        return (None, None) if node is None else (node, _build(loader, node, 0))
    except Exception:  # _Unusual, a YAML error, a constructor's own: PyYAML's path says it as a clerk reads it
        return None
    finally:
        loader.dispose()


_scalars: dict = {}  # (tag, text) → the value the safe constructor makes of it


def _build(loader, node, depth: int):
    kind = node.id
    if kind == "scalar":
        key = (node.tag, node.value)
        value = _scalars.get(key, _scalars)
        if value is _scalars:
            if node.tag not in PLAIN:
                raise _Unusual
            value = loader.yaml_constructors[node.tag](loader, node)
            if len(node.value) <= SHORT:
                if len(_scalars) >= REMEMBERED:
                    _scalars.clear()
                _scalars[key] = value
        return value
    if depth >= MAX_DEPTH:
        raise _Unusual
    if kind == "mapping":
        if node.tag != _MAP:
            raise _Unusual
        out = {}
        texts = set()
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                raise _Unusual
            texts.add(key_node.value)
            out[_build(loader, key_node, depth + 1)] = _build(loader, value_node, depth + 1)
        # a key given twice — the same text (1 and '1'), or two that make one value (true and True): PyYAML's
        # path says so, as loads() with lines does
        if len(out) != len(node.value) or len(texts) != len(node.value):
            raise _Unusual
        return out
    if node.tag != _SEQ:
        raise _Unusual
    return [_build(loader, child, depth + 1) for child in node.value]


# PyYAML's words (its contexts and problems), as a clerk reads them; anything else is kept as it is
YAML_WORDS = [
    (r"while parsing a flow sequence", "方括号 [ ] 里的列表"),
    (r"while parsing a flow mapping", "花括号 { } 里的映射"),
    (r"while parsing a block mapping", "“键: 值”映射"),
    (r"while parsing a block collection", "“- ”列表"),
    (r"while parsing a (block|flow) node", ""),
    (r"while (scanning|parsing) a quoted scalar", "引号中的文字"),
    (r"while scanning a simple key", "键"),
    (r"while scanning a block scalar", "多行文字（| 或 >）"),
    (r"while scanning an? (alias|anchor)", "锚点或引用（& 或 *）"),
    (r"while scanning a (tag|directive)", "标签"),
    (r"while scanning for the next token", ""),
    (r"mapping values are not allowed (here|in this context)", "这里不能出现 “:”（值里含冒号时请给整个值加引号）"),
    (r"did not find expected ',' or '\]'", "缺少 “,” 或 “]”（方括号没有闭合？）"),
    (r"did not find expected ',' or '\}'", "缺少 “,” 或 “}”（花括号没有闭合？）"),
    (r"found unexpected end of stream", "文件意外结束（引号没有闭合？）"),
    (r"found character '\\t' that cannot start any token", "有制表符 Tab（缩进请用空格）"),
    (
        r"found a tab character (where an indentation space is expected|that violates indentation)",
        "缩进里有制表符 Tab（请用空格）",
    ),
    (
        r"found character ?'?(.*?)'? that cannot start any token",
        r"有不能出现在这里的字符\1（制表符 Tab？缩进请用空格）",
    ),
    (r"found undefined alias ?'?([^']*)'?", r"引用了未定义的锚点 \1"),
    (r"could not find expected ':'", "缺少 “:”"),
    (r"did not find expected key", "找不到键（缩进不一致？）"),
    (r"did not find expected '-' indicator", "找不到列表项的 “-”（缩进不一致？）"),
    (r"did not find expected <document start>", "格式不对（缩进不一致或多了内容？）"),
    (r"expected <block end>, but found '?<?([^'>]*)>?'?", r"缩进不一致（意外出现 \1）"),
    (r"expected (.+?), but found (.+)", r"这里应为 \1，却是 \2"),
    (r"found unknown escape character ?'?([^']*)'?", r"引号中有无效的转义字符 \1"),
    (r"found duplicate anchor .*", "锚点重复"),
    (r"block mapping start", "“键: 值”"),
    (r"block sequence start", "“- ”列表项"),
]


def _zh(message: str) -> str:
    import re

    for pattern, repl in YAML_WORDS:
        message = re.sub(pattern, repl, message)
    return message.strip()


def _parse(text: str) -> tuple[yaml.Node | None, Any, Lines]:
    """:func:`loads`, also giving the document's node (with every entry's position)."""
    import yaml

    loader = _loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, {}
        lines: Lines = {}
        _collect_lines(node, (), lines)  # before constructing: a duplicate key must not silently win
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        if isinstance(exc, yaml.constructor.ConstructorError):
            mark = exc.problem_mark or exc.context_mark
            raise YamlError(
                mark.line + 1 if mark else 1, f"不允许的 YAML 标签（只接受普通数据）: {exc.problem}"
            ) from None
        # an unclosed bracket or quote is reported where it was opened
        mark = exc.context_mark or exc.problem_mark
        where = ""
        if exc.context_mark and exc.problem_mark and exc.problem_mark.line != exc.context_mark.line:
            where = f"（在第 {exc.problem_mark.line + 1} 行发现）"
        context = _zh(exc.context or "")
        raise YamlError(
            mark.line + 1 if mark else 1,
            f"YAML 语法错误: {context + '，' if context else ''}{_zh(exc.problem or '')}{where}",
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"YAML 错误: {exc}") from None
    except RecursionError:
        raise YamlError(1, f"嵌套层次过深（超过 {MAX_DEPTH} 层）") from None
    finally:
        loader.dispose()
    return node, data, lines


def load_path(path: Path, lines: bool = True) -> tuple[Any, Lines]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlError(1, "文件不是 UTF-8 编码") from None
    return loads(text, lines)


# ------------------------------------------------------------- log appends


def date_place(log: list, ev: dict) -> int:
    """Where ``ev`` goes in a date-ordered log: after every entry of its date or earlier."""
    at = len(log)
    while at > 0 and log[at - 1]["date"] > ev["date"]:
        at -= 1
    return at


def insert_log_lines(text: str, events: list[dict]) -> str | None:
    """:func:`read_back_inserted`'s text alone."""
    done = read_back_inserted(text, events)
    return done[0] if done is not None else None


def flow_lines(events: list[dict]) -> list[str] | None:
    """Each event as the one-line flow map ``{…}`` a round trip writes for it; None when one of them takes
    more than a line.  A dump costs 1.4 ms however small, and half a millisecond an entry: a sweep's entries
    repeat their dates, kinds, units and lapses, so each distinct ``key: value`` of plain scalars is dumped
    once, all in one dump, and every line joined from them as the emitter joins a flow map's pairs (``, ``);
    entries of other values, or lines long enough for the emitter to break, are dumped whole."""
    if not events:
        return []
    if all(type(v) in _FLAT for ev in events for v in ev.values()):
        pairs = dict.fromkeys((k, type(v), v) for ev in events for k, v in ev.items())
        said = _one_line_each([flow_map({k: v}) for k, _, v in pairs])
        if said is not None:
            text = dict(zip(pairs, (line[1:-1] for line in said), strict=True))
            lines = ["{" + ", ".join(text[k, type(v), v] for k, v in ev.items()) + "}" for ev in events]
            if max(map(len, lines)) < _FLOW_WIDTH // 2:  # far from where the emitter breaks a line
                return lines
    return _one_line_each([flow_map(ev) for ev in events])


_FLAT = frozenset({str, int, bool, type(None), date, datetime})
_FLOW_WIDTH = 4096  # the round trip's line width (_rt)


def _one_line_each(maps: list) -> list[str] | None:
    """The flow maps, in one dump, a line each; None when one takes more than a line."""
    lines = rt_dumps(maps).splitlines()
    if len(lines) != len(maps) or any(not line.lstrip(" ").startswith("- ") for line in lines):
        return None
    return [line.strip()[1:].strip() for line in lines]


def read_back_inserted(text: str, events: list[dict], flows: list[str] | None = None) -> tuple[str, Any] | None:
    """``text`` with ``events`` put into its ``log`` at their dates' places, each as a one-line flow map; with
    the new text's data (as :func:`loads` gives it without a line map: it is read back once, here).

    The quick way for a file whose log is a block list of one-line entries (as duban writes it):
    only new lines are added, so every other byte — comments included — stays.  The result is read
    back and must hold exactly the old data with the events inserted; None when the file has another
    shape, an entry takes more than a line, or the check fails (the caller then does a full round trip).
    ``flows``: the events as :func:`flow_lines` writes them, when already made.
    """
    import yaml

    quick = _quick(text)  # plain data: built from the nodes, as loads() does
    if quick is not None:
        root, data = quick
    else:
        try:
            root, data, _ = _parse(text)
        except YamlError:
            return None
    log_node = next(
        (v for k, v in (root.value if isinstance(root, yaml.MappingNode) else []) if k.value == "log"), None
    )
    if not isinstance(log_node, yaml.SequenceNode) or log_node.flow_style or not log_node.value:
        return None
    entries = log_node.value
    if any(n.start_mark.line != n.end_mark.line for n in entries):
        return None
    lines = text.splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    indent = lines[entries[0].start_mark.line][: entries[0].start_mark.column]
    if indent.strip(" ") != "-" or not indent.endswith(" ") or indent.startswith("-"):
        return None  # entries must be "  - {…}" lines of the mapping
    flows = flows or flow_lines(events)
    if flows is None:
        return None
    log = list(data["log"])
    old = [True] * len(log)  # which entries of ``log`` were in the file
    after: dict[int, list[str]] = {}  # old entry index → lines that follow it
    for k, ev in enumerate(events):
        at = date_place(log, ev)
        log.insert(at, ev)
        old.insert(at, False)
        old_before = sum(old[:at])
        if old_before == 0:
            return None
        after.setdefault(old_before - 1, []).append(indent + flows[k] + "\n")
    out = []
    ends = {n.start_mark.line: i for i, n in enumerate(entries)}
    for j, line in enumerate(lines):
        out.append(line)
        if j in ends:
            out += after.get(ends[j], [])
    new = "".join(out)
    try:
        check, _ = loads(new, lines=False)
    except YamlError:
        return None
    return (new, check) if check == {**data, "log": log} else None


# ---------------------------------------------------------------- round trip


def _rt():
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = _FLOW_WIDTH
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.ignore_aliases = lambda *args: True  # never write &id001 / *id001
    return y


def rt_loads(text: str):
    return _rt().load(text)


def rt_dumps(data) -> str:
    buf = io.StringIO()
    _rt().dump(data, buf)
    return buf.getvalue()


def flow_map(d: dict):
    """A mapping written on one line, as log events are."""
    from ruamel.yaml.comments import CommentedMap

    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write so that ``path`` holds either the old or the new content, never a mix.

    The file gets the mode the process umask gives a new file (as git and every editor do)."""
    atomic_write_all([(path, content)])


WRITERS = 8  # threads writing files at once: their flushes to the disk are shared (165 files: 0.1 s, not 0.8 s)


def atomic_write_all(files: Sequence[tuple[Path, str | bytes]]) -> None:
    """:func:`atomic_write` for each of these files (distinct paths), their writes overlapping in threads:
    each file holds its old or its new content at any instant, and all are on the disk when this returns.

    One fsync after the other costs a flush of the disk's journal each (5 ms a file on a busy disk); fsyncs
    issued together share one.  The fault points come in the files' order, as one by one."""
    mode = 0o666 & ~_umask()  # once for all the files
    overlapping(_write_file, [(path, content, mode) for path, content in files])


def overlapping(write: Callable[..., None], calls: list[tuple]) -> None:
    """``write(*args)`` for each of ``calls``, in threads at once (one by one when there is only one), each
    after its fault point (:mod:`duban.store.fault`), in order; the first failure is raised once all ended."""
    from duban.store import fault

    if len(calls) < 2:
        for args in calls:
            fault.point("write")
            write(*args)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(WRITERS, len(calls))) as pool:
        done = []
        for args in calls:
            fault.point("write")
            done.append(pool.submit(write, *args))
        for d in done:
            d.result()


def _write_file(path: Path, content: str | bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # pragma: no cover - some filesystems refuse
        pass


def _umask() -> int:
    """The process's umask, read without setting it where Linux tells it (``/proc``): setting it, even for a
    moment, would reach a process another thread starts meanwhile (a change's ``git update-index``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temps(paths: Sequence[Path]) -> None:
    """Remove the temporary files (:func:`atomic_write`'s ``.NAME.XXXXXXXX.tmp``) left beside these paths by a
    process killed while it wrote them: only call this when no other process can be writing them (under the
    ledger's lock, finishing a killed change).  One listing per folder."""
    by_folder: dict[Path, set[str]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, set()).add(path.name)
    for folder, names in by_folder.items():
        for entry, name in _temps(folder):
            if name in names:
                _unlink(folder / entry)


OLD_TEMP = 600  # seconds: a writer keeps its temporary file for a moment (one write, fsync, rename), never this long


def remove_old_temps(folders: Iterable[Path], age: float = OLD_TEMP) -> None:
    """Remove :func:`atomic_write`'s temporary files in these folders that a killed writer left: those last
    written more than ``age`` seconds ago and open in no process (where ``/proc`` tells).  For the folders no
    lock guards (``out/``), where another command may be writing a form right now."""
    now = time.time()
    for folder in folders:
        for entry, _ in _temps(folder):
            path = folder / entry
            try:
                old = now - path.stat().st_mtime > age
            except OSError:
                continue
            if old and not held(path.resolve()):
                _unlink(path)


def held(path: Path) -> bool | None:
    """Whether a living process has ``path`` open (None where /proc cannot tell)."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    target = str(path)
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            for fd in os.listdir(proc / pid / "fd"):
                if os.readlink(proc / pid / "fd" / fd) == target:
                    return True
        except OSError:
            continue
    return False


def _temps(folder: Path) -> list[tuple[str, str]]:
    """(entry, the name it was to take) of each temporary file of :func:`atomic_write`'s shape in ``folder``."""
    try:
        entries = [e.name for e in os.scandir(folder) if e.name.startswith(".") and e.name.endswith(".tmp")]
    except OSError:
        return []
    out = []
    for entry in entries:
        name, _, rest = entry[1:-4].rpartition(".")
        if name and len(rest) == 8:  # mkstemp's eight characters
            out.append((entry, name))
    return out


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def flow_list(values, block: bool = False):
    """A list written on one line (``[a, b]``), or as a block list when ``block`` (an item's log)."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(values)
    if not block:
        seq.fa.set_flow_style()
    return seq
