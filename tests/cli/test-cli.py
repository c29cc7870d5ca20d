#!/usr/bin/python3
# test-cli.py — mj-archiver-cli as a user and a script would run it
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mja_testlib import (CLI, FakeServer, Tap, archive_files, base_env, cli, remove, temp_dir,  # noqa: E402
                         wait_mid_sync)
import mja_original  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data")

tap = Tap()


def test_help_documents_exit_codes():
    out = cli("--help", env=base_env(), check=0).stdout
    for words in ("sync", "download", "search", "stats", "verify", "reindex", "export", "login", "logout",
                  "3  not signed in", "4  blocked", "6  archive I/O"):
        assert words in out, f"--help lacks {words!r}"
    sync_help = cli("sync", "--help", env=base_env(), check=0).stdout
    for flag in ("--job-type", "--from-date", "--page-limit", "--overwrite-metadata", "--json-indent",
                 "--job-types-to-download", "--concurrency", "--full", "--archive", "--api-base-url"):
        assert flag in sync_help + cli("sync", "--help-all", env=base_env(), check=0).stdout, f"sync lacks {flag}"
    assert cli("frobnicate", env=base_env()).returncode == 2
    assert cli("sync", "--concurrency", "99", env=base_env()).returncode == 2


def help_options(text, section):
    """The long options a --help output lists under @section (up to the next blank line)."""
    lines = text.split(section + "\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return {re.search(r"--[a-z-]+", line).group(0) for line in lines if line.lstrip().startswith("-")} - \
        {"--help", "--help-all", "--help-common"}


def test_man_page_and_completion_are_current():
    """Every command and option --help lists is in the man page and the bash completion."""
    env = base_env()
    with open(os.path.join(DATA, "mj-archiver-cli.1")) as f:
        man = f.read().replace("\\-", "-")
    with open(os.path.join(DATA, "mj-archiver-cli.bash")) as f:
        completion = f.read()
    listed = re.search(r'local commands="([^"]*)"', completion).group(1).split()
    common_words = re.search(r'local common="([^"]*)"', completion).group(1).split()
    out = cli("--help", env=env, check=0).stdout
    commands = [line.split()[0] for line in out.split("Commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()]
    assert sorted(commands) == sorted(listed), (commands, listed)
    common = help_options(cli("search", "--help-common", env=env, check=0).stdout, "Options of every command:")
    assert common - set(common_words) == set(), common - set(common_words)
    for command in commands:
        assert f".B {command}" in man, f"the man page lacks {command}"
        text = cli(command, "--help", env=env, check=0).stdout
        options = help_options(text, "Application Options:") if "Application Options:" in text else set()
        case = re.search(r"\n\s*(?:[a-z]+\|)*" + command + r"(?:\|[a-z]+)*\) options=\"([^\"]*)\"", completion)
        completed = set(case.group(1).split()) if case else set()
        assert options - completed == set(), f"{command}: the completion lacks {options - completed}"
        missing = {o for o in options | common if not re.search(re.escape(o) + r"(?![a-z-])", man)}
        assert not missing, f"{command}: the man page lacks {missing}"


def test_not_signed_in():
    result = cli("sync", "--archive", temp_dir(), env=base_env(), check=3)
    assert "not signed in" in result.stderr, result.stderr
    assert cli("status", env=base_env()).returncode == 3


def test_messages_in_german():
    env = base_env()
    env.update({"LANGUAGE": "de", "LANG": "C.UTF-8", "MJA_LOCALEDIR": os.environ["MJA_LOCALEDIR"]})
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    result = cli("sync", "--archive", temp_dir(), env=env, check=3)
    assert "Sie sind nicht bei Midjourney angemeldet" in result.stderr, result.stderr
    out = cli("--help", env=env, check=0).stdout
    assert "Befehle:" in out and "3  nicht angemeldet oder Sitzung abgelaufen" in out, out
    assert "Unbekannter Befehl „frobnicate“." in cli("frobnicate", env=env, check=2).stderr


def test_sync_search_stats_verify_export():
    with FakeServer("--jobs", "90", "--seed", "7") as server:
        env = base_env(server)
        archive = temp_dir()
        result = cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        assert "Sync complete: 90 new jobs" in result.stdout, result.stdout
        # Not a terminal: plain progress lines, no carriage returns.
        assert "\r" not in result.stderr
        # The index's WAL was folded in when the process ended.
        state = os.listdir(os.path.join(archive, ".mj-archiver"))
        assert "index.sqlite" in state and not any(n.endswith(("-wal", "-shm")) for n in state), state

        stats = json.loads(cli("stats", "--json", "--archive", archive, env=env, check=0).stdout)
        assert stats["jobs"] == 90 and stats["images"] > 0 and stats["missing_images"] == 0, stats

        found = json.loads(cli("search", "--json", "--archive", archive, "-n", "0", "lighthouse", env=env,
                               check=0).stdout)
        assert found and all("lighthouse" in job["prompt"] for job in found), found
        upscales = json.loads(cli("search", "--json", "--archive", archive, "-n", "0", "--type", "upscale",
                                  env=env, check=0).stdout)
        assert upscales and all(j["kind"] == "upscale" for j in upscales), upscales
        word = upscales[0]["prompt"].split()[1][:5]  # a prefix of a word of one of them
        narrowed = json.loads(cli("search", "--json", "--archive", archive, "-n", "0", "--type", "upscale",
                                  word, env=env, check=0).stdout)
        everything = json.loads(cli("search", "--json", "--archive", archive, "-n", "0", word, env=env,
                                    check=0).stdout)
        assert 0 < len(narrowed) < len(everything), (word, len(narrowed), len(everything))
        assert all(j["kind"] == "upscale" for j in narrowed), narrowed
        bad = cli("search", "--archive", archive, '"unclosed', env=env)
        assert bad.returncode == 2 and "not valid" in bad.stderr, bad.stderr

        verify = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=0).stdout)
        assert verify["problems"] == [] and verify["checked_images"] == stats["images"], verify

        csv_text = cli("export", "--archive", archive, env=env, check=0).stdout
        assert csv_text.splitlines()[0].startswith("id,date,job_type"), csv_text[:200]
        exported = json.loads(cli("export", "--format", "json", "--archive", archive, env=env, check=0).stdout)
        assert len(exported) == 90
        check_ratings(archive, exported, csv_text, env)
        check_symbol_search(archive, exported, env)

        # Break things: a truncated image, a stray .part file, a broken JSON file.
        files = sorted(p for p in archive_files(archive) if p.endswith(".png"))
        victim = os.path.join(archive, files[0])
        with open(victim, "r+b") as f:
            f.truncate(100)
        open(os.path.join(archive, files[1] + ".part"), "wb").close()
        json_file = sorted(p for p in archive_files(archive) if p.endswith(".json"))[0]
        with open(os.path.join(archive, json_file), "w") as f:
            f.write("{ broken")
        # A whole PNG padded with 8 MiB of a chunk of its own before IEND.
        padded = os.path.join(archive, files[2])
        with open(padded, "rb") as f:
            data = f.read()
        pad = 8 << 20
        with open(padded, "wb") as f:
            f.write(data[:-12] + pad.to_bytes(4, "big") + b"zzPd" + bytes(pad) + bytes(4) + data[-12:])
        verify = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=1).stdout)
        kinds = sorted(p["kind"] for p in verify["problems"])
        assert kinds == ["broken-json", "corrupt", "corrupt", "unfinished"], verify
        assert any(p["path"].endswith(files[2]) and "larger than its pixels" in p["detail"]
                   for p in verify["problems"]), verify
        remove(archive)


def job_files(archive):
    jobs = {}
    for path in archive_files(archive):
        if path.endswith(".json") and not path.startswith(".mj-archiver"):
            with open(os.path.join(archive, path), encoding="utf-8") as f:
                job = json.load(f)
            jobs[job["id"]] = job
    return jobs


def check_ratings(archive, exported, csv_text, env):
    """Unrated stays unrated: null in JSON, an empty cell in CSV, never 0."""
    import csv
    import io
    jobs = job_files(archive)
    server = {i: j.get("rating", j.get("ranking_by_user")) for i, j in jobs.items()}
    assert None in server.values() and any(server.values()), server
    assert {j["id"]: j["rating"] for j in exported} == server, exported
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {r["id"]: (int(r["rating"]) if r["rating"] else None) for r in rows} == server, rows[:3]
    found = json.loads(cli("search", "--json", "--archive", archive, "-n", "0", "", env=env, check=0).stdout)
    assert {j["id"]: j["rating"] for j in found} == server


def check_symbol_search(archive, exported, env):
    """Emoji, symbols, a part of a CJK run and parameters are found as typed."""
    def text(job):
        return job["prompt"] + "\n" + job["full_command"]
    command = next(j["full_command"] for j in exported if " --" in j["full_command"])
    words = command[command.index(" --") + 1:].split()
    queries = ["✨", "🌸", "桜の", "の庭", "crème", " ".join(words[:2])]
    for query in queries:
        expected = sorted(j["id"] for j in exported if all(t in text(j) for t in query.split()))
        found = json.loads(cli("search", "--json", "--archive", archive, "-n", "0", "--", query, env=env,
                               check=0).stdout)
        assert expected, f"no job of the fake has {query!r}"
        assert sorted(j["id"] for j in found) == expected, (query, len(found), len(expected))


def test_verbose_never_shows_secrets():
    with FakeServer("--jobs", "20", "--expired-session") as server:
        env = base_env(server)
        archive = temp_dir()
        result = cli("sync", "--verbose", "--archive", archive, "--request-interval", "0", env=env, check=0)
        output = result.stdout + result.stderr
        assert "answered 200" in output, "verbose output shows no requests"
        cookie = server.env["MIDJOURNEY_COOKIE"]
        secrets = [part.split("=", 1)[1] for part in cookie.split("; ") if "AuthUserToken" in part]
        assert len(secrets) == 2
        for secret in secrets:
            assert secret not in output, "a token appeared in the output"
        for path, data in archive_files(archive).items():
            for secret in secrets:
                assert secret.encode() not in data, f"a token is in {path}"
        with open(os.path.join(archive, ".mj-archiver", "index.sqlite"), "rb") as f:
            index = f.read()
        assert all(secret.encode() not in index for secret in secrets)
        remove(archive)


def secret_pieces(values):
    """Each secret, and each part of a JWT long enough to identify it."""
    pieces = set()
    for value in values:
        pieces.add(value)
        pieces.update(part for part in value.split(".") if len(part) >= 16)
    return pieces


def files_under(*roots):
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    yield path, f.read()


def test_secrets_stay_in_the_keyring():
    """Verbose syncs that succeed (with 429s and 5xx) and syncs that fail:
    no token, nor any JWT part of one, in any output line, in the archive
    with its index, or anywhere in the home folder; the keyring file holds
    them only encrypted."""
    home = temp_dir("mja-home-")
    keyring = os.path.join(home, "keyring")
    outputs = []
    with FakeServer("--jobs", "40", "--expired-session", "--rate-limit-every", "9", "--server-error-rate", "0.1",
                    "--retry-after", "0") as server:
        env = base_env(server, home=home)
        cookie = env.pop("MIDJOURNEY_COOKIE")
        legacy = env.pop("MIDJOURNEY_SESSION_TOKEN")
        env.pop("MIDJOURNEY_USER_ID")
        env.update({"SECRET_BACKEND": "file", "SECRET_FILE_TEST_PATH": keyring, "SECRET_FILE_TEST_PASSWORD": "test"})
        secrets = secret_pieces([part.split("=", 1)[1] for part in cookie.split("; ") if "AuthUserToken" in part]
                                + [legacy])
        archive = temp_dir()
        result = cli("login", env=env, input=cookie + "\n", check=0)
        outputs.append(result.stdout + result.stderr)
        for extra in ((), ("--full",)):
            result = cli("sync", "--verbose", *extra, "--archive", archive, "--request-interval", "0", env=env,
                         check=0)
            outputs.append(result.stdout + result.stderr)
        result = cli("status", "--verbose", "--archive", archive, env=env, check=0)
        outputs.append(result.stdout + result.stderr)
    # The legacy site's session token, from the environment this time.
    with FakeServer("--jobs", "20", "--era", "legacy") as server:
        legacy_env = dict(base_env(server, home=home), SECRET_BACKEND="file", SECRET_FILE_TEST_PATH=keyring,
                          SECRET_FILE_TEST_PASSWORD="test")
        legacy_env.pop("MIDJOURNEY_COOKIE")
        secrets |= secret_pieces([legacy_env["MIDJOURNEY_SESSION_TOKEN"]])
        result = cli("sync", "--verbose", "--protocol", "legacy", "--archive", temp_dir(), "--request-interval", "0",
                     env=legacy_env, check=0)
        outputs.append(result.stdout + result.stderr)
    assert sum("answered 200" in out for out in outputs) >= 3, "verbose output shows no requests"
    # Failing syncs: bot check, revoked session, server gone.
    for flags, expected in [(("--challenge",), 4), (("--expired-session", "--revoked"), 3)]:
        with FakeServer(*flags) as server:
            env = dict(base_env(server, home=home), SECRET_BACKEND="file", SECRET_FILE_TEST_PATH=keyring,
                       SECRET_FILE_TEST_PASSWORD="test")
            cookie = env["MIDJOURNEY_COOKIE"]
            secrets |= secret_pieces([part.split("=", 1)[1] for part in cookie.split("; ") if "AuthUserToken" in part])
            result = cli("sync", "--verbose", "--archive", archive, env=env, check=expected)
            outputs.append(result.stdout + result.stderr)
    # The last fake is gone now: the network failure's messages too.
    result = cli("sync", "--verbose", "--archive", archive, env=env, check=5)
    outputs.append(result.stdout + result.stderr)

    for out in outputs:
        for secret in secrets:
            assert secret not in out, f"a token appeared in the output: …{out[max(0, out.find(secret) - 60):][:120]}"
    for path, data in files_under(archive, home):
        for secret in secrets:
            assert secret.encode() not in data, f"a token is in {path}"
    assert os.path.exists(keyring), "login kept nothing in the keyring"
    remove(archive)
    remove(home)


BLOCKED = "Midjourney's bot protection blocked the request — sign in through the built-in browser"


def test_challenge_exit_4():
    with FakeServer("--challenge") as server:
        result = cli("sync", "--archive", temp_dir(), env=base_env(server), check=4)
        assert BLOCKED in result.stderr, result.stderr


def test_browser_only_fake_blocks_direct_exit_4():
    # The fake that only a browser passes, over HTTPS with its test
    # certificate: the direct transport trusts it and is then told no.
    certificate = os.path.join(temp_dir(), "cert.pem")
    # GCC 12's LeakSanitizer crashes in its own tracer ("Tracer caught
    # signal 11") when it scans the dynamic TLS of a GLib worker thread
    # that did GnuTLS work through glib-networking; both processes here
    # speak TLS, so under ASan they run with leak checks off (the last
    # ASAN_OPTIONS flag wins). The same paths without TLS keep them on.
    no_leaks = dict(os.environ)
    if "ASAN_OPTIONS" in no_leaks:
        no_leaks["ASAN_OPTIONS"] += ":detect_leaks=0"
    with FakeServer("--browser-only", "--write-certificate", certificate, env=no_leaks) as server:
        env = base_env(server)
        if "ASAN_OPTIONS" in env:
            env["ASAN_OPTIONS"] += ":detect_leaks=0"
        assert env.get("MJA_TLS_CERTIFICATE") == certificate, server.env
        for args in [(), ("--connection", "direct")]:
            result = cli("sync", *args, "--archive", temp_dir(), env=env, check=4)
            assert BLOCKED in result.stderr, result.stderr
        # Without the certificate the fake is not trusted: a network error, not a block.
        env.pop("MJA_TLS_CERTIFICATE")
        result = cli("sync", "--archive", temp_dir(), env=env, check=5)
        assert BLOCKED not in result.stderr, result.stderr


def test_connection_choices():
    with FakeServer("--jobs", "3") as server:
        env = base_env(server)
        archive = temp_dir()
        cli("sync", "--connection", "direct", "--archive", archive, "--request-interval", "0", env=env, check=0)
        result = cli("sync", "--connection", "carrier-pigeon", "--archive", temp_dir(), env=env, check=2)
        assert "carrier-pigeon" in result.stderr and "auto, direct or browser" in result.stderr, result.stderr
        result = cli("sync", "--archive", temp_dir(), env=dict(env, MJA_CONNECTION="pigeon"), check=2)
        assert "pigeon" in result.stderr, result.stderr
        # The flag wins over the environment.
        cli("download", "--connection", "direct", "--archive", archive, env=dict(env, MJA_CONNECTION="pigeon"),
            check=0)
        remove(archive)


def test_revoked_exit_3():
    with FakeServer("--expired-session", "--revoked") as server:
        result = cli("sync", "--archive", temp_dir(), env=base_env(server), check=3)
        assert "sign in again" in result.stderr, result.stderr


def test_server_down_exit_5():
    with FakeServer() as server:
        env = base_env(server)
    # The server is gone now: bounded retries, then a clear message.
    started = time.monotonic()
    result = cli("sync", "--archive", temp_dir(), env=env, check=5)
    assert "could not be reached" in result.stderr, result.stderr
    assert time.monotonic() - started < 60


def test_failed_items_exit_1():
    with FakeServer("--jobs", "15", "--html-image-every", "5") as server:
        result = cli("sync", "--archive", temp_dir(), "--request-interval", "0", env=base_env(server), check=1)
        assert "is not a png file" in result.stderr, result.stderr


def test_interrupt_and_resume():
    with FakeServer("--jobs", "150", "--latency", "60") as server:
        env = base_env(server)
        clean, archive = temp_dir(), temp_dir()
        cli("sync", "--archive", clean, "--request-interval", "0", env=env, check=0)
        proc = subprocess.Popen([CLI, "sync", "--archive", archive, "--request-interval", "0"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_mid_sync(proc, archive, 30)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, f"exit {proc.returncode}: {err}"
        assert "resumes" in err, err
        assert not any(p.endswith(".part") for p in archive_files(archive))
        cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        assert archive_files(archive) == archive_files(clean), "resumed archive differs from a clean one"
        remove(clean)
        remove(archive)


def test_kill_and_resume():
    with FakeServer("--jobs", "120", "--latency", "60") as server:
        env = base_env(server)
        clean, archive = temp_dir(), temp_dir()
        cli("sync", "--archive", clean, "--request-interval", "0", env=env, check=0)
        proc = subprocess.Popen([CLI, "sync", "--archive", archive, "--request-interval", "0"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_mid_sync(proc, archive, 20)
        proc.kill()
        proc.wait()
        cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        assert archive_files(archive) == archive_files(clean), "resumed archive differs from a clean one"
        verify = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=0).stdout)
        assert verify["problems"] == [], verify
        remove(clean)
        remove(archive)


def test_original_archive():
    archive = temp_dir()
    shutil.rmtree(archive)
    shutil.copytree(os.path.join(FIXTURES, "original-archive"), archive)
    env = base_env()
    result = cli("reindex", "--archive", archive, env=env, check=1)
    assert "Indexed 2 jobs: 5 images on disk, 0 not there." in result.stdout, result.stdout
    assert "Skipped 2023/2023-01/2023-01-15/20230115-083000_1234abcd" in result.stderr, result.stderr
    found = json.loads(cli("search", "--json", "--archive", archive, "owl candle", env=env, check=0).stdout)
    assert [j["id"] for j in found] == ["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"], found
    assert found[0]["images"] == 4 and found[0]["image"].endswith("-1.png"), found
    stats = json.loads(cli("stats", "--json", "--archive", archive, env=env, check=0).stdout)
    assert stats["per_type"] == {"grid": 1, "upscale": 1} and stats["per_month"] == {"2022-09": 1, "2022-10": 1}
    # Nothing of the original files was touched.
    original = archive_files(os.path.join(FIXTURES, "original-archive"))
    assert archive_files(archive) == original
    remove(archive)


def test_either_tool_same_archive():
    """The original mj-metadata-archiver.py (its job archiving, ported) and
    sync --no-download over the legacy API write the same files, byte for
    byte, for prompts hard to wrap and at both indents."""
    with FakeServer("--jobs", "70", "--seed", "11", "--era", "legacy", "--hard-prompts-every", "3") as server:
        env = base_env(server)
        env.pop("MIDJOURNEY_COOKIE")
        for indent in (2, 0):
            original, ours = temp_dir(), temp_dir()
            mja_original.crawl(original, server.env["MJA_API_BASE_URL"], env["MIDJOURNEY_USER_ID"],
                               env["MIDJOURNEY_SESSION_TOKEN"], json_indent=indent)
            cli("sync", "--protocol", "legacy", "--no-download", "--json-indent", str(indent), "--archive", ours,
                "--request-interval", "0", env=env, check=0)
            want, got = archive_files(original), archive_files(ours)
            assert len(want) == 140, len(want)
            assert sorted(got) == sorted(want), sorted(set(got) ^ set(want))[:4]
            differ = [name for name in want if got[name] != want[name]]
            assert not differ, f"indent {indent}: {len(differ)} files differ, first {differ[0]}:\n" \
                               f"original {want[differ[0]][:300]!r}\nours     {got[differ[0]][:300]!r}"
            # The hard prompts were there.
            prompts = b"".join(want[name] for name in want if name.endswith(".prompt.txt"))
            for piece in ("\u00a0".encode(), "\u3000".encode(), "夜の東京".encode(), b"w" * 5000, b"col     umn"):
                assert piece in prompts, piece
            # Ours over the original's archive: nothing rewritten.
            result = cli("sync", "--protocol", "legacy", "--no-download", "--json-indent", str(indent), "--archive",
                         original, "--request-interval", "0", "--json", env=env, check=0)
            assert json.loads(result.stdout)["new_jobs"] == 0, result.stdout
            assert archive_files(original) == want
            remove(original)
            remove(ours)


def test_original_archive_upscales_only():
    """What the original downloader made by default (upscales only) verifies
    clean: grid images it never fetched are not downloaded by choice; a
    missing upscale is a problem."""
    archive = temp_dir()
    shutil.rmtree(archive)
    shutil.copytree(os.path.join(FIXTURES, "original-archive"), archive)
    for path in archive_files(archive):
        if "0a1b2c3d" in path and path.endswith(".png") or "1234abcd" in path:
            os.unlink(os.path.join(archive, path))
    env = base_env()
    result = cli("verify", "--archive", archive, env=env, check=0)
    assert result.stdout == "", result.stdout
    assert "2 jobs and 1 image checked: 0 problems." in result.stderr, result.stderr
    assert "4 images were not downloaded by choice" in result.stderr, result.stderr
    report = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=0).stdout)
    assert report["problems"] == [] and len(report["not_downloaded"]) == 4, report
    assert all(a["kind"] == "not-downloaded" and a["path"].endswith(".png") for a in report["not_downloaded"])
    # stats counts as verify does.
    stats = json.loads(cli("stats", "--json", "--archive", archive, env=env, check=0).stdout)
    assert (stats["missing_images"], stats["not_downloaded_by_choice"]) == (0, 4), stats
    stats = json.loads(cli("stats", "--json", "--job-types-to-download", "grid,upscale", "--archive", archive,
                           env=env, check=0).stdout)
    assert (stats["missing_images"], stats["not_downloaded_by_choice"]) == (4, 0), stats
    # Asked for grids too, they are missing.
    report = json.loads(cli("verify", "--json", "--job-types-to-download", "grid,upscale", "--archive", archive,
                            env=env, check=1).stdout)
    assert sorted(p["kind"] for p in report["problems"]) == ["missing"] * 4, report
    # No image left at all: grid and upscale, the default, are expected.
    for path in archive_files(archive):
        if "8b4c5b8c" in path and path.endswith(".png"):
            os.unlink(os.path.join(archive, path))
    report = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=1).stdout)
    assert [p["kind"] for p in report["problems"]] == ["missing"] * 5, report
    remove(archive)

    # An archive that has grid images misses the one grid image gone.
    archive = temp_dir()
    shutil.rmtree(archive)
    shutil.copytree(os.path.join(FIXTURES, "original-archive"), archive)
    os.unlink(os.path.join(archive, next(p for p in archive_files(archive) if p.endswith("-3.png"))))
    report = json.loads(cli("verify", "--json", "--archive", archive, env=env, check=1).stdout)
    missing = [p for p in report["problems"] if p["kind"] == "missing"]
    assert len(missing) == 1 and missing[0]["path"].endswith("-3.png"), report
    assert report["not_downloaded"] == [], report
    stats = json.loads(cli("stats", "--json", "--archive", archive, env=env, check=0).stdout)
    assert (stats["missing_images"], stats["not_downloaded_by_choice"]) == (1, 0), stats
    remove(archive)


def test_login_keyring_logout():
    keyring = os.path.join(temp_dir("mja-keyring-"), "keyring")
    with FakeServer("--jobs", "12", "--expired-session") as server:
        env = base_env(server)
        cookie = env.pop("MIDJOURNEY_COOKIE")
        for key in ("MIDJOURNEY_SESSION_TOKEN", "MIDJOURNEY_USER_ID"):
            env.pop(key)
        # libsecret's file backend: a private keyring for the test.
        env.update({"SECRET_BACKEND": "file", "SECRET_FILE_TEST_PATH": keyring, "SECRET_FILE_TEST_PASSWORD": "test"})

        result = cli("login", env=env, input=cookie + "\n", check=0)
        assert server.env["MIDJOURNEY_USER_ID"] in result.stdout, result.stdout
        status = json.loads(cli("status", "--json", env=env, check=0).stdout)
        assert status["signed_in"] and status["user_id"] == server.env["MIDJOURNEY_USER_ID"], status
        with open(keyring, "rb") as f:
            stored = f.read()
        tokens = [part.split("=", 1)[1] for part in cookie.split("; ") if "AuthUserToken" in part]
        assert all(token.encode() not in stored for token in tokens), "the keyring file holds a token in clear"

        # The session from the keyring syncs; its expired token is refreshed
        # and the fresh one kept in the keyring.
        archive = temp_dir()
        cli("sync", "--archive", archive, "--request-interval", "0", env=env, check=0)
        with open(keyring, "rb") as f:
            assert f.read() != stored, "the refreshed session was not kept"

        cli("logout", env=env, check=0)
        assert cli("status", env=env).returncode == 3
        remove(archive)
    remove(os.path.dirname(keyring))


def test_download_only():
    with FakeServer("--jobs", "25") as server:
        env = base_env(server)
        archive = temp_dir()
        cli("sync", "--archive", archive, "--no-download", "--request-interval", "0", env=env, check=0)
        assert not any(p.endswith(".png") for p in archive_files(archive))
        # No credentials needed to fetch images.
        env_no_login = {k: v for k, v in env.items() if not k.startswith("MIDJOURNEY_")}
        result = cli("download", "--archive", archive, env=env_no_login, check=0)
        assert result.stdout.startswith("Download complete: ") and "Sync" not in result.stdout, result.stdout
        assert "new jobs" not in result.stdout, result.stdout
        stats = json.loads(cli("stats", "--json", "--archive", archive, env=env, check=0).stdout)
        assert stats["images"] > 0 and stats["missing_images"] == 0, stats
        remove(archive)


for name, fn in list(globals().items()):
    if name.startswith("test_") and callable(fn):
        tap.check(name[5:].replace("_", " "), fn)
tap.done()
