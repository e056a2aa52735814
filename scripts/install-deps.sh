#!/bin/sh
# install-deps.sh: the Debian packages pfring-pcap needs to build, run its
# demo and run its tests.  Installs only what is missing.
set -eu
PKGS="gcc make autoconf automake patch pkg-config flex bison clang llvm
libbpf-dev libelf-dev zlib1g-dev iproute2 tcpdump valgrind dpkg-dev
ca-certificates"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
