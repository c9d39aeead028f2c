"""Writing one output file from partition outputs, all or nothing."""

import os


def write_parts(path, chunks):
    """Writes CSV chunks (each with the header line) in order as one file with one header:
    to a temporary file beside `path`, renamed into place at the end. Returns the row count."""
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, ".%s.tmp-%d" % (os.path.basename(path), os.getpid()))
    rows = 0
    header = None
    try:
        with open(temporary, "wb") as f:
            for chunk in chunks:
                if not chunk:
                    continue
                first, _, body = chunk.partition(b"\n")
                if header is None:
                    header = first
                    f.write(first + b"\n")
                f.write(body)
                rows += body.count(b"\n")
        if header is None:
            raise ValueError("%s: no partition produced rows" % path)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return rows
