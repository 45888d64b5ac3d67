#!/usr/bin/env bash
# Installs what the tests need from Debian's packages, only when it is missing: Chromium for the
# browser tests and awscli v2 for the conformance tests. Idempotent; safe to run on every `npm test`.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/aws ] || missing+=(awscli)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "ensure-test-deps: missing ${missing[*]} and not root: install them with apt-get (packages: ${missing[*]})." >&2
    exit 1
  fi
else
  SUDO=
fi

echo "ensure-test-deps: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for bin in /usr/bin/chromium /usr/bin/aws; do
  [ -x "$bin" ] || { echo "ensure-test-deps: $bin is still missing after the install" >&2; exit 1; }
done
