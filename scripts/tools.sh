#!/usr/bin/env bash
# Builds, once, the programs the tests run against into .bin/: OpenTofu from
# the Go module proxy (its go.mod has a replace directive, so it is built
# inside the module cache rather than with go install) and the versitygw S3
# server. Later runs reuse them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/.bin
mkdir -p "$bin"
TOFU_VERSION=${TOFU_VERSION:-v1.10.7}
VERSITYGW_VERSION=${VERSITYGW_VERSION:-v1.8.0}

if [ ! -x "$bin/tofu" ] || ! "$bin/tofu" version 2>/dev/null | grep -q "OpenTofu ${TOFU_VERSION}"; then
  echo "tools: building OpenTofu ${TOFU_VERSION} (a few minutes the first time)"
  go mod download "github.com/opentofu/opentofu@${TOFU_VERSION}"
  src=$(go env GOMODCACHE)/github.com/opentofu/opentofu@${TOFU_VERSION}
  (cd "$src" && go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$bin/tofu" ./cmd/tofu)
fi
if [ ! -x "$bin/versitygw" ]; then
  echo "tools: building versitygw ${VERSITYGW_VERSION}"
  GOBIN=$bin go install "github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}"
fi
echo "tools: $(TF_CLI_CONFIG_FILE=/dev/null "$bin/tofu" version | head -1); versitygw at $bin/versitygw"
