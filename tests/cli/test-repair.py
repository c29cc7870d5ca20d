#!/usr/bin/python3
# test-repair.py — download --repair, sync's repair, --embed-metadata and tag, as a user runs them
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mja_testlib import FakeServer, Skip, Tap, archive_files, base_env, cli, remove, temp_dir  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
IMAGES = (".png", ".jpeg", ".jpg", ".webp")

tap = Tap()


def indexed_images(archive):
    """(relative path, url, job id) of every image the index knows."""
    db = sqlite3.connect(os.path.join(archive, ".mj-archiver", "index.sqlite"))
    try:
        return db.execute("SELECT path, url, job_id FROM images ORDER BY job_id, idx").fetchall()
    finally:
        db.close()


def on_disk(archive):
    return [(p, u, j) for p, u, j in indexed_images(archive)
            if p.endswith(IMAGES) and os.path.exists(os.path.join(archive, p))]


def xmp(path):
    """The XMP of @path as the exiv2 tool prints it: {key: value}."""
    out = subprocess.run(["exiv2", "-q", "-PXkt", path], capture_output=True, text=True).stdout
    tags = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        tags[key] = value.strip()
    return tags


def damage(archive):
    """Truncates one image and overwrites another with a web page; returns both paths."""
    images = on_disk(archive)
    truncated = os.path.join(archive, images[0][0])
    corrupt = os.path.join(archive, images[1][0])
    with open(truncated, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[: len(data) // 2])
    with open(corrupt, "wb") as f:
        f.write(b"<!DOCTYPE html><html>Just a moment...</html>")
    return truncated, corrupt


def assert_server_bytes(archive, paths):
    """Each of @paths (absolute) holds what the server sends for it."""
    for path, url, _ in indexed_images(archive):
        if os.path.join(archive, path) in paths:
            with urllib.request.urlopen(url) as answer, open(os.path.join(archive, path), "rb") as f:
                assert f.read() == answer.read(), path


def verify_clean(archive, env):
    report = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=0).stdout)
    assert report["problems"] == [], report
    assert not any(p.endswith(".damaged") for p in archive_files(archive))


def test_download_repair():
    with FakeServer("--jobs", "12", "--seed", "3") as server:
        env = base_env(server)
        archive = temp_dir()
        cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        truncated, corrupt = damage(archive)
        cli("verify", "--archive", archive, env=env, check=1)
        # Without --repair the damaged files stay: download only fetches what is missing.
        cli("download", "--archive", archive, env=env, check=0)
        assert os.path.getsize(corrupt) < 100
        result = cli("download", "--repair", "--json", "--archive", archive, env=env, check=0)
        assert json.loads(result.stdout)["repaired_images"] == 2, result.stdout
        verify_clean(archive, env)
        # Whole again, and what the server sends.
        assert_server_bytes(archive, (truncated, corrupt))
        # Nothing left to repair: a second run fetches nothing.
        result = cli("download", "--repair", "--archive", archive, env=env, check=0)
        assert "repaired" not in result.stdout, result.stdout
        remove(archive)


def test_repair_failure_keeps_the_damaged_file():
    with FakeServer("--jobs", "6", "--seed", "5") as server:
        env = base_env(server)
        archive = temp_dir()
        cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        truncated, _ = damage(archive)
        with open(truncated, "rb") as f:
            before = f.read()
    # The server is gone: the repair fails, and what was there is put back.
    result = cli("download", "--repair", "--archive", archive, env=env, check=None)
    assert result.returncode != 0, result.stdout
    with open(truncated, "rb") as f:
        assert f.read() == before
    assert not any(p.endswith((".damaged", ".part")) for p in archive_files(archive))
    remove(archive)


def test_sync_repairs():
    # A plain sync, what the systemd timer runs, heals damaged files; so does --full.
    with FakeServer("--jobs", "12", "--seed", "4") as server:
        env = base_env(server)
        archive = temp_dir()
        cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        for args in (["--quiet"], ["--full"]):
            truncated, corrupt = damage(archive)
            result = cli("sync", *args, "--archive", archive, "--request-interval", "0", env=env, check=0)
            assert "2 damaged or missing images were repaired" in result.stdout, (args, result.stdout)
            verify_clean(archive, env)
            assert_server_bytes(archive, (truncated, corrupt))
        remove(archive)


def test_embed_off_keeps_server_bytes():
    with FakeServer("--jobs", "8", "--seed", "9") as server:
        env = base_env(server)
        archive = temp_dir()
        cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        images = on_disk(archive)
        assert images
        for path, url, _ in images:
            with urllib.request.urlopen(url) as answer, open(os.path.join(archive, path), "rb") as f:
                assert f.read() == answer.read(), path
            assert xmp(os.path.join(archive, path)) == {}, path
        remove(archive)


def test_embed_metadata():
    with FakeServer("--jobs", "8", "--seed", "9") as server:
        env = base_env(server)
        archive = temp_dir()
        cli("sync", "--archive", archive, "--embed-metadata", "--request-interval", "0", env=env, check=0)
        images = on_disk(archive)
        assert images
        for path, _, job_id in images:
            with open(os.path.join(archive, os.path.splitext(path)[0].rsplit("-", 1)[0] + ".json")
                      if not os.path.exists(os.path.join(archive, os.path.splitext(path)[0] + ".json"))
                      else os.path.join(archive, os.path.splitext(path)[0] + ".json")) as f:
                job = json.load(f)
            tags = xmp(os.path.join(archive, path))
            assert tags.get("Xmp.mjarchiver.JobId") == job_id, (path, tags)
            prompt = job.get("prompt") or job["full_command"].split(" --")[0]
            assert prompt in tags.get("Xmp.dc.description", ""), (path, tags)
            # exiv2 prints the XMP date the Exif way: "2022:07:12 18:23:24".
            date = tags.get("Xmp.exif.DateTimeOriginal", "").replace(":", "-", 2)
            assert date.startswith(job["enqueue_time"][:10]), (path, tags)
            assert tags.get("Xmp.xmp.CreatorTool", "").startswith("Midjourney"), tags
        verify_clean(archive, env)
        remove(archive)


def tracker_description(path):
    """nie:description as GNOME's desktop search (Tracker's extractor) reads @path, or None."""
    extractor = shutil.which("tracker-extract-3") or "/usr/libexec/tracker-extract-3"
    if not os.access(extractor, os.X_OK) or not shutil.which("dbus-run-session"):
        raise Skip("no tracker-extract-3 (Debian's tracker-extract) or no dbus-run-session")
    out = subprocess.run(["dbus-run-session", "--", extractor, "-f", path, "-o", "turtle"], capture_output=True,
                         text=True, timeout=60, env=dict(base_env(), LANG="C.UTF-8")).stdout
    for line in out.splitlines():
        key, _, value = line.strip().partition(" ")
        if key == "nie:description":
            return value.rstrip(" ;.").strip('"')
    return None


def test_desktop_search_reads_the_prompt():
    # What GNOME's search indexes: Tracker reads the embedded prompt from PNG and JPEG.  Debian 12's
    # tracker-extract has no rule for WebP, so a WebP's prompt is not found there (not asserted).
    with FakeServer("--jobs", "4", "--seed", "2") as server:
        env = base_env(server)
        for image_format in ("png", "jpeg"):
            archive = temp_dir()
            cli("sync", "--archive", archive, "--embed-metadata", "--image-format", image_format,
                "--request-interval", "0", env=env, check=0)
            checked = 0
            for path, _, job_id in on_disk(archive):
                with open(os.path.join(archive, path.rsplit("_", 1)[0] + "_" + job_id + ".json")) as f:
                    job = json.load(f)
                prompt = job.get("prompt") or job["full_command"].split(" --")[0]
                if not prompt.isascii() or '"' in prompt or "\\" in prompt:
                    continue  # plain text: no Turtle escapes to undo
                assert tracker_description(os.path.join(archive, path)) == prompt, (path, prompt)
                checked += 1
            assert checked > 0, "no image with a plain prompt"
            remove(archive)


def test_tag_original_archive():
    archive = temp_dir()
    shutil.rmtree(archive)
    shutil.copytree(os.path.join(FIXTURES, "original-archive"), archive)
    env = base_env()
    # What an interrupted original download left: skipped, not touched.
    cut = os.path.join(archive, "2022/2022-09/2022-09-07/20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c.png")
    with open(cut, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[: len(data) // 2])
    result = cli("tag", "--archive", archive, env=env, check=0)
    assert "4 images tagged; 1 skipped" in result.stdout, result.stdout
    with open(cut, "rb") as f:
        assert f.read() == data[: len(data) // 2]
    owl = [p for p in archive_files(archive) if "0a1b2c3d" in p and p.endswith(".png")]
    assert len(owl) == 4, owl
    for path in owl:
        tags = xmp(os.path.join(archive, path))
        assert tags.get("Xmp.mjarchiver.JobId") == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", tags
        assert "owl" in tags.get("Xmp.dc.description", ""), tags
        assert tags.get("Xmp.exif.DateTimeOriginal", "").startswith("2022:10:02 12:00:00"), tags
        assert tags.get("Xmp.dc.subject") == "--v 3", tags
    assert not any(p.endswith(".part") for p in archive_files(archive))
    # Tagged images pass verify's checks; the fixture's broken JSON and the cut image are reported.
    report = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=1).stdout)
    assert sorted(p["kind"] for p in report["problems"]) == ["broken-json", "corrupt"], report
    assert [p["path"] for p in report["problems"] if p["kind"] == "corrupt"] == [cut], report
    # Again: nothing to do, nothing rewritten.
    before = {p: os.stat(os.path.join(archive, p)).st_mtime_ns for p in owl}
    result = cli("tag", "--archive", archive, env=env, check=0)
    assert "0 images tagged; 4 already were; 1 skipped" in result.stdout, result.stdout
    assert before == {p: os.stat(os.path.join(archive, p)).st_mtime_ns for p in owl}
    remove(archive)


for name, fn in list(globals().items()):
    if name.startswith("test_") and callable(fn):
        tap.check(name[5:].replace("_", " "), fn)
tap.done()
