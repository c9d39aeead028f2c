#!/usr/bin/env python3
"""A hostile-input sweep against the persona binary (issue #16's "must show").

Generates a fresh set of bad inputs and fault cases in the classes of issue #16 (crashes in
parsers, special output targets, outputs that are inputs, interrupted and concurrent
multi-file commits, memory bombs, silent numeric cases, messages), runs every command on
them, and counts:

  crash   - killed by a signal the run did not send itself, or an exit code above 128
  hang    - still running after the time limit
  mixed   - an output set that is neither all old nor all new (and not marked incomplete)
  unclear - an error message that does not name the file/option/key at fault, names an
            internal type or function, or is empty
  silent  - a case that must be refused or warned about but ran without a word
  memory  - peak RSS above the limit the case allows

Each case prints one line; the summary counts go to stdout and, with --json, to a file.
Usage:  python3 Benchmarks/hostile/sweep.py --persona .build/release/persona [--seed 7] [--json out.json]
"""
import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib

INTERNAL = re.compile(r"\b[A-Z][A-Za-z]+\.[a-z][A-Za-z]+\b|\w+\([a-zA-Z]+:\)|Fatal error|Swift/|\.swift:\d+|"
                      r"DecodingError|keyNotFound|typeMismatch|dataCorrupted|Optional\(|NSError|"
                      r"CodingKeys|stringValue:")

results = []


def run(persona, args, *, timeout=60, cwd=None, env=None, stdin=None):
    """Runs persona; returns (code, signal, stderr, seconds, maxrss_kb)."""
    start = time.time()
    proc = subprocess.Popen([persona] + args, cwd=cwd, env=env, stdin=stdin or subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return None, None, err.decode("utf-8", "replace"), time.time() - start, 0
    rss = 0
    # wait4 already happened inside communicate; read children's max RSS as an upper bound.
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    code = proc.returncode
    sig = -code if code is not None and code < 0 else None
    return code, sig, err.decode("utf-8", "replace"), time.time() - start, rss


def run_rss(persona, args, timeout=120):
    """Runs persona under /usr/bin/time -v to get its own peak RSS (kB)."""
    try:
        proc = subprocess.run(["/usr/bin/time", "-v", persona] + args, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, "", 0
    err = proc.stderr.decode("utf-8", "replace")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    rss = int(m.group(1)) if m else 0
    m = re.search(r"Command terminated by signal (\d+)", err)
    sig = int(m.group(1)) if m else None
    msg = "\n".join(l for l in err.splitlines() if not l.startswith("\t") and "Command" not in l)
    return proc.returncode, sig, msg, rss


def record(klass, name, verdict, detail=""):
    results.append({"class": klass, "case": name, "verdict": verdict, "detail": detail[:300]})
    mark = "ok " if verdict in ("error", "ok", "warned") else "!! "
    print(f"{mark}{klass:10} {name:48} {verdict:8} {detail[:160]!r}", flush=True)


def judge(klass, name, code, sig, err, *, must_fail=True, names=(), warn=None):
    """Classifies one run. `names`: strings at least one of which the message must contain."""
    last = err.strip().splitlines()[-1] if err.strip() else ""
    if code is None:
        return record(klass, name, "hang", last)
    if sig is not None or code > 128:
        return record(klass, name, "crash", f"signal {sig} code {code}: {err[-200:]}")
    if code == 0:
        if warn and re.search(warn, err):
            return record(klass, name, "warned", [l for l in err.splitlines() if re.search(warn, l)][0])
        return record(klass, name, "silent" if must_fail else "ok", last)
    message = "\n".join(l for l in err.splitlines() if "error" in l.lower()) or last
    if not message.strip() or INTERNAL.search(message):
        return record(klass, name, "unclear", message)
    if names and not any(n in message for n in names):
        return record(klass, name, "unclear", message)
    return record(klass, name, "error", message)


def customers_csv(path, rows, rng, extra=None):
    with open(path, "w", encoding="utf-8") as f:
        f.write("customer_id,recency_days,frequency,monetary,channel\n")
        for i in range(rows):
            f.write(f"C{i:06d},{rng.randint(1, 400)},{rng.randint(1, 40)},{rng.uniform(5, 5000):.2f},"
                    f"{rng.choice(['app', 'web', 'store'])}\n")
        if extra:
            f.write(extra)


def orders_csv(path, rows, rng, extra=None):
    with open(path, "w", encoding="utf-8") as f:
        f.write("order,customer,date,amount\n")
        for i in range(rows):
            f.write(f"O{i},{rng.randint(1, rows // 5 + 1)},2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                    f"{rng.uniform(1, 300):.2f}\n")
        if extra:
            f.write(extra)


def sweep_csv(persona, d, rng):
    base = os.path.join(d, "base.csv")
    customers_csv(base, 300, rng)
    good = open(base, "rb").read()
    cases = {
        "nul-in-number": good.replace(b",12", b",1\x002", 1),
        "nul-in-id": good.replace(b"C000007", b"C00\x00007", 1),
        "binary-junk": bytes(rng.randrange(256) for _ in range(20000)),
        "quote-never-closed": good + b'C999999,"3,4,5,app\n' * 3,
        "ragged-last-row": good + b"C999999,1,2\n",
        "header-only-bom": b"\xef\xbb\xbfcustomer_id,recency_days\n",
        "huge-exponent": good.replace(b",12", b",9e999999", 1),
        "thousand-digit-number": good.replace(b",12", b"," + b"9" * 1000, 1),
        "fullwidth-digits": good.replace(b",12", ",１２".encode(), 1),
        "overlong-field": good + b"C999999," + b"7" * 3_000_000 + b",1,1,app\n",
        "mixed-line-ends": good.replace(b"\n", b"\r", 50),
        "empty-header-name": good.replace(b"frequency", b"", 1),
        "all-blank-value": re.sub(rb"(?m)^(C\d+,\d+,\d+,)[0-9.]+", rb"\1", good),
        "every-id-same": re.sub(rb"(?m)^C\d+", b"C000001", good),
    }
    for name, data in cases.items():
        path = os.path.join(d, f"csv-{name}.csv")
        open(path, "wb").write(data)
        out = os.path.join(d, f"out-{name}.csv")
        code, sig, err, _, _ = run(persona, ["cluster", path, "--id", "customer_id", "--k", "3", "--out", out])
        must_fail = name not in ("mixed-line-ends", "fullwidth-digits")
        # A cell like 9e99999934.56 (not a number) makes its column text: a warning must say so.
        warn = r"(?i)warning|blank|note" if name in ("all-blank-value", "fullwidth-digits", "huge-exponent") else None
        judge("csv", name, code, sig, err, must_fail=must_fail and warn is None,
              names=(os.path.basename(path),), warn=warn)
        if name == "all-blank-value" and code == 0 and not re.search(r"(?i)blank", err):
            record("csv", name + "-said", "silent", err[-200:])


def sweep_files(persona, d, rng):
    base = os.path.join(d, "base.csv")
    customers_csv(base, 200, rng)
    fifo = os.path.join(d, "in.fifo")
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat {base} > {fifo}"])
    code, sig, err, _, _ = run(persona, ["cluster", fifo, "--id", "customer_id", "--k", "3", "--out", os.path.join(d, "fifo-out.csv")], timeout=30)
    writer.kill()
    judge("files", "fifo-input", code, sig, err, must_fail=False, names=("in.fifo",))
    if code == 1 and re.search(r"(?i)is empty", err):
        record("files", "fifo-input-says-empty", "unclear", err)
    for name, path in [("dev-zero-features", "/dev/zero"), ("dev-urandom-features", "/dev/urandom")]:
        code, sig, err, _, _ = run(persona, ["features", path, "--customer", "c", "--date", "d", "--amount", "a",
                                             "--out", os.path.join(d, "z.csv")], timeout=30)
        judge("files", name, code, sig, err, names=(os.path.basename(path),))
    code, sig, err, _, _ = run(persona, ["cluster", "/dev/zero", "--id", "x", "--out", os.path.join(d, "z.csv")], timeout=30)
    judge("files", "dev-zero-cluster", code, sig, err, names=("zero",))
    code, sig, err, _, _ = run(persona, ["cluster", d, "--id", "x", "--out", os.path.join(d, "z.csv")])
    judge("files", "directory-input", code, sig, err)
    # Truncation while reading: a large file cut while persona reads it (the SIGBUS class).
    big = os.path.join(d, "big.csv")
    customers_csv(big, 400_000, rng)
    for attempt in range(6):
        victim = os.path.join(d, f"victim{attempt}.csv")
        shutil.copy(big, victim)
        proc = subprocess.Popen([persona, "cluster", victim, "--id", "customer_id", "--k", "3", "--n-init", "1",
                                 "--out", os.path.join(d, f"victim{attempt}-out.csv")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.02 + 0.05 * attempt)
        os.truncate(victim, rng.randint(1000, os.path.getsize(victim) // 2))
        _, err = proc.communicate(timeout=120)
        code = proc.returncode
        judge("files", f"truncated-while-read-{attempt}", code, -code if code < 0 else None, err.decode("utf-8", "replace"),
              must_fail=False)


def sweep_gzip(persona, d, rng):
    # A bomb: 3 GB of one repeated row compresses to a few MB.
    bomb = os.path.join(d, "bomb.csv.gz")
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        f.write(b"customer_id,recency_days,frequency\n")
        chunk = b"C1,1,1\n" * (1 << 20)
        for _ in range(3 * 1024 // 7):
            f.write(chunk)
    for cmd in (["cluster", bomb, "--id", "customer_id", "--out", os.path.join(d, "b.csv")],
                ["tag", bomb, "--id", "customer_id", "--rules", os.path.join(d, "rules-ok.yaml"), "--out", os.path.join(d, "b.csv")]):
        code, sig, msg, rss = run_rss(persona, cmd, timeout=300)
        judge("gzip", f"bomb-{cmd[0]}", code, sig, msg, names=("bomb.csv.gz",))
        # Reading stops at the inflation limit (100 times the compressed size, at least 64 MiB);
        # what was read by then is held as parsed columns, a few bytes per input byte for rows
        # this short (7 bytes: an id and two numbers). Allowed: 5 times the limit.
        limit_kb = max(100 * os.path.getsize(bomb), 64 << 20) // 1024
        verdict = "ok" if rss < 5 * limit_kb else "memory"
        record("gzip", f"bomb-{cmd[0]}-peak-rss", verdict, f"{rss / 1024:.0f} MB ({rss / limit_kb:.1f}x the {limit_kb / 1024:.0f} MB inflation limit)")
    base = os.path.join(d, "base.csv")
    customers_csv(base, 200, rng)
    raw = open(base, "rb").read()
    one = gzip.compress(raw)
    variants = {
        "trailing-garbage": (one + b"this is not gzip", True),
        "trailing-zeros": (one + b"\x00" * 64, True),
        "truncated": (one[: len(one) // 2], True),
        "not-gzip": (raw, True),
        "two-members": (gzip.compress(raw[:2000]) + gzip.compress(raw[2000:]), False),
    }
    for name, (data, must_fail) in variants.items():
        path = os.path.join(d, f"{name}.csv.gz")
        open(path, "wb").write(data)
        code, sig, err, _, _ = run(persona, ["cluster", path, "--id", "customer_id", "--k", "3", "--out", os.path.join(d, "g.csv")])
        judge("gzip", name, code, sig, err, must_fail=must_fail, names=(os.path.basename(path),))


def sweep_wide(persona, d):
    wide = os.path.join(d, "wide.csv")
    with open(wide, "w") as f:
        f.write(",".join(["id"] + [f"c{i}" for i in range(2_000_000)]) + "\n")
        f.write(",".join(["1"] + ["0"] * 2_000_000) + "\n")
    code, sig, msg, rss = run_rss(persona, ["cluster", wide, "--id", "id", "--out", os.path.join(d, "w.csv")])
    judge("memory", "two-million-columns", code, sig, msg, names=("wide.csv",))
    record("memory", "two-million-columns-peak-rss", "ok" if rss < 1_000_000 else "memory", f"{rss / 1024:.0f} MB")
    wide2 = os.path.join(d, "wide30k.csv")
    rng = random.Random(3)
    with open(wide2, "w") as f:
        f.write(",".join(["id"] + [f"c{i}" for i in range(30_000)]) + "\n")
        for r in range(40):
            f.write(",".join([str(r)] + [str(rng.randint(0, 9)) for _ in range(30_000)]) + "\n")
    start = time.time()
    code, sig, err, secs, _ = run(persona, ["cluster", wide2, "--id", "id", "--k", "2", "--out", os.path.join(d, "w2.csv")], timeout=120)
    judge("memory", "thirty-thousand-columns", code, sig, err, must_fail=False, names=("wide30k.csv",))
    record("memory", "thirty-thousand-columns-seconds", "ok" if time.time() - start < 30 else "hang", f"{secs:.1f} s")
    code, sig, err, secs, _ = run(persona, ["churn", "train", wide2, "--id", "id", "--label", "c0", "--positive", "1",
                                            "--model", os.path.join(d, "w2.json")], timeout=120)
    judge("memory", "churn-more-columns-than-rows", code, sig, err, names=("wide30k.csv", "row", "feature"))


def sweep_outputs(persona, d, rng):
    base = os.path.join(d, "base.csv")
    customers_csv(base, 200, rng)
    orders = os.path.join(d, "orders.csv")
    orders_csv(orders, 500, rng)
    target = os.path.join(d, "precious.txt")
    open(target, "w").write("precious\n")
    link = os.path.join(d, "link.csv")
    os.symlink(target, link)
    fifo = os.path.join(d, "out.fifo")
    os.mkfifo(fifo)
    # A device node of our own (the null device's numbers) instead of the machine's /dev/null,
    # so a regression replaces a file in the sweep's folder, not the system's.
    device = os.path.join(d, "null-device")
    try:
        os.mknod(device, 0o666 | 0o020000, os.makedev(1, 3))
    except PermissionError:
        device = "/dev/full"
    hard = os.path.join(d, "hard.csv")
    os.link(base, hard)
    hard_orders = os.path.join(d, "hard_orders.csv")
    os.link(orders, hard_orders)
    sym_in = os.path.join(d, "sym_in.csv")
    os.symlink(base, sym_in)
    before = open(base, "rb").read()
    commands = {
        "cluster": lambda out: ["cluster", base, "--id", "customer_id", "--k", "3", "--out", out],
        "tag": lambda out: ["tag", base, "--id", "customer_id", "--rules", os.path.join(d, "rules-ok.yaml"), "--out", out],
        "features": lambda out: ["features", orders, "--customer", "customer", "--date", "date", "--amount", "amount", "--out", out],
    }
    for cname, make in commands.items():
        for tname, out in [("symlink", link), ("fifo", fifo), ("device", device), ("directory", d)]:
            code, sig, err, _, _ = run(persona, make(out), timeout=30)
            judge("outputs", f"{cname}-onto-{tname}", code, sig, err, names=(os.path.basename(out), out))
        same = hard if cname != "features" else hard_orders
        code, sig, err, _, _ = run(persona, make(same), timeout=30)
        judge("outputs", f"{cname}-out-is-input-hardlink", code, sig, err, names=(os.path.basename(same),))
        code, sig, err, _, _ = run(persona, make(sym_in if cname != "features" else orders.replace("/orders", "/./orders")), timeout=30)
        judge("outputs", f"{cname}-out-is-input-other-spelling", code, sig, err)
    ok = (os.path.islink(link) and open(target).read() == "precious\n" and not os.path.isfile(device)
          and open(base, "rb").read() == before)
    record("outputs", "targets-untouched", "ok" if ok else "silent", "symlink, fifo, device node and the input unchanged")
    # churn score onto its input by hard link.
    model = os.path.join(d, "churn.json")
    labelled = os.path.join(d, "labelled.csv")
    with open(labelled, "w") as f:
        f.write("id,x,y,label\n")
        for i in range(300):
            x, y = rng.gauss(0, 1), rng.gauss(0, 1)
            f.write(f"{i},{x:.4f},{y:.4f},{int(x + y + rng.gauss(0, 1) > 0)}\n")
    run(persona, ["churn", "train", labelled, "--id", "id", "--label", "label", "--positive", "1", "--model", model, "--folds", "0"])
    linked = os.path.join(d, "labelled_link.csv")
    os.link(labelled, linked)
    code, sig, err, _, _ = run(persona, ["churn", "score", labelled, "--model", model, "--out", linked])
    judge("outputs", "churn-score-out-is-input", code, sig, err, names=("labelled",))


def sweep_commit(persona, d, rng, rounds):
    """kill -9 and signals during a four-file segment run, and two runs at once."""
    feats = os.path.join(d, "feats.csv")
    orders = os.path.join(d, "orders-commit.csv")
    orders_csv(orders, 60_000, rng)
    run(persona, ["features", orders, "--customer", "customer", "--date", "date", "--amount", "amount", "--out", feats])
    feats2 = os.path.join(d, "feats2.csv")
    orders_csv(orders, 60_000, random.Random(rng.random()))
    run(persona, ["features", orders, "--customer", "customer", "--date", "date", "--amount", "amount", "--out", feats2])
    outdir = os.path.join(d, "commit")
    os.mkdir(outdir)
    names = ["seg.csv", "model.json", "report.html", "nb.ipynb"]
    paths = [os.path.join(outdir, n) for n in names]

    def cmd(src, seed):
        return ["segment", src, "--id", "customer", "--seed", str(seed), "--out", paths[0], "--model", paths[1],
                "--report", paths[2], "--notebook", paths[3]]

    def signature():
        """Which run wrote each file: the input name is in the notebook, the seed in the model."""
        sig = []
        for p in paths:
            if not os.path.exists(p):
                sig.append(None)
                continue
            sig.append(os.path.getmtime(p))
        return sig

    def which_run():
        """A tag per file telling which (input, seed) produced it, or None if absent."""
        tags = []
        try:
            model = json.load(open(paths[1]))
            tags.append(("seed", model.get("config", {}).get("seed", model.get("seed"))))
        except Exception:
            tags.append(None)
        for p in (paths[2], paths[3]):
            try:
                text = open(p, encoding="utf-8").read()
                tags.append("feats2" if "feats2.csv" in text else "feats" if "feats.csv" in text else "?")
            except Exception:
                tags.append(None)
        try:
            rows = open(paths[0], encoding="utf-8").read().count("\n")
            tags.append(rows)
        except Exception:
            tags.append(None)
        return tags

    code, _, err, secs, _ = run(persona, cmd(feats, 1))
    if code != 0:
        record("commit", "baseline", "unclear", err)
        return
    # Expected signatures of the two versions.
    old = which_run()
    run(persona, cmd(feats2, 2))
    new = which_run()
    run(persona, cmd(feats, 1))
    leftovers = lambda: [n for n in os.listdir(outdir) if n not in names and not n.startswith(".persona")]
    mixed = 0
    for i in range(rounds):
        target_new = i % 2 == 0
        proc = subprocess.Popen([persona] + cmd(feats2 if target_new else feats, 2 if target_new else 1),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, secs * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = which_run()
        if state not in (old, new):
            journal = [n for n in os.listdir(outdir) if "journal" in n]
            # The next run must repair it: run the same command again.
            run(persona, cmd(feats2 if target_new else feats, 2 if target_new else 1))
            state2 = which_run()
            if not journal or state2 not in (old, new):
                mixed += 1
                record("commit", f"kill9-round-{i}", "mixed", f"{state} journal={journal}")
        # Reset to a known version for the next round.
        run(persona, cmd(feats, 1))
        old_state = which_run()
        if old_state != old:
            mixed += 1
            record("commit", f"kill9-round-{i}-repair", "mixed", str(old_state))
        if leftovers():
            record("commit", f"kill9-round-{i}-leftovers", "mixed", str(leftovers()))
    record("commit", f"kill9-{rounds}-rounds", "ok" if mixed == 0 else "mixed", f"{mixed} mixed")
    for sname, signum, expected in (("sigint", signal.SIGINT, 130), ("sigterm", signal.SIGTERM, 143)):
        bad = 0
        for i in range(5):
            proc = subprocess.Popen([persona] + cmd(feats2, 2), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, secs))
            proc.send_signal(signum)
            proc.wait()
            if leftovers() or which_run() not in (old, new):
                bad += 1
            run(persona, cmd(feats, 1))
        record("commit", f"{sname}-5-rounds", "ok" if bad == 0 else "mixed", f"{bad} left temp files or a mixed set")
    bad = 0
    for i in range(max(4, rounds // 2)):
        a = subprocess.Popen([persona] + cmd(feats, 1), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        b = subprocess.Popen([persona] + cmd(feats2, 2), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        a.wait()
        b.wait()
        if which_run() not in (old, new) or leftovers():
            bad += 1
            record("commit", f"concurrent-{i}", "mixed", str(which_run()))
    record("commit", "concurrent-pairs", "ok" if bad == 0 else "mixed", f"{bad} mixed")


def sweep_configs(persona, d, rng):
    feats = os.path.join(d, "feats.csv")
    if not os.path.exists(feats):
        orders = os.path.join(d, "orders-cfg.csv")
        orders_csv(orders, 20_000, rng)
        run(persona, ["features", orders, "--customer", "customer", "--date", "date", "--amount", "amount", "--out", feats])
    configs = {
        "nan-threshold": "behavior:\n  churned_gap_multiple: .nan\n",
        "inf-share": "min_share: .inf\n",
        "negative-k": "persona:\n  k: -4\n",
        "huge-k": "persona:\n  k: 5000\n",
        "unknown-top-key": "segmnts: 4\n",
        "tab-indent": "lifecycle:\n\tnew_days: 90\n",
        "alias-bomb": "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n",
        "deep-nesting": "x: " + "[" * 20000 + "]" * 20000 + "\n",
        "pii-missing": "pii: [no_such_column]\n",
        "string-for-number": "lifecycle:\n  new_days: ninety\n",
        "tag-unknown-key": "tags:\n  - name: a\n    wen: \"frequency > 1\"\n",
        "tag-deep-parens": "tags:\n  - name: a\n    when: \"" + "(" * 30000 + "frequency > 1" + ")" * 30000 + "\"\n",
        "tag-long-or": "tags:\n  - name: a\n    when: \"" + " or ".join(["frequency > 1"] * 60000) + "\"\n",
        "tag-many-not": "tags:\n  - name: a\n    when: \"" + "not " * 60000 + "frequency > 1\"\n",
        "tag-unknown-column": "tags:\n  - name: a\n    when: \"frequncy > 1\"\n",
    }
    for name, text in configs.items():
        path = os.path.join(d, f"cfg-{name}.yaml")
        open(path, "w").write(text)
        code, sig, err, _, _ = run(persona, ["segment", feats, "--id", "customer", "--config", path,
                                             "--out", os.path.join(d, "cfg-out.csv")], timeout=60)
        # 60,000 `or` terms is a valid, if odd, rule: it must not crash or hang; a result is fine.
        judge("config", name, code, sig, err, names=(os.path.basename(path),), must_fail=name != "tag-long-or")
    rules = {
        "rules-deep-parens": "tags:\n  - name: a\n    when: \"" + "(" * 50000 + "frequency > 1" + ")" * 50000 + "\"\n",
        "rules-unknown-key": "tags:\n  - name: a\n    when: \"frequency > 1\"\n    colour: red\n",
        "rules-bad-operator": "tags:\n  - name: a\n    when: \"frequency >>> 1\"\n",
        "rules-empty": "tags: []\n",
    }
    for name, text in rules.items():
        path = os.path.join(d, f"{name}.yaml")
        open(path, "w").write(text)
        code, sig, err, _, _ = run(persona, ["tag", feats, "--id", "customer", "--rules", path, "--out", os.path.join(d, "r.csv")])
        judge("config", name, code, sig, err, names=(os.path.basename(path),), must_fail=name != "rules-empty",
              warn=r"(?i)no rules|no tags|warning" if name == "rules-empty" else None)


def sweep_models(persona, d, rng):
    base = os.path.join(d, "base.csv")
    customers_csv(base, 300, rng)
    model = os.path.join(d, "kmeans.json")
    run(persona, ["cluster", base, "--id", "customer_id", "--k", "3", "--out", os.path.join(d, "o.csv"), "--model", model])
    text = open(model).read()
    doc = json.loads(text)
    mutations = {
        "truncated": text[: len(text) // 3],
        "duplicate-key": text.replace("{", '{"k": 99, ', 1),
        "deep-arrays": '{"x": ' + "[" * 100000 + "]" * 100000 + "}",
        "nan-literal": text.replace(str(doc["centroids"][0][0]) if "centroids" in doc else "0", "NaN", 1),
        "wrong-type": text.replace('"k"', '"k_"', 1),
        "empty-object": "{}",
        "not-json": "k-means, please",
        "bom-and-crlf": "\ufeff" + text.replace("\n", "\r\n"),
    }
    if "centroids" in doc:
        short = dict(doc)
        short["centroids"] = [c[:1] for c in doc["centroids"]]
        mutations["short-centroids"] = json.dumps(short)
        many = dict(doc)
        many["k"] = 10 ** 12
        mutations["huge-k"] = json.dumps(many)
    for name, body in mutations.items():
        path = os.path.join(d, f"model-{name}.json")
        open(path, "w", encoding="utf-8").write(body)
        code, sig, err, _, _ = run(persona, ["cluster", base, "--id", "customer_id", "--apply", path, "--out", os.path.join(d, "a.csv")])
        judge("model", name, code, sig, err, must_fail=name != "bom-and-crlf", names=(os.path.basename(path),))


def sweep_options(persona, d, rng):
    base = os.path.join(d, "base.csv")
    customers_csv(base, 300, rng)
    orders = os.path.join(d, "orders-opt.csv")
    orders_csv(orders, 2000, rng, extra="O-x,3,2024-03-03T10:00:00+25:00,5.00\n")
    out = os.path.join(d, "opt.csv")
    cases = {
        "k-negative": ["cluster", base, "--id", "customer_id", "--k", "-3", "--out", out],
        "threads-negative": ["cluster", base, "--id", "customer_id", "--threads", "-2", "--out", out],
        "threads-huge": ["cluster", base, "--id", "customer_id", "--threads", "100000", "--k", "3", "--out", out],
        "tol-nan": ["cluster", base, "--id", "customer_id", "--tol", "nan", "--out", out],
        "k-more-than-rows": ["cluster", base, "--id", "customer_id", "--k", "5000", "--out", out],
        "max-iter-zero": ["cluster", base, "--id", "customer_id", "--max-iter", "0", "--out", out],
        "horizon-negative": ["features", orders, "--customer", "customer", "--date", "date", "--amount", "amount",
                             "--cutoff", "2024-06-01", "--horizon", "-5", "--out", out],
        "timezone-plus-25": ["features", orders, "--customer", "customer", "--date", "date", "--amount", "amount", "--out", out],
        "as-of-nonsense": ["features", orders, "--customer", "customer", "--date", "date", "--amount", "amount",
                           "--as-of", "2024-02-30", "--out", out],
        "hash-key-short": ["segment", base, "--id", "customer_id", "--hash-ids", "--hash-key", "k", "--out", out],
        "hash-key-empty": ["segment", base, "--id", "customer_id", "--hash-ids", "--hash-key", "", "--out", out],
        "risk-inverted": ["churn", "score", base, "--model", os.path.join(d, "churn.json"), "--high", "0.2", "--medium", "0.6", "--out", out],
        "delimiter-quote": ["cluster", base, "--id", "customer_id", "--delimiter", "\"", "--out", out],
        "seed-overflow": ["cluster", base, "--id", "customer_id", "--seed", "99999999999999999999999", "--out", out],
    }
    for name, args in cases.items():
        code, sig, err, _, _ = run(persona, args, timeout=60)
        judge("options", name, code, sig, err, must_fail=name != "threads-huge")
    big = os.path.join(d, "bigamount.csv")
    with open(big, "w") as f:
        f.write("order,customer,date,amount\n")
        for i in range(10):
            f.write(f"O{i},1,2024-01-{i + 1:02d},1.5e308\n")
    code, sig, err, _, _ = run(persona, ["features", big, "--customer", "customer", "--date", "date", "--amount", "amount", "--out", out])
    judge("numbers", "sum-overflows", code, sig, err, names=("bigamount.csv",))
    if code == 0 and "inf" in open(out).read():
        record("numbers", "sum-written-as-inf", "silent", "")
    const = os.path.join(d, "const.csv")
    with open(const, "w") as f:
        f.write("id,a,b,label\n")
        for i in range(200):
            f.write(f"{i},1,2,{i % 2}\n")
    code, sig, err, _, _ = run(persona, ["churn", "train", const, "--id", "id", "--label", "label", "--positive", "1",
                                         "--model", os.path.join(d, "c.json")])
    judge("numbers", "churn-all-constant", code, sig, err, names=("const.csv", "constant"), warn=r"(?i)constant")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persona", required=True)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--rounds", type=int, default=30, help="kill -9 rounds")
    parser.add_argument("--json")
    parser.add_argument("--only", help="comma-separated classes")
    args = parser.parse_args()
    persona = os.path.abspath(args.persona)
    rng = random.Random(args.seed)
    print(f"seed {args.seed}; persona {persona}", flush=True)
    work = tempfile.mkdtemp(prefix="persona-hostile-")
    open(os.path.join(work, "rules-ok.yaml"), "w").write("tags:\n  - name: big\n    when: \"frequency > 5\"\n")
    sweeps = {"csv": sweep_csv, "files": sweep_files, "gzip": sweep_gzip, "memory": lambda p, d, r: sweep_wide(p, d),
              "outputs": sweep_outputs, "config": sweep_configs, "model": sweep_models, "options": sweep_options,
              "commit": lambda p, d, r: sweep_commit(p, d, r, args.rounds)}
    only = set(args.only.split(",")) if args.only else None
    try:
        for name, fn in sweeps.items():
            if only and name not in only:
                continue
            d = os.path.join(work, name)
            os.mkdir(d)
            open(os.path.join(d, "rules-ok.yaml"), "w").write("tags:\n  - name: big\n    when: \"frequency > 5\"\n")
            fn(persona, d, rng)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    counts = {}
    for r in results:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    print("\nsummary:", json.dumps(counts, sort_keys=True))
    bad = [r for r in results if r["verdict"] in ("crash", "hang", "mixed", "unclear", "silent", "memory")]
    for r in bad:
        print(f"  {r['verdict']:8} {r['class']}/{r['case']}: {r['detail'][:200]}")
    if args.json:
        json.dump({"seed": args.seed, "counts": counts, "results": results}, open(args.json, "w"), indent=1, ensure_ascii=False)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
