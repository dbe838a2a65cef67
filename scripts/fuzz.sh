#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz with clang-14 (libFuzzer, ASan,
# UBSan) in build-fuzz/ and runs them on their corpora (docs/fuzzing.md).
#
#   scripts/fuzz.sh --short        every target for a short time (the test suite's run)
#   scripts/fuzz.sh --long N       every target for N executions, with a summary
#   scripts/fuzz.sh --replay       every target once over its corpus, nothing new tried,
#                                  with a leak check at the end
#   scripts/fuzz.sh --crashes      the recorded crashes (tests/fuzz/crashes), one run
#                                  each, which fail until the bugs they show are fixed
#   scripts/fuzz.sh --build        only build
# A target name after the mode runs only that target, e.g. --short fuzz_jwk.
# The closing line counts targets (inputs for --crashes): "N passed, M failed".
#
# New inputs a run finds go to build-fuzz/corpus/<target>/, never into the
# checked-in corpus; crashes to build-fuzz/artifacts/<target>/. To add
# findings to the corpus, minimize first (see docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:---short}
shift || true
executions=
if [ "$mode" = "--long" ]; then
  executions=${1:?usage: scripts/fuzz.sh --long N [target]}
  shift
fi
only_target=${1:-}

build_dir=build-fuzz
fuzz_dir=tests/fuzz
all_targets=(fuzz_query_params fuzz_rest_planner fuzz_http_request fuzz_jwt_verify fuzz_jwk fuzz_migration_sql
  fuzz_realtime_frame fuzz_json_schema)
# Seconds per target in --short: eight targets take about two and a half minutes.
short_seconds=${FUZZ_SHORT_SECONDS:-18}

# FUZZ_SKIP_BUILD=1: use the binaries already in build-fuzz (for runs in
# parallel, which must not build at the same time).
compiler=$(command -v clang++-14 || true)
if [ -z "$compiler" ]; then
  echo "fuzz: clang++-14 not found; scripts/install-deps.sh installs clang-14 and libfuzzer-14-dev" >&2
  exit 1
fi
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Builds share the machine: stay low and use at most two jobs.
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  nice -n 10 cmake -S . -B "$build_dir" -DCMAKE_CXX_COMPILER="$compiler" "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAGENTBASE_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
  nice -n 10 cmake --build "$build_dir" --target fuzz_targets -j2 >/dev/null
fi
[ "$mode" = "--build" ] && exit 0

targets=("${all_targets[@]}")
[ -n "$only_target" ] && targets=("$only_target")

# halt_on_error: the first finding ends the run and fails it. Leaks are
# checked (libFuzzer turns LeakSanitizer on and reports a leak as a crash).
# A 32 MB quarantine (256 MB by default) still holds far more than one
# input's frees, so a use after free is still caught, and it doubles the
# executions per second of the allocation-heavy targets (the query parser
# allocates per grammar step while it tracks errors).
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=32}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# libFuzzer's options for one target: its dictionary, a per-input time
# limit (a hang is a finding; FUZZ_TIMEOUT seconds, 10 by default: the
# watchdog measures wall time, so a run at idle priority beside a build
# needs more) and where crashes go.
fuzzer_options() {
  local target=$1
  local options=(-timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=16384
    -artifact_prefix="$build_dir/artifacts/$target/")
  [ -f "$fuzz_dir/dict/$target.dict" ] && options+=(-dict="$fuzz_dir/dict/$target.dict")
  printf '%s\n' "${options[@]}"
}

passed=0
failed=0
summary=()
for target in "${targets[@]}"; do
  binary="$build_dir/tests/fuzz/$target"
  seeds="$fuzz_dir/corpus/$target"
  work="$build_dir/corpus/$target"
  mkdir -p "$work" "$build_dir/artifacts/$target"
  mapfile -t options < <(fuzzer_options "$target")
  log="$build_dir/logs/$target$mode.log"
  mkdir -p "$build_dir/logs"
  started=$(date +%s)
  case "$mode" in
    --short) run=(-max_total_time="$short_seconds" -print_final_stats=1 "$work" "$seeds") ;;
    --long)
      # FUZZ_LONG_MAX_SECONDS caps a long run's time; the summary then shows
      # how many executions it reached.
      run=(-runs="$executions" -print_final_stats=1 "$work" "$seeds")
      [ -n "${FUZZ_LONG_MAX_SECONDS:-}" ] && run=(-max_total_time="$FUZZ_LONG_MAX_SECONDS" "${run[@]}")
      ;;
    --replay)
      # Each input once, named one by one: libFuzzer then runs them without
      # mutating, and LeakSanitizer's check at exit covers all of them.
      run=("$seeds"/*)
      ;;
    --crashes)
      if [ ! -d "$fuzz_dir/crashes/$target" ]; then continue; fi
      # One run per recorded input, so each one still failing is named.
      for crash in "$fuzz_dir/crashes/$target"/*; do
        # An empty directory leaves the pattern itself.
        [ -f "$crash" ] || continue
        if nice -n 10 "$binary" "${options[@]}" "$crash" >"$log" 2>&1; then
          echo "$target: $(basename "$crash") no longer fails"
          passed=$((passed + 1))
        else
          echo "$target: $(basename "$crash") still fails: $(grep -m1 -E 'fuzz property violated|ERROR' "$log")"
          failed=$((failed + 1))
        fi
      done
      continue
      ;;
    *) echo "fuzz: unknown mode $mode" >&2; exit 2 ;;
  esac
  if nice -n 10 "$binary" "${options[@]}" "${run[@]}" >"$log" 2>&1; then
    result=passed
    passed=$((passed + 1))
  else
    result=FAILED
    failed=$((failed + 1))
  fi
  seconds=$(($(date +%s) - started))
  # libFuzzer's last status line: "#<execs> DONE cov: <edges> ft: <features> corp: <inputs>/<bytes> ..."
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  coverage=$(sed -nE 's/.* cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)\/([0-9a-zA-Z]+).*/cov \1, ft \2, corpus \3 inputs (\4)/p' <<<"$done_line")
  line=$(printf '%-20s %-6s %10s execs %5ss  %s' "$target" "$result" "$execs" "$seconds" "${coverage:-}")
  summary+=("$line")
  echo "$line"
  if [ "$result" = FAILED ]; then
    echo "  log: $log"
    grep -E 'ERROR|fuzz property violated|runtime error|Test unit written|SUMMARY' "$log" | head -8 | sed 's/^/  /'
  fi
done

if [ "$mode" = "--long" ]; then
  {
    echo "scripts/fuzz.sh --long $executions on $(hostname), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
    printf '%s\n' "${summary[@]}"
  } >>"$build_dir/long-results.txt"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
