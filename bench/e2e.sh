#!/usr/bin/env bash
# End-to-end throughput of newsclean on generated corpora, with the floors
# beside it: `cat` of the same JSON Lines input, `cp -r` of the same tree.
# Prints documents/s, MB/s, peak memory and the bytes written to the file
# system (from /usr/bin/time -v).
#
#   bash bench/e2e.sh [N ...]        (default: 10000 100000)
#
# KINDS=text|mixed|html chooses the documents (default text: the text path;
# mixed has one HTML page in four). Folder-to-folder runs are made up to
# FOLDER_MAX documents (default 100000): a tree of a million files takes
# the file system, not newsclean, minutes to create and copy. Each
# newsclean (and cp -r) run is made ROUNDS times (default 3) and the best
# shown: this machine's timings vary from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
kinds=${KINDS:-text}
folder_max=${FOLDER_MAX:-100000}
cargo build --release -q --example gen_corpus
cargo build --release -q
bin=target/release/newsclean
work=target/bench-e2e
peak() { grep "Maximum resident" "$1" | awk '{printf "%.0f MB", $6/1024}'; }
# Bytes the run wrote to files, as the kernel counts them (512-byte units):
# outputs, manifest and the spill file, which the disk must take once they
# no longer fit the page cache.
written() { grep "File system outputs" "$1" | awk '{printf "%.2f GB", $4*512/1e9}'; }
secs() { grep "Elapsed (wall clock)" "$1" | awk '{print $8}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
echo "corpus: $kinds documents; machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB"
printf "%-10s %-34s %10s %10s %10s %10s %10s\n" docs run seconds docs/s MB/s peak written
for n in "${sizes[@]}"; do
  rm -rf "$work" && mkdir -p "$work"
  target/release/examples/gen_corpus "$n" "$work/jsonl" jsonl "$kinds" 2>/dev/null
  # The generator leaves the corpus in the page cache, dirty, and each
  # round leaves deleted outputs: every run starts with nothing waiting to
  # be written, so none pays for another's writeback. (At a million
  # documents this moved nothing: 95.17 s without, 94.91 s with. What
  # moves that run is how full the page cache is: 79.9 s begun with the
  # cache emptied.)
  sync
  mb=$(du -sm "$work/jsonl/corpus.jsonl" | cut -f1)
  row() { local s; s=$(echo "if ($2 < 0.01) 0.01 else $2" | bc -l); printf "%-10s %-34s %10.2f %10.0f %10.1f %10s %10s\n" "$n" "$1" "$2" "$(echo "$n / $s" | bc -l)" "$(echo "$mb / $s" | bc -l)" "$3" "${4:-}"; }
  /usr/bin/time -v cat "$work/jsonl/corpus.jsonl" > /dev/null 2> "$work/t"
  row "cat (floor)" "$(secs "$work/t")" "$(peak "$work/t")" "$(written "$work/t")"
  best=999999
  for ((r = 0; r < ${ROUNDS:-3}; r++)); do
    sync
    /usr/bin/time -v "$bin" -q "$work/jsonl" "$work/out-jsonl" 2> "$work/t" || true
    s=$(secs "$work/t"); [ "$(echo "$s < $best" | bc -l)" = 1 ] && best=$s && best_peak=$(peak "$work/t") && best_written=$(written "$work/t")
    rm -rf "$work/out-jsonl"
  done
  row "newsclean JSON Lines in and out" "$best" "$best_peak" "$best_written"
  if [ "$n" -le "$folder_max" ]; then
    target/release/examples/gen_corpus "$n" "$work/tree" tree "$kinds" 2>/dev/null
    # File creation here varies from run to run by several times (the
    # same cp -r of 10,000 files took 0.2 s and 4.5 s within minutes): the
    # two take turns, ROUNDS times (default 3). The best of each is shown,
    # and the ratio of each round (cp -r, then newsclean right after it),
    # which compares the two on the file system as it was at that moment.
    # Outputs are moved aside and deleted after the rounds: on this file
    # system (ext4), creating files soon after a mass deletion is several
    # times slower, and the deletion would tax whichever run came next.
    best_cp=999999 best_nc=999999 ratios=()
    mkdir -p "$work/trash"
    for ((r = 0; r < ${ROUNDS:-3}; r++)); do
      sync
      /usr/bin/time -v cp -r "$work/tree" "$work/copy" 2> "$work/t"
      s_cp=$(secs "$work/t"); [ "$(echo "$s_cp < $best_cp" | bc -l)" = 1 ] && best_cp=$s_cp && cp_peak=$(peak "$work/t") && cp_written=$(written "$work/t")
      mv "$work/copy" "$work/trash/copy-$r"
      sync
      /usr/bin/time -v "$bin" -q "$work/tree" "$work/out-tree" 2> "$work/t" || true
      s=$(secs "$work/t"); [ "$(echo "$s < $best_nc" | bc -l)" = 1 ] && best_nc=$s && nc_peak=$(peak "$work/t") && nc_written=$(written "$work/t")
      ratios+=("$(printf "%.2fx (%.2f / %.2f s)" "$(echo "$s / $s_cp" | bc -l)" "$s" "$s_cp")")
      mv "$work/out-tree" "$work/trash/out-$r"
    done
    rm -rf "$work/trash"
    row "cp -r of the tree (floor)" "$best_cp" "$cp_peak" "$cp_written"
    row "newsclean folder to folder" "$best_nc" "$nc_peak" "$nc_written"
    printf "%-10s %-34s %10.2fx\n" "$n" "folder: best newsclean / best cp -r" "$(echo "$best_nc / $best_cp" | bc -l)"
    printf "%-10s %-34s %s\n" "$n" "folder: each round" "$(IFS=,; echo "${ratios[*]}" | sed 's/,/, /g')"
  fi
done
