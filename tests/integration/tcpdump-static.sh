#!/bin/bash
# The patched tcpdump linked statically with our libpcap.a: no libpcap.so is
# loaded at all, and it captures from a pfring: device exactly what was sent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "pfring-pcap's tcpdump only"
STATIC=$PFRING_BUILDDIR/tcpdump-patches/tcpdump-static
lib_init
[ -x "$STATIC" ] || hard_error "$STATIC not built"
ns_setup

check_eq "tcpdump-static loads no libpcap.so" 0 "$(ldd "$STATIC" | grep -c 'libpcap' || true)"
"$STATIC" --version >"$WORK/version.out" 2>&1
check_contains "its libpcap is pfring-pcap's" "$WORK/version.out" "pfring-pcap"

TCPDUMP=$STATIC RUNNER=()
tcpdump_start cap "$NSB" "pfring:$IFB"
send_flows "$NSA" "$IFA" -n 500 -f 5
wait_for_packets "$DEADLINE" 500 "$WORK/cap.pcap" || true
tcpdump_stop cap
check_same "static tcpdump: exactly the flows sent" "$(expected_flows -n 500 -f 5)" \
	"$(pcap_flows "$WORK/cap.pcap")"
check_eq "static tcpdump: dropped by kernel" 0 "${TD_DROPPED[cap]}"
finish
