#!/usr/bin/env bash
# Peer comparison on HTML pages: newsclean against trafilatura, scored with
# the article-extraction benchmark's metric (bench/score.py) on the labelled
# sets in bench/labelled/, and timed. Installs trafilatura in a virtualenv
# under target/ the first time.
#
#   bash bench/compare.sh [PAGES_DIR REF_DIR]...
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q trafilatura lxml_html_clean
fi
cargo build --release -q
sets=("$@")
if [ ${#sets[@]} -eq 0 ]; then
  # the HTML samples and the second labelled set
  mkdir -p target/bench-samples
  rm -rf target/bench-samples/*
  (cd samples/in && find . -name '*.htm*' -exec cp --parents {} ../../target/bench-samples/ \;)
  sets=(target/bench-samples bench/labelled/samples-ref bench/labelled/pages bench/labelled/pages-ref)
fi
for ((i = 0; i < ${#sets[@]}; i += 2)); do
  pages=${sets[i]}
  refs=${sets[i + 1]}
  echo "== $pages (references: $refs)"
  out=target/bench-out
  rm -rf "$out" && mkdir -p "$out"
  start=$(date +%s.%N)
  target/release/newsclean -q -j 1 --dedup off --disable corpus "$pages" "$out/newsclean"
  end=$(date +%s.%N)
  n=$(find "$pages" -name '*.htm*' | wc -l)
  printf "newsclean: %d pages in %.3fs (whole run, one thread, process start included)\n" "$n" "$(echo "$end - $start" | bc)"
  printf "  newsclean   "; python3 bench/score.py "$refs" "$out/newsclean"
  "$venv/bin/python" bench/trafilatura_run.py "$pages" "$out/trafilatura"
  printf "  trafilatura "; python3 bench/score.py "$refs" "$out/trafilatura"
done
