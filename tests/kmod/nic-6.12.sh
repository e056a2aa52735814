#!/bin/sh
# The multi-queue NIC guest suite on Debian's 6.12 from bookworm-backports
# (scripts/deps/kernel-6.12.pin).
src=${PFRING_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec bash "$(dirname "$0")/nic-lab.sh" "$src/scripts/deps/kernel-6.12.pin"
