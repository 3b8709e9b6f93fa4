#!/usr/bin/env bash
# Checks a release that GoReleaser wrote into DIST (default dist/) the way the
# Terraform registry and a user would see it, and fails on the first thing
# missing or misnamed:
#   - SHA256SUMS lists exactly the archives of RELEASE_TARGETS and the
#     manifest, and every checksum matches;
#   - SHA256SUMS.sig is a valid detached signature by GPG_FINGERPRINT;
#   - the manifest declares the plugin protocol the provider speaks;
#   - each provider zip holds only terraform-provider-activity_vVERSION(.exe),
#     each extractor archive the extractor, README.md, CHANGELOG.md and the
#     licence when the repository has one;
#   - every binary is built for its target (file), and the Windows ones need
#     no MinGW runtime DLL;
#   - the linux_amd64 extractor's --version prints the release version, the
#     provider the same version and schema, and the linux_arm64 extractor the
#     same under qemu-aarch64 when it is installed;
#   - the linux_amd64 provider, installed from the zip through a
#     filesystem_mirror (as a user's installation works, not dev_overrides),
#     answers `init` and `plan` on examples/gate-deployments on every
#     Terraform CLI present (OpenTofu in .bin/, HashiCorp Terraform), against
#     a database its own extractor wrote.
# Archives the macOS job built are looked for in DIST and in dist-darwin/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dist=${1:-dist}
targets=${RELEASE_TARGETS:-linux_amd64 linux_arm64 windows_amd64}
fail() { echo "release-check: FAILED: $*" >&2; exit 1; }
ok() { echo "release-check: ok: $*"; }
for tool in file unzip tar gpg sha256sum python3; do
  command -v $tool >/dev/null || fail "$tool is not installed (apt-get install -y file unzip gnupg python3)"
done
[ -f "$dist/metadata.json" ] || fail "$dist/metadata.json missing: run goreleaser first (make release-snapshot)"
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$dist/metadata.json")
p=terraform-provider-activity_$version
x=activity-extractor_$version
work=$root/build/release-check
rm -rf "$work" && mkdir -p "$work"
echo "release-check: version $version, targets: $targets"

# Where a listed file is: the manifest is the repository's, renamed.
locate() {
  case $1 in
    "${p}_manifest.json") echo terraform-registry-manifest.json ;;
    *) if [ -f "$dist/$1" ]; then echo "$dist/$1"; elif [ -f dist-darwin/$1 ]; then echo "dist-darwin/$1"; fi ;;
  esac
}

# 1. SHA256SUMS names exactly the release's files, and their sums hold.
sums=$dist/${p}_SHA256SUMS
[ -f "$sums" ] || fail "$sums missing"
expected=("${p}_manifest.json")
for t in $targets; do
  expected+=("${p}_${t}.zip")
  case $t in windows_*) expected+=("${x}_${t}.zip") ;; *) expected+=("${x}_${t}.tar.gz") ;; esac
done
if ! diff <(printf '%s\n' "${expected[@]}" | sort) <(awk '{print $2}' "$sums" | sort) >"$work/sums.diff"; then
  cat "$work/sums.diff"
  fail "$sums does not list exactly the release's files (< expected, > listed)"
fi
while read -r sum name; do
  f=$(locate "$name")
  [ -n "$f" ] || fail "$name is listed in SHA256SUMS but is not in $dist/ (nor dist-darwin/)"
  [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sum" ] || fail "$name: checksum differs from SHA256SUMS ($f)"
done <"$sums"
ok "SHA256SUMS lists ${#expected[@]} files and every checksum matches"

# 2. The signature of SHA256SUMS.
[ -f "$sums.sig" ] || fail "$sums.sig missing: the checksums were not signed"
[ -n "${GPG_FINGERPRINT:-}" ] || fail "GPG_FINGERPRINT is not set: give the fingerprint of the key that signs the release"
gpg --batch --status-fd 1 --verify "$sums.sig" "$sums" 2>/dev/null | grep -q "VALIDSIG $GPG_FINGERPRINT" ||
  fail "$sums.sig is not a valid signature of $sums by $GPG_FINGERPRINT"
ok "SHA256SUMS.sig is signed by $GPG_FINGERPRINT"

# 3. The manifest the registry reads.
protocols=$(python3 - terraform-registry-manifest.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m.get("version") == 1, "manifest version must be 1"
v = m["metadata"]["protocol_versions"]
assert v and all(isinstance(x, str) for x in v), "metadata.protocol_versions must list strings"
print(" ".join(v))
PY
) || fail "terraform-registry-manifest.json is not a registry manifest"
ok "manifest: protocol versions $protocols"

want_arch() { # target -> the words `file` prints for its binaries
  case $1 in
    linux_amd64) echo "ELF 64-bit.*x86-64" ;;
    linux_arm64) echo "ELF 64-bit.*ARM aarch64" ;;
    windows_amd64) echo "PE32\+ executable.*x86-64" ;;
    darwin_amd64) echo "Mach-O 64-bit.*x86_64" ;;
    darwin_arm64) echo "Mach-O 64-bit.*arm64" ;;
    *) fail "unknown target $1" ;;
  esac
}
extra_docs=(CHANGELOG.md README.md)
for l in LICENSE LICENSE.md LICENSE.txt; do [ -f "$l" ] && extra_docs+=("$l"); done

# 4. Archive layouts and the binaries' architectures.
for t in $targets; do
  exe=""; [ "${t%%_*}" = windows ] && exe=.exe
  d=$work/$t && mkdir -p "$d/provider" "$d/extractor"
  zip=$(locate "${p}_${t}.zip")
  listed=$(unzip -Z1 "$zip")
  [ "$listed" = "terraform-provider-activity_v${version}${exe}" ] ||
    fail "$zip holds [$listed], want only terraform-provider-activity_v${version}${exe}"
  unzip -q "$zip" -d "$d/provider"
  if [ -n "$exe" ]; then
    a=$(locate "${x}_${t}.zip"); listed=$(unzip -Z1 "$a" | sort); unzip -q "$a" -d "$d/extractor"
  else
    a=$(locate "${x}_${t}.tar.gz"); listed=$(tar -tzf "$a" | sort); tar -xzf "$a" -C "$d/extractor"
  fi
  want=$(printf '%s\n' "activity-extractor$exe" "${extra_docs[@]}" | sort)
  [ "$listed" = "$want" ] || fail "$a holds [$(echo $listed)], want [$(echo $want)]"
  for b in "$d/provider/terraform-provider-activity_v${version}${exe}" "$d/extractor/activity-extractor$exe"; do
    desc=$(file -b "$b")
    echo "$desc" | grep -Eq "$(want_arch "$t")" || fail "$(basename "$b") of $t is not built for $t: $desc"
    if [ -n "$exe" ] && command -v x86_64-w64-mingw32-objdump >/dev/null; then
      dlls=$(x86_64-w64-mingw32-objdump -p "$b" | sed -n 's/.*DLL Name: //p' | tr '\n' ' ')
      if echo "$dlls" | grep -Eiq 'libgcc|libwinpthread|libstdc'; then
        fail "$(basename "$b") of $t needs a MinGW DLL a user lacks: $dlls"
      fi
    fi
  done
  ok "$t: provider zip and extractor archive laid out as expected; binaries are $(want_arch "$t" | sed 's/\.\*/ /; s/\\//g')"
done

# 5. The versions the linux_amd64 binaries print.
case " $targets " in *" linux_amd64 "*) ;; *) echo "release-check: linux_amd64 not in this release; versions and handshake not checked"; exit 0 ;; esac
ae=$work/linux_amd64/extractor/activity-extractor
provider=$work/linux_amd64/provider/terraform-provider-activity_v$version
"$ae" --version >"$work/extractor-version.txt" || fail "activity-extractor --version failed"
head -1 "$work/extractor-version.txt" | grep -qx "activity-extractor $version" ||
  fail "activity-extractor --version printed '$(head -1 "$work/extractor-version.txt")', want 'activity-extractor $version'"
"$provider" -version >"$work/provider-version.txt" || fail "provider -version failed"
diff <(sed -n 2,3p "$work/extractor-version.txt") "$work/provider-version.txt" >/dev/null ||
  fail "the extractor names another provider version or schema than the provider: $(cat "$work/extractor-version.txt" "$work/provider-version.txt")"
ok "versions: $(tr '\n' ';' <"$work/extractor-version.txt")"
case " $targets " in *" linux_arm64 "*)
  if command -v qemu-aarch64 >/dev/null; then
    arm=$(QEMU_LD_PREFIX=/usr/aarch64-linux-gnu qemu-aarch64 "$work/linux_arm64/extractor/activity-extractor" --version) ||
      fail "the linux_arm64 extractor does not run under qemu-aarch64"
    [ "$arm" = "$(cat "$work/extractor-version.txt")" ] || fail "the linux_arm64 extractor prints another --version: $arm"
    ok "linux_arm64: the extractor runs (qemu-aarch64) and prints the same --version"
  else
    echo "release-check: qemu-aarch64 not installed; the linux_arm64 extractor was not run"
  fi ;;
esac

# The plugin handshake line: CORE|APP-PROTOCOL|NETWORK|ADDRESS|PROTOCOL.
handshake=$(TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
  PLUGIN_PROTOCOL_VERSIONS=5,6 timeout 10 "$provider" 2>/dev/null | head -1 || true)
app=$(echo "$handshake" | cut -d'|' -f2)
[ -n "$app" ] || fail "the provider printed no plugin handshake: '$handshake'"
case " $protocols " in *" $app.0 "*) ;; *) fail "the provider speaks protocol $app, the manifest declares $protocols" ;; esac
ok "handshake: the provider speaks plugin protocol $app, as the manifest declares"

# 6. A database for the example, written by the release's own extractor.
db=$work/activity.db
"$ae" generate --out "$work/org" --seed 7 --end 2026-11-24 --events 3000 >"$work/generate.txt"
over=$(sed -n 's/^over_provisioned_user: *//p' "$work/generate.txt")
[ -n "$over" ] || fail "generate named no over-provisioned user: $(cat "$work/generate.txt")"
"$ae" --db "$db" discover $(for f in "$work"/org/authz/*.json; do printf -- '--authz-details %s ' "$f"; done) >/dev/null
"$ae" --db "$db" extract --source "$work/org/trail" --as-of 2026-11-25T00:00:00Z >/dev/null
"$ae" --db "$db" score --as-of 2026-11-25T00:00:00Z >/dev/null || [ $? -eq 4 ]

# 7. init and plan from a filesystem mirror, on each CLI.
# The lock file's h1: hash of a package (dirhash's Hash1: the SHA-256 of the
# sorted lines "SHA256  NAME" of its files) must be that of the zip checked.
h1=$(python3 - "$(locate "${p}_linux_amd64.zip")" <<'PY'
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
lines = "".join("%s  %s\n" % (hashlib.sha256(z.read(n)).hexdigest(), n) for n in sorted(z.namelist()))
print("h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode())
PY
)
ran=0
tf_run() { # name, cli binary, registry host
  local name=$1 cli=$2 host=$3 w=$work/tf-$1
  mkdir -p "$w/mirror/$host/hashicorp/activity" "$w/gate"
  cp "$(locate "${p}_linux_amd64.zip")" "$w/mirror/$host/hashicorp/activity/"
  cat >"$w/cli.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$w/mirror"
    include = ["$host/hashicorp/activity"]
  }
}
RC
  cp examples/gate-deployments/*.tf "$w/gate/"
  # A snapshot's version is a pre-release, which only an exact constraint
  # selects; pinning it also proves this very build was installed.
  cat >"$w/gate/release_override.tf" <<TF
terraform {
  required_providers {
    activity = { source = "hashicorp/activity", version = "= $version" }
  }
}
TF
  export TF_CLI_CONFIG_FILE=$w/cli.rc TF_IN_AUTOMATION=1
  (cd "$w/gate" && "$cli" init -no-color -input=false) >"$w/init.log" 2>&1 ||
    { cat "$w/init.log"; fail "$name init from the filesystem mirror failed"; }
  grep -q "\"$h1\"" "$w/gate/.terraform.lock.hcl" ||
    fail "$name: the lock file does not record $h1, the hash of the linux_amd64 zip's content: $(cat "$w/gate/.terraform.lock.hcl")"
  (cd "$w/gate" && "$cli" plan -no-color -input=false -var "database=$db" -var "deployer=$over" -var max_ops=100) >"$w/plan-pass.log" 2>&1 ||
    { cat "$w/plan-pass.log"; fail "$name plan with max_ops=100 failed"; }
  if (cd "$w/gate" && "$cli" plan -no-color -input=false -var "database=$db" -var "deployer=$over") >"$w/plan-gate.log" 2>&1; then
    cat "$w/plan-gate.log"; fail "$name plan passed the gate for $over, an over-provisioned user"
  fi
  grep -q "of its access unused" "$w/plan-gate.log" || { cat "$w/plan-gate.log"; fail "$name plan failed, but not on the gate"; }
  ok "$name $("$cli" version | head -1): init from the mirror (lock hash = the zip's), plan passes at max_ops=100 and stops $over at 50"
  ran=$((ran + 1))
}
tofu=${TOFU:-$root/.bin/tofu}
if [ -x "$tofu" ]; then tf_run opentofu "$tofu" registry.opentofu.org; else echo "release-check: no OpenTofu at $tofu (make tools)"; fi
terraform=${TERRAFORM:-$(command -v terraform || true)}
if [ -n "$terraform" ]; then tf_run terraform "$terraform" registry.terraform.io; else echo "release-check: HashiCorp Terraform not installed; checked on OpenTofu only"; fi
[ $ran -gt 0 ] || fail "no Terraform CLI ran init and plan on the release"
echo "release-check: all checks passed for $version"
