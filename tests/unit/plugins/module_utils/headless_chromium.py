# -*- coding: utf-8 -*-
"""Headless Chromium for the reports' browser tests (fleet.html, compliance.html, the site report): one runner.

Debian's ``chromium`` package (or chromium-browser / google-chrome) loads a page from a file with background
networking off; ``--dump-dom`` gives the DOM after the page ran, ``--screenshot=`` a PNG for a person to look at.
Tests that need it use ``needs_chromium`` as their ``pytestmark``: without a browser they are skipped, saying how
to install one.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
NO_CHROMIUM = ("no headless Chromium: apt-get install --no-install-recommends chromium fonts-liberation "
               "(the CI path installs it: docs/audit.md, Tests)")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)


def chromium(tmp_path, *args, window_size: str = "1400,2600") -> str:
    """Run headless Chromium with ``args`` and a profile under ``tmp_path``; its stdout (the DOM with --dump-dom)."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           "--user-data-dir=%s" % (tmp_path / "profile"), "--window-size=%s" % window_size, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
