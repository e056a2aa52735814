#!/bin/sh
# The multi-queue NIC guest suite on Debian 12's own kernel (6.1).
exec bash "$(dirname "$0")/nic-lab.sh" 6.1
