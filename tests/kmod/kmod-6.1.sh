#!/bin/sh
# The pf_ring.ko guest suite on Debian 12's own kernel (6.1, installed from
# scripts/deps/kmod.list).
exec bash "$(dirname "$0")/kmod-suite.sh" 6.1
