#!/usr/bin/env python3
"""The Python simhash pipeline: each document's text (HTML as is), 64-bit
Simhash over its words (the package's default features), added to a
SimhashIndex with k=3, near duplicates looked up.

    simhash_peer.py CORPUS.jsonl [--budget SECONDS]

Prints four numbers: the seconds of the whole run, the seconds of the
hashing in it, how many documents went through the index, and how many
documents there were. The index's cost grows with its buckets, which a
corpus of similar documents fills, so on a large corpus it runs many times
longer than the hashing. With --budget, once the run has taken that many
seconds the documents left are only hashed (timed, not indexed): the whole
then covers every document's hashing and the first documents' index work,
so it is the least the full pipeline would take on this corpus (a lower
bound), exact when every document went through the index. --budget 0
times the hashing alone."""
import json
import logging
import sys
import time

from simhash import Simhash, SimhashIndex


def main():
    # The index warns on every insert into a large bucket; the warnings are
    # not part of the work measured.
    logging.disable(logging.WARNING)
    args = sys.argv[2:]
    budget = float(args[args.index("--budget") + 1]) if "--budget" in args else float("inf")
    docs = []
    with open(sys.argv[1], encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs.append((d["id"], d.get("html") or d["text"]))
    start = time.perf_counter()
    index = SimhashIndex([], k=3)
    dups = 0
    hashing = 0.0
    indexed = 0
    for i, text in docs:
        t = time.perf_counter()
        h = Simhash(text)
        hashing += time.perf_counter() - t
        if t - start < budget:
            dups += len(index.get_near_dups(h)) > 0
            index.add(i, h)
            indexed += 1
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f} {hashing:.3f} {indexed} {len(docs)}")


if __name__ == "__main__":
    main()
