#!/bin/bash
# AF_XDP takes what it captures away from the host's network stack, so zc:IF
# is refused on the interface holding a default route (IPv4 or IPv6) unless
# PFRING_XDP_ALLOW_DEFAULT_ROUTE=1 or the config key xdp_allow_default_route
# allows it; every capture warns (tcpdump prints the warning).  The balancer's
# AF_XDP input (zbalance -i zc:IF) is refused the same way.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=500
FLOWS=5

lib_init
[ "$STOCK" = 0 ] || skip "zc: devices need our libpcap"
ns_setup
CID=$(unique_cluster_id 3)

refusal() {
	echo "$IFB holds the default route ($1): zc:$IFB would take the packets it receives" \
		"from the kernel's network stack; to capture anyway set" \
		"PFRING_XDP_ALLOW_DEFAULT_ROUTE=1 or xdp_allow_default_route = 1"
}
WARNING="tcpdump: WARNING: zc:$IFB: AF_XDP capture (copy mode): packets received on $IFB RX queue 0 are taken from the kernel's network stack while this runs (RX only)"

# check_refused NAME WHAT FAMILY [VAR=VALUE...]: tcpdump -i zc:$IFB fails
# with exactly the refusal.
check_refused() {
	local name=$1 what=$2 fam=$3; shift 3
	tcpdump_run "$name" "$NSB" "zc:$IFB" "$@"
	check_true "$what: tcpdump fails" [ "${TD_RC[$name]}" != 0 ] && [ "${TD_RC[$name]}" != 124 ]
	check_eq "$what: the message" "tcpdump: $(refusal "$fam")" "$(cat "$WORK/$name.err")"
}

# check_captures NAME WHAT [VAR=VALUE...]: tcpdump -i zc:$IFB gets exactly
# the N packets sent and prints the warning.
check_captures() {
	local name=$1 what=$2; shift 2
	tcpdump_start "$name" "$NSB" "zc:$IFB" "$@"
	send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
	wait_for_packets "$DEADLINE" "$N" "$WORK/$name.pcap" || true
	tcpdump_stop "$name"
	check_eq "$what: tcpdump exit status" 0 "${TD_RC[$name]}"
	check_same "$what: every packet of every flow" \
		"$(expected_flows -n "$N" -f "$FLOWS")" "$(pcap_flows "$WORK/$name.pcap")"
	check_eq "$what: 'packets captured'" "$N" "${TD_CAPTURED[$name]}"
	check_eq "$what: the warning" "$WARNING" "$(grep WARNING "$WORK/$name.err")"
}

# No default route: captured, with the warning.
check_captures plain "zc:$IFB without a default route"
# Rules in user space have a notice too: it follows.
tcpdump_start rules "$NSB" "zc:$IFB" "PFRING_RULES=default pass"
tcpdump_stop rules
check_eq "zc:$IFB with PFRING_RULES: both warnings, AF_XDP's first" \
	"$WARNING; filtering rules run in user space: the xdp-copy engine does not run them" \
	"$(grep WARNING "$WORK/rules.err")"

# An IPv4 default route through $IFB.
in_ns "$NSB" ip addr add 192.0.2.2/24 dev "$IFB"
in_ns "$NSB" ip route add default via 192.0.2.1 dev "$IFB"
check_refused v4 "IPv4 default route" IPv4
check_refused env0 "PFRING_XDP_ALLOW_DEFAULT_ROUTE=0" IPv4 PFRING_XDP_ALLOW_DEFAULT_ROUTE=0
tcpdump_run badenv "$NSB" "zc:$IFB" PFRING_XDP_ALLOW_DEFAULT_ROUTE=yes
check_eq "PFRING_XDP_ALLOW_DEFAULT_ROUTE=yes: refused as a bad value" \
	"tcpdump: PFRING_XDP_ALLOW_DEFAULT_ROUTE: bad value 'yes': must be 0 or 1" \
	"$(cat "$WORK/badenv.err")"
check_captures env "PFRING_XDP_ALLOW_DEFAULT_ROUTE=1" PFRING_XDP_ALLOW_DEFAULT_ROUTE=1

# zc: names take no per-handle file: the key comes from PFRING_CONFIG's.
printf 'xdp_allow_default_route = 1\n' >"$WORK/allow.conf"
check_captures conf "xdp_allow_default_route = 1 (PFRING_CONFIG)" "PFRING_CONFIG=$WORK/allow.conf"
# The environment overrides the file, as for every key.
check_refused conf-env0 "the file's 1 under PFRING_XDP_ALLOW_DEFAULT_ROUTE=0" IPv4 \
	"PFRING_CONFIG=$WORK/allow.conf" PFRING_XDP_ALLOW_DEFAULT_ROUTE=0
printf '# allow\nxdp_allow_default_route = on\n' >"$WORK/bad.conf"
tcpdump_run badconf "$NSB" "zc:$IFB" "PFRING_CONFIG=$WORK/bad.conf"
check_eq "xdp_allow_default_route = on: refused as a bad value" \
	"tcpdump: $WORK/bad.conf:2: bad value 'on' for 'xdp_allow_default_route': must be 0 or 1" \
	"$(cat "$WORK/badconf.err")"

# The balancer's AF_XDP input: the same refusal, then the same override.
zb_rc=0
timeout -k 5 "$DEADLINE" ip netns exec "$NSB" "$ZBALANCE" -i "zc:$IFB" -c "$CID" -n 1 -m rr \
	>"$WORK/zbrefused.out" 2>"$WORK/zbrefused.err" || zb_rc=$?
check_eq "zbalance -i zc:$IFB exit status" 1 "$zb_rc"
check_eq "zbalance -i zc:$IFB: the message" "zbalance: zc:$IFB: $(refusal IPv4)" \
	"$(cat "$WORK/zbrefused.err")"
export PFRING_XDP_ALLOW_DEFAULT_ROUTE=1
zbalance_start "$NSB" -i "zc:$IFB" -c "$CID" -n 1 -m rr
unset PFRING_XDP_ALLOW_DEFAULT_ROUTE
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
# The queue has no reader: the balancer counts its input all the same.
_zb_counted() { kill -USR1 "$ZB_PID"; sleep 0.1; grep -q "^balancer: packets $1 " "$ZB_OUT"; }
check_true "zbalance counted all $N packets" wait_until "$DEADLINE" _zb_counted "$N"
zbalance_stop
check_eq "zbalance -i zc:$IFB with PFRING_XDP_ALLOW_DEFAULT_ROUTE=1: input received" "$N" \
	"$(zb_input received)"

# IPv6 only, then both families.
in_ns "$NSB" ip route del default
in_ns "$NSB" sysctl -qw "net.ipv6.conf.$IFB.disable_ipv6=0"
in_ns "$NSB" ip -6 addr add 2001:db8::2/64 dev "$IFB" nodad
in_ns "$NSB" ip -6 route add default via 2001:db8::1 dev "$IFB"
check_refused v6 "IPv6 default route" IPv6
in_ns "$NSB" ip route add default via 192.0.2.1 dev "$IFB"
check_refused v46 "IPv4 and IPv6 default routes" "IPv4 and IPv6"
finish
