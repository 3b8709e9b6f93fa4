#!/usr/bin/env bash
# The reliability suite: crashes, storage faults, concurrency, hostile
# input, secrets, least privilege, and fuzzing of the parsers. Prints one
# table: case, inputs tried, faults injected, runs, events lost, events
# counted twice, result; then the "mistakes" table: each mistaken or hostile
# input a user may give, with the exit status and message it got. RELIABILITY_FULL=1 gives the release sizes; the
# default is the short version CI runs. Exits 1 when any case failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p build
log=build/reliability.log
: >"$log"
export ACTIVITY_RELIABILITY=1 ACTIVITY_REQUIRE_SERVERS=${ACTIVITY_REQUIRE_SERVERS:-1}
full=${RELIABILITY_FULL:-0}
fuzztime=${RELIABILITY_FUZZTIME:-$([ "$full" = 1 ] && echo 5m || echo 6s)}
timeout=$([ "$full" = 1 ] && echo 120m || echo 15m)
status=0
start=$(date +%s)

echo "== reliability tests ($([ "$full" = 1 ] && echo full || echo short))"
go test -count=1 -v -timeout "$timeout" -run '^TestReliability' ./extractor/internal/reliability >>"$log" 2>&1 || status=1

# Fuzz targets: package and name. Every error must name its input; a crash
# leaves its input under the package's testdata/fuzz for `go test` to replay.
fuzz_targets=(
  "./extractor/internal/cloudtrail FuzzDecode 30s"
  "./extractor/internal/cloudtrail FuzzMapRecord"
  "./extractor/internal/cloudtrail FuzzActions"
  "./extractor/internal/iam FuzzParsePolicy"
  "./extractor/awsapi FuzzParseARN"
)
fuzz_rows=()
for target in "${fuzz_targets[@]}"; do
  read -r pkg name least <<<"$target"
  if ! grep -qs "func $name(" "$pkg"/*_test.go; then
    fuzz_rows+=("RELIABILITY case=fuzz-$name inputs=0 faults=0 runs=0 lost=0 twice=0 result=not-present")
    continue
  fi
  # A target with a large seed corpus needs its least time to get past
  # replaying the seeds before it fuzzes at all.
  t=$fuzztime
  [ "$full" = 1 ] || [ -z "$least" ] || t=$least
  echo "== fuzz $name ($t)"
  out=$(go test -run '^$' -fuzz "^$name\$" -fuzztime "$t" "$pkg" 2>&1)
  rc=$?
  echo "$out" >>"$log"
  execs=$(echo "$out" | grep -oE 'execs: [0-9]+' | tail -1 | grep -oE '[0-9]+')
  corpus=$(echo "$out" | grep -oE 'baseline coverage: [0-9]+/[0-9]+' | tail -1 | cut -d/ -f2)
  result=pass
  [ $rc -eq 0 ] || { result=fail; status=1; echo "$out" | grep -A20 -E '^\s*--- FAIL|panic:' | head -40; }
  # Replaying the seeds only is not fuzzing.
  [ "${execs:-0}" -gt 0 ] || { [ $result = fail ] || echo "fuzz $name: no input beyond the seeds was tried; give it more time"; result=fail; status=1; }
  fuzz_rows+=("RELIABILITY case=fuzz-$name inputs=${corpus:-0} faults=0 runs=${execs:-0} lost=0 twice=0 result=$result")
done
printf '%s\n' "${fuzz_rows[@]}" >>"$log"

# A test that failed before printing its line still shows in the table.
for t in $(grep -oE '^--- FAIL: TestReliability[A-Za-z0-9_]*' "$log" | awk '{print $3}'); do
  grep -q "^RELIABILITY .*result=fail" "$log" || echo "RELIABILITY case=$t inputs=0 faults=0 runs=0 lost=0 twice=0 result=fail" >>"$log"
done

echo
grep '^RELIABILITY ' "$log" | awk '
  BEGIN { printf "%-28s %8s %8s %10s %6s %6s  %s\n", "case", "inputs", "faults", "runs", "lost", "twice", "result"
          printf "%-28s %8s %8s %10s %6s %6s  %s\n", "----", "------", "------", "----", "----", "-----", "------" }
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%-28s %8s %8s %10s %6s %6s  %s\n", v["case"], v["inputs"], v["faults"], v["runs"], v["lost"], v["twice"], v["result"]
    if (v["case"] ~ /^fuzz-/) execs += v["runs"] }
  END { printf "fuzz executions in total: %d\n", execs }'
echo
echo "mistakes (exit status wanted, message, nothing written where it should not be)"
grep -P '^MISTAKE\t' "$log" | awk -F'\t' '
  BEGIN { printf "%-34s %6s %6s %8s %6s  %s\n", "case", "exit", "want", "message", "held", "result"
          printf "%-34s %6s %6s %8s %6s  %s\n", "----", "----", "----", "-------", "----", "------" }
  { printf "%-34s %6s %6s %8s %6s  %s\n", $2, $3, $4, ($5 == "true" ? "yes" : "NO"), $6, $7 }'
grep -qP '^MISTAKE\t.*\tfail$' "$log" && status=1
grep -q '^RELIABILITY .*result=fail' "$log" && status=1
if [ $status -ne 0 ]; then
  echo "reliability: FAILED (details in $log)"
  grep -B2 -A25 -E '^\s*--- FAIL' "$log" | head -120
fi
echo "reliability: $([ $status -eq 0 ] && echo passed || echo failed) in $(( $(date +%s) - start ))s"
exit $status
