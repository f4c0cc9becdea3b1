#!/usr/bin/env python3
"""The Python simhash pipeline: each document's text (HTML as is), 64-bit
Simhash over its words (the package's default features), added to a
SimhashIndex with k=3, near duplicates looked up. Prints the seconds of the
whole (hashing and index) and of the hashing alone: the index's cost grows
with its buckets, which a corpus of similar documents fills, so the hashing
alone is the per-document floor of this pipeline. With --no-index only the
hashing is done (both numbers are then the hashing's)."""
import json
import logging
import sys
import time

from simhash import Simhash, SimhashIndex


def main():
    # The index warns on every insert into a large bucket; the warnings are
    # not part of the work measured.
    logging.disable(logging.WARNING)
    use_index = "--no-index" not in sys.argv[2:]
    docs = []
    with open(sys.argv[1], encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs.append((d["id"], d.get("html") or d["text"]))
    start = time.perf_counter()
    index = SimhashIndex([], k=3)
    dups = 0
    hashing = 0.0
    for i, text in docs:
        t = time.perf_counter()
        h = Simhash(text)
        hashing += time.perf_counter() - t
        if use_index:
            dups += len(index.get_near_dups(h)) > 0
            index.add(i, h)
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f} {hashing:.3f}")


if __name__ == "__main__":
    main()
