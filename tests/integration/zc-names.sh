#!/bin/bash
# Bad zc: names and unusable queues stop tcpdump with a message naming the
# problem.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

lib_init
[ "$STOCK" = 0 ] || skip "zc: names need our libpcap"
ns_setup
CID=$(unique_cluster_id 1)
# Ids nobody uses: this run's own, offset far from every test's.
NOCID=$(( 65535 - ($$ % 1000) ))

# td_fails NAME DEVICE MESSAGE: tcpdump -i DEVICE exits non-zero and prints MESSAGE.
td_fails() {
	local rc=0
	in_ns "$NSB" timeout 20 "${RUNNER[@]}" "$TCPDUMP" -n -c 1 -w /dev/null -i "$2" \
		>/dev/null 2>"$WORK/$1.err" || rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 124 ]; then
		fail_check "tcpdump -i '$2': expected a failure, exit status $rc"
	else
		pass_check "tcpdump -i '$2' fails (exit $rc)"
	fi
	check_contains "tcpdump -i '$2' says: $3" "$WORK/$1.err" "$3"
}

td_fails empty "zc:" "zc:: no cluster id or interface after 'zc:'"
td_fails badq "zc:99@x" "zc:99@x: bad queue 'x' (a number 0..65535 expected)"
td_fails noq "zc:99" "zc:99: which queue of ZC cluster 99? (zc:99@<queue>)"
td_fails nocluster "zc:$NOCID@0" "zc:$NOCID@0: no ZC cluster $NOCID (start one first, e.g. zbalance -c $NOCID)"

zbalance_start "$NSB" -i "$IFB" -c "$CID" -n 2
td_fails noqueue "zc:$CID@2" "ZC cluster $CID has 2 queues (0..1): no queue 2"
tcpdump_start q0 "$NSB" "zc:$CID@0"
td_fails busy "zc:$CID@0" "queue 0 of ZC cluster $CID is in use by another consumer (pid ${TD_PID[q0]})"
tcpdump_stop q0
zbalance_stop
td_fails gone "zc:$CID@0" "no ZC cluster $CID"
finish
