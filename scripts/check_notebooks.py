#!/usr/bin/env python3
"""Check the Jupyter notebooks Persona exports (`--notebook`), without Jupyter.

    python3 scripts/check_notebooks.py [--no-execute] NOTEBOOK.ipynb [NOTEBOOK.ipynb ...]

For every notebook:

1. Format: the file declares nbformat 4, `nbformat.read(..., as_version=4)`
   reads it and `nbformat.validate` accepts it against the nbformat schema
   (a notebook that fails here may not open in Jupyter at all).
2. Unexecuted and self-consistent: every code cell has execution_count None
   (the export ships code that has not been run, with pre-rendered figures),
   and every figure output (image/svg+xml, image/png, ...) is non-empty; SVG
   figures must be well-formed XML, since Jupyter shows them as images.
3. Portable paths: a relative path in the code must not climb all the way
   to the filesystem root ("../../../../work/main/..." from a folder four
   levels deep): that is an absolute path in disguise, which breaks as soon
   as the repository or the export folder is somewhere else.
4. Runs (skipped with --no-execute): the code cells are executed in order in
   one fresh namespace with the working directory set to the notebook's
   folder, Jupyter-style: when a cell ends in an expression, that expression
   is evaluated and its repr (and _repr_html_, as Jupyter would display it)
   computed. This proves the pandas code runs against the files next to the
   notebook. Warnings raised by cells are printed, not counted as failures.
5. Same projection (with 4): the projection cell recomputes the principal
   components with numpy into `pcs`, whose column names carry each component's
   share of the variance ("component 1 (27.5%)"); they must equal the shares on
   the pre-rendered figure's axes ("component 1 (27.5% of the variance)"), i.e.
   the code rebuilds and scales the features as Persona did. Within 0.5
   percentage points: above 20,000 customers Persona fits the figure's PCA on a
   seeded sample and the code on everyone (up to 20,000 they are equal).

One summary line per notebook is printed; the exit status is 1 if any check
failed (each failure names the notebook and cell, with the exception), 2 on
usage errors or when nbformat is missing.
"""

import argparse
import ast
import contextlib
import io
import json
import linecache
import os
import re
import signal
import sys
import time
import traceback
import warnings
import xml.etree.ElementTree as ET

import check_summary  # scripts/check_summary.py, beside this script

try:
    import nbformat
except ImportError:  # an environment problem, not a notebook problem
    print(f"check_notebooks.py: nbformat is not installed for {sys.executable} (pip install nbformat)",
          file=sys.stderr)
    sys.exit(2)


class CellTimeout(Exception):
    pass


def cell_label(index, cell):
    """How failures name a cell: its position (1-based, counting all cells) and its id."""
    cell_id = cell.get("id")
    return f"cell {index + 1}" + (f" (id {cell_id})" if cell_id else "")


def source_text(value):
    """Notebook text fields are a string or a list of strings."""
    return "".join(value) if isinstance(value, list) else (value or "")


# --- static checks -------------------------------------------------------------

def check_format(path):
    """(1) Returns (notebook or None, failures)."""
    failures = []
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        return None, [f"cannot read the notebook as JSON: {e}"]
    if raw.get("nbformat") != 4:
        failures.append(f"nbformat is {raw.get('nbformat')!r}, expected 4")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # nbformat raises several types here
        return None, failures + [f"nbformat.read failed: {type(e).__name__}: {e}"]
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        failures.append(f"nbformat.validate: {e.message}")
    return nb, failures


def check_cells(nb):
    """(2) Returns (failures, number of figure outputs)."""
    failures, figures = [], 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        label = cell_label(index, cell)
        if cell.get("execution_count") is not None:
            failures.append(f"{label}: execution_count is {cell.execution_count}, expected None")
        for n, output in enumerate(cell.get("outputs", []), 1):
            for mime, data in output.get("data", {}).items():
                if not mime.startswith("image/"):
                    continue
                figures += 1
                text = source_text(data).strip()
                if not text:
                    failures.append(f"{label}, output {n}: empty {mime} figure")
                elif mime == "image/svg+xml":
                    try:
                        root = ET.fromstring(text)
                    except ET.ParseError as e:
                        failures.append(f"{label}, output {n}: image/svg+xml is not well-formed XML ({e})")
                        continue
                    if root.tag.rsplit("}", 1)[-1] != "svg":
                        failures.append(f"{label}, output {n}: image/svg+xml root element is <{root.tag}>")
    return failures, figures


def check_paths(nb, folder):
    """(3) Relative paths in string literals must not climb above "/"."""
    failures = []
    depth = len([p for p in os.path.abspath(folder).split(os.sep) if p])
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(source_text(cell.source))
        except SyntaxError:
            continue  # reported when the cell is executed
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("../"):
                ups = 0
                for part in node.value.split("/"):
                    if part != "..":
                        break
                    ups += 1
                if ups >= depth:
                    failures.append(f"{cell_label(index, cell)}: path {node.value!r} climbs {ups} levels from "
                                    f"{os.path.abspath(folder)} ({depth} deep) to the filesystem root: it is "
                                    f"the absolute path {os.path.normpath(os.path.join(folder, node.value))} "
                                    "in disguise and breaks when the folder moves")
    return failures


# --- execution -------------------------------------------------------------------

def show(value):
    """What Jupyter does to display a value: its repr, and its HTML when it has one."""
    if value is not None:
        repr(value)
        if hasattr(value, "_repr_html_"):
            value._repr_html_()


def run_cell(code, filename, namespace):
    """Execute one cell like Jupyter: a trailing expression is evaluated and displayed (repr)."""
    # Let tracebacks show the cell's lines, as they would for a file.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    tree = ast.parse(code, filename=filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        show(eval(compile(ast.Expression(last.value), filename, "eval"), namespace))


def cell_traceback(exc, filename):
    """The traceback lines from the cell itself (not pandas' internals), then the exception."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    lines = [f"line {f.lineno}: {f.line}" for f in frames]
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        lines.append(f"line {exc.lineno}: {(exc.text or '').strip()}")
    return lines + [f"{type(exc).__name__}: {exc}"]


def execute(nb, path, timeout):
    """(4) Run every code cell; returns (failures, warnings, cells run, the namespace they ran in)."""
    failures, notes, ran = [], [], 0
    folder = os.path.dirname(os.path.abspath(path))
    # display() is one of IPython's builtins in Jupyter.
    namespace = {"__name__": "__main__", "__file__": os.path.join(folder, "__notebook__.py"), "display": show}
    cwd = os.getcwd()

    def on_alarm(signum, frame):
        raise CellTimeout(f"cell did not finish within {timeout:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    os.chdir(folder)
    try:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            code = source_text(cell.source)
            label = cell_label(index, cell)
            filename = f"<{os.path.basename(path)} {label}>"
            if any(line.lstrip().startswith(("%", "!")) for line in code.splitlines()):
                failures.append(f"{label}: uses IPython magics or shell escapes, which need Jupyter to run")
                break
            output = io.StringIO()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                        run_cell(code, filename, namespace)
                except Exception as e:  # the notebook's code failed: report it and stop, as later cells depend on it
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    details = "\n      ".join(cell_traceback(e, filename))
                    code_block = "\n      | ".join(code.splitlines())
                    failures.append(f"{label} raised:\n      {details}\n    code:\n      | {code_block}")
                    break
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            ran += 1
            for w in caught:
                where = f"line {w.lineno}" if w.filename == filename else os.path.basename(w.filename)
                notes.append(f"{label} ({where}): {w.category.__name__}: {w.message}")
    finally:
        os.chdir(cwd)
        signal.signal(signal.SIGALRM, previous)
    return failures, notes, ran, namespace


# English "component 1 (27.5% of the variance)", Chinese "主成分 1（解释 27.5% 方差）".
AXIS_SHARE_RE = re.compile(r"(?:component|主成分) ([12]) ?[(（](?:解释 )?([0-9.]+)% (?:of the variance|方差)")
CODE_SHARE_RE = re.compile(r"component ([12]) \(([0-9.]+)%\)")


def check_projection(nb, namespace):
    """(5) The shares in `pcs`' column names equal those on the projection figure's axes."""
    figures = "".join("".join(o.get("data", {}).get("image/svg+xml", []))
                      for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    drawn = dict(AXIS_SHARE_RE.findall(figures))
    pcs = namespace.get("pcs")
    if not hasattr(pcs, "columns"):
        return [f"a projection figure (axes {drawn}) but no code computing `pcs`"] if drawn else []
    computed = dict(m.groups() for m in map(CODE_SHARE_RE.fullmatch, map(str, pcs.columns)) if m)
    if drawn.keys() != computed.keys() or any(abs(float(drawn[c]) - float(computed[c])) > 0.5 for c in drawn):
        return [f"the projection code's variance shares {computed} differ from the figure's axes {drawn}"]
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK.ipynb")
    parser.add_argument("--no-execute", action="store_true", help="only validate; do not run the code cells")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one cell may run (default 300)")
    args = parser.parse_args()

    all_failures = []
    for path in args.notebooks:
        start = time.monotonic()
        nb, failures = check_format(path)
        summary = "unreadable"
        if nb is not None:
            cell_failures, figures = check_cells(nb)
            failures += cell_failures + check_paths(nb, os.path.dirname(os.path.abspath(path)))
            code_cells = sum(c.cell_type == "code" for c in nb.cells)
            summary = (f"nbformat {nb.nbformat}.{nb.nbformat_minor}, {len(nb.cells)} cells "
                       f"({code_cells} code), {figures} figures")
            if args.no_execute:
                summary += ", not executed"
            else:
                run_failures, notes, ran, namespace = execute(nb, path, args.timeout)
                failures += run_failures or check_projection(nb, namespace)
                summary += f", executed {ran}/{code_cells} code cells"
                for note in notes:
                    print(f"  warning: {path} {note}", file=sys.stderr)
        status = check_summary.status(failures)
        print(f"{path}: {status}, {summary}, {time.monotonic() - start:.1f} s")
        if failures:
            all_failures.append((path, failures))

    return check_summary.finish(all_failures, len(args.notebooks), "notebook")


if __name__ == "__main__":
    sys.exit(main())
