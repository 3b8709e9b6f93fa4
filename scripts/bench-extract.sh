#!/usr/bin/env bash
# Benchmark of `activity-extractor extract`: generates an organization trail
# (BENCH_EVENTS events, about one million by default), then measures on this
# machine, in one run:
#   - a decompress-only pass over the same files (the ceiling), before and
#     after the folder extract: on a shared machine the two differ, and the
#     ratios use their mean;
#   - extract from the folder: events/s, uncompressed MB/s, peak RSS, the
#     ratio of its MB/s to the decompress-only MB/s, and the ratio of the
#     CPU time (user + system) the decompress-only pass took to the CPU time
#     the extract took, which other load on the machine disturbs less;
#   - extract of the same trail from a versitygw S3 server (skipped, with a
#     note, when versitygw is not built: make tools);
#   - a re-run that finds no new object among 10,000 listed ones.
# BENCH_DIR keeps the work folder (default: a temporary one, removed).
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${BENCH_EVENTS:-1000000}
WORK=${BENCH_DIR:-}
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/bin"
AE=$WORK/bin/activity-extractor
TOOL=$WORK/bin/benchtool
go build -o "$AE" ./extractor/cmd/activity-extractor
go build -o "$TOOL" ./extractor/internal/benchtool
WORKERS=$(nproc)
ASOF=2026-11-25T00:00:00Z

field() { awk -v k="\"$1\":" '$1 == k { gsub(/,/, "", $2); print $2; exit }' "$2"; }
kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, f, "="); if (f[1] == k) { print f[2]; exit } } }' "$2"; }

echo "== generate $EVENTS events"
rm -rf "$WORK/data"
"$AE" generate --out "$WORK/data" --events "$EVENTS" --accounts 4 --users 25 --days 30 --seed 1 --end 2026-11-24

# cpu FILE COMMAND...: runs COMMAND, and writes the CPU seconds (user +
# system) it and its children took to FILE.
cpu() {
  local file=$1 TIMEFORMAT='%U %S'
  shift
  { time "$@" 2>&3; } 3>&2 2>"$file.time"
  awk 'END { printf "%.2f", $1 + $2 }' "$file.time" >"$file"
}

decompress() { # name
  echo "== decompress-only pass ($WORKERS workers)"
  cpu "$WORK/$1.cpu" "$TOOL" decompress --workers "$WORKERS" "$WORK/data/trail" >"$WORK/$1.txt"
  cat "$WORK/$1.txt"
}
decompress decompress1

report() { # name, summary json, rss output[, cpu seconds]
  local secs events bytes eps mbs rss cpuratio=
  secs=$(field seconds "$2"); events=$(field events "$2"); bytes=$(field uncompressed_bytes "$2")
  rss=$(kv peak_rss_mb "$3")
  if [ -n "${4:-}" ]; then
    cpuratio=" cpu_seconds=$4 cpu_ratio_to_decompress=$(awk -v d="$DCPU" -v e="$4" 'BEGIN { printf "%.2f", d / e }')"
  fi
  eps=$(awk -v e="$events" -v s="$secs" 'BEGIN { printf "%.0f", e / s }')
  mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", b / 1e6 / s }')
  printf '%-8s events=%s seconds=%s events_per_s=%s uncompressed_mb_per_s=%s peak_rss_mb=%s ratio_to_decompress=%s%s\n' \
    "$1" "$events" "$secs" "$eps" "$mbs" "$rss" "$(awk -v a="$mbs" -v b="$DMBS" 'BEGIN { printf "%.2f", a / b }')" "$cpuratio"
}

echo "== extract from the folder"
rm -f "$WORK/folder.db"*
cpu "$WORK/folder.cpu" "$TOOL" rss "$AE" --db "$WORK/folder.db" extract --source "$WORK/data/trail" --as-of "$ASOF" --json >"$WORK/folder.out"
sed -n '/^{/,/^}/p' "$WORK/folder.out" >"$WORK/folder.json"
decompress decompress2
D1=$(kv decompress_mb_per_s "$WORK/decompress1.txt")
D2=$(kv decompress_mb_per_s "$WORK/decompress2.txt")
DMBS=$(awk -v a="$D1" -v b="$D2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
DCPU=$(awk -v a="$(cat "$WORK/decompress1.cpu")" -v b="$(cat "$WORK/decompress2.cpu")" 'BEGIN { printf "%.2f", (a + b) / 2 }')
RESULTS=$(report folder "$WORK/folder.json" "$WORK/folder.out" "$(cat "$WORK/folder.cpu")")

VGW=${ACTIVITY_VERSITYGW:-}
[ -n "$VGW" ] || VGW=$(command -v versitygw || true)
[ -n "$VGW" ] || { [ -x .bin/versitygw ] && VGW=.bin/versitygw; } || true
if [ -n "$VGW" ]; then
  echo "== extract from versitygw"
  PORT=$(( 20000 + RANDOM % 20000 ))
  mkdir -p "$WORK/s3root"
  "$VGW" --port "127.0.0.1:$PORT" --access benchkey --secret benchsecret123 --region us-east-1 --quiet posix "$WORK/s3root" &
  VGW_PID=$!
  trap 'kill $VGW_PID 2>/dev/null || true; [ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
  export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret123 \
    AWS_REGION=us-east-1 AWS_S3_USE_PATH_STYLE=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
  "$TOOL" upload "$WORK/data/trail" bench-trail
  rm -f "$WORK/s3.db"*
  "$TOOL" rss "$AE" --db "$WORK/s3.db" extract --source s3://bench-trail/ --as-of "$ASOF" --json >"$WORK/s3.out"
  sed -n '/^{/,/^}/p' "$WORK/s3.out" >"$WORK/s3.json"
  RESULTS="$RESULTS
$(report s3 "$WORK/s3.json" "$WORK/s3.out")"
else
  RESULTS="$RESULTS
s3       skipped: no versitygw (build it with: make tools)"
fi

echo "== re-run over 10,000 listed objects, none new"
SMALLEST=$(find "$WORK/data/trail" -name '*.json.gz' ! -path '*CloudTrail-Digest*' -printf '%s %p\n' | sort -n | awk 'NR == 1 { print $2 }')
rm -rf "$WORK/fan" "$WORK/fan.db"*
"$TOOL" fanout "$SMALLEST" "$WORK/fan" 10000
"$AE" --db "$WORK/fan.db" extract --source "$WORK/fan" --as-of "$ASOF" --json >/dev/null
"$TOOL" rss "$AE" --db "$WORK/fan.db" extract --source "$WORK/fan" --as-of "$ASOF" --json >"$WORK/fan.out"
RESULTS="$RESULTS
rerun    listed=$(field objects_listed "$WORK/fan.out") read=$(field objects_read "$WORK/fan.out") wall_seconds=$(kv wall_seconds "$WORK/fan.out")"

echo
echo "== results ($(nproc) cores; decompress-only $DMBS MB/s (passes: $D1 and $D2), $DCPU CPU seconds)"
echo "$RESULTS"
