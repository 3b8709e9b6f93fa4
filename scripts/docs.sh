#!/usr/bin/env bash
# Generates the provider documentation offline into the folder given as the
# first argument (default docs): the provider schema is exported with the
# OpenTofu (or Terraform) CLI through a dev override, so tfplugindocs never
# downloads a CLI of its own.
set -euo pipefail
out=${1:-docs}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cli=${TF_CLI:-}
if [ -z "$cli" ]; then
  if [ -x .bin/tofu ]; then cli=$PWD/.bin/tofu; else cli=$(command -v tofu || command -v terraform || true); fi
fi
[ -n "$cli" ] || { echo "docs: no OpenTofu or Terraform CLI; run: make tools" >&2; exit 1; }

work=$PWD/build/docs-work
rm -rf "$work" && mkdir -p "$work/plugins" "$work/schema"
go build -o "$work/plugins/terraform-provider-activity" .
cat > "$work/cli.rc" <<RC
provider_installation {
  dev_overrides { "registry.terraform.io/hashicorp/activity" = "$work/plugins" }
  direct {}
}
RC
cat > "$work/schema/main.tf" <<'TF'
terraform {
  required_providers {
    activity = { source = "registry.terraform.io/hashicorp/activity" }
  }
}
TF
(cd "$work/schema" && TF_CLI_CONFIG_FILE="$work/cli.rc" "$cli" providers schema -json > "$work/schema.json" 2> "$work/schema.err") || {
  cat "$work/schema.err" >&2; exit 1; }
go tool tfplugindocs generate --provider-name activity --providers-schema "$work/schema.json" \
  --rendered-website-dir "$out" --website-temp-dir "$work/tmp" >"$work/tfplugindocs.log" 2>&1 || {
  cat "$work/tfplugindocs.log" >&2; exit 1; }
echo "docs: generated into $out"
