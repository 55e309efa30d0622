"""`make lock-check`: fail when pyproject.toml (or requirements/tools.in) and the lock files
disagree, that is when `make lock` would change a pinned version.

Each lock is compiled again into a scratch copy of itself (uv keeps the versions it finds
there wherever the sources still admit them, so a release published since does not count
as a disagreement) and the two are compared pin by pin: name, version and environment
marker. Hashes are not compared: a release can gain a wheel for a new platform after it was
locked, and `pip install --require-hashes` already refuses any file whose hash is not in
the lock.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.executable).parent / "uv"
LOCKS = {
    "requirements/run.txt": ["pyproject.toml"],
    "requirements/dev.txt": ["pyproject.toml", "--extra", "dev"],
    "requirements/tools.txt": ["requirements/tools.in"],
}
COMPILE = ["pip", "compile", "--quiet", "--generate-hashes", "--universal"]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+==[^\s\\]+(?: ;[^\\]+)?)", re.MULTILINE)


def pins(text: str) -> set[str]:
    return {match.strip().lower() for match in PIN.findall(text)}


def main() -> int:
    disagreements = 0
    with tempfile.TemporaryDirectory() as scratch:
        for lock, sources in LOCKS.items():
            copy = Path(scratch) / Path(lock).name
            shutil.copy(ROOT / lock, copy)
            subprocess.run(
                [str(UV), *COMPILE, "--python-version", "3.11", *sources, "-o", str(copy)],
                cwd=ROOT,
                check=True,
            )
            locked, wanted = pins((ROOT / lock).read_text()), pins(copy.read_text())
            if locked == wanted:
                print(f"{lock}: agrees ({len(locked)} pins)")
                continue
            disagreements += 1
            print(f"{lock}: disagrees with {' '.join(sources)}; run `make lock` and commit:")
            for line in sorted(locked - wanted):
                print(f"  - {line}")
            for line in sorted(wanted - locked):
                print(f"  + {line}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
