"""Whether anything under a ledger's items and events changed since a clock of watchman's: the quick way past the
stat of every file, when the clerk has watchman (https://facebook.github.io/watchman/) watch the ledger.

While it runs, watchman keeps every change under the folders it watches (inotify on Linux).  A query "since" a
clock it gave lists the files changed after that clock; if watchman was restarted meanwhile, or stopped watching,
the clock is from another run of it and the answer says so (``is_fresh_instance``: changes may have been missed).
Each query first syncs: watchman writes a cookie file in the folder and waits until it sees it, so the answer
holds up to the moment it was asked.

:class:`duban.store.views.Clean` keeps, with the identity of the last clean load, the clock watchman gave *before*
a scan that found every file as that identity says.  Next time, one answer of watchman's (under 1 ms) stands in for
the stat of every file, but only when it is positive: the same run of watchman, and nothing at all under
``items/`` or ``events/`` changed since that clock (any name: hidden files, other suffixes).  Any other answer
(no watchman, a folder it does not watch, an error or a timeout, another run of it, a change) leaves the stat of
every file to decide, as without it.  Nothing here starts watchman or a watch: ``watchman watch-project
LEDGER`` and ``WATCHMAN_SOCK`` (the socket to ask) are the clerk's choice.  Standard library only (the quick
way imports this)."""

from __future__ import annotations

import os

TIMEOUT = 2.0  # seconds: watchman's own sync, then the socket's
WHERE = ["anyof", ["dirname", "items"], ["dirname", "events"]]  # = duban.store.views.TOPS


def socket_path() -> str | None:
    """watchman's socket, as the clerk names it in ``WATCHMAN_SOCK`` (what ``watchman get-sockname`` prints); None
    when unset: then watchman is never asked, and nothing more is imported or run on the quick way."""
    return os.environ.get("WATCHMAN_SOCK") or None


def ask(sock: str, command: list) -> dict | None:
    """One command over watchman's socket (its JSON protocol: a line each way); None when there is no server, or
    on any error.  Never starts a server: a missing socket is simply no answer."""
    try:  # the C part alone: socket.py imports enum and selectors (with json's decoder, 10 ms of a watched `show`)
        from _socket import AF_UNIX, SOCK_STREAM, socket
    except ImportError:  # pragma: no cover - another Python
        from socket import AF_UNIX, SOCK_STREAM, socket  # type: ignore[assignment]

    try:
        s = socket(AF_UNIX, SOCK_STREAM)
        try:
            s.settimeout(TIMEOUT + 1)
            s.connect(sock)
            s.sendall(dumps(command).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(1 << 16)
                if not chunk:
                    return None
                data += chunk
        finally:
            s.close()
        got = loads(data)
    except (OSError, ValueError):
        return None
    return got if isinstance(got, dict) and "error" not in got else None


def dumps(value) -> str:
    """A command as JSON, on one line, as json.dumps writes it: text, whole numbers, booleans, null, lists and maps
    with text keys (what the commands here hold).  The string escapes are json's own (in C); the json module itself
    is not imported: its decoder imports re, as long to import as the rest of a watched ``show``."""
    try:
        from _json import encode_basestring_ascii as text
    except ImportError:  # pragma: no cover - another Python
        from json.encoder import encode_basestring_ascii as text

    def dump(value) -> str:
        if isinstance(value, str):
            return text(value)
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, list):
            return "[" + ", ".join(map(dump, value)) + "]"
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return "{" + ", ".join(f"{text(k)}: {dump(v)}" for k, v in value.items()) + "}"
        raise TypeError(f"not sent to watchman: {value!r}")

    return dump(value)


class _Strict:
    """What json's C scanner reads of a decoder: json.loads' defaults, but NaN and Infinity are refused."""

    strict = True
    object_hook = object_pairs_hook = None
    parse_float, parse_int = float, int

    @staticmethod
    def parse_constant(name: str):
        raise ValueError(f"not JSON: {name}")


def loads(data: bytes):
    """One JSON value (UTF-8) as json.loads reads it, by json's own scanner in C (without importing json, see
    :func:`dumps`); ValueError when it is not one value."""
    text = data.decode().strip(" \t\n\r")
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - another Python
        from json import loads as whole

        return whole(text, parse_constant=_Strict.parse_constant)
    try:
        value, end = make_scanner(_Strict)(text, 0)  # type: ignore[arg-type]  # a decoder or what it reads
    except StopIteration:  # nothing at the start that a JSON value begins with
        raise ValueError("not JSON") from None
    if end != len(text):
        raise ValueError("not JSON: more after the value")
    return value


def watching(sock: str, root: str) -> tuple[str, str] | None:
    """The folder watchman watches that holds the ledger's ``root``, and ``root`` inside it (``""``: itself)."""
    got = ask(sock, ["watch-list"])
    roots = got.get("roots") if got else None
    if not isinstance(roots, list):
        return None
    holding = [r for r in roots if isinstance(r, str) and (r == root or root.startswith(r.rstrip("/") + "/"))]
    if not holding:
        return None
    watch = max(holding, key=len)
    return watch, "" if watch == root else os.path.relpath(root, watch).replace(os.sep, "/")


def clock(sock: str, watch: str) -> str | None:
    """watchman's clock for ``watch`` now (after a sync)."""
    got = ask(sock, ["clock", watch, {"sync_timeout": int(TIMEOUT * 1000)}])
    value = got.get("clock") if got else None
    return value if isinstance(value, str) else None


def changed_since(sock: str, watch: str, rel: str, since: str) -> tuple[bool, str] | None:
    """(whether anything under ``items/`` or ``events/`` of the ledger changed after the clock ``since``, or the
    clock is from another run of watchman; watchman's clock now), or None when watchman cannot say."""
    query: dict = {
        "since": since,
        "expression": WHERE,
        "fields": ["name"],
        "sync_timeout": int(TIMEOUT * 1000),
        "empty_on_fresh_instance": True,
    }
    if rel:
        query["relative_root"] = rel
    got = ask(sock, ["query", watch, query])
    if got is None or not isinstance(got.get("clock"), str) or not isinstance(got.get("files"), list):
        return None
    return bool(got["files"]) or got.get("is_fresh_instance") is not False, got["clock"]
