#!/usr/bin/env python3
"""Runs trafilatura on every .html/.htm page under IN and writes the text to
OUT/<site>__<page>.txt (title first, as newsclean does). Prints pages/s."""
import os
import sys
import time

import trafilatura


def main():
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    pages = []
    for root, _, files in os.walk(src):
        for f in sorted(files):
            if f.endswith((".html", ".htm")):
                pages.append(os.path.join(root, f))
    pages.sort()
    raw = [(p, open(p, "rb").read()) for p in pages]
    start = time.perf_counter()
    outs = []
    for path, data in raw:
        doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False, include_tables=True)
        title, text = "", ""
        if doc is not None:
            d = doc if isinstance(doc, dict) else doc.as_dict()
            title = d.get("title") or ""
            text = d.get("text") or ""
        outs.append((path, (title + "\n\n" + text).strip() + "\n"))
    elapsed = time.perf_counter() - start
    for path, text in outs:
        rel = os.path.relpath(path, src)
        name = rel.replace(os.sep, "__").rsplit(".", 1)[0] + ".txt"
        with open(os.path.join(dst, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    print(f"trafilatura {trafilatura.__version__}: {len(raw)} pages in {elapsed:.3f}s, {len(raw) / elapsed:.0f} pages/s")


if __name__ == "__main__":
    main()
