#!/usr/bin/env bash
# The whole test suite: unit and integration tests of every package (against
# real moto and versitygw servers), the provider's acceptance tests on every
# Terraform CLI available, the check that docs/ is up to date, a snapshot
# release of every target this machine builds with each artifact checked, and
# the lint (golangci-lint, formatting included). A test skipped for a reason
# not listed in scripts/allowed-skips.txt fails the run. Ends with one summary line
# counting every test of every stage.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p build
export TF_CLI_CONFIG_FILE=/dev/null ACTIVITY_REQUIRE_SERVERS=1
status=0
failures=()
# The logs of an earlier run must not count in this one.
rm -f build/test-unit.log build/reliability.log build/testacc-*.log

echo "== unit and integration tests"
go test -count=1 -v -skip '^(TestAcc|TestReliability)' ${TEST_FLAGS:-} ./... >build/test-unit.log 2>&1 || { status=1; failures+=(unit); }
grep -E '^(ok |FAIL|---.*FAIL|panic:)' build/test-unit.log
[ $status -eq 0 ] || grep -B2 -A30 -E '^--- FAIL' build/test-unit.log | head -200

echo "== reliability, short version (crashes, storage faults, concurrency, hostile input, secrets, fuzzing)"
scripts/reliability.sh || { status=1; failures+=(reliability); }

echo "== acceptance tests"
scripts/testacc.sh || { status=1; failures+=(acceptance); }

ls build/testacc-*.log >/dev/null 2>&1 || { echo "acceptance: no log of a Terraform CLI run"; status=1; failures+=(acceptance-ran); }

echo "== skipped tests (allowed only with a reason in scripts/allowed-skips.txt)"
shopt -s nullglob
logs=(build/test-unit.log build/reliability.log build/testacc-*.log)
shopt -u nullglob
scripts/check-skips.sh "${logs[@]}" 2>&1 || { status=1; failures+=(skips); }

echo "== docs are generated from the current schema"
rm -rf build/docs-check
if scripts/docs.sh build/docs-check >/dev/null && diff -ru docs build/docs-check; then
  echo "docs: up to date"
else
  echo "docs: docs/ is stale; run: make docs"; status=1; failures+=(docs)
fi

echo "== release snapshot (GoReleaser: every target this machine builds, each artifact checked)"
scripts/release-snapshot.sh 2>&1 | grep -v '^gpg:' || { echo "release: run: make release-snapshot"; status=1; failures+=(release-snapshot); }
go -C scripts/tools test -count=1 ./... || { status=1; failures+=(release-tools); }

echo "== lint (golangci-lint, with gofmt and goimports; see .golangci.yml)"
go tool golangci-lint run ./... || { echo "lint: fix the findings above; run: make lint"; status=1; failures+=(lint); }

echo "== formatting of examples"
tofu=$root/.bin/tofu
if [ -x "$tofu" ]; then "$tofu" fmt -check -recursive examples || { echo "examples: run: make fmt"; status=1; failures+=(terraform-fmt); }; fi

passed=$(cat "${logs[@]}" 2>/dev/null | grep -cE '^\s*--- PASS')
failed=$(cat "${logs[@]}" 2>/dev/null | grep -cE '^\s*--- FAIL')
skipped=$(cat "${logs[@]}" 2>/dev/null | grep -cE '^\s*--- SKIP')
[ $status -eq 0 ] || echo "make test: FAILED: ${failures[*]}"
[ -z "${CI_START:-}" ] || echo "ci: finished in $(( $(date +%s) - CI_START ))s"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
