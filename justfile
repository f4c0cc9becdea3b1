# Convenience recipes. The README's two commands work with plain cargo.

# Clean the bundled samples into out/
run:
    cargo run --release -- samples/in out

# The test suite (the README's test command)
test:
    cargo test

# Formatting and lints, as CI runs them
lint:
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings

# Show why each line of a file was removed
explain FILE:
    cargo run --release -- explain {{FILE}}

# Refresh samples/expected after a reviewed change in behaviour
bless:
    rm -rf target/bless && cargo run --release -- samples/in target/bless
    rm -rf samples/expected && mkdir -p samples/expected
    cp -r target/bless/. samples/expected/ && rm -rf samples/expected/.newsclean

# Benchmarks: criterion per stage (decode, normalize, each residue stage,
# HTML extraction, fingerprint, index), index scale (1M and 10M
# fingerprints), the near-duplicate evaluation that chose the defaults, HTML
# throughput, end to end on 10,000 and 100,000 generated documents (JSON
# Lines and folder to folder, with the cat and cp -r floors), and the Python
# simhash pipeline and trafilatura on the same documents. `bash bench/e2e.sh 1000000` for a
# million documents.
bench:
    cargo bench --bench stages
    cargo build --release --examples
    /usr/bin/time -f "  peak memory %M KB" target/release/examples/index_bench 1000000
    /usr/bin/time -f "  peak memory %M KB" target/release/examples/index_bench 10000000
    target/release/examples/dedup_eval samples/expected
    target/release/examples/dedup_eval --raw samples/expected
    target/release/examples/html_bench samples/in 40
    bash bench/e2e.sh 10000 100000
    bash bench/peers.sh 10000 2000

# Peer comparison on HTML pages: newsclean against trafilatura (in a
# virtualenv under target/), scored with bench/score.py
compare:
    bash bench/compare.sh

# Fuzz one target (decode, text_stages, html_extract, index) for SECONDS
# (nightly toolchain and cargo-fuzz needed; not part of CI)
fuzz TARGET SECONDS="600":
    cargo +nightly fuzz run {{TARGET}} -- -max_total_time={{SECONDS}} -max_len=65536
