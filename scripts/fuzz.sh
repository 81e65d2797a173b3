#!/usr/bin/env bash
# Fuzzing starcity-core with cargo-fuzz (libFuzzer); the crate is fuzz/, its own workspace.
#
#   scripts/fuzz.sh replay                     build every target and run each over its stored
#                                              corpus (fuzz/corpus/TARGET) only; fails on any
#                                              crash. This is what CI calls.
#   scripts/fuzz.sh run TARGET SECONDS [RUNS]  fuzz one target for SECONDS (and at most RUNS
#                                              executions; default unlimited), then print
#                                              executions/s and total executions. New inputs go
#                                              to fuzz/target/new-corpus/TARGET (not committed),
#                                              crashes to fuzz/artifacts/TARGET/.
#   scripts/fuzz.sh merge TARGET               add to fuzz/corpus/TARGET only those inputs from
#                                              fuzz/target/new-corpus/TARGET that add coverage.
#   scripts/fuzz.sh cmin TARGET                minimise fuzz/corpus/TARGET in place.
#   scripts/fuzz.sh trim TARGET [FILES [BYTES]] rebuild fuzz/corpus/TARGET from itself and
#                                              fuzz/target/new-corpus/TARGET: the seed-* files,
#                                              then greedily the inputs that add the most
#                                              coverage, up to FILES files (200) and BYTES bytes
#                                              (2000000). Needs python3.
#   scripts/fuzz.sh seed                       (re)add the seed inputs taken from the repository
#                                              (scenarios, divergences, test fixtures, data).
#   scripts/fuzz.sh list                       print the target names.
#
# Works on stable Rust: cargo-fuzz passes nightly-only flags (`-Zsanitizer=address`, ...), which
# stable rustc/cargo accept when RUSTC_BOOTSTRAP=1 is set, as this script does. The address
# sanitizer works this way on x86_64 Linux (its runtime ships with the stable toolchain). Set
# FUZZ_SANITIZER=none to build without it (executions about 5x faster: 95k/s against 18k/s on
# `condition`; but out-of-bounds reads in
# unsafe code go unnoticed; safe Rust's panics, overflow checks and debug assertions still fire:
# cargo-fuzz builds release with debug assertions on).
#
# Environment: FUZZ_SANITIZER (address | none, default address); CARGO_BUILD_JOBS (default 1).
# Every libFuzzer run uses -rss_limit_mb=2048 -timeout=10, so an OOM or a slow input is a crash.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
sanitizer=${FUZZ_SANITIZER:-address}
targets=(scenario_compile divergence_apply condition record_parse scenario_run)
limits=(-rss_limit_mb=2048 -timeout=10)

die() {
    echo "fuzz.sh: $*" >&2
    exit 2
}

usage() {
    sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

ensure_cargo_fuzz() {
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "fuzz.sh: cargo-fuzz is missing; installing it" >&2
        cargo install cargo-fuzz --locked
    fi
}

check_target() {
    local t
    for t in "${targets[@]}"; do
        [[ $t == "$1" ]] && return 0
    done
    die "unknown target '$1' (targets: ${targets[*]})"
}

dict_for() {
    case $1 in
        condition) echo fuzz/dict/condition.dict ;;
        record_parse) echo fuzz/dict/record.dict ;;
        *) echo fuzz/dict/toml.dict ;;
    esac
}

# Adds a file to a corpus under a readable name (overwriting an earlier seed of that name).
seed_file() {
    local target=$1 name=$2 src=$3
    mkdir -p "fuzz/corpus/$target"
    cp "$src" "fuzz/corpus/$target/seed-$name"
}

seed_text() {
    local target=$1 name=$2 text=$3
    mkdir -p "fuzz/corpus/$target"
    printf '%s' "$text" >"fuzz/corpus/$target/seed-$name"
}

seed() {
    local f fx=crates/starcity/tests/fixtures
    for f in scenarios/*.toml scripts/reference/benchmark.toml; do
        seed_file scenario_compile "$(basename "$f")" "$f"
        seed_file scenario_run "$(basename "$f")" "$f"
    done
    for f in "$fx"/record/recorded-race.toml; do
        seed_file scenario_compile "$(basename "$f")" "$f"
        seed_file scenario_run "$(basename "$f")" "$f"
    done
    for f in "$fx"/bad/*.toml; do
        seed_file scenario_compile "bad-$(basename "$f")" "$f"
        seed_file scenario_run "bad-$(basename "$f")" "$f"
    done
    for f in divergences/*.toml "$fx"/divergences/*.toml; do
        seed_file divergence_apply "$(basename "$f")" "$f"
    done
    for f in "$fx"/bad-divergences/*.toml; do
        seed_file divergence_apply "bad-$(basename "$f")" "$f"
    done
    for f in "$fx"/records/*.tsv; do
        seed_file record_parse "$(basename "$f")" "$f"
    done
    head -n 50 data/launches-1957-1980.tsv >"fuzz/corpus/record_parse/seed-launches-50.tsv"
    head -n 300 data/launches-1957-1980.tsv >"fuzz/corpus/record_parse/seed-launches-300.tsv"
    head -n 20 data/crewed-flights-1961-1975.tsv >"fuzz/corpus/record_parse/seed-crewed-flights-20.tsv"
    # Conditions: from the `when`/`requires`/`cancel` fields of the scenarios (space-race's names
    # do not resolve in tiny-race, which still exercises the parser), plus tiny-race ones.
    local n=0 c
    while IFS= read -r c; do
        n=$((n + 1))
        seed_text condition "scenario-$n" "$c"
    done < <(grep -hoE '^(when|requires|cancel) = "[^"]*"' scenarios/*.toml | sed -E 's/^[a-z]+ = "(.*)"$/\1/' | sort -u | head -n 16)
    seed_text condition tiny-1 'first(crewed_orbit, RED) and crew_lost(BLUE) == 0'
    seed_text condition tiny-2 'reached(BLUE, crewed_orbit) or not any(crewed_orbit)'
    seed_text condition tiny-3 'flights(red-rocket) >= 2 and failures(blue-rocket) < 1.5'
    seed_text condition tiny-4 'started(red-program) and (done(blue-program) or cancelled(red-program))'
    seed_text condition tiny-5 'after(1962-06-01) and not (true or false)'
    seed_text condition tiny-6 'crew_lost(RED) != -0.5 and flights(blue-rocket) <= 1e3'
    seed_text condition tiny-7 'first(crewed_orbit, USSR) and crew_lost(USA) == 0'
    seed_text condition tiny-8 'not not not (reached(RED, crewed_orbit))'
}

build() {
    ensure_cargo_fuzz
    echo "fuzz.sh: cargo fuzz build --sanitizer $sanitizer (RUSTC_BOOTSTRAP=1, $CARGO_BUILD_JOBS jobs)" >&2
    cargo fuzz build --sanitizer "$sanitizer" "$@"
}

replay() {
    build
    local t failed=()
    for t in "${targets[@]}"; do
        [[ -d fuzz/corpus/$t ]] || die "no stored corpus fuzz/corpus/$t"
        echo "fuzz.sh: replaying fuzz/corpus/$t ($(find "fuzz/corpus/$t" -type f | wc -l) inputs)" >&2
        # -runs=0: execute the stored inputs, no mutation. Nothing is written to the corpus.
        local log rc
        log=$(mktemp)
        set +e
        cargo fuzz run --sanitizer "$sanitizer" "$t" "fuzz/corpus/$t" -- \
            -runs=0 "${limits[@]}" -print_final_stats=1 >"$log" 2>&1
        rc=$?
        set -e
        if [[ $rc -ne 0 ]]; then
            cat "$log"
            failed+=("$t")
        else
            grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$log" | sed 's/^/    /' || true
        fi
        rm -f "$log"
    done
    if ((${#failed[@]})); then
        echo "fuzz.sh: replay FAILED for: ${failed[*]} (reproducers in fuzz/artifacts/)" >&2
        exit 1
    fi
    echo "fuzz.sh: replay passed for all ${#targets[@]} targets" >&2
}

run() {
    local t=$1 secs=$2 runs=${3:--1}
    check_target "$t"
    [[ $secs =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number, not '$secs'"
    [[ $runs =~ ^-?[0-9]+$ ]] || die "RUNS must be a whole number, not '$runs'"
    build "$t"
    local new="fuzz/target/new-corpus/$t" log
    mkdir -p "$new" "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log=$(mktemp)
    # The first corpus directory receives the new inputs; the stored corpus is only read.
    set +e
    cargo fuzz run --sanitizer "$sanitizer" "$t" "$new" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -runs="$runs" "${limits[@]}" -dict="$(dict_for "$t")" \
        -print_final_stats=1 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    set -e
    local execs rate
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    rm -f "$log"
    echo "fuzz.sh: $t: ${execs:-?} executions, ${rate:-?} executions/s (sanitizer $sanitizer, exit $rc)"
    if [[ $rc -ne 0 ]]; then
        echo "fuzz.sh: $t found a crash; see fuzz/artifacts/$t/" >&2
    fi
    return "$rc"
}

merge() {
    local t=$1
    check_target "$t"
    build "$t"
    mkdir -p "fuzz/target/new-corpus/$t"
    cargo fuzz run --sanitizer "$sanitizer" "$t" "fuzz/corpus/$t" "fuzz/target/new-corpus/$t" -- \
        -merge=1 "${limits[@]}"
}

cmin() {
    local t=$1
    check_target "$t"
    build "$t"
    cargo fuzz cmin --sanitizer "$sanitizer" "$t" "fuzz/corpus/$t" -- "${limits[@]}"
}

trim() {
    local t=$1 max_files=${2:-200} max_bytes=${3:-2000000}
    check_target "$t"
    build "$t"
    local new="fuzz/target/new-corpus/$t" scratch
    mkdir -p "$new" "fuzz/corpus/$t"
    scratch=$(mktemp -d)
    mkdir "$scratch/out"
    # A merge into an empty directory runs every input and records each one's features.
    cargo fuzz run --sanitizer "$sanitizer" "$t" "$scratch/out" "fuzz/corpus/$t" "$new" -- \
        -merge=1 -merge_control_file="$scratch/control" "${limits[@]}" >"$scratch/log" 2>&1 ||
        { cat "$scratch/log"; die "the merge for $t failed"; }
    python3 - "$scratch/control" "$scratch/keep" "$max_files" "$max_bytes" <<'PY'
import hashlib, os, sys
control, keep_dir, max_files, max_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(control).read().splitlines()
n = int(lines[0])
files = lines[2:2 + n]
feats, size = {}, {}
for line in lines[2 + n:]:
    parts = line.split()
    if parts[0] == "STARTED":
        size[int(parts[1])] = int(parts[2])
    elif parts[0] == "FT":
        feats[int(parts[1])] = set(map(int, parts[2:]))
ok = [i for i in feats]  # an input without FT crashed while being run: leave it out
covered, chosen, total = set(), [], 0
for i in ok:  # seeds first, always
    if os.path.basename(files[i]).startswith("seed-"):
        chosen.append(i); covered |= feats[i]; total += size[i]
rest = [i for i in ok if i not in set(chosen)]
while len(chosen) < max_files and rest:
    best = max(rest, key=lambda i: (len(feats[i] - covered), -size[i]))
    gain = len(feats[best] - covered)
    if gain == 0:
        break
    rest.remove(best)
    if total + size[best] > max_bytes:
        continue
    chosen.append(best); covered |= feats[best]; total += size[best]
all_feats = set().union(*feats.values()) if feats else set()
os.makedirs(keep_dir)
for i in chosen:
    data = open(files[i], "rb").read()
    base = os.path.basename(files[i])
    name = base if base.startswith("seed-") else hashlib.sha1(data).hexdigest()
    open(os.path.join(keep_dir, name), "wb").write(data)
print(f"kept {len(chosen)} of {len(ok)} inputs ({total} bytes), {len(covered)} of {len(all_feats)} features")
PY
    rm -rf "fuzz/corpus/$t"
    mv "$scratch/keep" "fuzz/corpus/$t"
    rm -rf "$scratch"
}

[[ $# -ge 1 ]] || usage
cmd=$1
shift
case $cmd in
    replay) [[ $# -eq 0 ]] || usage; replay ;;
    run) [[ $# -eq 2 || $# -eq 3 ]] || usage; run "$@" ;;
    merge) [[ $# -eq 1 ]] || usage; merge "$1" ;;
    cmin) [[ $# -eq 1 ]] || usage; cmin "$1" ;;
    trim) [[ $# -ge 1 && $# -le 3 ]] || usage; trim "$@" ;;
    seed) [[ $# -eq 0 ]] || usage; seed ;;
    list) printf '%s\n' "${targets[@]}" ;;
    *) usage ;;
esac
