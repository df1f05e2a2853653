"""The command line.  ``main`` first tries the fast path (:mod:`duban.cli.fast`: ``list``, ``show`` and
``--version`` printed with the standard library and the cache alone); anything else — and anything the fast
path is not sure to print exactly as the full command line would — goes to typer (:mod:`duban.cli.full`)."""

from __future__ import annotations

import sys


def main() -> None:
    from duban.cli.fast import serve

    if serve(sys.argv[1:]):
        return
    from duban.cli.full import main as full

    full()


def __getattr__(name: str):
    if name == "app":  # the typer app, for tests and tools: ``from duban.cli import app``
        from duban.cli.full import app

        return app
    raise AttributeError(name)


__all__ = ["app", "main"]
