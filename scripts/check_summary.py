"""The per-file status word and the closing failure list that check_notebooks.py and
check_reports.py both print, so the two CI checks read alike."""

import sys


def status(failures):
    """"ok", or "FAILED (n problem(s))" for a file's list of failures."""
    if not failures:
        return "ok"
    return f"FAILED ({len(failures)} problem{'s' * (len(failures) > 1)})"


def finish(all_failures, checked, noun):
    """Prints every failure of every file to stderr; returns the exit status (1 if any)."""
    if not all_failures:
        return 0
    print(f"\n{sum(len(f) for _, f in all_failures)} failure(s) in {len(all_failures)} of "
          f"{checked} {noun}(s):", file=sys.stderr)
    for path, failures in all_failures:
        for failure in failures:
            print(f"  {path}: {failure}", file=sys.stderr)
    return 1
