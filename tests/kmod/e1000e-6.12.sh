#!/bin/sh
# Our e1000e driver's guest suite on Debian's 6.12 from bookworm-backports
# (scripts/deps/kernel-6.12.pin).
src=${PFRING_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec bash "$(dirname "$0")/e1000e-lab.sh" "$src/scripts/deps/kernel-6.12.pin"
