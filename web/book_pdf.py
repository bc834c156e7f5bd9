"""The book as one PDF: a Sphinx extension (listed in _config.yml under sphinx.local_extensions) and the
configuration `make pdf` builds with.

python web/book_pdf.py config CONFIG OUT
    Write OUT: CONFIG for the PDF, built from the committed notebooks (`execute_notebooks: off`, as the test copy
    of the book: nbval checks in `make test` that they are current), without the HTML-only static folder.

The extension does four things.

- The role ``{book-pdf}`text``` (book/intro.md) links the HTML page to the PDF that `make pdf` left at PDF (below), as a
  Sphinx download (copied into the HTML build). When there is no PDF at build time the page says how to make
  one instead; in the PDF itself the role shows nothing.
- In a LaTeX build a chapter title loses the number it carries ("3. Noise models"), since LaTeX numbers chapters
  itself ("Chapter 3", and 3.1, 3.2 for its sections).
- In a LaTeX build an output that only a browser can show (IPython's Javascript and HTML display objects, such as
  the self-check questions) is left out, instead of printing its repr ("<IPython.core.display.HTML object>").
- In a LaTeX build an explorer shows the frame it opens with (lossnotes.widgets._frames: its output's
  ``image/png``); that PNG carries its alt text and caption as text chunks, which become the image's alt text
  and a figure caption here, so the picture is captioned like every other figure.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PDF = "_build/pdf/lossnotes.pdf"  # where `make pdf` leaves the PDF, relative to the book's root
ALT_KEY, CAPTION_KEY = "lossnotes:alt", "lossnotes:caption"  # as in lossnotes/widgets/_frames.py
CHAPTER_NUMBER = re.compile(r"^\d+\.\s+")  # "3. Noise models"
BROWSER_ONLY = re.compile(r"<IPython\.core\.display\.(Javascript|HTML) object>")  # text/plain of such outputs
HTML_ONLY = ("html_static_path",)  # checked by Sphinx in every build: absent without npm's vendored files


def pdf_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    from docutils import nodes
    from sphinx import addnodes

    env = inliner.document.settings.env
    pdf = Path(env.srcdir) / PDF
    only = addnodes.only(expr="html")
    if pdf.is_file():
        ref = addnodes.download_reference(rawtext, "", refdoc=env.docname, reftarget="/" + PDF, refexplicit=True)
        ref += nodes.Text(text)
        only += ref
        only += nodes.Text(f" ({pdf.stat().st_size / 2**20:.1f} MB).")
    else:
        only += nodes.Text("(No PDF of the book in this build: ")
        only += nodes.literal("make pdf", "make pdf")
        only += nodes.Text(" makes one, and the next ")
        only += nodes.literal("make book", "make book")
        only += nodes.Text(" links it here.)")
    return [only], []


def png_text(path: Path) -> dict:
    """The text chunks of a PNG file ({} for anything else)."""
    if path.suffix.lower() != ".png" or not path.is_file():
        return {}
    from PIL import Image

    with Image.open(path) as img:
        return dict(getattr(img, "text", {}) or {})


def latex_fixes(app, doctree, docname):
    """Chapter titles without their own number, no browser-only reprs, explorers' pictures captioned (LaTeX only)."""
    from docutils import nodes

    if app.builder.format != "latex":
        return
    for title in doctree.findall(nodes.title):
        first = title.children[0] if title.children else None
        if isinstance(title.parent, nodes.section) and isinstance(first, nodes.Text) and CHAPTER_NUMBER.match(first):
            title.replace(first, nodes.Text(CHAPTER_NUMBER.sub("", first, count=1)))
    for block in list(doctree.findall(nodes.literal_block)):
        if "text_plain" in block["classes"] and BROWSER_ONLY.fullmatch(block.astext().strip()):
            block.parent.remove(block)
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("candidates", {}).get("*") or image.get("uri", "")
        text = png_text(Path(app.srcdir) / uri.lstrip("/"))
        if CAPTION_KEY not in text:
            continue
        image["alt"] = text.get(ALT_KEY, "")
        if isinstance(image.parent, nodes.figure):
            continue
        figure = nodes.figure("", image.deepcopy(), nodes.caption(text[CAPTION_KEY], text[CAPTION_KEY]))
        figure["align"] = "center"
        image.replace_self(figure)


def setup(app):
    app.add_role("book-pdf", pdf_role)
    app.connect("doctree-resolved", latex_fixes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def pdf_config(config: Path, out: Path) -> None:
    import yaml

    sys.path.insert(0, str(Path(__file__).parent))
    from vendor import rebase_local_extensions

    data = yaml.safe_load(config.read_text())
    rebase_local_extensions(data, config, out)
    data.setdefault("execute", {})["execute_notebooks"] = "off"
    sphinx_config = data.get("sphinx", {}).get("config", {})
    for key in HTML_ONLY:
        sphinx_config.pop(key, None)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Generated from {config.name} by web/book_pdf.py: the book as one PDF, from the committed outputs.\n"
    out.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "config":
        pdf_config(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(__doc__)
