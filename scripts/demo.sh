#!/bin/bash
# demo.sh: the cluster demo.  Builds pfring-pcap, makes a veth pair between
# two network namespaces of its own, starts Debian's unmodified tcpdump three
# times as members of cluster 42 on pfring:<veth>, sends 3000 packets over 30
# flows, and shows that each member got a disjoint third of the flows.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${PFRING_BUILDDIR:-$top/build}
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }

sh "$top/scripts/install-deps.sh"
sh "$top/scripts/build.sh" "$build"
make -s -C "$build" tests/tools/flowgen tests/tools/pcapflows
flowgen=$build/tests/tools/flowgen
pcapflows=$build/tests/tools/pcapflows
tcpdump=$(command -v tcpdump || echo /usr/sbin/tcpdump)

tag=$$
nsa=pfdemo-a-$tag nsb=pfdemo-b-$tag ifa=pfda$tag ifb=pfdb$tag
work=$(mktemp -d /tmp/pfring-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	ip netns del "$nsa" 2>/dev/null || true
	ip netns del "$nsb" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$nsa"
ip netns add "$nsb"
ip link add "$ifa" netns "$nsa" type veth peer name "$ifb" netns "$nsb"
for pair in "$nsa $ifa" "$nsb $ifb"; do
	set -- $pair
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$1" ip link set lo up
	ip netns exec "$1" ip link set "$2" up
done

wait_for() { # SECONDS CMD...: poll until CMD succeeds
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}
total_packets() {
	local n=0 f c
	for f in "$work"/member*.pcap; do
		c=$("$pcapflows" -n "$f" 2>/dev/null || echo 0)
		n=$((n + c))
	done
	echo "$n"
}

echo
echo "== PFRING_CLUSTER=42 tcpdump -i pfring:$ifb, started 3 times (Debian's $tcpdump)"
for i in 0 1 2; do
	ip netns exec "$nsb" env PFRING_CLUSTER=42 "$build/libpcap/pfring-run" \
		"$tcpdump" -n -i "pfring:$ifb" -w "$work/member$i.pcap" -U 2>"$work/member$i.err" &
	pids+=($!)
	wait_for 20 grep -q "listening on" "$work/member$i.err" ||
		{ cat "$work/member$i.err" >&2; exit 1; }
done
echo "== sending 3000 packets over 30 UDP flows from the peer namespace"
ip netns exec "$nsa" "$flowgen" -i "$ifa" -n 3000 -f 30
have_all() { [ "$(total_packets)" -ge 3000 ]; }
wait_for 20 have_all || true
for p in "${pids[@]}"; do kill -INT "$p"; done
wait "${pids[@]}" 2>/dev/null || true
pids=()

echo
for i in 0 1 2; do
	flows=$("$pcapflows" "$work/member$i.pcap" | grep -c '>' || true)
	echo "member $i: $("$pcapflows" -n "$work/member$i.pcap") packets in $flows flows;" \
		"tcpdump says: $(grep -h 'captured\|dropped by kernel' "$work/member$i.err" | paste -sd, - | sed 's/,/, /')"
	"$pcapflows" "$work/member$i.pcap" | sed 's/^/    /' | head -4
	[ "$flows" -gt 4 ] && echo "    ..."
done
union=$("$pcapflows" -c "$work"/member*.pcap | sort)
expected=$("$flowgen" --list -n 3000 -f 30 | sort)
shared=$(for i in 0 1 2; do "$pcapflows" "$work/member$i.pcap" | cut -d' ' -f1; done | sort | uniq -d | wc -l)
echo
if [ "$union" = "$expected" ] && [ "$shared" -eq 0 ]; then
	echo "OK: the three members together got exactly the 3000 packets sent; no flow reached two members."
else
	echo "MISMATCH: union of members differs from what was sent, or $shared flows reached several members" >&2
	exit 1
fi
