#!/bin/bash
# ntopdump's zc interface, driven by Debian's tshark from a private extcap
# folder (a temporary HOME), with zbalance spreading a veth per flow over 3
# queues of a ZC cluster:
#  - without any cluster, tshark -D does not list zc (seen from a mount
#    namespace of its own, so clusters of tests running alongside do not
#    count); with ours running it does, and the queue selector offers
#    exactly our queues, the one being read marked in use;
#  - tshark -i zc -c N -o extcap.zc.device:zc:<id>@<q> captures exactly the
#    N packets of queue q, which are exactly the flows the shared hash
#    (tests/tools/flowhash) puts there, cut to the caplen setting;
#  - a capture filter given to tshark (-f) is honoured;
#  - bad settings stop the capture with ntopdump's message shown by tshark;
#  - once the cluster is gone its queues are no longer offered.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"
. "$(dirname "$0")/extcap-lib.sh"

NTOPDUMP_BUILT=$PFRING_BUILDDIR/pfring-backend/tools/ntopdump
Q=3
QR=1            # the queue tshark reads
N=600
FLOWS=30

lib_init
[ "$STOCK" = 0 ] || skip "ntopdump's zc interface needs our libpcap (not in stock mode)"
command -v tshark >/dev/null || skip "tshark not installed (Debian package: tshark)"
command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
[ -x "$NTOPDUMP_BUILT" ] || hard_error "$NTOPDUMP_BUILT not built"
[ -x "$FLOWHASH" ] || hard_error "$FLOWHASH not built (make check builds it)"
ns_setup
CID=$(unique_cluster_id 2)

extcap_setup zc

# tshark -D's zc line ("N. zc (...)" -> "zc (...)"), empty when not listed.
zc_listed() { sed -n 's/^[0-9][0-9]*\. \(zc .*\)$/\1/p' "$1"; }
ZC_LINE="zc (PF_RING ZC cluster queue (pfring-pcap))"

# --- no cluster: not listed ---------------------------------------------------------
# Cluster files live in /dev/shm and hugetlbfs mounts; empty ones in a
# private mount namespace hide every cluster of the machine from this tshark.
cat >"$WORK/nocluster.sh" <<'EOF'
set -e
mount -t tmpfs none /dev/shm
awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts | while read -r d; do mount -t tmpfs none "$d"; done
exec ip netns exec "$1" tshark -D
EOF
unshare --mount --propagation private bash "$WORK/nocluster.sh" "$NSB" \
	>"$WORK/list0.out" 2>"$WORK/list0.err" || true
check_eq "tshark -D without clusters still lists pfring" "pfring (PF_RING capture (pfring-pcap))" \
	"$(sed -n 's/^[0-9][0-9]*\. \(pfring .*\)$/\1/p' "$WORK/list0.out")"
check_eq "tshark -D without clusters: no zc interface" "" "$(zc_listed "$WORK/list0.out")"

# zc-lib's cleanup, with errexit off: under it the "(exit rc)" there would
# end a failed run before lib.sh's cleanup removed the namespaces.
_xz_cleanup() {
	local rc=$?
	set +e
	(exit "$rc")
	_zb_cleanup
}
# zbalance_start NS ARGS...: zc-lib's, then our cleanup around its own.
xz_zbalance_start() {
	zbalance_start "$@"
	trap _xz_cleanup EXIT
}

# --- with our cluster: listed, our queues offered --------------------------------------
xz_zbalance_start "$NSB" -i "$IFB" -c "$CID" -n "$Q" -m hash -t per_flow
in_ns "$NSB" tshark -D >"$WORK/list1.out" 2>"$WORK/list1.err" || true
check_eq "tshark -D with cluster $CID lists zc" "$ZC_LINE" "$(zc_listed "$WORK/list1.out")"

# Our cluster's selector values (others may exist alongside).
our_queues() {
	"$NTOPDUMP" --extcap-interface zc --extcap-config |
		sed -n "s/^value {arg=0}{value=zc:$CID@\\([0-9]*\\)}{display=\\([^}]*\\)}.*/\\1 \\2/p"
}
check_eq "queue selector: exactly our 3 queues, all free" \
	"0 zc:$CID@0 (cluster $CID, queue 0 of 3)
1 zc:$CID@1 (cluster $CID, queue 1 of 3)
2 zc:$CID@2 (cluster $CID, queue 2 of 3)" "$(our_queues)"

# --- what each queue gets: the shared hash of every flow ---------------------------
# "flow count" lines of FLOWGEN_ARGS that the hash puts in queue $QR.
flows_of_queue() {
	local flow n q
	expected_flows "$@" | while read -r flow n; do
		q=$("$FLOWHASH" -t per_flow -m "$Q" "$flow") || hard_error "flowhash $flow failed"
		[ "$q" != "$QR" ] || echo "$flow $n"
	done
}
sum_counts() { awk '{ s += $2 } END { print s + 0 }'; }

# --- exactly the packets of queue $QR --------------------------------------------------
want=$(flows_of_queue -n "$N" -f "$FLOWS")
M=$(sum_counts <<<"$want")
[ "$M" -gt 0 ] && [ "$M" -lt "$N" ] || hard_error "queue $QR would get $M of $N packets: pick other flows"
log "the shared hash puts $M of $N packets ($(wc -l <<<"$want") of $FLOWS flows) in queue $QR"

tshark_start cap -c "$M" -o "extcap.zc.device:zc:$CID@$QR" -o extcap.zc.caplen:60
check_eq "queue selector marks queue $QR in use while tshark reads it" \
	"zc:$CID@$QR (cluster $CID, queue $QR of 3, in use)" \
	"$(our_queues | sed -n "s/^$QR //p")"
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -l 200
tshark_wait cap
check_eq "tshark -c $M exit status" 0 "${TS_RC[cap]}"
check_eq "packets in tshark's file" "$M" "$(pcap_count "$WORK/cap.pcap")"
check_same "flows captured vs the shared hash's flows of queue $QR (with counts)" \
	"$want" "$(pcap_flows "$WORK/cap.pcap")"
check_eq "caplen setting: records with caplen 60 of 200-byte frames" "$M" \
	"$(pcap_sizes "$WORK/cap.pcap" | grep -c '^60 200$' || true)"
check_true "ntopdump gone after tshark stopped" wait_until "$DEADLINE" _no_ntopdump
check_eq "no extcap error shown" "" "$(grep 'Error by extcap pipe' "$WORK/cap.err" || true)"

# --- the capture filter given to tshark ------------------------------------------------
# TCP first: a filter that was ignored would fill the capture with it.
tcp_want=$(flows_of_queue -n "$N" -f "$FLOWS" -p tcp -b 100)
udp_want=$(flows_of_queue -n "$N" -f "$FLOWS" -p udp -b 200)
MU=$(sum_counts <<<"$udp_want")
[ "$(sum_counts <<<"$tcp_want")" -gt 0 ] && [ "$MU" -gt 0 ] ||
	hard_error "queue $QR gets no TCP or no UDP flow: pick other flows"
tshark_start filt -c "$MU" -f udp -o "extcap.zc.device:zc:$CID@$QR"
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -p tcp -b 100
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -p udp -b 200
tshark_wait filt
check_eq "tshark -f udp exit status" 0 "${TS_RC[filt]}"
check_same "flows captured with -f udp: exactly the UDP flows of queue $QR" \
	"$udp_want" "$(pcap_flows "$WORK/filt.pcap")"
check_true "ntopdump gone after the filtered capture" wait_until "$DEADLINE" _no_ntopdump

# The free-text queue replaces the list choice ("<id>@<q>" means zc:<id>@<q>).
tshark_start other -c 5 -o "extcap.zc.device:zc:$CID@0" -o "extcap.zc.devicename:$CID@$QR"
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
tshark_wait other
check_eq "devicename $CID@$QR: exit status" 0 "${TS_RC[other]}"
check_same "devicename $CID@$QR: flows not of queue $QR (none)" "" \
	"$(pcap_flows "$WORK/other.pcap" | cut -d' ' -f1 | grep -vxF -f <(cut -d' ' -f1 <<<"$want") || true)"
check_eq "devicename $CID@$QR: packets" 5 "$(pcap_count "$WORK/other.pcap")"
check_true "ntopdump gone after the free-text capture" wait_until "$DEADLINE" _no_ntopdump

# --- bad settings: tshark shows ntopdump's message -----------------------------------
expect_shown() { # NAME WHAT MESSAGE
	check_true "$2: tshark fails" test "${TS_RC[$1]}" != 0
	check_true "$2: not a timeout" test "${TS_RC[$1]}" != 124
	check_contains "$2: tshark shows the message" "$WORK/$1.err" "$3"
}
tshark_run noqueue -o "extcap.zc.device:zc:$CID@7"
expect_shown noqueue "queue 7 of a 3-queue cluster" \
	"Error by extcap pipe: ntopdump: cannot capture on 'zc:$CID@7': zc:$CID@7: ZC cluster $CID has 3 queues (0..2): no queue 7"
tshark_run notzc -o "extcap.zc.devicename:pfring:$IFB"
expect_shown notzc "a pfring: device on the zc interface" \
	"Error by extcap pipe: ntopdump: --device-name: 'pfring:$IFB' is not a zc: device"
tshark_run noq -o "extcap.zc.devicename:$CID"
expect_shown noq "a cluster without a queue" \
	"Error by extcap pipe: ntopdump: --device-name: zc:$CID: which queue of ZC cluster $CID? (zc:$CID@<queue>)"
tshark_run nodev
expect_shown nodev "no queue" \
	"Error by extcap pipe: ntopdump: no queue given: set --device or --device-name"
check_true "ntopdump gone after the failures" wait_until "$DEADLINE" _no_ntopdump

# --- zbalance's own count of queue $QR ---------------------------------------------------
zbalance_stop
check_eq "zbalance queue $QR: dropped" 0 "$(zb_queue "$QR" dropped)"
# It got the hash's share of every send: twice the plain flows, the TCP and the UDP ones.
check_eq "zbalance queue $QR: sent" "$((2 * M + $(sum_counts <<<"$tcp_want") + MU))" \
	"$(zb_queue "$QR" sent)"

# The cluster is gone: its queues are no longer offered.
check_eq "queue selector after zbalance exited: none of cluster $CID" "" "$(our_queues)"

# A balancer killed with SIGKILL leaves its file behind: a stale cluster is
# not offered either (its creator's lock is gone).
xz_zbalance_start "$NSB" -i "$IFB" -c "$CID" -n "$Q"
zb_file=$(sed -n 's/.*(\(\/[^)]*\/pfring_zc\.[0-9]*\)).*/\1/p' "$ZB_OUT" | head -1)
_kill_reap "$ZB_PID"
ZB_PID=
check_true "the killed zbalance left ${zb_file:-its cluster file} behind" test -e "$zb_file"
check_eq "queue selector with cluster $CID stale: none of it" "" "$(our_queues)"
rm -f "$zb_file"
finish
