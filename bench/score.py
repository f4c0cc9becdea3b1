#!/usr/bin/env python3
"""Scores extracted article texts against reference texts, with the metric of
the public article-extraction benchmark: per page, the precision and recall
of token 4-gram shingles (tokens: lowercased runs of letters and digits),
averaged over pages; F1 of the two means.

usage: score.py REF_DIR OUT_DIR [--map NAME]
  REF_DIR: one reference .txt per page, named <site>__<page>.txt
  OUT_DIR: the tool's outputs, either mirrored (<site>/<page>.txt) or flat
           with the same names as the references
Prints one line: precision recall F1 pages
"""
import os
import re
import sys

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    toks = TOKEN.findall(text.lower())
    if len(toks) < n:
        return {tuple(toks)} if toks else set()
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def find_output(out_dir, ref_name):
    flat = os.path.join(out_dir, ref_name)
    if os.path.exists(flat):
        return flat
    site, page = ref_name.split("__", 1)
    return os.path.join(out_dir, site, page)


def main():
    ref_dir, out_dir = sys.argv[1], sys.argv[2]
    ps, rs = [], []
    worst = []
    for name in sorted(os.listdir(ref_dir)):
        ref = shingles(open(os.path.join(ref_dir, name), encoding="utf-8").read())
        path = find_output(out_dir, name)
        got = shingles(open(path, encoding="utf-8").read()) if os.path.exists(path) else set()
        inter = len(ref & got)
        p = inter / len(got) if got else (1.0 if not ref else 0.0)
        r = inter / len(ref) if ref else 1.0
        ps.append(p)
        rs.append(r)
        worst.append((min(p, r), name, p, r))
    P = sum(ps) / len(ps)
    R = sum(rs) / len(rs)
    F = 2 * P * R / (P + R) if P + R else 0.0
    if os.environ.get("SCORE_VERBOSE"):
        for w in sorted(worst)[:5]:
            print(f"  {w[1]}: precision {w[2]:.3f} recall {w[3]:.3f}", file=sys.stderr)
    print(f"precision {P:.4f} recall {R:.4f} F1 {F:.4f} pages {len(ps)}")


if __name__ == "__main__":
    main()
