#!/bin/bash
# AF_XDP: Debian's tcpdump on zc:<veth> gets exactly what was sent (our XDP
# program redirects RX queue 0 to the socket); zcount, through the libpfring
# API, gets them too and reports the bind mode obtained (veth: copy mode).
# Then the interface has no XDP program left.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=2000
FLOWS=10
ZCOUNT=$PFRING_BUILDDIR/pfring-backend/tools/zcount

lib_init
[ "$STOCK" = 0 ] || skip "zc: devices need our libpcap"
ns_setup

tcpdump_start xsk "$NSB" "zc:$IFB"
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "$N" "$WORK/xsk.pcap" || true
tcpdump_stop xsk
check_eq "tcpdump exit status" 0 "${TD_RC[xsk]}"
check_same "tcpdump -i zc:$IFB: every packet of every flow" \
	"$(expected_flows -n "$N" -f "$FLOWS")" "$(pcap_flows "$WORK/xsk.pcap")"
check_eq "'packets captured'" "$N" "${TD_CAPTURED[xsk]}"
check_eq "'dropped by kernel'" 0 "${TD_DROPPED[xsk]}"
# The link goes with tcpdump's last fd; the kernel frees it asynchronously.
_no_xdp() { ! ip -n "$NSB" link show dev "$IFB" | grep -q 'prog/xdp'; }
check_true "no XDP program left on $IFB after tcpdump exits" wait_until "$DEADLINE" _no_xdp

# ip netns exec itself, not in_ns: a function would run in a subshell,
# $! would be that subshell and a SIGINT would never reach zcount.
ip netns exec "$NSB" "$ZCOUNT" -i "zc:$IFB@0" -n "$N" >"$WORK/zcount.out" 2>"$WORK/zcount.err" &
ZC_PID=$!
TD_PID[zcount]=$ZC_PID   # killed by the cleanup if the test ends early
_zcount_ready() { grep -q 'engine' "$WORK/zcount.out" || _td_gone "$ZC_PID"; }
wait_until "$DEADLINE" _zcount_ready || true
check_contains "zcount reports the AF_XDP bind mode (veth: copy)" "$WORK/zcount.out" \
	"zcount: zc:$IFB@0: engine xdp-copy"
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
# zcount ends by itself at $N packets; short of them, SIGINT for its report.
wait_until "$DEADLINE" _td_gone "$ZC_PID" || fail_check "zcount did not reach $N packets"
proc_reap zcount "$ZC_PID" INT
unset "TD_PID[zcount]"
check_eq "zcount exit status" 0 "$PROC_RC"
check_contains "zcount: every packet, none dropped" "$WORK/zcount.out" "zcount: total $N packets"
check_contains "zcount: no drops, the bind mode in its total (veth: copy)" "$WORK/zcount.out" "dropped 0 (engine xdp-copy)"

td_rc=0
in_ns "$NSB" timeout 20 "${RUNNER[@]}" "$TCPDUMP" -n -c 1 -w /dev/null -i "zc:no-such-if0" \
	>/dev/null 2>"$WORK/noif.err" || td_rc=$?
check_true "tcpdump -i zc:no-such-if0 fails" [ "$td_rc" != 0 ] && [ "$td_rc" != 124 ]
check_contains "tcpdump -i zc:no-such-if0 names it" "$WORK/noif.err" "no such interface 'no-such-if0'"
finish
