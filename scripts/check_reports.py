#!/usr/bin/env python3
"""Check Persona's HTML reports in a real browser (headless Chromium).

    python3 scripts/check_reports.py --png-dir OUTDIR REPORT.html [REPORT.html ...]

A report is one self-contained HTML file whose charts are inline
``<svg class="chart" ... width="W" height="H">`` elements with data marks
tagged ``class="mark"``. Reading the HTML as text cannot tell whether a browser
actually draws those charts, so for every report this script checks:

a. Full-page render: Chromium screenshots the page at width 1200 in a tall
   window; the PNG is cropped below the last non-white row and saved as
   OUTDIR/<report path, "/" -> "_">.png for a human to look at. Fails if
   Chromium exits non-zero, times out, writes no PNG, or the page is blank.
b. Parsing: ``chromium --dump-dom`` must contain as many ``<svg`` elements as
   the source (at least one) and as many ``class="mark"`` elements, i.e. the
   HTML parser kept every chart and every mark. Every ``<svg`` must also be a
   ``<svg class="chart">...</svg>`` the checks below can see.
c. Empty charts: every chart must have a ``class="mark"`` in its source and
   its marks must put coloured pixels on screen by themselves. The charts are
   cut out of the source, stacked at known offsets on a scratch page and
   screenshotted once, with everything but the marks hidden (legend swatches,
   colour keys and marker lines are coloured too and would otherwise make an
   empty chart pass); in each chart's rectangle we count pixels whose max(r,g,b) - min(r,g,b)
   exceeds 40 (Okabe-Ito colours and the blue/vermillion ramps pass; white,
   grey and black - axes, grid, text - do not). Fewer than --min-pixels (30)
   means the chart shows no data: marks filled white, zero-sized, drawn
   outside the viewBox, an invalid colour the browser ignored, ...
d. Charts in the page: a chart can draw fine on its own and still vanish in
   the report, e.g. when the page's CSS squeezes its container to zero width.
   The DOM dump of (b) is taken from a scratch copy of the report with a small
   script appended that records every chart's box after layout (same 1200 px
   window as (a)). A chart rendered at less than half its width or height
   attribute fails, and so does one with fewer than --min-pixels coloured
   pixels inside its box in the full-page screenshot of (a).

``--self-test`` checks the checker: it sabotages every chart of the given
reports (marks painted white; marks moved off the canvas) and fails unless (c)
reports each sabotaged chart as empty.

One line per report is printed; the exit status is 1 if anything failed
(every failure is listed at the end), 2 on usage errors or when PIL or
Chromium is missing.

Needs only the standard library, PIL (Debian: python3-pil) and Chromium
(found as $CHROMIUM, chromium, chromium-browser or google-chrome).
"""

import argparse
import html
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import check_summary  # scripts/check_summary.py, beside this script

try:
    from PIL import Image, ImageChops, ImageOps
except ImportError:  # an environment problem, not a report problem
    print(f"check_reports.py: PIL is not installed for {sys.executable}; install Pillow "
          "(Debian: apt-get install python3-pil) or run the script with an interpreter that has it, "
          "e.g. /usr/bin/python3.", file=sys.stderr)
    sys.exit(2)

PAGE_WIDTH = 1200
CROP_MARGIN = 24           # px kept below the last non-white row
CHROMA_THRESHOLD = 40      # max(r,g,b) - min(r,g,b) above this counts as "coloured"
CHART_GAP = 16             # px between charts on the scratch page
MAX_SCRATCH_HEIGHT = 8000  # split the scratch page into several screenshots beyond this
MIN_SCALE = 0.5            # a chart drawn smaller than this fraction of its size is squeezed

CHART_RE = re.compile(r'<svg\b[^>]*\bclass="chart"[^>]*>.*?</svg>', re.S)
SVG_TAG_RE = re.compile(r"<svg\b", re.I)
MARK_RE = re.compile(r'\bclass="mark"')
BOXES_RE = re.compile(r'<pre id="check-reports-boxes">([^<]*)</pre>')

# On the scratch page of (c) only the data marks are drawn: legend swatches, colour
# keys, reference lines and labels are hidden, so they cannot make an empty chart pass.
# (visibility, unlike display, lets a .mark inside a hidden group show again.)
MARKS_ONLY_CSS = "svg.chart *{visibility:hidden}svg.chart .mark,svg.chart .mark *{visibility:visible}"

# Appended to the scratch copy used for the DOM dump: writes "left,top,width,height"
# (page coordinates, CSS px) of every chart, in document order, into a <pre>.
MEASURE_SCRIPT = """<script>
addEventListener("load", () => {
  const boxes = [...document.querySelectorAll("svg.chart")].map(svg => {
    const r = svg.getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY, r.width, r.height].map(v => v.toFixed(1)).join(",");
  });
  const pre = document.createElement("pre");
  pre.id = "check-reports-boxes";
  pre.textContent = boxes.join(";");
  document.body.appendChild(pre);
});
</script>
"""


class CheckError(Exception):
    """A failure of the report being checked (not of this script)."""


# --- Chromium ---------------------------------------------------------------

def find_chromium(explicit=None):
    for name in (explicit, os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    print("check_reports.py: Chromium not found (set $CHROMIUM or pass --chromium)", file=sys.stderr)
    sys.exit(2)


def run_chromium(chromium, args, timeout):
    """Run headless Chromium with a throw-away profile; return its stdout.

    Raises CheckError on a non-zero exit or a timeout (the whole process group
    Chromium started is killed then, so no renderer is left behind).
    """
    with tempfile.TemporaryDirectory(prefix="check-reports-profile-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions",
               f"--user-data-dir={profile}", *args]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise CheckError(f"Chromium timed out after {timeout:g} s ({args[-1]})")
        if proc.returncode != 0:
            # Chromium always complains about D-Bus in containers; keep the other lines.
            lines = [l for l in err.decode("utf-8", "replace").splitlines() if "dbus" not in l.lower()]
            raise CheckError(f"Chromium exited with status {proc.returncode}: " + " | ".join(lines[-5:]))
        return out.decode("utf-8", "replace")


def screenshot(chromium, url, png, width, height, timeout):
    """Screenshot `url` in a width x height window; return the image as RGB."""
    if os.path.exists(png):
        os.remove(png)
    run_chromium(chromium, [f"--screenshot={png}", f"--window-size={width},{height}", url], timeout)
    if not os.path.exists(png) or os.path.getsize(png) == 0:
        raise CheckError(f"Chromium wrote no PNG for {url}")
    with Image.open(png) as im:
        return im.convert("RGB")


# --- helpers -----------------------------------------------------------------

def png_name(report):
    """OUTDIR file name for a report: its path relative to the working directory, sanitised."""
    rel = os.path.relpath(report)
    if rel.startswith(".."):
        rel = os.path.abspath(report).lstrip(os.sep)
    rel = re.sub(r"\.html?$", "", rel, flags=re.I)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", rel).strip("_") + ".png"


def last_content_row(image):
    """One past the last row with a non-white pixel, or None for a blank image."""
    box = ImageOps.invert(image).getbbox()
    return None if box is None else box[3]


def coloured_pixels(image, box=None):
    """Pixels (inside `box`, if given) whose max(r,g,b) - min(r,g,b) exceeds CHROMA_THRESHOLD."""
    if box is not None:
        left, top, right, bottom = (math.floor(box[0]), math.floor(box[1]),
                                    math.ceil(box[2]), math.ceil(box[3]))
        left, top = max(left, 0), max(top, 0)
        right, bottom = min(right, image.width), min(bottom, image.height)
        if right <= left or bottom <= top:
            return 0
        image = image.crop((left, top, right, bottom))
    r, g, b = image.split()
    chroma = ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(r, g), b),
                                 ImageChops.darker(ImageChops.darker(r, g), b))
    return sum(chroma.histogram()[CHROMA_THRESHOLD + 1:])


def attribute(tag, name):
    m = re.search(rf'\b{name}="([^"]*)"', tag)
    return m.group(1) if m else None


def chart_size(svg):
    """(width, height) in CSS px from the width/height attributes, else the viewBox; None if neither."""
    tag = svg[:svg.index(">") + 1]
    try:
        w, h = attribute(tag, "width"), attribute(tag, "height")
        if w and h:
            size = float(w), float(h)
        else:
            vb = attribute(tag, "viewBox").replace(",", " ").split()
            size = float(vb[2]), float(vb[3])
    except (AttributeError, IndexError, ValueError):
        return None
    return size if size[0] > 0 and size[1] > 0 else None


def chart_title(svg, index, count):
    """How failures name a chart: its number and the text of its first <text> element."""
    m = re.search(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
    title = " ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).split()) if m else ""
    return f"chart {index}/{count} “{title}”" if title else f"chart {index}/{count} (untitled)"


# --- the checks --------------------------------------------------------------

def render_page(chromium, report, png_path, window_height, timeout):
    """(a) Full-page screenshot. Saves the cropped PNG; returns (uncropped image, window height)."""
    url = "file://" + os.path.abspath(report)
    height = window_height
    for attempt in range(3):
        image = screenshot(chromium, url, png_path, PAGE_WIDTH, height, timeout)
        bottom = last_content_row(image)
        if bottom is None:
            raise CheckError("the page renders completely white")
        if bottom < height - CROP_MARGIN or attempt == 2:
            break
        height *= 2  # content reaches the bottom of the window: the page is taller, render again
    if bottom >= height - CROP_MARGIN:
        print(f"  warning: {report} is taller than {height} px; the PNG is cut off", file=sys.stderr)
    image.crop((0, 0, image.width, min(image.height, bottom + CROP_MARGIN))).save(png_path)
    return image, height


def check_dom(chromium, source, window_height, scratch_dir, timeout):
    """(b) The browser's DOM has every <svg> and every mark of the source.

    Returns (failures, chart boxes) where the boxes, for (d), are
    (left, top, width, height) of every svg.chart in document order, or None.
    """
    failures = []
    copy = os.path.join(scratch_dir, "measure.html")
    body_end = source.lower().rfind("</body>")
    with open(copy, "w", encoding="utf-8") as f:
        f.write(source[:body_end] + MEASURE_SCRIPT + source[body_end:] if body_end >= 0
                else source + MEASURE_SCRIPT)
    dom = run_chromium(chromium, [f"--window-size={PAGE_WIDTH},{window_height}", "--dump-dom",
                                  "file://" + copy], timeout)

    src_svgs, dom_svgs = len(SVG_TAG_RE.findall(source)), len(SVG_TAG_RE.findall(dom))
    if src_svgs < 1:
        failures.append("no <svg> element in the source")
    if dom_svgs != src_svgs:
        failures.append(f"browser DOM has {dom_svgs} <svg> elements, source has {src_svgs}")
    src_marks, dom_marks = len(MARK_RE.findall(source)), len(MARK_RE.findall(dom))
    if dom_marks != src_marks:
        failures.append(f'browser DOM has {dom_marks} class="mark" elements, source has {src_marks}')

    m = BOXES_RE.search(dom)
    if m is None:
        failures.append("could not measure the charts in the page (measuring script gave no result)")
        return failures, None
    boxes = [tuple(float(v) for v in b.split(",")) for b in m.group(1).split(";") if b]
    return failures, boxes


def check_charts_alone(chromium, charts, scratch_dir, min_pixels, timeout):
    """(c) Each chart, drawn on its own, has coloured pixels.

    `charts` is a list of (title, svg markup, (width, height)). The charts are
    laid out top to bottom on scratch pages of at most MAX_SCRATCH_HEIGHT px.
    """
    failures = []
    batches, batch, top = [], [], 0
    for chart in charts:
        h = math.ceil(chart[2][1])
        if batch and top + h > MAX_SCRATCH_HEIGHT:
            batches.append(batch)
            batch, top = [], 0
        batch.append((chart, top))
        top += h + CHART_GAP
    if batch:
        batches.append(batch)

    for n, batch in enumerate(batches):
        width = max(math.ceil(w) for (_, _, (w, _)), _ in batch) + CHART_GAP
        height = max(top + math.ceil(h) for (_, _, (_, h)), top in batch) + CHART_GAP
        divs = "\n".join(f'<div style="position:absolute;left:0;top:{top}px;width:{w}px;height:{h}px;'
                         f'overflow:hidden">{svg}</div>' for (_, svg, (w, h)), top in batch)
        page = os.path.join(scratch_dir, f"charts{n}.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;'
                    'background:#fff;font-family:sans-serif}' + MARKS_ONLY_CSS + '</style></head><body>\n'
                    + divs + "\n</body></html>\n")
        image = screenshot(chromium, "file://" + page, os.path.join(scratch_dir, f"charts{n}.png"),
                           max(width, 400), height, timeout)
        for (title, _, (w, h)), top in batch:
            pixels = coloured_pixels(image, (0, top, w, top + h))
            if pixels < min_pixels:
                failures.append(f"{title}: only {pixels} coloured pixels when drawn on its own "
                                f"(need {min_pixels}); the chart shows no data")
    return failures


def check_charts_in_page(charts, boxes, page, min_pixels):
    """(d) Each chart keeps its size in the report's layout and shows colour there."""
    if len(boxes) != len(charts):
        return [f"measured {len(boxes)} charts in the page, source has {len(charts)}"]
    failures = []
    for (title, _, (w, h)), (left, top, bw, bh) in zip(charts, boxes):
        if bw < MIN_SCALE * w or bh < MIN_SCALE * h:
            failures.append(f"{title}: drawn at {bw:g}x{bh:g} px in the page, its size is {w:g}x{h:g} "
                            "(squeezed or hidden by the page layout)")
        elif page is not None:
            pixels = coloured_pixels(page, (left, top, left + bw, top + bh))
            if pixels < min_pixels:
                failures.append(f"{title}: only {pixels} coloured pixels where it sits in the page "
                                f"(need {min_pixels})")
    return failures


def check_report(chromium, report, png_dir, args):
    """Run (a)-(d) on one report; returns (failures, charts checked, PNG path or None)."""
    with open(report, encoding="utf-8") as f:
        source = f.read()
    failures, png_path = [], os.path.join(png_dir, png_name(report))

    page, window_height = None, args.window_height
    try:
        page, window_height = render_page(chromium, report, png_path, args.window_height, args.timeout)
    except CheckError as e:
        failures.append(f"full-page render: {e}")
        png_path = None

    svgs = CHART_RE.findall(source)
    all_svgs = len(SVG_TAG_RE.findall(source))
    if len(svgs) != all_svgs:
        failures.append(f'{all_svgs} <svg> elements but {len(svgs)} match <svg class="chart" ...>...</svg>; '
                        "the others were not checked")
    charts = []
    for i, svg in enumerate(svgs, 1):
        title = chart_title(svg, i, len(svgs))
        if not MARK_RE.search(svg):
            failures.append(f'{title}: no class="mark" element in the source')
        size = chart_size(svg)
        if size is None:
            failures.append(f"{title}: no usable width/height or viewBox")
        charts.append((title, svg, size))
    sized = [c for c in charts if c[2] is not None]

    with tempfile.TemporaryDirectory(prefix="check-reports-") as scratch:
        try:
            dom_failures, boxes = check_dom(chromium, source, window_height, scratch, args.timeout)
            failures += dom_failures
            if boxes is not None and len(sized) == len(charts):
                failures += check_charts_in_page(charts, boxes, page, args.min_pixels)
        except CheckError as e:
            failures.append(f"DOM dump: {e}")
        if sized:
            try:
                failures += check_charts_alone(chromium, sized, scratch, args.min_pixels, args.timeout)
            except CheckError as e:
                failures.append(f"chart render: {e}")
    return failures, len(svgs), png_path


# --- self-test ----------------------------------------------------------------

MARK_TAG_RE = re.compile(r'<(?:circle|rect|polyline|path|line|polygon)\b[^>]*\bclass="mark"[^>]*>')
PAINT_RE = re.compile(r'\b(fill|stroke)="(?!none")[^"]*"')

SABOTAGES = {
    "marks painted white": lambda tag: PAINT_RE.sub(r'\1="#ffffff"', tag),
    "marks moved off the canvas": lambda tag: tag.replace(' class="mark"',
                                                          ' transform="translate(-10000,-10000)" class="mark"', 1),
}


def self_test(chromium, report, args):
    """Prove (c) can fail: every chart of `report`, sabotaged so that it shows no data
    while keeping its axes, legend and labels, must be reported as empty."""
    with open(report, encoding="utf-8") as f:
        svgs = CHART_RE.findall(f.read())
    if not svgs:
        return [f"{report}: no charts to sabotage"]
    failures = []
    with tempfile.TemporaryDirectory(prefix="check-reports-self-test-") as scratch:
        for name, sabotage in SABOTAGES.items():
            charts = []
            for i, svg in enumerate(svgs, 1):
                broken = MARK_TAG_RE.sub(lambda m: sabotage(m.group(0)), svg)
                charts.append((chart_title(svg, i, len(svgs)), broken, chart_size(svg)))
            caught = check_charts_alone(chromium, charts, scratch, args.min_pixels, args.timeout)
            missed = [title for title, _, _ in charts if not any(c.startswith(title + ":") for c in caught)]
            print(f"self-test, {name}: {len(charts) - len(missed)} of {len(charts)} charts reported empty")
            failures += [f"{title} still passes with its {name}" for title in missed]
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--png-dir", required=True, help="where the full-page PNGs are written")
    parser.add_argument("reports", nargs="+", metavar="REPORT.html")
    parser.add_argument("--chromium", help="Chromium binary (default: $CHROMIUM, chromium, ...)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per Chromium run (default 60)")
    parser.add_argument("--window-height", type=int, default=12000,
                        help="window height for the full-page render (default 12000; doubled if too short)")
    parser.add_argument("--min-pixels", type=int, default=30,
                        help="coloured pixels a chart needs to count as non-empty (default 30)")
    parser.add_argument("--self-test", action="store_true",
                        help="instead of checking the reports, sabotage their charts (marks painted white, "
                             "marks moved off the canvas) and fail unless every sabotaged chart is caught")
    args = parser.parse_args()

    chromium = find_chromium(args.chromium)
    if args.self_test:
        all_failures = [(report, self_test(chromium, report, args)) for report in args.reports]
        all_failures = [(report, f) for report, f in all_failures if f]
        return check_summary.finish(all_failures, len(args.reports), "self-tested report")
    os.makedirs(args.png_dir, exist_ok=True)
    all_failures = []
    for report in args.reports:
        start = time.monotonic()
        if not os.path.isfile(report):
            all_failures.append((report, ["no such file"]))
            print(f"{report}: FAILED, no such file")
            continue
        failures, charts, png = check_report(chromium, report, args.png_dir, args)
        status = check_summary.status(failures)
        print(f"{report}: {status}, {charts} charts checked, PNG {png or 'not written'}, "
              f"{time.monotonic() - start:.1f} s")
        if failures:
            all_failures.append((report, failures))

    return check_summary.finish(all_failures, len(args.reports), "report")


if __name__ == "__main__":
    sys.exit(main())
