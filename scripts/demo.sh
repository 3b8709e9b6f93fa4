#!/usr/bin/env bash
# The main job on the embedded default, on a machine with no AWS account:
# generates a small organization trail, enables monitoring with Terraform,
# discovers entitlements, extracts the logs, scores them, prints the
# dashboard, writes the HTML report, and runs a plan that gates a deployment
# on an over-provisioned user (and fails on purpose).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/build/demo
rm -rf "$out" && mkdir -p "$out/plugins" "$out/enable" "$out/gate"
END_DAY=2026-11-24 AS_OF=2026-11-25T00:00:00Z

cli=${TF_CLI:-}
if [ -z "$cli" ]; then
  if [ -x .bin/tofu ]; then cli=$root/.bin/tofu
  elif command -v terraform >/dev/null; then cli=$(command -v terraform)
  elif command -v tofu >/dev/null; then cli=$(command -v tofu)
  else scripts/tools.sh; cli=$root/.bin/tofu
  fi
fi
step() { printf '\n== %s\n' "$*"; }
step "building the provider and activity-extractor; Terraform CLI: $("$cli" version 2>/dev/null | head -1)"
go build -o "$out/plugins/terraform-provider-activity" .
go build -o "$out/activity-extractor" ./extractor/cmd/activity-extractor
ae() { "$out/activity-extractor" --db "$out/activity.db" "$@"; }
cat > "$out/cli.rc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/activity" = "$out/plugins"
    "registry.opentofu.org/hashicorp/activity" = "$out/plugins"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$out/cli.rc TF_IN_AUTOMATION=1

step "generating an organization trail: 3 accounts in the trail, 1 outside it"
"$out/activity-extractor" generate --out "$out/org" --seed 7 --end $END_DAY --events 30000 | tee "$out/generate.txt"
user_of() { sed -n "s/^$1: *//p" "$out/generate.txt"; }
account_of() { echo "$1" | cut -d: -f5; }
over=$(user_of over_provisioned_user) dormant=$(user_of dormant_user) unmonitored=$(user_of unmonitored_user)
log_archive=$(account_of "$over")
members=$(for f in "$out"/org/authz/*.json; do a=$(basename "$f" .json)
  [ "$a" = "$log_archive" ] || [ "$a" = "$(account_of "$unmonitored")" ] || printf '"%s",' "$a"; done)

step "enabling monitoring with terraform apply (examples/demo)"
cp examples/demo/*.tf "$out/enable/"
(cd "$out/enable" && "$cli" apply -auto-approve -no-color -compact-warnings -var "database=$out/activity.db" \
  -var "log_archive_account=$log_archive" -var "member_accounts=[${members%,}]" | grep -E '^(Apply|Plan|activity_)' || true)
ae integrations list

step "extracting the trail (the accounts outside it stay unmonitored)"
ae extract --source "$out/org/trail" --as-of $AS_OF

step "discovering entitlements from the accounts' authorization details and credential reports"
ae discover $(for f in "$out"/org/authz/*.json; do printf -- '--authz-details %s ' "$f"; done) \
  $(for f in "$out"/org/credentials/*.csv; do printf -- '--credential-report %s ' "$f"; done)

step "loading which roles the Okta people may assume (an export of the Okta app's assignments)"
ae people --okta-export "$out/org/okta-export.json"

step "scoring the 30 days up to $AS_OF, and checking the rules"
ae score --as-of $AS_OF || [ $? -eq 4 ]

step "the dashboard"
ae report --stored --min-ops 50
ae report --stored --format html --out "$out/report.html"
echo "HTML report: $out/report.html"

step "a deployment gated on $over (expected to fail)"
cp examples/gate-deployments/*.tf "$out/gate/"
if (cd "$out/gate" && "$cli" plan -no-color -compact-warnings -var "database=$out/activity.db" -var "deployer=$over" >"$out/gate.log" 2>&1); then
  cat "$out/gate.log"; echo "demo: the gate passed, but $over is over-provisioned" >&2; exit 1
fi
sed -n '/Error:/,$p' "$out/gate.log" | sed 's/^[│╵╷ ]*//' | grep -v '^$'
echo
echo "demo: done. The plan above failed on purpose: that is the gate working."
