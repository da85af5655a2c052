#!/bin/sh
# Prepares a Debian bookworm root for semadjust: installs the runtime packages listed in
# runtime-packages.txt (next to this script, or $1) and creates the unprivileged user.
# Run as root inside the root being prepared: by the Dockerfile's runtime stage, and by
# deploy/tests/test-rootfs.sh inside its debootstrap chroot, so both end up with the same contents.
set -eu
list=${1:-$(dirname "$0")/runtime-packages.txt}
packages=$(sed -e 's/#.*//' "$list" | tr -s ' \t\n' ' ')
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086  # one word per package
apt-get install -y -qq --no-install-recommends $packages
apt-get clean
rm -rf /var/lib/apt/lists/*
# A fixed uid/gid so Kubernetes' runAsUser and file ownership in volumes can name it (above the
# system range on purpose: it cannot collide with a uid some package allocates).
groupadd --gid 10001 semadjust
useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --no-log-init semadjust
