#!/usr/bin/env bash
# The Python simhash pipeline the issue names (the `simhash` package, 64-bit
# fingerprints, SimhashIndex with k=3) on the same generated documents as
# newsclean, in a virtualenv under target/, and the ratio per document.
#
#   bash bench/peers.sh [N]          (default 100000; KINDS=text|mixed, default text)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q simhash
cargo build --release -q --example gen_corpus
cargo build --release -q
work=target/bench-peers
rm -rf "$work" && mkdir -p "$work"
target/release/examples/gen_corpus "$n" "$work" jsonl "${KINDS:-text}" 2>/dev/null
start=$(date +%s.%N)
target/release/newsclean -q --html-field html "$work" "$work/out"
end=$(date +%s.%N)
ours=$(echo "$end - $start" | bc -l)
theirs=$("$venv/bin/python" bench/simhash_peer.py "$work/corpus.jsonl")
printf "%d documents: newsclean (clean + fingerprint + cluster) %.2fs, Python simhash pipeline %.2fs, ratio %.0fx\n" \
  "$n" "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
