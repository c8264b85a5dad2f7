"""What every benchmark script shares: its log line, and which collection code it measured."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print("[bench] %s %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def collection_state() -> dict:
    """The collection code measured: the commit, and plugin files that differ from it in the work tree."""
    def git(*argv):
        return subprocess.run(["git", "-C", str(REPO)] + list(argv), capture_output=True, text=True).stdout.strip()
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted_plugin_files": git("status", "--porcelain", "--", "plugins").splitlines()}
