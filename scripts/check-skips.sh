#!/usr/bin/env bash
# Lists every test the given `go test -v` logs show as skipped, with its
# reason, and fails when one is not in scripts/allowed-skips.txt: under
# ACTIVITY_REQUIRE_SERVERS=1 (make test, CI) a suite must not pass by
# skipping. Usage: scripts/check-skips.sh LOG... (ALLOWED_SKIPS names
# another allow-list).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
allowed=${ALLOWED_SKIPS:-$root/scripts/allowed-skips.txt}
[ $# -gt 0 ] || { echo "usage: $0 LOG..." >&2; exit 2; }

for log in "$@"; do
  [ -r "$log" ] || { echo "skips: no log $log: its stage did not run" >&2; exit 2; }
done

patterns=() reasons=()
if [ -e "$allowed" ]; then
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    read -r pattern reason <<<"$line"
    if [ -z "$reason" ]; then
      echo "skips: $allowed:$n: \"$pattern\" has no reason; write the test-name pattern, then why its skip is legitimate under make test" >&2
      exit 2
    fi
    patterns+=("$pattern") reasons+=("$reason")
  done <"$allowed"
fi

# Every "--- SKIP: NAME" with the last line the test logged before it: the
# argument of t.Skip. -v names the test each log line belongs to with an
# "=== RUN/CONT/NAME" line before it.
skips=$(cat -- "$@" | awk '
  /^=== (RUN|CONT|NAME|PAUSE) / { cur = $3; next }
  /^[ ]+[^ ]+\.go:[0-9]+: / { if (cur != "") { m = $0; sub(/^[ ]+[^ ]+\.go:[0-9]+: /, "", m); said[cur] = m }; next }
  /^[ ]*--- SKIP: / { print $3 "\t" (said[$3] == "" ? "(no reason given)" : said[$3]) }')

total=0 bad=0
while IFS=$'\t' read -r name reason; do
  [ -n "$name" ] || continue
  total=$((total + 1))
  why=""
  for i in "${!patterns[@]}"; do
    if [[ $name =~ ${patterns[$i]} ]]; then why=${reasons[$i]}; break; fi
  done
  if [ -n "$why" ]; then
    echo "skipped (allowed: $why): $name: $reason"
  else
    echo "skipped, NOT ALLOWED: $name: $reason"
    bad=$((bad + 1))
  fi
done <<<"$skips"

if [ $bad -gt 0 ]; then
  echo "skips: $bad of $total skipped tests have no reason in ${allowed#"$root"/}: make the test run (install what it names) or, when the skip is legitimate under make test, add a line to that file"
  exit 1
fi
echo "skips: $total skipped, all listed in ${allowed#"$root"/}"
