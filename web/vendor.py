"""Put the book's JavaScript where the HTML build finds it, or say that the book will use CDNs instead.

python web/vendor.py copy OUTDIR
    Copy the parts of the npm packages in web/node_modules (installed by `npm ci`) that the pages load into
    OUTDIR/offline/. OUTDIR is listed in html_static_path (_config.yml), so Sphinx copies it into
    _build/html/_static/, where mathjax_path and nb_ipywidgets_js point.

python web/vendor.py cdn-config CONFIG OUT
    Write OUT: CONFIG without the two settings that point at the vendored files (mathjax_path,
    nb_ipywidgets_js), so that Sphinx and myst-nb fall back to their CDN defaults, and copy the book's own
    stylesheet into the static folder. The Makefile builds with `jupyter-book build --config OUT` when npm is
    not installed.

python web/vendor.py test-config CONFIG OUT
    Write OUT: CONFIG with `execute_notebooks: off`, for the test copy of the book, which is built from the
    committed notebooks (nbval executes them in the tests and checks their outputs are current).

Both copy and cdn-config put web/lossnotes.css (the book's own stylesheet, listed in html_css_files) at the top
of the static folder.
"""

import os
import shutil
import sys
from pathlib import Path

import yaml

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"

# source (relative to node_modules) -> destination (relative to OUTDIR/offline)
FILES = {
    # MathJax 3: the TeX+MathML input / CommonHTML output bundle (Sphinx's default), and what it loads on demand:
    # TeX extensions (autoload, \require), the CHTML web fonts, the menu, and the accessibility tools.
    "mathjax/es5/tex-mml-chtml.js": "mathjax/tex-mml-chtml.js",
    "mathjax/es5/input/tex/extensions": "mathjax/input/tex/extensions",
    "mathjax/es5/output/chtml/fonts/woff-v2": "mathjax/output/chtml/fonts/woff-v2",
    "mathjax/es5/ui": "mathjax/ui",
    "mathjax/es5/a11y": "mathjax/a11y",
    "mathjax/es5/sre": "mathjax/sre",
    "mathjax/LICENSE": "mathjax/LICENSE",
    # require.js, which the AMD build of the widget manager needs
    "requirejs/require.js": "requirejs/require.js",
    # the Jupyter widget manager for pages without a kernel: renders the widget state embedded in the page
    "@jupyter-widgets/html-manager/dist/embed-amd.js": "html-manager/embed-amd.js",
}
# its icon fonts (Font Awesome), which it looks up next to its own module; see widgets-offline.js
FONTS = ("woff2", "woff")  # every browser that runs the manager reads these; the .eot/.ttf/.svg copies are legacy
# written here, not from npm: configures require.js and MathJax for the widget manager
OWN_FILES = {"widgets-offline.js": "widgets-offline.js"}
# the book's own stylesheet, outside offline/ because the CDN build needs it too
STYLESHEET = Path(__file__).resolve().parent / "lossnotes.css"

VENDORED_SETTINGS = ("mathjax_path", "nb_ipywidgets_js")


def copy_stylesheet(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(STYLESHEET, outdir / STYLESHEET.name)


def copy(outdir: Path) -> None:
    if not NODE_MODULES.is_dir():
        sys.exit(f"{NODE_MODULES} is missing: run `npm ci` in web/ first")
    offline = outdir / "offline"
    if offline.exists():
        shutil.rmtree(offline)
    for src, dst in FILES.items():
        source, target = NODE_MODULES / src, offline / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    for font in sorted((NODE_MODULES / "@jupyter-widgets/html-manager/dist").iterdir()):
        if font.suffix.lstrip(".") in FONTS:
            shutil.copy2(font, offline / "html-manager" / font.name)
    for src, dst in OWN_FILES.items():
        shutil.copy2(Path(__file__).resolve().parent / src, offline / dst)
    copy_stylesheet(outdir)
    size = sum(f.stat().st_size for f in offline.rglob("*") if f.is_file())
    print(f"vendored MathJax, require.js and the widget manager into {offline} ({size / 2**20:.1f} MiB)")


def cdn_config(config: Path, out: Path) -> None:
    data = yaml.safe_load(config.read_text())
    rebase_local_extensions(data, config, out)
    sphinx_config = data.get("sphinx", {}).get("config", {})
    for key in VENDORED_SETTINGS:
        sphinx_config.pop(key, None)
    for static in sphinx_config.get("html_static_path", []):
        copy_stylesheet(Path(static))
    out.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Generated from {config.name} by web/vendor.py: the same book, loading its JavaScript from CDNs.\n"
    out.write_text(header + yaml.safe_dump(data, sort_keys=False))


def rebase_local_extensions(data: dict, config: Path, out: Path) -> None:
    """Jupyter Book finds local extensions relative to the configuration file: keep them found from OUT."""
    local = data.get("sphinx", {}).get("local_extensions") or {}
    for name, path in local.items():
        local[name] = os.path.relpath((config.parent / path).resolve(), out.parent.resolve())


def unexecuted_config(config: Path, out: Path) -> None:
    data = yaml.safe_load(config.read_text())
    rebase_local_extensions(data, config, out)
    data.setdefault("execute", {})["execute_notebooks"] = "off"
    out.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Generated from {config.name} by web/vendor.py: the same book, from the committed outputs.\n"
    out.write_text(header + yaml.safe_dump(data, sort_keys=False))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "copy":
        copy(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "cdn-config":
        cdn_config(Path(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "test-config":
        unexecuted_config(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(__doc__)
