"""Slips without parsing the parts no rendering changes (styles, numbering, settings) and with docxtpl's clean-up of
each template part done once: the same bytes as docx's own load, render and save, and a template edited in Word
(whose XML docx would write back differently) keeps its parts as they are and still reads back."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from test_speed import reference_zip

from duban.commands.publish import ledger_with, template_path
from duban.outputs.forms import UNTOUCHED, Templates, item_form, render_docx
from duban.store import stamps
from duban.store.ledger import load

DAY = date(2026, 11, 20)


@pytest.fixture
def root(aged_sample):
    return aged_sample


def jobs_of(root):
    ledger = load(root)
    jobs = [
        (ev["kind"], i, str(ev["number"])) for i, item in ledger.items.items() for ev in item.log if ev.get("number")
    ]
    jobs += [("notice", i, None) for i in sorted(ledger.items)[:3] if not ledger.items[i].forward]
    assert len({f for f, _, _ in jobs}) >= 3
    return ledger_with(root, {i for _, i, _ in jobs}), jobs


def docx_own(template, ctx, title, stamp) -> bytes:
    """What docxtpl and python-docx give with nothing shared or skipped, zipped as duban zips (fixed times)."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    tpl = DocxTemplate(str(template))
    tpl.render(ctx, jinja_env=Environment(autoescape=True), autoescape=True)
    props = tpl.docx.core_properties
    props.title = title
    props.created = props.modified = datetime(stamp.year, stamp.month, stamp.day)
    out = io.BytesIO()
    tpl.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        return reference_zip([(n, z.read(n)) for n in z.namelist()])


def test_slips_are_the_bytes_docx_itself_writes(root):
    ledger, jobs = jobs_of(root)
    shared = Templates()
    for form, item_id, number in jobs:
        ctx, _, title, stamp = item_form(ledger, form, ledger.items[item_id], DAY, number)
        template = template_path(root, form)
        got = render_docx(template, ctx, title=title, stamp=stamp, templates=shared)
        assert got == docx_own(template, ctx, title, stamp), form
    assert shared.patched  # each part's clean-up kept for the next slip


def word_edited(template: bytes) -> bytes:
    """The template as Word might save it: the parts skipped here written with a double-quoted declaration and CRLF,
    which docx would write back otherwise."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        types = src.read("[Content_Types].xml").decode()
        for name in src.namelist():
            data = src.read(name)
            if any(f'PartName="/{name}" ContentType="{t}"' in types for t in UNTOUCHED):
                head, body = data.split(b"?>", 1)
                data = head.replace(b"'", b'"') + b"?>\r\n" + body
            dst.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("form", ["warning", "reminder"])
def test_a_template_saved_by_word_keeps_its_untouched_parts(root, form):
    import docx

    ledger, jobs = jobs_of(root)
    job = next((j for j in jobs if j[0] == form), None)
    if job is None:
        pytest.skip(f"no {form} in the sample")
    edited = word_edited(template_path(root, form).read_bytes())
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / f"{form}.docx").write_bytes(edited)
    ctx, _, title, stamp = item_form(ledger, form, ledger.items[job[1]], DAY, job[2])
    got = render_docx(template_path(root, form), ctx, title=title, stamp=stamp)
    with zipfile.ZipFile(io.BytesIO(edited)) as a, zipfile.ZipFile(io.BytesIO(got)) as b:
        kept = [n for n in ("word/styles.xml", "word/numbering.xml", "word/settings.xml") if n in a.namelist()]
        assert kept and all(a.read(n) == b.read(n) for n in kept)  # as Word wrote them, not as docx would
        assert all(b"\r\n" in b.read(n) for n in kept)
    doc = docx.Document(io.BytesIO(got))  # and python-docx reads it back, styles and all
    assert doc.core_properties.title == title
    assert doc.styles["Normal"] is not None
    text = "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert ledger.items[job[1]].title in text


def test_many_slips_rendered_in_worker_processes_are_the_serial_ones(root, monkeypatch):
    import os
    import shutil

    from duban.commands import publish

    _, jobs = jobs_of(root)
    jobs = [*jobs, ("warning", "2026-9999", "2026-99")]  # a failure is reported in its place, not raised
    serial_paths, serial_errors = publish.render_quietly(root, jobs, DAY)
    serial = {p.relative_to(root): p.read_bytes() for p in serial_paths}
    shutil.rmtree(root / "out")
    monkeypatch.setattr(publish, "PARALLEL_FORMS", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(stamps, "idle_cores", lambda: 2.0)  # whatever else runs now
    import multiprocessing

    pools, real = [], multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: pools.append(method) or real(method))
    forked_paths, forked_errors = publish.render_quietly(root, jobs, DAY)
    assert pools == ["fork"]
    assert [p.relative_to(root) for p in forked_paths] == list(serial)
    assert {p.relative_to(root): p.read_bytes() for p in forked_paths} == serial
    assert forked_errors == serial_errors and len(serial_errors) == 1
