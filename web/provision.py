"""Find, or get, the programs outside Python that `make test` needs: a Chromium for the browser tests and npm for
the offline book; and TeX Live for `make pdf`.

python web/provision.py chromium
    Print the path of a Chromium (or Chrome) binary on stdout. Looked for, in order: $LOSSNOTES_CHROMIUM,
    `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on PATH, Playwright's own download
    cache. When none is found it gets one, saying how: Playwright's `install chromium` (where that can download),
    then Debian's `chromium` package through apt-get (when running as root or with passwordless sudo); otherwise it
    stops with the one command to run.

python web/provision.py npm
    Make sure npm is on PATH: Debian's `npm` package through apt-get when root or passwordless sudo, otherwise stop
    with the command to run.

python web/provision.py texlive
    Make sure the TeX Live that `make pdf` needs is there (xelatex, latexmk, xindy, the LaTeX packages the book's
    class loads, the FreeFont fonts) and poppler's pdftotext for `make test-pdf`: the Debian packages in TEXLIVE
    through apt-get (without recommended packages) when root or passwordless sudo, otherwise stop with the command
    to run. About 600 MB to download, 1.8 GB installed.

Messages go to stderr; the exit status is 0 when the program is there at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# What `make pdf` and `make test-pdf` need: the Debian packages, and what shows each is installed (a program on
# PATH, or a file kpsewhich finds). texlive-fonts-extra is the large one (bbm.sty, which jupyterBook.cls loads).
TEXLIVE = {
    "texlive-xetex": "xelatex",
    "texlive-latex-recommended": "unicode-math.sty",
    "texlive-latex-extra": "newunicodechar.sty",
    "texlive-fonts-recommended": "uhv.map",
    "texlive-fonts-extra": "bbm.sty",
    "latexmk": "latexmk",
    "xindy": "xindy",
    "fonts-freefont-otf": "FreeSerif.otf",
    "poppler-utils": "pdftotext",
}
PLAYWRIGHT_TIMEOUT_S = 300  # a real download takes about a minute; a refused one fails in seconds


def say(message: str) -> None:
    print(f"provision: {message}", file=sys.stderr, flush=True)


def works(binary: str) -> bool:
    """The binary starts (its shared libraries are there) and reports a version."""
    try:
        proc = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def playwright_cache() -> list[str]:
    """Chromium builds that `python -m playwright install chromium` left in its cache, newest first."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")
    found = glob.glob(os.path.join(root, "chromium-*", "chrome-linux*", "chrome"))
    found += glob.glob(os.path.join(root, "chromium_headless_shell-*", "chrome-linux*", "headless_shell"))
    return sorted(found, reverse=True)


def find_chromium() -> str | None:
    explicit = os.environ.get("LOSSNOTES_CHROMIUM")
    if explicit:
        if os.access(explicit, os.X_OK) and works(explicit):
            return explicit
        say(f"LOSSNOTES_CHROMIUM={explicit} is not a working executable; looking elsewhere")
    candidates = [shutil.which(name) for name in NAMES] + playwright_cache()
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and works(candidate):
            return candidate
    return None


def apt_prefix() -> list[str] | None:
    """How to run apt-get as root here: directly, through passwordless sudo, or not at all."""
    if not shutil.which("apt-get"):
        return None
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def apt_install(package: str, *more: str, recommends: bool = True) -> bool:
    prefix = apt_prefix()
    if prefix is None:
        return False
    options = [] if recommends else ["--no-install-recommends"]
    packages = [package, *more]
    command = [*prefix, "apt-get", "install", "-y", *options, *packages]
    say(f"installing Debian's {' '.join(packages)}: {' '.join(command)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    update = subprocess.run([*prefix, "apt-get", "update", "-qq"], env=env)
    install = subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", *options, *packages], env=env)
    return update.returncode == 0 and install.returncode == 0


def chromium() -> int:
    found = find_chromium()
    if found:
        print(found)
        return 0
    say("no Chromium found; trying `python -m playwright install chromium` (downloads Playwright's build)")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "playwright", "install", "chromium"],
            capture_output=True,
            text=True,
            timeout=PLAYWRIGHT_TIMEOUT_S,
        )
        if proc.returncode != 0:
            say("Playwright could not download it: " + (proc.stderr.strip().splitlines() or ["(no message)"])[0])
    except (OSError, subprocess.TimeoutExpired) as error:
        say(f"Playwright could not download it: {error}")
    found = find_chromium()
    if found is None and apt_install("chromium"):
        found = find_chromium()
    if found:
        say(f"using {found}")
        print(found)
        return 0
    say(
        "no Chromium, and none could be installed from here. Run this once, then `make test` again:\n"
        "    sudo apt-get install chromium\n"
        "(or set LOSSNOTES_CHROMIUM to the path of a Chromium or Chrome binary)"
    )
    return 1


def npm() -> int:
    if shutil.which("npm"):
        return 0
    say("npm not found; it vendors MathJax and the widget manager so that the book reads offline")
    if apt_install("npm") and shutil.which("npm"):
        return 0
    say("npm could not be installed from here. Run this once, then `make test` again:\n    sudo apt-get install npm")
    return 1


def texlive_present(probe: str) -> bool:
    if "." not in probe:
        return shutil.which(probe) is not None
    if not shutil.which("kpsewhich"):
        return False
    proc = subprocess.run(["kpsewhich", probe], capture_output=True, text=True)
    return proc.returncode == 0 and bool(proc.stdout.strip())


def texlive() -> int:
    missing = [package for package, probe in TEXLIVE.items() if not texlive_present(probe)]
    if not missing:
        return 0
    say(f"`make pdf` needs TeX Live and poppler; missing: {' '.join(missing)} (all of them: 600 MB to download)")
    if apt_install(*missing, recommends=False) and not any(not texlive_present(TEXLIVE[p]) for p in missing):
        return 0
    say(
        "TeX Live could not be installed from here. Run this once, then `make pdf` again:\n"
        f"    sudo apt-get install --no-install-recommends {' '.join(TEXLIVE)}"
    )
    return 1


if __name__ == "__main__":
    commands = {"chromium": chromium, "npm": npm, "texlive": texlive}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    sys.exit(commands[sys.argv[1]]())
