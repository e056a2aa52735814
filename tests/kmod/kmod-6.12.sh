#!/bin/sh
# The pf_ring.ko guest suite on Debian's 6.12 from bookworm-backports, the
# version pinned in scripts/deps/kernel-6.12.pin (fetched on first use).
src=${PFRING_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec bash "$(dirname "$0")/kmod-suite.sh" "$src/scripts/deps/kernel-6.12.pin"
