#!/usr/bin/env python3
"""Reference output for `persona tag` (automatic customer tags from rule conditions).

    persona tag customers_10k.csv --id customer_id \\
        --rules Tests/PersonaCLITests/Fixtures/tags/rules.yaml --out tags.csv

Input: the synthetic customer table from the project's generator,

    .build/release/persona-datagen customers --rows 10000 --seed 7 --out /tmp/customers_10k.csv

(byte-identical for a given seed; not committed, the Swift test regenerates it the same way).

Produces, next to this script (or in --out-dir):

  expected_tags.csv.gz   header `customer_id,tags`, one line per input row in input order;
                         tags = names of matching rules joined with ';' in rule order, empty
                         when none. LF line endings, final newline, RFC 4180 quoting only when
                         a field holds ',', '"', CR or LF. gzip with mtime 0 and no file name,
                         so the .gz is byte-reproducible (with the same zlib); compare the
                         decompressed text (its sha256 is in expected_counts.json).
  expected_counts.json   generator command, sha256 of the generated CSV, inferred column types
                         and blank counts, matches per rule, counts under *wrong* parses of
                         some rules under wrong readings (precedence, blanks, ordering; for
                         debugging), and hand-checkable rows (raw values + matched rules).

Run from the repository root (needs the release build of persona-datagen):

    python3 Tests/PersonaCLITests/Fixtures/tags/make_tags_reference.py
Options: --datagen PATH (default .build/release/persona-datagen), --csv PATH (use an existing
generated CSV instead of running the generator), --rules PATH, --out-dir DIR,
--keep-csv PATH (where the generated CSV is written; default a temporary file).

Generated with Python 3.11.7, pandas 3.1.1, numpy 2.4.6, PyYAML 6.0.3
(`pip install --break-system-packages pyyaml` if yaml is missing).

The condition language is implemented here from the spec, independently of the Swift code,
and without pandas.query/eval (their semantics differ):
  * literals: numbers (-?digits[.digits]), "strings" (\\" is a quote, \\\\ a backslash);
    column names bare (Unicode letters/digits, '_' and ':') or `backquoted`.
  * or < and < not < comparison (binding strength); parentheses.
  * COL op literal / COL op COL with == != < <= > >=; COL in [lit, ...];
    COL is missing / COL is not missing; COL contains "str" (substring, case-sensitive).
  * a column is numeric when every non-blank cell parses as a number (the same number
    syntax as literals, plus an optional '+', '.5', '5.' and an exponent), else text.
    Numeric columns compare as float64 with number literals; text columns compare with
    string literals, ordering by Unicode code point. A type mismatch is an error.
  * any comparison / in / contains that involves a blank cell is FALSE; `is missing` is true
    exactly for blank cells; `not` simply negates (so `not age >= 30` is TRUE for blank age).
The rules are evaluated twice: vectorised (numpy / pandas) and row by row in plain Python;
the script stops if the two disagree anywhere.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import operator
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS, SEED = 10000, 7

# --------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------

KEYWORDS = {"and", "or", "not", "in", "is", "missing", "contains"}
CMP_OPS = ("==", "!=", "<=", ">=", "<", ">")
NUMBER_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class ExprError(Exception):
    pass


def is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_:"


def tokenize(src: str):
    """List of (kind, value): kind in num, str, col, kw, op, punct."""
    toks = []
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()[],":
            toks.append(("punct", ch))
            i += 1
            continue
        two = src[i:i + 2]
        if two in ("==", "!=", "<=", ">="):
            toks.append(("op", two))
            i += 2
            continue
        if ch in "<>":
            toks.append(("op", ch))
            i += 1
            continue
        if ch == '"':
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise ExprError(f"unterminated string in {src!r}")
                c = src[j]
                if c == "\\":
                    if j + 1 < n and src[j + 1] in '"\\':
                        buf.append(src[j + 1])
                        j += 2
                        continue
                    raise ExprError(f"bad escape at {j} in {src!r}")
                if c == '"':
                    break
                buf.append(c)
                j += 1
            toks.append(("str", "".join(buf)))
            i = j + 1
            continue
        if ch == "`":
            j = src.find("`", i + 1)
            if j < 0:
                raise ExprError(f"unterminated backquoted name in {src!r}")
            toks.append(("col", src[i + 1:j]))
            i = j + 1
            continue
        m = NUMBER_RE.match(src, i)
        if m and (ch != "-" or m.end() > i + 1):
            end = m.end()
            if end < n and is_ident_char(src[end]):
                raise ExprError(f"bad number at {i} in {src!r}")
            toks.append(("num", float(m.group())))
            i = end
            continue
        if is_ident_char(ch):
            j = i
            while j < n and is_ident_char(src[j]):
                j += 1
            word = src[i:j]
            toks.append(("kw", word) if word in KEYWORDS else ("col", word))
            i = j
            continue
        raise ExprError(f"unexpected character {ch!r} at {i} in {src!r}")
    toks.append(("end", None))
    return toks


# --------------------------------------------------------------------------------------------
# Parser -> AST (tuples)
#   ("or", a, b) ("and", a, b) ("not", a)
#   ("cmp", op, lhs, rhs)   lhs/rhs: ("col", name) | ("num", x) | ("str", s)
#   ("in", col, [lits])  ("missing", col)  ("notmissing", col)  ("contains", col, s)
# --------------------------------------------------------------------------------------------

class Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = tokenize(src)
        self.pos = 0

    def peek(self):
        return self.toks[self.pos]

    def take(self):
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def accept(self, kind, value=None):
        t = self.peek()
        if t[0] == kind and (value is None or t[1] == value):
            self.pos += 1
            return True
        return False

    def expect(self, kind, value=None):
        t = self.take()
        if t[0] != kind or (value is not None and t[1] != value):
            raise ExprError(f"expected {value or kind}, got {t[1]!r} in {self.src!r}")
        return t

    def parse(self):
        node = self.parse_or()
        if self.peek()[0] != "end":
            raise ExprError(f"unexpected {self.peek()[1]!r} in {self.src!r}")
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.accept("kw", "or"):
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_not()
        while self.accept("kw", "and"):
            node = ("and", node, self.parse_not())
        return node

    def parse_not(self):
        if self.accept("kw", "not"):
            return ("not", self.parse_not())
        if self.accept("punct", "("):
            node = self.parse_or()
            self.expect("punct", ")")
            return node
        return self.parse_condition()

    def parse_operand(self):
        t = self.take()
        if t[0] in ("col", "num", "str"):
            return t
        raise ExprError(f"expected a column or literal, got {t[1]!r} in {self.src!r}")

    def parse_condition(self):
        lhs = self.parse_operand()
        t = self.peek()
        if t[0] == "op":
            self.take()
            rhs = self.parse_operand()
            if lhs[0] != "col" and rhs[0] != "col":
                raise ExprError(f"comparison without a column in {self.src!r}")
            return ("cmp", t[1], lhs, rhs)
        if lhs[0] != "col":
            raise ExprError(f"expected a column before {t[1]!r} in {self.src!r}")
        if self.accept("kw", "in"):
            self.expect("punct", "[")
            items = [self.parse_literal()]
            while self.accept("punct", ","):
                items.append(self.parse_literal())
            self.expect("punct", "]")
            return ("in", lhs[1], items)
        if self.accept("kw", "is"):
            negated = self.accept("kw", "not")
            self.expect("kw", "missing")
            return ("notmissing" if negated else "missing", lhs[1])
        if self.accept("kw", "contains"):
            s = self.expect("str")
            return ("contains", lhs[1], s[1])
        raise ExprError(f"expected an operator after {lhs[1]!r} in {self.src!r}")

    def parse_literal(self):
        t = self.take()
        if t[0] in ("num", "str"):
            return t
        raise ExprError(f"expected a literal in list, got {t[1]!r} in {self.src!r}")


def parse(src: str):
    return Parser(src).parse()


# --------------------------------------------------------------------------------------------
# Column typing
# --------------------------------------------------------------------------------------------

CELL_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class Column:
    def __init__(self, name: str, raw: pd.Series):
        self.name = name
        self.raw = raw.to_numpy(dtype=object)           # cell strings, '' = blank
        self.missing = raw.to_numpy() == ""
        nonblank = raw[~self.missing]
        self.numeric = bool(nonblank.map(lambda s: CELL_NUMBER_RE.fullmatch(s) is not None).all())
        if self.numeric:
            vals = np.full(len(raw), np.nan)
            vals[~self.missing] = [float(s) for s in nonblank]
            self.values = vals
        else:
            self.values = self.raw

    @property
    def kind(self):
        return "numeric" if self.numeric else "text"


def literal_kind(lit):
    return "numeric" if lit[0] == "num" else "text"


OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
       ">": operator.gt, ">=": operator.ge}
FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def check_types(node, cols):
    """Raise ExprError on unknown columns and type mismatches."""
    def col(name):
        if name not in cols:
            raise ExprError(f"unknown column {name!r}")
        return cols[name]
    tag = node[0]
    if tag in ("or", "and"):
        check_types(node[1], cols)
        check_types(node[2], cols)
    elif tag == "not":
        check_types(node[1], cols)
    elif tag == "cmp":
        kinds = [col(x[1]).kind if x[0] == "col" else literal_kind(x) for x in node[2:]]
        if kinds[0] != kinds[1]:
            raise ExprError(f"type mismatch in comparison {node}")
    elif tag == "in":
        k = col(node[1]).kind
        if any(literal_kind(x) != k for x in node[2]):
            raise ExprError(f"type mismatch in `in` list for {node[1]!r}")
    elif tag in ("missing", "notmissing"):
        col(node[1])
    elif tag == "contains":
        if col(node[1]).kind != "text":
            raise ExprError(f"contains on numeric column {node[1]!r}")


# --------------------------------------------------------------------------------------------
# Vectorised evaluation (numpy / pandas)
# --------------------------------------------------------------------------------------------

def eval_vec(node, cols, n):
    tag = node[0]
    if tag == "or":
        return eval_vec(node[1], cols, n) | eval_vec(node[2], cols, n)
    if tag == "and":
        return eval_vec(node[1], cols, n) & eval_vec(node[2], cols, n)
    if tag == "not":
        return ~eval_vec(node[1], cols, n)
    if tag == "missing":
        return cols[node[1]].missing.copy()
    if tag == "notmissing":
        return ~cols[node[1]].missing
    if tag == "contains":
        c = cols[node[1]]
        hit = pd.Series(c.values).str.contains(node[2], regex=False).to_numpy(dtype=bool)
        return hit & ~c.missing
    if tag == "in":
        c = cols[node[1]]
        items = [x[1] for x in node[2]]
        if c.numeric:
            hit = np.isin(c.values, np.array(items, dtype=float))
        else:
            hit = pd.Series(c.values).isin(items).to_numpy(dtype=bool)
        return hit & ~c.missing
    if tag == "cmp":
        op, lhs, rhs = node[1], node[2], node[3]
        if lhs[0] != "col":                        # literal op column -> column flip(op) literal
            op, lhs, rhs = FLIP[op], rhs, lhs
        a = cols[lhs[1]]
        valid = ~a.missing
        if rhs[0] == "col":
            b = cols[rhs[1]]
            valid &= ~b.missing
            bv = b.values
        else:
            bv = rhs[1]
        with np.errstate(invalid="ignore"):
            res = np.asarray(OPS[op](a.values, bv))
        res = res.astype(bool) if res.dtype != bool else res
        return res & valid
    raise AssertionError(node)


# --------------------------------------------------------------------------------------------
# Row-by-row evaluation (plain Python, the cross-check)
# --------------------------------------------------------------------------------------------

def eval_row(node, row, numeric):
    """row: dict column -> cell string ('' = blank); numeric: dict column -> bool."""
    tag = node[0]
    if tag == "or":
        return eval_row(node[1], row, numeric) or eval_row(node[2], row, numeric)
    if tag == "and":
        return eval_row(node[1], row, numeric) and eval_row(node[2], row, numeric)
    if tag == "not":
        return not eval_row(node[1], row, numeric)
    if tag == "missing":
        return row[node[1]] == ""
    if tag == "notmissing":
        return row[node[1]] != ""

    def value(operand):
        """(is_missing, value) of a column reference or literal."""
        if operand[0] == "col":
            cell = row[operand[1]]
            if cell == "":
                return True, None
            return False, float(cell) if numeric[operand[1]] else cell
        return False, operand[1]

    if tag == "contains":
        miss, v = value(("col", node[1]))
        return (not miss) and node[2] in v
    if tag == "in":
        miss, v = value(("col", node[1]))
        return (not miss) and any(v == x[1] for x in node[2])
    if tag == "cmp":
        ma, a = value(node[2])
        mb, b = value(node[3])
        if ma or mb:
            return False
        if isinstance(a, str):
            # explicit code-point comparison (what Python's str ordering does anyway)
            a, b = [ord(ch) for ch in a], [ord(ch) for ch in b]
        return OPS[node[1]](a, b)
    raise AssertionError(node)


# --------------------------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------------------------

def csv_field(s: str) -> str:
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


# Wrong readings of rules whose result depends on precedence, missing-value semantics or
# code-point ordering: each count must differ from the real one, otherwise the rule would
# not test that point. (rule name -> what a wrong implementation would effectively compute)
WRONG_PARSES = {
    "钻石或门店大单": '(会员等级 == "钻石" or channel == "store") and total_spend > 8000',
    "年轻或年龄未知": "age < 30",
    "App 女性": 'not (gender == "M") and channel == "app"',
    "Unsubscribed Opener": 'not (newsletter == "Yes" and email_open_rate > 0.4)',
    "活跃线上": 'channel == "app" or channel == "web" and recency_days <= 30 or sessions_30d >= 20',
    "流失高退货": 'churned == "Yes" and not (return_rate <= 0.1) or discount_share is missing',
    "码位排序": '城市 in ["北京", "成都"] and last_campaign in ["Welcome Series", "Win-back \\"We miss you\\""]',
}


# Rows worth checking by hand (raw values and matched rules go into expected_counts.json).
HAND_CHECKS = {
    "C000002": "blank age: `not age >= 30` is TRUE (年轻或年龄未知), nothing else matches",
    "C000033": "blank total_spend: 消费额缺失 yes, `total_spend < 1000` FALSE so no VIP 低消; "
               "北京 < 广州 and \"双十一…\" >= \"W\" by code point (码位排序)",
    "C000047": "one-time buyer: recency_days == tenure_days == 42 (一次性客户); "
               "Spring \"Mega\" Sale but newsletter No, so no Mega Fan",
    "C004250": "blank gender on app: `gender != \"M\"` FALSE (no App 女性); churned, return_rate "
               "0.183 but blank discount_share so no 流失高退货; 金卡 917.03 -> VIP 低消",
    "C005131": "blank email_open_rate and last_campaign: no Unsubscribed Opener (newsletter No), "
               "no Deal Seeker (Fashion), no Mega Fan",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datagen", default=".build/release/persona-datagen")
    ap.add_argument("--csv", help="use this already generated CSV instead of running --datagen")
    ap.add_argument("--keep-csv", help="write the generated CSV here (default: temporary file)")
    ap.add_argument("--rules", default=os.path.join(HERE, "rules.yaml"))
    ap.add_argument("--out-dir", default=HERE)
    args = ap.parse_args()

    command = ["persona-datagen", "customers", "--rows", str(ROWS), "--seed", str(SEED),
               "--out", "customers_10k.csv"]
    tmpdir = None
    if args.csv:
        csv_path = args.csv
    else:
        if args.keep_csv:
            csv_path = args.keep_csv
        else:
            tmpdir = tempfile.TemporaryDirectory()
            csv_path = os.path.join(tmpdir.name, "customers_10k.csv")
        subprocess.run([args.datagen] + command[1:-1] + [csv_path], check=True)

    with open(csv_path, "rb") as f:
        raw_bytes = f.read()
    df = pd.read_csv(io.BytesIO(raw_bytes), dtype=str, keep_default_na=False, na_values=[],
                     encoding="utf-8")
    n = len(df)

    with open(args.rules, encoding="utf-8") as f:
        rules = yaml.safe_load(f)["tags"]
    names = [str(r["name"]) for r in rules]
    assert len(set(names)) == len(names), "duplicate rule names"

    cols = {c: Column(c, df[c]) for c in df.columns}
    numeric = {c: cols[c].numeric for c in cols}

    asts = []
    for r in rules:
        ast = parse(r["when"])
        check_types(ast, cols)
        asts.append(ast)

    matches = np.column_stack([eval_vec(a, cols, n) for a in asts])       # n x rules, bool

    # cross-check row by row
    records = df.to_dict("records")
    for i, row in enumerate(records):
        for j, a in enumerate(asts):
            if eval_row(a, row, numeric) != bool(matches[i, j]):
                sys.exit(f"vectorised/row evaluators disagree: row {i} rule {names[j]!r}")

    ids = df["customer_id"].tolist()
    lines = ["customer_id,tags"]
    tag_strings = []
    for i in range(n):
        tags = ";".join(names[j] for j in range(len(names)) if matches[i, j])
        tag_strings.append(tags)
        lines.append(csv_field(ids[i]) + "," + csv_field(tags))
    text = ("\n".join(lines) + "\n").encode("utf-8")

    os.makedirs(args.out_dir, exist_ok=True)
    gz_path = os.path.join(args.out_dir, "expected_tags.csv.gz")
    with open(gz_path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(text)

    wrong = {}
    for name, cond in WRONG_PARSES.items():
        a = parse(cond)
        check_types(a, cols)
        right = int(matches[:, names.index(name)].sum())
        w = int(eval_vec(a, cols, n).sum())
        assert w != right, f"wrong parse of {name!r} gives the same count"
        wrong[name] = {"mis_parsed_as": cond, "matches_if_mis_parsed": w}

    hand = []
    for cid, note in HAND_CHECKS.items():
        i = ids.index(cid)
        hand.append({
            "customer_id": cid,
            "row_index": i,
            "note": note,
            "raw": records[i],
            "matched_rules": [names[j] for j in range(len(names)) if matches[i, j]],
            "tags_field": csv_field(tag_strings[i]),
        })

    counts = {
        "generator": {
            "command": " ".join(command).replace("persona-datagen", ".build/release/persona-datagen"),
            "rows": n,
            "seed": SEED,
            "csv_bytes": len(raw_bytes),
            "csv_sha256": sha256_bytes(raw_bytes),
        },
        "tag_command": "persona tag customers_10k.csv --id customer_id "
                       "--rules Tests/PersonaCLITests/Fixtures/tags/rules.yaml --out tags.csv",
        "columns": {c: {"type": cols[c].kind, "blanks": int(cols[c].missing.sum())}
                    for c in df.columns},
        "rules": [{"name": names[j], "when": rules[j]["when"],
                   "matches": int(matches[:, j].sum())} for j in range(len(names))],
        "rows_without_tags": int((~matches.any(axis=1)).sum()),
        "total_tag_assignments": int(matches.sum()),
        "rows_with_quoted_tags_field": sum(1 for t in tag_strings if csv_field(t) != t),
        "expected_tags_csv": {
            "bytes": len(text),
            "sha256_uncompressed": sha256_bytes(text),
            "line_ending": "LF",
        },
        "wrong_reading_counts": wrong,
        "hand_checks": hand,
        "versions": {
            "python": sys.version.split()[0],
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "pyyaml": yaml.__version__,
        },
    }
    with open(os.path.join(args.out_dir, "expected_counts.json"), "w", encoding="utf-8") as f:
        json.dump(counts, f, ensure_ascii=False, indent=2)
        f.write("\n")

    print(f"csv sha256 {counts['generator']['csv_sha256']}  rows {n}")
    for r in counts["rules"]:
        print(f"{r['matches']:6d}  {r['name']}")
    print(f"rows without tags {counts['rows_without_tags']}")
    if tmpdir:
        tmpdir.cleanup()


if __name__ == "__main__":
    main()
