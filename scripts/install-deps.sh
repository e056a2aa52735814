#!/bin/sh
# install-deps.sh: installs the Debian packages pfring-pcap needs to build,
# run its demo and run its tests: every name in scripts/deps/*.list ('#'
# starts a comment).  Installs only what is missing.
set -eu
deps=$(dirname "$0")/deps
pkgs=$(cat "$deps"/*.list | sed 's/#.*//' | tr -s ' \t\n' '\n' | sort -u)
missing=
for p in $pkgs; do
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
