#!/bin/bash
# ntopdump, the Wireshark extcap program, driven by Debian's tshark from a
# private extcap folder (a temporary HOME: nothing is installed in the
# system):
#  - tshark -D lists its interface;
#  - tshark -i pfring -c N with -o extcap.pfring.* settings captures exactly
#    N packets from a pfring: veth, with the caplen setting applied;
#  - a capture filter given to tshark (-f) is honoured;
#  - bad settings stop the capture with ntopdump's message shown by tshark;
#  - ntopdump on its own exits 0 when the fifo's reader goes away and on
#    SIGTERM, with every packet written.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/extcap-lib.sh"

NTOPDUMP_BUILT=$PFRING_BUILDDIR/pfring-backend/tools/ntopdump
N=40

lib_init
[ "$STOCK" = 0 ] || skip "ntopdump tests need our libpcap (not in stock mode)"
command -v tshark >/dev/null || skip "tshark not installed (Debian package: tshark)"
[ -x "$NTOPDUMP_BUILT" ] || hard_error "$NTOPDUMP_BUILT not built"
ns_setup
CID=$(unique_cluster_id 3)

extcap_setup pfring

# --- tshark -D ------------------------------------------------------------------
in_ns "$NSB" tshark -D >"$WORK/list.out" 2>"$WORK/list.err" || true
check_eq "tshark -D lists the ntopdump interface" "pfring (PF_RING capture (pfring-pcap))" \
	"$(sed -n 's/^[0-9][0-9]*\. \(pfring .*\)$/\1/p' "$WORK/list.out")"

# --- exactly N packets, settings applied ----------------------------------------
tshark_start cap -c "$N" -o "extcap.pfring.device:pfring:$IFB" \
	-o "extcap.pfring.clusterid:$CID" -o extcap.pfring.clustertype:round_robin \
	-o extcap.pfring.slots:8192 -o extcap.pfring.caplen:60
send_flows "$NSA" "$IFA" -n $((N + 20)) -f 4 -l 200
tshark_wait cap
check_eq "tshark -c $N exit status" 0 "${TS_RC[cap]}"
check_eq "packets in tshark's file" "$N" "$(pcap_count "$WORK/cap.pcap")"
check_eq "caplen setting: records with caplen 60 of 200-byte frames" "$N" \
	"$(pcap_sizes "$WORK/cap.pcap" | grep -c '^60 200$' || true)"
check_true "ntopdump gone after tshark stopped" wait_until "$DEADLINE" _no_ntopdump

# --- the capture filter given to tshark ------------------------------------------
# TCP first: a filter that was ignored would fill the capture with it.
tshark_start filt -c "$N" -f "udp" -o "extcap.pfring.device:pfring:$IFB"
send_flows "$NSA" "$IFA" -n "$N" -f 4 -p tcp -b 100
send_flows "$NSA" "$IFA" -n "$N" -f 4 -p udp
tshark_wait filt
check_eq "tshark -f udp exit status" 0 "${TS_RC[filt]}"
check_same "flows captured with -f udp: only the UDP ones, all of them" \
	"$(expected_flows -n "$N" -f 4 -p udp)" "$(pcap_flows "$WORK/filt.pcap")"

# The free-text device name replaces the list choice.
tshark_start other -c 5 -o "extcap.pfring.device:pfring:lo" -o "extcap.pfring.devicename:$IFB"
send_flows "$NSA" "$IFA" -n 5 -f 1
tshark_wait other
check_eq "devicename (plain $IFB): exit status" 0 "${TS_RC[other]}"
check_eq "devicename (plain $IFB): packets" 5 "$(pcap_count "$WORK/other.pcap")"

# --- bad settings: tshark shows ntopdump's message --------------------------------
expect_shown() { # NAME WHAT MESSAGE
	check_true "$2: tshark fails" test "${TS_RC[$1]}" != 0
	check_true "$2: not a timeout" test "${TS_RC[$1]}" != 124
	check_contains "$2: tshark shows the message" "$WORK/$1.err" "$3"
}
tshark_run badslots -o "extcap.pfring.device:pfring:$IFB" -o extcap.pfring.slots:0
expect_shown badslots "slots 0" "Error by extcap pipe: ntopdump: --slots: bad value '0': must be 1..1048576"
tshark_run badtype -o "extcap.pfring.device:pfring:$IFB" -o extcap.pfring.clustertype:per_flw
expect_shown badtype "cluster type per_flw" "Error by extcap pipe: ntopdump: --cluster-type: unknown type 'per_flw' (valid: per_flow, round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple, ip_with_dup_tuple, or inner_ + flow, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple)"
tshark_run nodev -o "extcap.pfring.device:pfring:nosuchif0"
expect_shown nodev "unknown device" "Error by extcap pipe: ntopdump: cannot capture on 'pfring:nosuchif0': "
tshark_run badq -o "extcap.pfring.device:$IFB@x"
expect_shown badq "bad queue" \
	"Error by extcap pipe: ntopdump: --device: pfring:$IFB@x: bad queue 'x' in '$IFB@x': not a number"
tshark_run badfilt -f "udp port nosuchport" -o "extcap.pfring.device:pfring:$IFB"
expect_shown badfilt "bad filter" "Error by extcap pipe: ntopdump: bad capture filter 'udp port nosuchport': "
tshark_run nodevice
expect_shown nodevice "no device" "Error by extcap pipe: ntopdump: no device given: set --device or --device-name"
check_true "ntopdump gone after the failures" wait_until "$DEADLINE" _no_ntopdump

# --- ntopdump on its own: the fifo's reader leaves, SIGTERM ----------------------
_nd_ready() { grep -q 'debug: capturing on' "$WORK/$1.err" || ! _td_alive "$2"; }

mkfifo "$WORK/fifo1"
# ip netns exec directly (not in_ns, a function): $! is then ntopdump itself.
ip netns exec "$NSB" "$NTOPDUMP" --extcap-interface pfring --capture --fifo "$WORK/fifo1" \
	--device "pfring:$IFB" --debug 2>"$WORK/nd1.err" &
nd=$!
head -c 24 "$WORK/fifo1" >"$WORK/head.bin"
proc_reap "ntopdump (its reader left)" "$nd"
check_eq "ntopdump exit status when the reader leaves (no traffic)" 0 "$PROC_RC"
check_eq "pcap header magic" "d4c3b2a1" "$(od -An -tx1 -N4 "$WORK/head.bin" | tr -d ' \n')"

mkfifo "$WORK/fifo2"
cat "$WORK/fifo2" >"$WORK/nd2.pcap" &
reader=$!
ip netns exec "$NSB" "$NTOPDUMP" --extcap-interface pfring --capture --fifo "$WORK/fifo2" \
	--device "pfring:$IFB" --debug 2>"$WORK/nd2.err" &
nd=$!
wait_until "$DEADLINE" _nd_ready nd2 "$nd" || hard_error "ntopdump did not start capturing"
send_flows "$NSA" "$IFA" -n 25 -f 5
wait_for_packets "$DEADLINE" 25 "$WORK/nd2.pcap" || true
proc_reap ntopdump "$nd" TERM
rc=$PROC_RC
proc_reap "the fifo's reader" "$reader"
check_eq "ntopdump exit status after SIGTERM" 0 "$rc"
check_eq "packets ntopdump wrote before SIGTERM" 25 "$(pcap_count "$WORK/nd2.pcap")"
check_contains "ntopdump says how many it wrote" "$WORK/nd2.err" "debug: stopping after 25 packets"

# Option errors outside tshark.
rc=0
"$NTOPDUMP" --extcap-interface nosuch --extcap-config >/dev/null 2>"$WORK/badif.err" || rc=$?
check_eq "unknown interface: exit status" 1 "$rc"
check_contains "unknown interface: message" "$WORK/badif.err" "ntopdump: --extcap-interface: unknown interface 'nosuch' (this program offers: pfring)"
rc=0
"$NTOPDUMP" --capture --fifo "$WORK/nofifo" --slots 1 --bogus >/dev/null 2>"$WORK/badopt.err" || rc=$?
check_eq "unknown option: exit status" 1 "$rc"
check_contains "unknown option: message" "$WORK/badopt.err" "ntopdump: unknown option '--bogus'"
check_eq "filter check, good filter: no output" "" \
	"$("$NTOPDUMP" --extcap-interface pfring --extcap-capture-filter 'udp port 53')"
check_eq "filter check, bad filter: the reason" "unknown port 'nosuchport'" \
	"$("$NTOPDUMP" --extcap-interface pfring --extcap-capture-filter 'udp port nosuchport')"
finish
