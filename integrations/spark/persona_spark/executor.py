"""What runs inside Spark tasks: one persona process per partition.

A partition travels as a `Part`: its index, the input's file name, the header line, its data
lines joined, and where each line came from (runs of consecutive lines of one file). A task
writes the part to a local temporary file named like the input, runs the persona binary
shipped with SparkContext.addFile on it, and returns what persona printed or wrote. When
persona fails, its message is rewritten to name the line in the original file (persona saw
the partition's own line numbers) and the task fails with it.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections import namedtuple

# index: partition number; name: the input's base name; header: its header line;
# text: the data lines, each ending in a newline; runs: [(file name, first line, count)].
Part = namedtuple("Part", "index name header text runs")

ERROR_START = "PERSONA_SPARK_ERROR<<"
ERROR_END = ">>PERSONA_SPARK_ERROR"


class PersonaFailed(Exception):
    """persona exited with an error on a partition; the message is persona's own."""


def binary_path(name):
    """The persona binary on this executor (shipped with SparkContext.addFile), or a path."""
    if os.path.isabs(name) and os.path.exists(name):
        return name
    from pyspark import SparkFiles

    path = SparkFiles.get(name)
    if not os.access(path, os.X_OK):
        os.chmod(path, 0o755)
    return path


def original_line(part, line):
    """The (file, line) of the partition file's line `line` (1 is the header)."""
    row = line - 2
    if row < 0:
        return (part.name, 1)
    for name, first, count in part.runs:
        if row < count:
            return (name, first + row)
        row -= count
    return (part.name, line)


def translate(message, part):
    """persona's message with the partition file's line numbers turned into the input's."""

    def at(match):
        name, line = original_line(part, int(match.group(2)))
        return "%s:%d:" % (name, line)

    message = re.sub(r"(%s):(\d+):" % re.escape(part.name), at, message)

    def on_line(match):
        return "%s%d" % (match.group(1), original_line(part, int(match.group(2)))[1])

    return re.sub(r"(on line |line )(\d+)", on_line, message)


def run(part, binary, arguments, files=None, outputs=(), part_path=None):
    """Runs `persona ARGUMENTS` with `{part}` replaced by the partition file's path and every
    `{name}` of `files` (name → bytes) by a file holding them. Returns (stdout, {output: bytes})
    for every name in `outputs` (also usable as `{name}` in the arguments).

    The partition file is written to a temporary directory, or, with `part_path`, there (to
    keep); a part whose `text` is None is already at `part_path`."""
    directory = tempfile.mkdtemp(prefix="persona-part-%05d-" % part.index)
    try:
        paths = {"part": part_path or os.path.join(directory, part.name)}
        if part.text is not None:
            write_part(part, paths["part"])
        for name, data in (files or {}).items():
            paths[name] = os.path.join(directory, name)
            with open(paths[name], "wb") as f:
                f.write(data)
        for name in outputs:
            paths[name] = os.path.join(directory, name)
        argv = [binary_path(binary)] + [_fill(a, paths) for a in arguments]
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        if done.returncode != 0:
            text = done.stderr.decode("utf-8", "replace").strip()
            lines = [l for l in text.splitlines() if l.startswith("persona: error:")]
            message = translate(lines[-1] if lines else text or "persona exited with status %d" % done.returncode, part)
            raise PersonaFailed("%s%s (partition %d)%s" % (ERROR_START, message, part.index, ERROR_END))
        produced = {}
        for name in outputs:
            with open(paths[name], "rb") as f:
                produced[name] = f.read()
        return done.stdout, produced
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def write_part(part, path):
    """Writes the partition file (the header, then its lines) at `path`, whole or not at all
    (a temporary name, then renamed). Returns the file's identity once written: (size in
    bytes, inode, modification time in ns); a file replaced or cut short has another."""
    data = (part.header + "\n" + part.text).encode("utf-8")
    temporary = "%s.tmp-%d" % (path, os.getpid())
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, path)
    return file_identity(path)


def file_identity(path):
    """(size, inode, mtime in ns) of `path`; None when there is no such file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_ino, st.st_mtime_ns


def _fill(argument, paths):
    for name, path in paths.items():
        argument = argument.replace("{%s}" % name, path)
    return argument


def failure_message(error):
    """persona's message carried by a failed Spark job, or None when it is not one of ours."""
    text = str(error)
    start = text.find(ERROR_START)
    if start < 0:
        return None
    end = text.find(ERROR_END, start)
    return text[start + len(ERROR_START):end if end >= 0 else None].strip()
