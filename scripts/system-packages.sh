#!/usr/bin/env bash
# Install the Debian tools that tests drive for real (an OCI registry, skopeo, umoci).
# Runs as part of `make test`; installs only what is missing, and only where it can (root + apt).
# Tests that need a tool that could not be installed skip and say which one.
set -euo pipefail

packages=(skopeo umoci docker-registry)
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "note: not installing ${missing[*]} (needs root and apt-get); tests that use them will skip"
    exit 0
fi
echo "installing Debian packages for tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
