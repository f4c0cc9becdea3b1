#!/usr/bin/env bash
# End-to-end throughput of newsclean on generated corpora, with the floors
# beside it: `cat` of the same JSON Lines input, `cp -r` of the same tree.
# Prints documents/s, MB/s, peak memory and the bytes written to the file
# system (from /usr/bin/time -v), and how the time splits between the
# residue stages, near-duplicate detection and the rest (BREAKDOWN=0
# skips those runs): for JSON Lines, the run without each and without
# both; folder to folder, the run without both, against `cp -r`.
#
#   bash bench/e2e.sh [N ...]        (default: 10000 100000)
#
# KINDS=text|mixed|html chooses the documents (default text: the text path;
# mixed has one HTML page in four). Folder-to-folder runs are made up to
# FOLDER_MAX documents (default 100000): a tree of a million files takes
# the file system, not newsclean, minutes to create and copy. Each
# newsclean (and cp -r) run is made ROUNDS times (default 3) and the best
# shown: this machine's timings vary from run to run.
#
# Each timed run begins with the page cache emptied (when this user may
# write /proc/sys/vm/drop_caches; DROP_CACHES=0 keeps it) and the input
# read once, so every size starts from the same state: a cache left full
# by earlier runs and by generating the corpus made a million documents
# 15 s slower (94.9 s against 79.9 s), a cost of the benchmark's own
# leftovers, not of the size. The last lines give each size's time per
# document against the first size's, measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
kinds=${KINDS:-text}
folder_max=${FOLDER_MAX:-100000}
cargo build --release -q --example gen_corpus
cargo build --release -q
bin=target/release/newsclean
# Every stage but normalize (which cannot be switched off), for the runs
# that show where the time goes.
all_stages=$("$bin" stages | grep -vx normalize | paste -sd, -)
work=target/bench-e2e
# Empties the page cache (all of it: the input is read again after) and
# reads the input into it, as a user's run of a file just written would.
fresh() {
  sync
  if [ "${DROP_CACHES:-1}" = 1 ] && [ -w /proc/sys/vm/drop_caches ]; then
    echo 1 > /proc/sys/vm/drop_caches
  fi
  [ $# -eq 0 ] || find "$@" -type f -print0 | xargs -0 cat > /dev/null
}
dropping=no
[ "${DROP_CACHES:-1}" = 1 ] && [ -w /proc/sys/vm/drop_caches ] && dropping=yes
peak() { grep "Maximum resident" "$1" | awk '{printf "%.0f MB", $6/1024}'; }
# Bytes the run wrote to files, as the kernel counts them (512-byte units):
# outputs, manifest and the spill file, which the disk must take once they
# no longer fit the page cache.
written() { grep "File system outputs" "$1" | awk '{printf "%.2f GB", $4*512/1e9}'; }
# Processor time (user + system) of the run, in seconds.
cpu() { awk -F': ' '/User time|System time/ {t += $2} END {print t}' "$1"; }
secs() { grep "Elapsed (wall clock)" "$1" | awk '{print $8}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
echo "corpus: $kinds documents; machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB; page cache emptied before each run: $dropping"
printf "%-10s %-34s %10s %10s %10s %10s %10s\n" docs run seconds docs/s MB/s peak written
per_doc=()
for n in "${sizes[@]}"; do
  rm -rf "$work" && mkdir -p "$work"
  target/release/examples/gen_corpus "$n" "$work/jsonl" jsonl "$kinds" 2>/dev/null
  # (The generator leaves the corpus in the page cache, dirty: each run's
  # `fresh` writes it out first, so that no run pays for another's
  # writeback.)
  mb=$(du -sm "$work/jsonl/corpus.jsonl" | cut -f1)
  row() { local s; s=$(echo "if ($2 < 0.01) 0.01 else $2" | bc -l); printf "%-10s %-34s %10.2f %10.0f %10.1f %10s %10s\n" "$n" "$1" "$2" "$(echo "$n / $s" | bc -l)" "$(echo "$mb / $s" | bc -l)" "${3:-}" "${4:-}"; }
  fresh "$work/jsonl/corpus.jsonl"
  /usr/bin/time -v cat "$work/jsonl/corpus.jsonl" > /dev/null 2> "$work/t"
  row "cat (floor)" "$(secs "$work/t")" "$(peak "$work/t")" "$(written "$work/t")"
  # ROUNDS runs of newsclean on the JSON Lines with the flags given: the
  # best wall time in $best (with that run's peak and bytes written), the
  # least processor time in $best_cpu.
  jsonl_rounds() {
    best=999999 best_cpu=999999
    local r s c
    for ((r = 0; r < ${ROUNDS:-3}; r++)); do
      fresh "$work/jsonl/corpus.jsonl"
      /usr/bin/time -v "$bin" -q "$@" "$work/jsonl" "$work/out-jsonl" 2> "$work/t" || true
      s=$(secs "$work/t"); [ "$(echo "$s < $best" | bc -l)" = 1 ] && best=$s && best_peak=$(peak "$work/t") && best_written=$(written "$work/t")
      c=$(cpu "$work/t"); [ "$(echo "$c < $best_cpu" | bc -l)" = 1 ] && best_cpu=$c
      rm -rf "$work/out-jsonl"
    done
  }
  jsonl_rounds
  row "newsclean JSON Lines in and out" "$best" "$best_peak" "$best_written"
  per_doc+=("$n $(echo "$best / $n * 1000000" | bc -l) $(echo "$best_cpu / $n * 1000000" | bc -l)")
  # Where the time goes (BREAKDOWN=0 skips it): the same run without
  # near-duplicate detection, without the residue stages (every stage
  # `newsclean stages` lists but normalize, which cannot be switched
  # off), and without both: what is left is reading and parsing JSON,
  # decoding, normalizing, writing the outputs and the manifest. What
  # switching each off saves is its cost in this run; the two savings
  # need not add up (without the stages, dedup reads the residue too;
  # without dedup, the corpus stage still fingerprints and clusters).
  if [ "${BREAKDOWN:-1}" = 1 ]; then
    t_all=$best
    jsonl_rounds --dedup off; t_nodedup=$best
    jsonl_rounds --disable "$all_stages"; t_nostages=$best
    jsonl_rounds --disable "$all_stages" --dedup off; t_floor=$best
    row "  ... without dedup" "$t_nodedup"
    row "  ... without residue stages" "$t_nostages"
    row "  ... without either" "$t_floor"
    printf "%-10s %-34s %s\n" "$n" "JSON Lines: where the time goes" "$(printf "of %.2f s, the stages off saves %.2f s (%.0f%%), dedup off %.2f s (%.0f%%); both off leaves %.2f s (%.0f%%)" "$t_all" \
      "$(echo "$t_all - $t_nostages" | bc -l)" "$(echo "($t_all - $t_nostages) * 100 / $t_all" | bc -l)" \
      "$(echo "$t_all - $t_nodedup" | bc -l)" "$(echo "($t_all - $t_nodedup) * 100 / $t_all" | bc -l)" \
      "$t_floor" "$(echo "$t_floor * 100 / $t_all" | bc -l)")"
  fi
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
    # newsclean syncs its outputs to disk before it commits its manifest;
    # cp -r leaves them to the kernel. The sync right after each cp -r is
    # timed too: cp -r then sync is the durable copy, the floor for a run
    # with newsclean's guarantee.
    best_cp=999999 best_cps=999999 best_nc=999999 best_fl=999999 ratios=()
    mkdir -p "$work/trash"
    for ((r = 0; r < ${ROUNDS:-3}; r++)); do
      fresh "$work/tree"
      /usr/bin/time -v cp -r "$work/tree" "$work/copy" 2> "$work/t"
      s_cp=$(secs "$work/t"); [ "$(echo "$s_cp < $best_cp" | bc -l)" = 1 ] && best_cp=$s_cp && cp_peak=$(peak "$work/t") && cp_written=$(written "$work/t")
      /usr/bin/time -v sync 2> "$work/t"
      s_cps=$(echo "$s_cp + $(secs "$work/t")" | bc -l); [ "$(echo "$s_cps < $best_cps" | bc -l)" = 1 ] && best_cps=$s_cps
      mv "$work/copy" "$work/trash/copy-$r"
      fresh "$work/tree"
      /usr/bin/time -v "$bin" -q "$work/tree" "$work/out-tree" 2> "$work/t" || true
      s=$(secs "$work/t"); [ "$(echo "$s < $best_nc" | bc -l)" = 1 ] && best_nc=$s && nc_peak=$(peak "$work/t") && nc_written=$(written "$work/t")
      ratios+=("$(printf "%.2fx (%.2f / %.2f s; %.2fx cp -r then sync, %.2f s)" "$(echo "$s / $s_cp" | bc -l)" "$s" "$s_cp" "$(echo "$s / $s_cps" | bc -l)" "$s_cps")")
      mv "$work/out-tree" "$work/trash/out-$r"
      # The floor of newsclean's own: the same run with every residue
      # stage and dedup off (read, decode, normalize, write, manifest).
      if [ "${BREAKDOWN:-1}" = 1 ]; then
        fresh "$work/tree"
        /usr/bin/time -v "$bin" -q --disable "$all_stages" --dedup off "$work/tree" "$work/out-tree" 2> "$work/t" || true
        s=$(secs "$work/t"); [ "$(echo "$s < $best_fl" | bc -l)" = 1 ] && best_fl=$s
        mv "$work/out-tree" "$work/trash/floor-$r"
      fi
    done
    rm -rf "$work/trash"
    row "cp -r of the tree (floor)" "$best_cp" "$cp_peak" "$cp_written"
    row "cp -r, then sync (durable floor)" "$best_cps"
    row "newsclean folder to folder" "$best_nc" "$nc_peak" "$nc_written"
    printf "%-10s %-34s %10.2fx\n" "$n" "folder: best newsclean / best cp -r" "$(echo "$best_nc / $best_cp" | bc -l)"
    printf "%-10s %-34s %10.2fx\n" "$n" "folder: ... / best cp -r then sync" "$(echo "$best_nc / $best_cps" | bc -l)"
    printf "%-10s %-34s %s\n" "$n" "folder: each round" "$(IFS=,; echo "${ratios[*]}" | sed 's/,/, /g')"
    if [ "${BREAKDOWN:-1}" = 1 ]; then
      row "newsclean, stages and dedup off" "$best_fl"
      printf "%-10s %-34s %10.2fx\n" "$n" "folder: that / best cp -r" "$(echo "$best_fl / $best_cp" | bc -l)"
    fi
  fi
done
# Growth: each size's time per document (JSON Lines, best round) against
# the first size's, wall clock and processor time (user + system, best
# round). Linear growth is 1.00x. A short run's best wall time is the
# noisier of the two: the processor time shows the work done.
if [ ${#per_doc[@]} -gt 1 ]; then
  read -r n0 t0 c0 <<< "${per_doc[0]}"
  for e in "${per_doc[@]:1}"; do
    read -r n t c <<< "$e"
    printf "growth: %s documents take %.1f us each (%.2fx the %.1f us each of %s), %.1f us of processor time each (%.2fx the %.1f us)\n" \
      "$n" "$t" "$(echo "$t / $t0" | bc -l)" "$t0" "$n0" "$c" "$(echo "$c / $c0" | bc -l)" "$c0"
  done
fi
