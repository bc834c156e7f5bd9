"""The book as one PDF (`make pdf`): what a reader of the PDF must find in it.

`make test-pdf` builds the PDF when a source is newer and runs this file with LOSSNOTES_PDF (the PDF) and
LOSSNOTES_PDF_LOG (the LaTeX log). It reads the PDF as a reader would, with poppler (pdftohtml for the text and the
font of each piece of it, pdfimages for the pictures) and pypdf (the bookmarks):

- a bookmark for the front page and every chapter of _toc.yml, in that order, each on the page where the chapter's
  title is printed, and one bookmark under each chapter for each of its sections;
- no raw TeX in the prose (math that did not typeset: `\\frac`, `$$`, `\\(`), no unresolved reference (`??`) or
  role (`{cite}`), no repr of a Python object anywhere (`VBox(`, `<IPython...>`);
- every picture the chapters show, each explorer as the picture of its first frame with its caption;
- every self-check question (book/selfcheck), printed with its options, and each group's answers;
- a page count in the range the book's length allows; in the log, no character missing from the fonts and no line
  wider than the text.

Without LOSSNOTES_PDF (`make test`, which builds no PDF: TeX Live is a 2 GB install) the checks of the PDF are
skipped; the tests of the rules themselves always run, and one of them cuts a chapter out of the real PDF to show
that the checks fail then.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_NUMBER = re.compile(r"^\d+\.\s+")  # "3. Noise models": LaTeX numbers the chapter itself
# what LaTeX adds after the last chapter: the references the chapters cite, the indexes of the API reference
BACK_MATTER = {"Bibliography", "Python Module Index", "Index"}
PAGES_PER_ENTRY = (6, 30)  # the PDF's pages per entry of _toc.yml (measured: 13)
MAX_OVERFULL_PT = 5.0  # a line (an equation, a table, code) sticking out of the text by more than this fails
RAW_TEX = re.compile(r"\\(frac|begin|end|mathrm|mathbb|left|right|sum|int|sqrt)\b|\$\$|\\\(|\\\)|\\\[|\\\]")
LEFTOVERS = re.compile(r"\?\?|\{(cite|doc|ref|numref|eq|download|book-pdf)\}")
REPRS = re.compile(r"\b[VH]Box\(|<IPython|<Figure size|<matplotlib|object at 0x|\bOutput\(|\binteractive\(")
EXPLORER = re.compile(r"\.explorer\(")
EXPLORER_CAPTION = "The explorer set to"  # lossnotes.widgets._frames.Explorer.caption
HIDDEN = {"remove-cell", "remove-output"}  # cells whose outputs the book does not show


# ---- what the sources say the PDF must hold --------------------------------------------------------------------


def toc_files() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]] + [entry["file"] for part in [toc] for entry in part.get("chapters", [])]
    return [next(p for p in (ROOT / f"{n}.ipynb", ROOT / f"{n}.md") if p.exists()) for n in names]


def markdown_of(path: Path) -> list[str]:
    if path.suffix == ".md":
        return [path.read_text()]
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def headings(path: Path, level: int) -> list[str]:
    """The headings of one level, outside code fences, as plain text (no backticks or emphasis)."""
    found = []
    for text in markdown_of(path):
        fenced = False
        for line in text.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and line.startswith("#" * level + " "):
                found.append(re.sub(r"[`*_]", "", line[level + 1 :]).strip())
    return found


def title(path: Path) -> str:
    return CHAPTER_NUMBER.sub("", headings(path, 1)[0])


@dataclass(frozen=True)
class Shown:
    """What the chapters show: pictures (image outputs of cells that are not removed), and explorer cells."""

    images: int
    explorers: int
    explorers_without_picture: tuple


def shown() -> Shown:
    images, explorers, missing = 0, 0, []
    for path in toc_files():
        if path.suffix != ".ipynb":
            continue
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code" or HIDDEN & set(cell.metadata.get("tags", [])):
                continue
            pictures = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            images += len(pictures)
            if EXPLORER.search(cell.source):
                explorers += 1
                if not pictures:
                    missing.append(f"{path.name} cell {index}")
    return Shown(images, explorers, tuple(missing))


# ---- what the PDF holds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bookmark:
    title: str
    page: int  # from 1
    children: int


def bookmarks(pdf: Path) -> list[Bookmark]:
    """The top-level bookmarks, each with its page and the number of bookmarks right under it."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    top, outline = [], reader.outline
    for i, item in enumerate(outline):
        if isinstance(item, list):
            continue
        below = outline[i + 1] if i + 1 < len(outline) and isinstance(outline[i + 1], list) else []
        children = sum(1 for x in below if not isinstance(x, list))
        top.append(Bookmark(" ".join(item.title.split()), reader.get_destination_page_number(item) + 1, children))
    return top


@dataclass(frozen=True)
class Text:
    pages: tuple  # the text of each page, every font
    prose: str  # the text outside code (every font but the monospaced one)


def text(pdf: Path) -> Text:
    """The PDF's text with the font of each piece (poppler's pdftohtml -xml)."""
    out = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf)], capture_output=True, check=True)
    root = ET.fromstring(out.stdout.decode("utf-8", errors="replace"))
    fonts = {f.get("id"): f.get("family", "") for f in root.iter("fontspec")}
    pages, prose = [], []
    for page in root.iter("page"):
        lines = []
        for piece in page.iter("text"):
            line = "".join(piece.itertext())
            lines.append(line)
            if "Mono" not in fonts.get(piece.get("font"), ""):
                prose.append(line)
        pages.append("\n".join(lines))
    return Text(tuple(pages), "\n".join(prose))


def images(pdf: Path) -> int:
    """Pictures drawn in the PDF (poppler's pdfimages -list: one row per use; soft masks are not pictures)."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return sum(1 for row in out.splitlines()[2:] if row.split()[2:3] == ["image"])


def overfull(log: str) -> list[tuple[float, str]]:
    """Lines LaTeX could not fit in the text width: (points too wide, where)."""
    found = re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\) (.*)", log)
    return sorted(((float(pt), where) for pt, where in found), reverse=True)


# ---- the checks, as functions of what was found (so that they can be shown to fail) -----------------------------


def chapter_problems(marks: list[Bookmark], pages: tuple, files: list[Path]) -> list[str]:
    expected = [title(p) for p in files]
    got = [m.title for m in marks]
    problems = []
    if got[: len(expected)] != expected:
        problems.append(f"bookmarks {got} do not start with the chapters of _toc.yml in order: {expected}")
    extra = set(got[len(expected) :]) - BACK_MATTER
    if extra:
        problems.append(f"bookmarks after the last chapter that are not back matter: {sorted(extra)}")
    numbers = [m.page for m in marks]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        problems.append(f"bookmarks do not go forward page by page: {numbers}")
    for mark, path in zip(marks, files, strict=False):
        if mark.title != title(path):
            continue
        page = " ".join(pages[mark.page - 1].split()).casefold() if mark.page <= len(pages) else ""
        if mark.page > 1 and mark.title.casefold() not in page:  # the front page's bookmark names the book
            problems.append(f"{mark.title!r} is bookmarked on page {mark.page}, which does not show that title")
        sections = len(headings(path, 2)) if path != files[0] else 0  # the front page's headings are not sections
        if mark.children != sections:
            problems.append(f"{mark.title!r} has {mark.children} section bookmarks, {path.name} {sections} sections")
    return problems


def text_problems(found: Text) -> list[str]:
    problems = []
    everything = "\n".join(found.pages)
    for pattern, what, where in (
        (RAW_TEX, "raw TeX in the prose (math that did not typeset)", found.prose),
        (LEFTOVERS, "an unresolved reference or role", everything),
        (REPRS, "a repr of a Python object", everything),
    ):
        for match in pattern.finditer(where):
            context = " ".join(where[max(0, match.start() - 40) : match.end() + 40].split())
            problems.append(f"{what}: {match.group(0)!r} in ...{context}...")
    return problems


# ---- the rules, on made-up input: they catch what they are for ---------------------------------------------------


def test_the_text_rules_catch_what_they_are_for():
    def found(prose, code=""):
        return text_problems(Text((prose + "\n" + code,), prose))

    assert found(r"the loss is \frac{1}{2} r^2")
    assert found("where $$ r = y - f $$ holds")
    assert found(r"the gradient \(2r\) is linear")
    assert found("see Fig. ?? for the fit")
    assert found("as shown by {cite}`huber1964`")
    assert found("plain", code="VBox(children=(HBox(...")
    assert found("plain", code="<IPython.core.display.Math object>")
    assert not found("a sentence (with brackets), 25% of the loss, a ≤ b and ℓ(𝑟) = 𝑟²")
    assert not found("plain", code=r'display(Math(r"\frac{a}{b}"))')  # visible code may hold TeX


def test_the_chapter_rules_catch_a_missing_or_misplaced_chapter():
    files = toc_files()
    marks = [Bookmark(title(p), 2 * i + 2, len(headings(p, 2)) if i else 0) for i, p in enumerate(files)]
    pages = ("cover",) + tuple(page for m in marks for page in (m.title.upper(), "more text"))
    assert chapter_problems(marks, pages, files) == []
    assert chapter_problems(marks[:3] + marks[4:], pages, files)  # a chapter missing
    assert chapter_problems([marks[0], marks[2], marks[1], *marks[3:]], pages, files)  # two swapped
    wrong = [*marks[:2], Bookmark(marks[2].title, marks[2].page, marks[2].children + 1), *marks[3:]]
    assert chapter_problems(wrong, pages, files)  # a section without its bookmark (or one too many)
    assert chapter_problems([*marks, Bookmark("VBox(children=...)", 999, 0)], pages, files)


def test_an_explorer_output_carries_its_first_frame_as_a_captioned_picture():
    """What the PDF shows of an explorer: the image/png beside the widget view, with alt text and caption."""
    import base64
    import io

    pytest.importorskip("ipywidgets")
    from PIL import Image

    from lossnotes import plots
    from lossnotes.widgets import _frames

    def draw(target, *, x):
        ax = target.add_subplot(1, 2, 1) if not target.axes else target.axes[0]
        right = target.add_subplot(1, 2, 2) if len(target.axes) < 2 else target.axes[1]
        for a in (ax, right):
            a.clear()
            a.plot([0.5], [x], "o", color=plots.COLORS[0])
            a.set(ylim=(0, 4))
        return _frames.View(alt=(f"Left: a dot at {x}.", f"Right: a dot at {x}."), readout=f"x = {x}.")

    control = _frames.Control("x", "height x", (("one", 1), ("two", 2), ("three", 3)), 2)
    ex = _frames.build(draw, [control], size=(4.0, 2.0))
    data = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data  # the HTML book and Jupyter show the widget
    frame = ex.frames[(1,)]
    assert data["text/plain"] == frame.alt == "Left: a dot at 2. Right: a dot at 2."
    img = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert img.size == frame.size == (400, 200)
    whole = np.asarray(img.convert("RGB"))
    tiles = [np.asarray(Image.open(io.BytesIO(t.png)).convert("RGB")) for t in frame.tiles]
    assert len(tiles) == 2 and np.array_equal(whole, np.concatenate(tiles, axis=1))  # the tiles, exactly
    assert img.text[_frames.ALT_KEY] == frame.alt
    assert (
        img.text[_frames.CAPTION_KEY]
        == ex.caption()
        == "The explorer set to height x: two. x = 2. "
        + ("In the HTML book and in Jupyter its controls show every other setting.")
    )
    ex.controls[0].index = 0  # as the browser does, through the link, in a live kernel
    ex.stack.selected_index = 0
    assert ex._repr_mimebundle_()["text/plain"] == ex.frames[(0,)].alt  # the picture follows the frame shown


# ---- the PDF ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf() -> Path:
    path = os.environ.get("LOSSNOTES_PDF")
    if not path:
        pytest.skip("no PDF given: `make test-pdf` builds the book as one PDF and runs these tests on it")
    assert Path(path).is_file(), f"LOSSNOTES_PDF={path} is not a file: run `make pdf`"
    for tool in ("pdftohtml", "pdfimages"):
        assert shutil.which(tool), f"{tool} (Debian's poppler-utils) is missing: `python web/provision.py texlive`"
    return Path(path)


@pytest.fixture(scope="module")
def found(pdf) -> Text:
    return text(pdf)


def test_every_chapter_is_bookmarked_in_order_with_its_sections(pdf, found):
    problems = chapter_problems(bookmarks(pdf), found.pages, toc_files())
    assert not problems, "\n".join(problems)


def test_math_is_typeset_references_resolved_and_no_repr_is_printed(found):
    problems = text_problems(found)
    assert not problems, "\n".join(problems[:20])


def test_every_picture_and_every_explorer_is_there(pdf, found):
    want = shown()
    assert not want.explorers_without_picture, (
        f"explorers whose committed output has no picture of their first frame: {want.explorers_without_picture}; "
        "execute those chapters again (make notebooks NB=...)"
    )
    assert images(pdf) == want.images, f"{images(pdf)} pictures in the PDF, the chapters show {want.images}"
    captions = sum(page.count(EXPLORER_CAPTION) for page in found.pages)
    assert captions == want.explorers, f"{captions} explorer captions in the PDF, for {want.explorers} explorers"


def _letters(text):
    """Text as compared across a PDF's line breaks: letters and digits only (LaTeX hyphenates and ligates)."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def missing_questions(pages: tuple) -> list[str]:
    """Self-check questions (book/selfcheck/*.json) whose text the PDF does not print, and the count of printed
    answer lists against the groups of questions."""
    import json

    everything = _letters(" ".join(pages))
    missing, groups = [], 0
    for path in sorted((ROOT / "book" / "selfcheck").glob("*.json")):
        for group, questions in json.loads(path.read_text(encoding="utf-8"))["groups"].items():
            groups += 1
            missing += [f"{path.name} {group}: {q['question'][:60]}" for q in questions
                        if _letters(q["question"]) not in everything]  # fmt: skip
    answers = sum(page.count("Answers.") for page in pages)
    if answers != groups:
        missing.append(f"{answers} printed answer lists for {groups} groups of questions")
    return missing


def test_the_question_rule_catches_a_missing_question():
    import json

    first = json.loads(next((ROOT / "book" / "selfcheck").glob("01_*.json")).read_text(encoding="utf-8"))
    question = next(iter(first["groups"].values()))[0]["question"]
    assert any(question[:40] in m for m in missing_questions(("no questions here",)))


def test_every_self_check_question_is_printed_with_its_answers(found):
    """Where the quiz cannot run, the reader still finds each question, its options and the answers."""
    missing = missing_questions(found.pages)
    assert not missing, "\n".join(missing[:20])


def test_the_page_count_fits_the_book(found):
    entries = len(toc_files())
    low, high = (n * entries for n in PAGES_PER_ENTRY)
    assert low <= len(found.pages) <= high, f"{len(found.pages)} pages for {entries} entries of _toc.yml"


def test_no_character_is_missing_and_nothing_sticks_out():
    path = os.environ.get("LOSSNOTES_PDF_LOG")
    if not path:
        pytest.skip("no LaTeX log given: `make test-pdf` passes it")
    log = Path(path).read_text(errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font ([^!/]+)", log)))
    assert not missing, f"characters the fonts lack (add them to latex_elements.preamble in _config.yml): {missing}"
    wide = [(pt, where) for pt, where in overfull(log) if pt > MAX_OVERFULL_PT]
    assert not wide, f"lines wider than the text by more than {MAX_OVERFULL_PT} pt: {wide[:10]}"
    undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation) `([^']*)' on page \d+ undefined", log)
    assert not undefined, f"references LaTeX could not resolve: {sorted(set(undefined))}"


def test_a_pdf_without_a_chapter_fails(pdf, tmp_path):
    """The checks above fail on the real PDF with one chapter's pages cut out."""
    from pypdf import PdfReader, PdfWriter

    marks = bookmarks(pdf)
    cut = marks[3]  # the third chapter after the front page
    keep = [i for i in range(len(PdfReader(pdf).pages)) if not cut.page - 1 <= i < marks[4].page - 1]
    writer = PdfWriter()
    writer.append(str(pdf), pages=keep, import_outline=True)
    short = tmp_path / "short.pdf"
    with short.open("wb") as f:
        writer.write(f)
    cut_text = text(short)
    problems = chapter_problems(bookmarks(short), cut_text.pages, toc_files())
    assert any(cut.title in p for p in problems), problems
    assert images(short) < images(pdf)
