#!/usr/bin/env bash
# Peers on the same generated documents, in the same run, from a virtualenv
# under target/:
# - text: the Python simhash pipeline the issue names (the `simhash`
#   package, 64-bit fingerprints, SimhashIndex with k=3) against newsclean's
#   whole run (clean + fingerprint + cluster), JSON Lines in and out;
# - HTML: trafilatura (extraction only, pages already in memory, one
#   process) against newsclean's whole run folder to folder (read, extract,
#   clean, fingerprint, cluster, write), on 1 and on 2 threads.
#
#   bash bench/peers.sh [N] [HTML_PAGES]
#   (defaults 100000 and 2000; KINDS=text|mixed for the text corpus, default
#   text; PY_BUDGET, default 900: seconds the Python index is given, past them
#   the documents left are hashed only and its time is a lower bound;
#   ROUNDS, default 3: newsclean's runs, the best taken; DROP_CACHES=0
#   keeps the page cache)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q simhash trafilatura lxml_html_clean
cargo build --release -q --example gen_corpus
cargo build --release -q
work=target/bench-peers
rm -rf "$work" && mkdir -p "$work"
target/release/examples/gen_corpus "$n" "$work" jsonl "${KINDS:-text}" 2>/dev/null
# Each timed newsclean run starts as e2e.sh's do: the corpus the generator
# just wrote is synced (its writeback would otherwise fall in the first
# run), the page cache emptied when this user may, and the input read once.
# newsclean's time is the best of ROUNDS runs (default 3): one run of a
# few seconds on this machine varies by half. Python's hashing runs for
# minutes, where that noise averages out.
fresh() {
  sync
  if [ "${DROP_CACHES:-1}" = 1 ] && [ -w /proc/sys/vm/drop_caches ]; then
    echo 1 > /proc/sys/vm/drop_caches
  fi
  find "$@" -type f -print0 | xargs -0 cat > /dev/null
}
# Seconds of a newsclean run (the output folder removed after it).
timed() {
  local start end
  start=$(date +%s.%N)
  target/release/newsclean -q "$@"
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
best() { printf "%s\n" "$@" | sort -g | head -1; }
runs=()
for ((r = 0; r < ${ROUNDS:-3}; r++)); do
  fresh "$work/corpus.jsonl"
  runs+=("$(timed --html-field html "$work" "$work/out")")
  rm -rf "$work/out"
done
ours=$(best "${runs[@]}")
printf "%d documents: newsclean runs %s s (best %.2f s)\n" "$n" "$(printf "%.2f " "${runs[@]}")" "$ours"
# The whole Python pipeline (hashing and index), given PY_BUDGET seconds
# (default 900): on this corpus its buckets fill, a document costs it more
# the more documents it holds, and at 100,000 documents it runs many times
# longer than its hashing. Past the budget the documents left are hashed only,
# so the time printed is then the least the whole pipeline takes here (a
# lower bound, marked "at least"), and the ratio a lower bound too.
read -r theirs hashing indexed total < <("$venv/bin/python" bench/simhash_peer.py "$work/corpus.jsonl" --budget "${PY_BUDGET:-900}")
if [ "$indexed" = "$total" ]; then
  bound="" how="every document through the index"
else
  bound="at least " how="$indexed of $total documents through the index, the rest hashed only"
fi
printf "%d documents: Python simhash pipeline (hashing and index) %s%.2fs (%s)\n" \
  "$n" "$bound" "$theirs" "$how"
printf "%d documents: newsclean (clean + fingerprint + cluster) %.2fs, ratio %s%.0fx\n" \
  "$n" "$ours" "$bound" "$(echo "$theirs / $ours" | bc -l)"
# Its hashing alone, the least this pipeline costs per document whatever
# the corpus.
printf "%d documents: Python simhash hashing alone %.2fs, ratio %.0fx\n" \
  "$n" "$hashing" "$(echo "$hashing / $ours" | bc -l)"

pages=${2:-2000}
html=$work/html
target/release/examples/gen_corpus "$pages" "$html" tree html 2>/dev/null
for j in 1 2; do
  runs=()
  for ((r = 0; r < ${ROUNDS:-3}; r++)); do
    fresh "$html"
    runs+=("$(timed -j "$j" "$html" "$work/html-out")")
    rm -rf "$work/html-out"
  done
  t=$(best "${runs[@]}")
  printf "%d HTML pages, newsclean -j %d (whole run, folder to folder): %.2fs, %.0f pages/s\n" "$pages" "$j" "$t" "$(echo "$pages / $t" | bc -l)"
  if [ "$j" = 1 ]; then ours_j1=$t; else ours_j2=$t; fi
done
line=$("$venv/bin/python" bench/trafilatura_run.py "$html" "$work/html-trafilatura")
echo "$line"
traf=$(echo "$line" | sed -E 's/.* in ([0-9.]+)s.*/\1/')
printf "HTML ratio: newsclean -j 1 %.1fx, -j 2 %.1fx trafilatura's pages/s\n" \
  "$(echo "$traf / $ours_j1" | bc -l)" "$(echo "$traf / $ours_j2" | bc -l)"
