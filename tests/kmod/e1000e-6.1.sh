#!/bin/sh
# Our e1000e driver's guest suite on Debian 12's own kernel (6.1).
exec bash "$(dirname "$0")/e1000e-lab.sh" 6.1
