#!/usr/bin/env bash
# Runs the provider's acceptance tests on every Terraform CLI available:
# OpenTofu from .bin/ (required; `make tools` builds it) and HashiCorp
# Terraform when one is installed. Fails when no CLI ran them.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p build
export TF_ACC=1 ACTIVITY_REQUIRE_ACC=1 ACTIVITY_REQUIRE_SERVERS=1 TF_CLI_CONFIG_FILE=/dev/null
status=0 ran=0
run() { # name, binary, extra env...
  local name=$1 bin=$2; shift 2
  local log=build/testacc-$name.log
  echo "testacc: $name ($bin)"
  env TF_ACC_TERRAFORM_PATH="$bin" "$@" go test -count=1 -v -run '^TestAcc' ${TESTACC_FLAGS:-} ./provider/... >"$log" 2>&1
  local rc=$?
  grep -E '^(--- FAIL|acceptance:|ok |FAIL)' "$log"
  [ $rc -eq 0 ] || { echo "testacc: $name FAILED (log: $log)"; grep -B2 -A20 -E '^--- FAIL' "$log" | head -120; status=1; }
  ran=$((ran + 1))
}
tofu=${TOFU:-$root/.bin/tofu}
if [ -x "$tofu" ]; then
  run opentofu "$tofu" TF_ACC_PROVIDER_HOST=registry.opentofu.org
else
  echo "testacc: no OpenTofu at $tofu; run: make tools"; status=1
fi
terraform=${TERRAFORM:-$(command -v terraform || true)}
if [ -n "$terraform" ]; then
  run terraform "$terraform"
else
  echo "testacc: HashiCorp Terraform not installed; acceptance tests ran on OpenTofu only"
fi
[ $ran -gt 0 ] || { echo "testacc: no Terraform CLI ran the acceptance tests"; status=1; }
exit $status
