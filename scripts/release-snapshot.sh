#!/usr/bin/env bash
# Builds a snapshot release with the release configuration (.goreleaser.yaml)
# for every target this machine can build (linux_amd64, linux_arm64,
# windows_amd64: the macOS ones need a macOS machine, see README.md), signs
# its SHA256SUMS with a throwaway GPG key, and checks every artifact with
# scripts/release-check.sh. Fails on anything missing or misnamed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
goreleaser() { go tool -modfile=scripts/tools/go.mod goreleaser "$@"; }

missing=()
for cc in x86_64-w64-mingw32-gcc aarch64-linux-gnu-gcc; do command -v $cc >/dev/null || missing+=("$cc"); done
for tool in file zip unzip gpg python3 qemu-aarch64; do command -v $tool >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "release-snapshot: missing ${missing[*]}; install them with:" >&2
  echo "  apt-get install -y gcc-aarch64-linux-gnu gcc-mingw-w64-x86-64 file zip unzip gnupg python3 qemu-user" >&2
  exit 1
fi

# A throwaway signing key, in a GnuPG home of its own.
export GNUPGHOME
GNUPGHOME=$(mktemp -d)
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
gpg --batch --quiet --passphrase '' --quick-gen-key "activity snapshot <snapshot@invalid>" ed25519 sign 1d 2>/dev/null
export GPG_FINGERPRINT
GPG_FINGERPRINT=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/ {print $10; exit}')

goreleaser check
mkdir -p build
# The notes a release of the unreleased fragments would have.
go -C scripts/tools run ./changelog -root ../.. unreleased 0.0.0 | tail -n +2 >build/release-notes.md
echo "release-snapshot: building (goreleaser release --snapshot)"
RELEASE_PART=linux goreleaser release --snapshot --clean --release-notes build/release-notes.md >build/release-snapshot.log 2>&1 ||
  { tail -40 build/release-snapshot.log; echo "release-snapshot: goreleaser failed (log: build/release-snapshot.log)" >&2; exit 1; }
echo "release-snapshot: built in $(($(date +%s) - start))s"
scripts/release-check.sh dist

# The store (cgo SQLite and the Go functions it registers) passes its tests
# on linux_arm64 too, cross-compiled as the release is and run under qemu.
CGO_ENABLED=1 GOARCH=arm64 CC=aarch64-linux-gnu-gcc QEMU_LD_PREFIX=/usr/aarch64-linux-gnu \
  go test -count=1 -exec qemu-aarch64 ./extractor/store

# The check must fail on a missing or misnamed artifact: two broken copies.
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' dist/metadata.json)
p=terraform-provider-activity_$version
mutant=build/release-mutant
expect_failure() { # case, message the check must print
  if out=$(TOFU=/nonexistent TERRAFORM=/nonexistent scripts/release-check.sh "$mutant" 2>&1); then
    echo "release-snapshot: the check passed a release with $1" >&2; exit 1
  fi
  echo "$out" | grep -q "$2" || { echo "$out" >&2; echo "release-snapshot: $1 failed the check for another reason" >&2; exit 1; }
  echo "release-snapshot: ok: a release with $1 fails the check"
}
rm -rf "$mutant" && mkdir -p "$mutant" && find dist -maxdepth 1 -type f -exec cp -t "$mutant/" {} +
mv "$mutant/${p}_linux_arm64.zip" "$mutant/${p}_linux_aarch64.zip"
expect_failure "a renamed archive" "${p}_linux_arm64.zip is listed in SHA256SUMS but is not in"
rm -rf "$mutant" && mkdir -p "$mutant/x" && find dist -maxdepth 1 -type f -exec cp -t "$mutant/" {} +
unzip -q "$mutant/${p}_linux_amd64.zip" -d "$mutant/x"
mv "$mutant/x/terraform-provider-activity_v$version" "$mutant/x/terraform-provider-activity"
rm "$mutant/${p}_linux_amd64.zip" && (cd "$mutant/x" && zip -q "../${p}_linux_amd64.zip" terraform-provider-activity)
sum=$(sha256sum "$mutant/${p}_linux_amd64.zip" | cut -d' ' -f1)
sed -i "s/^[0-9a-f]*  ${p}_linux_amd64.zip\$/$sum  ${p}_linux_amd64.zip/" "$mutant/${p}_SHA256SUMS"
rm "$mutant/${p}_SHA256SUMS.sig"
gpg --batch --quiet --local-user "$GPG_FINGERPRINT" --output "$mutant/${p}_SHA256SUMS.sig" --detach-sign "$mutant/${p}_SHA256SUMS"
expect_failure "a misnamed provider binary" "holds \[terraform-provider-activity\], want only terraform-provider-activity_v$version"
rm -rf "$mutant"
echo "release-snapshot: done in $(($(date +%s) - start))s"
