"""
The peers' virtualenv: created once under ``benchmarks/.venv`` and reused.

It holds stemimmune (an editable install of this repository, so every run measures
the current source) and the peers the benchmark compares it with. The peers are never
dependencies of stemimmune itself. The venv is rebuilt when the peer list, the Python
version or ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from typing import Final, TextIO


HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parent
VENV: Final = HERE / ".venv"
#: Peers installed from PyPI; installation fails the run if one cannot be had.
PEERS: Final = ("pydantic>=2", "msgspec", "pycountry", "bioregistry")
#: Peers installed only from binary wheels, and only if that works quickly: the run goes on without them.
#: (pyhpo is left out: it installs a module of the same name as hpo3's, and re-parses its data for 14 s.)
OPTIONAL: Final = ("hpo3",)
_STAMP: Final = VENV / "benchmark-stamp.json"


def installed_version(distribution: str) -> str | None:
    """The installed version of *distribution* in this interpreter, or None if it is not installed."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def python() -> Path:
    """The venv's interpreter."""
    return VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def inside() -> bool:
    """Whether this process runs in the peers' venv."""
    return Path(sys.prefix).resolve() == VENV.resolve()


def _wanted_stamp() -> dict[str, str]:
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    return {
        "python": sys.version,
        "peers": " ".join(PEERS),
        "optional": " ".join(OPTIONAL),
        "pyproject_sha256": hashlib.sha256(pyproject).hexdigest(),
    }


def _stemimmune_is_ours() -> bool:
    probe = "import stemimmune, sys; sys.stdout.write(stemimmune.__file__)"
    found = subprocess.run([python(), "-c", probe], capture_output=True, text=True, check=False, cwd=HERE.anchor)
    expected = (ROOT / "src" / "stemimmune" / "__init__.py").resolve()
    return found.returncode == 0 and Path(found.stdout).resolve() == expected


def _pip(*args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(python()), "-m", "pip", "--disable-pip-version-check", "--quiet", "install", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)


def ensure(log: TextIO = sys.stderr) -> Path:
    """Create the venv if it is missing or stale, and return its interpreter."""
    wanted = _wanted_stamp()
    if python().exists() and _STAMP.exists():
        try:
            current = json.loads(_STAMP.read_text(encoding="utf-8"))
        except ValueError:
            current = None
        if current == wanted and _stemimmune_is_ours():
            return python()
    print(f"benchmarks: building the peers' virtualenv in {VENV} (once) ...", file=log, flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    installed = _pip("-e", str(ROOT), *PEERS)
    if installed.returncode != 0:
        sys.stderr.write(installed.stdout + installed.stderr)
        msg = f"could not install stemimmune and the peers ({', '.join(PEERS)}) into {VENV}"
        raise SystemExit(msg)
    for optional in OPTIONAL:
        try:
            done = _pip("--only-binary=:all:", optional, timeout=180)
        except subprocess.TimeoutExpired:
            done = None
        if done is None or done.returncode != 0:
            print(f"benchmarks: {optional} not installed (no quick wheel); measuring without it", file=log)
    _STAMP.write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")
    return python()
