"""The committed notebooks are what the book is built from, so they must be executed and portable.

`make test` builds the test copy of the book from the committed notebooks without executing them (nbval executes
each chapter once, in the same run, and compares the cells tagged `nbval-check-output` with their committed
outputs). That is only sound if every chapter was committed after a full run: every code cell has an execution
count, in order from 1 (Restart & Run All), and the explorers' widget state is saved.

Checked outputs must also hold on every CPU and BLAS (CONTRIBUTING.md, "Checked outputs are portable"). A rule that
nbval's byte-for-byte comparison cannot see on one machine is checked here: a number in a checked output carries at
most MAX_DIGITS significant digits (integers excepted; float64 sums and BLAS reductions agree across kernels to far
more than that, away from a rounding boundary), and a number below TINY in size is stated as a bound
("below 1e-12"), never printed as measured (a rounding-level difference is 1.1e-16 on one machine and 2.2e-16 on
another). `make test-portable` runs nbval under other CPU kernels for what a digit count cannot catch.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
EXPLORER_CHAPTERS = {"03_noise_models", "05_output_units", "06_margins", "10_generative_models"}
COMPARED = sorted((ROOT / "exercises" / "source").glob("[0-9][0-9]_*.ipynb")) + CHAPTERS

MAX_DIGITS = 6
TINY = 1e-12
NUMBER = re.compile(r"(?<![\w.])[-+\u2212]?(?P<mantissa>\d+\.\d*|\.\d+|\d+)(?P<exponent>[eE][-+\u2212]?\d+)?(?![\w.])")
BOUND = re.compile(r"(<|≤|<=|\bbelow|\bunder|\bless than|\bat most|\bsmaller than|\bwithin|\bup to)\s*\S{0,2}$", re.I)
TEXT_MIMES = ("text/plain", "text/markdown", "text/latex")


def checked(cell):
    """nbval compares this cell's output (a tag, or the legacy comment marker, which nbval also reads)."""
    tags = cell.metadata.get("tags", [])
    return "nbval-check-output" in tags or any(
        line.strip().lstrip("#").strip() == "NBVAL_CHECK_OUTPUT" for line in cell.source.splitlines()
    )


def output_text(cell):
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        for mime in TEXT_MIMES:
            value = output.get("data", {}).get(mime)
            if value:
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def significant_digits(mantissa):
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits) if digits else 1


def unportable_numbers(text):
    """The numbers in `text` that a machine with other CPU kernels may print differently: (number, reason)."""
    found = []
    for match in NUMBER.finditer(text):
        mantissa, exponent = match.group("mantissa"), match.group("exponent")
        if "." not in mantissa and not exponent:
            continue  # an integer: a count, an index, a label
        value = float(match.group(0).replace("\u2212", "-"))
        digits = significant_digits(mantissa)
        if value != 0 and abs(value) < TINY and not BOUND.search(text[max(0, match.start() - 24) : match.start()]):
            found.append(
                (match.group(0), f"a rounding-level number printed as measured (state it as a bound: 'below {TINY:g}')")
            )
        elif digits > MAX_DIGITS:
            found.append((match.group(0), f"{digits} significant digits (at most {MAX_DIGITS})"))
    return found


def test_the_rule_catches_unportable_outputs():
    # what the three failures of issue 9 printed, and what a portable cell prints instead
    assert unportable_numbers("largest difference: 1.1e-16")
    assert unportable_numbers("held-out NLL -0.4327139")
    assert unportable_numbers("scale 1.812834e+05")
    assert unportable_numbers("0.30000000000000004")
    assert unportable_numbers("differ by 2.2e−16 at most")  # the bound must come before the number
    assert not unportable_numbers("largest difference below 1e-12")
    assert not unportable_numbers("largest difference < 1e-15 (the same to rounding)")
    assert not unportable_numbers("held-out NLL -0.43, converged in fewer than 20 steps, 40 points, seed 7")
    assert not unportable_numbers("a = 2σ² at σ = 1.00, 2.02; 1.81e+05 events")
    assert not unportable_numbers("version 3.9.0 of matplotlib; x2 = 0")
    found = unportable_numbers("0.1234567 and 12.50 and 0.00123 and 1.000000 and 100.0000 and -13.2336")
    assert [number for number, _ in found] == ["0.1234567", "1.000000", "100.0000"]


@pytest.mark.parametrize("path", COMPARED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_checked_outputs_are_portable(path):
    nb = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and checked(cell):
            problems += [f"cell {index}: {number!r}: {why}" for number, why in unportable_numbers(output_text(cell))]
    assert not problems, f"{path.name}: checked outputs that depend on the machine:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_was_committed_after_a_full_run(path):
    nb = nbformat.read(path, as_version=4)
    code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    missing = [index for index, cell in code if cell.get("execution_count") is None]
    assert not missing, (
        f"{path.name}: code cells {missing} were never run; the book is built from the committed outputs. "
        f"Run `.venv/bin/jupyter nbconvert --to notebook --execute --inplace {path.relative_to(ROOT)}`."
    )
    counts = [cell.execution_count for _, cell in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}: the outputs do not come from one run from "
        "the top in a fresh kernel (Restart & Run All, or nbconvert --execute)."
    )
    if path.stem in EXPLORER_CHAPTERS:
        state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state")
        assert state, f"{path.name}: the explorer's widget state is not saved in the notebook's metadata"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_test_markers_are_tags_not_comments(path):
    nb = nbformat.read(path, as_version=4)
    marked = [
        i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and re.search(r"#\s*NBVAL_", cell.source)
    ]
    assert not marked, f"{path.name}: cells {marked} carry an NBVAL comment; use the cell tags nbval-check-output etc."


VOLATILE = ("execution", "ExecuteTime")


@pytest.mark.parametrize("path", COMPARED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_volatile_metadata_is_committed(path):
    """Execution timestamps change on every run; committed, they turn every re-run into a diff of every cell.
    book/execute.py (make notebooks) runs a notebook without writing them."""
    nb = nbformat.read(path, as_version=4)
    stamped = [i for i, cell in enumerate(nb.cells) if any(k in cell.metadata for k in VOLATILE)]
    assert not stamped, (
        f"{path.name}: cells {stamped[:8]} carry execution timestamps; re-run it with "
        f"`.venv/bin/python book/execute.py {path.relative_to(ROOT)}`, or remove them (book/execute.py strip_volatile)"
    )


HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input"}
# lines of hidden code in the whole book (CONTRIBUTING.md, "What chapters call"), and in any one chapter: about
# 280 lines a chapter for ten chapters, with room for the depth sections that chapters 3-7 carry
HIDDEN_BUDGET = 3000
CHAPTER_BUDGET = 460


def hidden_lines(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and HIDDEN_TAGS & set(c.metadata.get("tags", []))]
    return sum(len(c.source.splitlines()) for c in cells)


def test_hidden_code_stays_within_the_budget():
    per_chapter = {p.stem: hidden_lines(p) for p in CHAPTERS}
    total = sum(per_chapter.values())
    assert total <= HIDDEN_BUDGET, f"{total} lines of hidden code (budget {HIDDEN_BUDGET}): {per_chapter}"
    heavy = {name: n for name, n in per_chapter.items() if n > CHAPTER_BUDGET}
    assert not heavy, f"chapters over {CHAPTER_BUDGET} hidden lines: {heavy}; move repeated code into the library"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_has_a_written_caption_and_alt_text(path):
    """A figure's caption and alt text are sentences for a reader, not placeholders or file names."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("mystnb", {})
        for what, text in (
            ("caption", meta.get("figure", {}).get("caption")),
            ("alt", meta.get("image", {}).get("alt")),
        ):
            if text is None:
                continue
            words = re.findall(r"[A-Za-z]{2,}", text)
            if len(words) < 6 or re.fullmatch(r"[A-Z0-9_ ]+", text.strip()) or re.search(r"\.(png|svg|jpg)\b", text):
                problems.append(f"cell {i}: {what} {text[:60]!r}")
    assert not problems, f"{path.name}: figures whose words are not written for a reader: {problems}"
