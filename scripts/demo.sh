#!/usr/bin/env bash
# The main job on the embedded default, on a machine with no AWS account:
# builds the provider and activity-extractor, applies examples/demo with a
# Terraform CLI into a local SQLite file, and shows what the extractor reads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/build/demo
rm -rf "$out" && mkdir -p "$out/plugins" "$out/config"

cli=${TF_CLI:-}
if [ -z "$cli" ]; then
  if [ -x .bin/tofu ]; then cli=$root/.bin/tofu
  elif command -v terraform >/dev/null; then cli=$(command -v terraform)
  elif command -v tofu >/dev/null; then cli=$(command -v tofu)
  else scripts/tools.sh; cli=$root/.bin/tofu
  fi
fi
echo "demo: using $("$cli" version 2>/dev/null | head -1)"

go build -o "$out/plugins/terraform-provider-activity" .
go build -o "$out/activity-extractor" ./extractor/cmd/activity-extractor
cat > "$out/cli.rc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/activity" = "$out/plugins"
    "registry.opentofu.org/hashicorp/activity" = "$out/plugins"
  }
  direct {}
}
RC
cp examples/demo/*.tf "$out/config/"
db=$out/activity.db
export TF_CLI_CONFIG_FILE=$out/cli.rc TF_IN_AUTOMATION=1
(cd "$out/config" && "$cli" apply -auto-approve -no-color -compact-warnings -var "database=$db")
[ -s "$db" ] || { echo "demo: apply did not write $db" >&2; exit 1; }

echo
echo "demo: integrations in $db, as activity-extractor reads them:"
"$out/activity-extractor" --db "$db" integrations list
