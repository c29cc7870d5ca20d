# mja_atspi.py — drive a running mj-archiver through AT-SPI, as a person would
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for the UI tests: start the app in a private home, find
its accessible objects by role and name, and wait for things to appear."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mja_testlib import Tap  # noqa: E402,F401 — the UI tests take it from here

SKIP = 77


def require_display():
    """Without an X display there is nothing to test; the README's test
    command always provides one and sets MJA_REQUIRE_DISPLAY, so there a
    missing display is a failure, never a silent skip."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if os.environ.get("MJA_REQUIRE_DISPLAY"):
        print("Bail out! no display, but MJA_REQUIRE_DISPLAY is set")
        sys.exit(1)
    print("1..0 # SKIP no display")
    sys.exit(SKIP)


def import_pyatspi():
    try:
        import pyatspi  # noqa: F401
    except ImportError as error:
        print(f"Bail out! pyatspi is missing: {error}")
        sys.exit(1)
    return pyatspi


def pump(seconds):
    """Waits while letting pyatspi take in the events the app sends (new
    windows, changed names): they arrive through GLib's main context."""
    from gi.repository import GLib
    context = GLib.MainContext.default()
    deadline = time.time() + seconds
    while time.time() < deadline:
        while context.pending():
            context.iteration(False)
        time.sleep(0.05)


def stale(error):
    """True for the error of an accessible whose widget GTK has just
    destroyed (a grid cell recycled, a panel row rebuilt): the tree moved
    under the test, which is worth another look, not a failure."""
    from gi.repository import GLib
    return isinstance(error, GLib.Error) and ("no longer exists" in str(error)
                                               or "UnknownObject" in str(error))


def wait_for(predicate, timeout, what):
    """The predicate's first true value, pumping events meanwhile.  A
    predicate that meets an accessible destroyed under it is asked again."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            value = predicate()
        except Exception as error:  # noqa: BLE001 — only stale accessibles are let by
            if not stale(error):
                raise
            value, last = None, error
        if value:
            return value
        pump(0.3)
    raise AssertionError(f"timed out waiting for {what}" + (f" (last: {last})" if last else ""))


class App:
    """The application under test, in a home of its own."""

    def __init__(self, args=(), env=None, unset=(), settings=None, gtk_settings=None):
        self.home = tempfile.mkdtemp(prefix="mja-ui-test-")
        self.env = dict(os.environ)
        self.env.update({
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local/share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "GSETTINGS_BACKEND": os.environ.get("GSETTINGS_BACKEND", "memory"),
            "GTK_A11Y": "atspi",
            "NO_AT_BRIDGE": "0",
        })
        self.env.pop("NO_AT_BRIDGE")
        if env:
            self.env.update(env)
        for key in unset:
            self.env.pop(key, None)
        if settings:
            # GSettings' keyfile backend, preset in the private home.
            folder = os.path.join(self.env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
            os.makedirs(folder)
            with open(os.path.join(folder, "keyfile"), "w", encoding="utf-8") as keyfile:
                keyfile.write("[io/github/mjarchiver/Archiver]\n")
                for key, value in settings.items():
                    keyfile.write(f"{key}={value}\n")
            self.env["GSETTINGS_BACKEND"] = "keyfile"
        if gtk_settings:
            # GTK's own settings.ini, as a desktop's settings daemon would
            # give them (the title buttons, say).
            folder = os.path.join(self.env["XDG_CONFIG_HOME"], "gtk-4.0")
            os.makedirs(folder)
            with open(os.path.join(folder, "settings.ini"), "w", encoding="utf-8") as ini:
                ini.write("[Settings]\n")
                for key, value in gtk_settings.items():
                    ini.write(f"{key}={value}\n")
        self.proc = subprocess.Popen([os.environ["MJA_APP"], *args], env=self.env)
        self.pyatspi = import_pyatspi()

    def application(self, timeout=30):
        """The accessible application object of our process."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited early with {self.proc.returncode}")
            desktop = self.pyatspi.Registry.getDesktop(0)
            try:
                desktop.clear_cache()
            except Exception:
                pass
            for i in range(desktop.childCount):
                app = desktop.getChildAtIndex(i)
                try:
                    if app is not None and app.get_process_id() == self.proc.pid:
                        return app
                except Exception:
                    continue
            pump(0.2)
        raise AssertionError("the app never showed up on the accessibility bus")

    def find(self, role, name, timeout=30, root=None):
        """The first object of that role and name, waiting for it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            base = root or self.application(timeout=max(1, deadline - time.time()))
            found = self.pyatspi.findDescendant(
                base, lambda o: o is not None and o.getRoleName() == role and o.name == name)
            if found is None and base.getRoleName() == role and base.name == name:
                found = base
            if found is not None:
                return found
            pump(0.2)
        raise AssertionError(f"no {role} named {name!r} appeared")

    def window_named(self, title):
        """The app's toplevel window of that title, whatever role AT-SPI
        gives it (a dialog with a web view reaches it as a "filler")."""
        application = self.application()
        for i in range(application.childCount):
            window = application.getChildAtIndex(i)
            if window is not None and window.name == title:
                return window
        return None

    def label_starting(self, prefix, root=None):
        """The first label whose text starts with @prefix, or None."""
        return self.pyatspi.findDescendant(root or self.application(), lambda o: o is not None
                                           and o.getRoleName() == "label" and (o.name or "").startswith(prefix))

    def type_text(self, text):
        """Typed at the keyboard, one character at a time."""
        for character in text:
            self.pyatspi.Registry.generateKeyboardEvent(0, character, self.pyatspi.KEY_STRING)
            pump(0.05)
        pump(0.3)

    def press(self, keysym):
        self.pyatspi.Registry.generateKeyboardEvent(keysym, None, self.pyatspi.KEY_SYM)
        pump(0.3)

    def sign_in_through_the_site(self, email, password, host=None):
        """Sign In…, then the e-mail and password typed into the site's
        form in Sign In to Midjourney, which closes by itself; with @host,
        the dialog must say that host under its title."""
        self.find("push button", "Sign In…").queryAction().doAction(0)
        dialog = wait_for(lambda: self.window_named("Sign In to Midjourney"), 15,
                          "a window named 'Sign In to Midjourney'")
        # The bot check's page solves itself and reloads; the dialog tells
        # which page it shows (its title, for a screen reader).
        page = self.find("filler", "Midjourney's sign-in page", root=dialog)
        wait_for(lambda: page.description == "Sign in — Midjourney", 60, "the site's sign-in form")
        if host is not None:
            self.find("label", host, root=dialog, timeout=5)
        # The keyboard is in the form's e-mail field: a person types at
        # once (as soon as the page has taken in its first look).  Keys
        # that AT-SPI synthesises through a remapped keyboard can be lost
        # while X clients take in the new map; then the site says "Wrong
        # e-mail or password" with an empty form, and the person types again.
        for attempt in range(3):
            pump(1)
            self.type_text(email)
            self.press(0xff09)  # Tab
            self.type_text(password)
            self.press(0xff0d)  # Return
            # The site sets its session cookie; the dialog notices and
            # closes by itself.
            try:
                wait_for(lambda: self.window_named("Sign In to Midjourney") is None, 20,
                         "the sign-in dialog to close by itself")
                return dialog
            except AssertionError:
                if attempt == 2:
                    raise
                print(f"# attempt {attempt + 1}: the dialog stayed; typing again", flush=True)
                wait_for(lambda: page.description == "Sign in — Midjourney", 30, "the site's form again")
        return dialog

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)
