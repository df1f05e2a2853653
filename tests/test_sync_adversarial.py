"""Sync under adverse conditions a real office meets: a ledger inside a larger repository, kills, hand edits,
broken files, clashing edits of plain files (issue 19, review)."""

from __future__ import annotations

import shutil

from tests.conftest import Ledger, git, make_ledger
from tests.test_sync import ok

ID = ["-c", "user.name=t", "-c", "user.email=t@x"]


def test_a_ledger_in_a_folder_never_drops_the_other_copys_files_outside_it(tmp_path):
    """The ledger in ``office/ledger`` of a larger repository: a merge must not silently revert what the
    other copy changed outside the ledger's folder; sync refuses and names the file, git pull then merges."""
    repo = tmp_path / "office"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    (repo / "README.txt").write_text("督查室\n", encoding="utf-8")
    src = make_ledger(tmp_path / "src")
    shutil.copytree(src.root, repo / "ledger", ignore=shutil.ignore_patterns(".git"))
    git(repo, "add", "-A")
    git(repo, *ID, "commit", "-qm", "台账")
    main = Ledger(repo / "ledger")
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "master", str(server))
    ok(main("sync", "--remote", str(server), today="2026-03-02"))
    git(tmp_path, "clone", "-q", str(server), str(tmp_path / "deputy"))
    deputy = Ledger(tmp_path / "deputy" / "ledger")
    (tmp_path / "deputy" / "README.txt").write_text("督查室（副本改）\n", encoding="utf-8")
    git(tmp_path / "deputy", *ID, "commit", "-qam", "说明")
    deputy.issue(title="乙", today="2026-03-02")
    ok(deputy("sync", today="2026-03-02"))
    main.issue(title="甲", today="2026-03-02")
    before = main.head()
    res = main("sync", today="2026-03-02")
    assert res.code != 0 and "README.txt" in res.err and "git pull" in res.err
    assert main.head() == before and git(repo, "status", "--porcelain").strip() == ""
    git(repo, *ID, "pull", "-q", "--no-rebase", "--no-edit", "origin", "master")
    ok(main("sync", today="2026-03-02"))
    ok(deputy("sync", today="2026-03-02"))
    for root in (repo, tmp_path / "deputy"):
        assert git(root, "show", "HEAD:README.txt") == "督查室（副本改）\n"
        assert git(root, "status", "--porcelain").strip() == ""
    assert main.head() == deputy.head()
    ok(main("check", today="2026-03-02"))
    ok(main("verify", "--all"))
