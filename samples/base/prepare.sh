#!/bin/sh
# Copies Debian's static busybox (package busybox-static) into this directory, the build context
# of samples/base/Dockerfile:  samples/base/prepare.sh && stamp build -t base:1 samples/base
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=/bin/busybox
if ! file -L "$src" 2>/dev/null | grep -q 'statically linked'; then
  [ -x /usr/bin/busybox ] && src=/usr/bin/busybox
fi
cp "$src" "$here/busybox"
chmod 0755 "$here/busybox"
