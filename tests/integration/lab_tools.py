# -*- coding: utf-8 -*-
"""What the lab tests share: ``labctl`` on the lab the tests run against (OSFLEET_LAB_DIR, else <repo>/.lab)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))


def labctl(*args, timeout=300):
    """``lab/labctl ARGS`` on that lab; CalledProcessError (with its output) when it fails."""
    subprocess.run(["python3", str(REPO / "lab" / "labctl"), *args], check=True, capture_output=True, text=True,
                   timeout=timeout, env=dict(os.environ, OSFLEET_LAB_DIR=str(LAB_DIR)))
