"""What the speed work (#18) must not change: slips rendered with shared templates are the bytes a lone
render gives, the zip writer writes what zipfile writes, and files parsed in worker processes load as
files parsed here."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from datetime import date

import pytest

from duban.commands.publish import ledger_with, template_path
from duban.outputs.forms import FORMS, ZIP_TIME, Templates, item_form, render_docx, zip_members
from duban.store import cache
from duban.store.ledger import _parse_item, load


@pytest.fixture
def root(aged_sample):
    return aged_sample


def reference_zip(members: list[tuple[str, bytes]]) -> bytes:
    """What ZipFile.writestr writes with fixed times: the zip every form was written as before."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def test_the_zip_writer_writes_what_zipfile_writes():
    members = [("[Content_Types].xml", b"<x/>" * 50), ("word/document.xml", "正文".encode() * 999), ("e", b"")]
    deflated: dict[bytes, tuple[bytes, int]] = {}
    assert zip_members(members, deflated) == reference_zip(members)
    assert zip_members(members, deflated) == reference_zip(members)  # from the compressed parts kept
    assert len(deflated) == 3


def test_slips_rendered_with_shared_templates_are_the_same_bytes(root):
    day = date(2026, 11, 20)
    ledger = load(root)
    slips = [
        (ev["kind"], i, str(ev["number"])) for i, item in ledger.items.items() for ev in item.log if ev.get("number")
    ]
    jobs = [("notice", i, None) for i in sorted(ledger.items)[:4]] + slips[:8]
    assert len({f for f, _, _ in jobs}) >= 2 and {f for f, _, _ in jobs} <= set(FORMS)
    ledger = ledger_with(root, {i for _, i, _ in jobs})
    shared = Templates()
    for form, item_id, number in jobs:
        ctx, _, title, stamp = item_form(ledger, form, ledger.items[item_id], day, number)
        alone = render_docx(template_path(root, form), ctx, title=title, stamp=stamp)
        together = render_docx(template_path(root, form), ctx, title=title, stamp=stamp, templates=shared)
        assert together == alone
        with zipfile.ZipFile(io.BytesIO(together)) as z:
            assert reference_zip([(n, z.read(n)) for n in z.namelist()]) == together
    assert len(shared.files) == len({f for f, _, _ in jobs}) and shared.compiled and shared.deflated


def test_files_parsed_in_workers_load_as_files_parsed_here(root, monkeypatch):
    rels = sorted(p.relative_to(root).as_posix() for p in root.glob("items/*/*.yaml"))
    parse = lambda rel: _parse_item(root, rel)  # noqa: E731  (a closure: the workers inherit it)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 1)
    monkeypatch.setattr(cache, "idle_cores", lambda: 2.0)  # whatever else runs now
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    here = {rel: cache._prepare(rel, parse, lambda record: ()) for rel in rels}
    there = cache.parse_all(rels, parse, lambda record: (os.getpid(),))  # the refs name the process
    assert sorted(there) == rels
    assert {pickle.loads(tail[3])[0] for tail, _, _ in there.values()} - {os.getpid()}  # parsed in other processes
    for rel, (tail, blob, _) in there.items():
        here_tail, here_blob, note = here[rel]
        assert tail[:3] + tail[4:-1] == here_tail[:3] + here_tail[4:-1] and note is None
        assert blob is not None and here_blob is not None and pickle.loads(blob) == pickle.loads(here_blob)
    monkeypatch.setenv("DUBAN_CACHE", "off")
    cold = load(root)  # every file through the workers
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10**9)
    assert load(root) == cold
