#!/bin/bash
# Filtering rules as users give them: a config file on Debian's tcpdump
# (pfring/<file>:<dev>), PFRING_RULES, a BPF filter on top (both must pass),
# hash rules one way and both ways, per-rule counters through the API
# (tests/tools/rulestat), a malformed line, and the same verdicts when the
# process may not load eBPF (rules then run in user space, with a warning).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "pfring-pcap filtering rules only"
RULESTAT=$TOOLS_DIR/rulestat
lib_init
[ -x "$RULESTAT" ] || hard_error "$RULESTAT not built"
ns_setup

# flowgen flow k: 10.0.0.k:(10000+k) -> 10.255.0.1:80, udp; 20 packets each.
flows() { # the flowgen --list lines of the given flow numbers, 20 packets each
	local k
	for k in "$@"; do expected_flows -n 1 -f 1 -b "$k" | sed 's/ 1$/ 20/'; done
}

# A config file: drop flows 0-4 by port, count flows of 10.0.0.0/24 (all)
# and go on, drop flow 7 by its exact 5-tuple, accept the rest.
cat >"$WORK/rules.conf" <<'CONF'
# drop the first five flows, and flow 7 exactly
rule 10 drop src-port 10000-10004
rule 20 count src 10.0.0.0/24 proto udp
hash 5 drop udp 10.0.0.7:10007 10.255.0.1:80
default pass
CONF
tcpdump_start file "$NSB" "pfring/$WORK/rules.conf:$IFB"
send_flows "$NSA" "$IFA" -n 200 -f 10
wait_for_packets "$DEADLINE" 80 "$WORK/file.pcap" || true
tcpdump_stop file
check_same "config file rules: flows 5, 6, 8, 9 pass" "$(flows 5 6 8 9)" \
	"$(pcap_flows "$WORK/file.pcap")"
check_eq "rule-dropped packets are filtered, not drops" 0 "${TD_DROPPED[file]}"

# PFRING_RULES, default drop, with a tcpdump filter on top: both must pass.
tcpdump_start env "$NSB" "pfring:$IFB" "PFRING_RULES=rule 1 pass src-port 10003-10006; default drop" \
	-- "udp port 10004 or udp port 10006 or udp port 10008"
send_flows "$NSA" "$IFA" -n 200 -f 10
wait_for_packets "$DEADLINE" 40 "$WORK/env.pcap" || true
tcpdump_stop env
check_same "PFRING_RULES and a BPF filter: flows 4 and 6" "$(flows 4 6)" \
	"$(pcap_flows "$WORK/env.pcap")"

# Hash rules: one way only unless bidirectional.  Forward flow 2, then its
# reverse (flowgen -r); the one-way rule drops only the forward packets.
tcpdump_start oneway "$NSB" "pfring:$IFB" "PFRING_RULES=hash 9 drop udp 10.0.0.2:10002 10.255.0.1:80"
send_flows "$NSA" "$IFA" -n 30 -f 3
send_flows "$NSA" "$IFA" -n 30 -f 3 -r
wait_for_packets "$DEADLINE" 50 "$WORK/oneway.pcap" || true
tcpdump_stop oneway
check_same "one-way hash rule" "$( (flows 0 1 | sed 's/ 20$/ 10/'; expected_flows -n 30 -f 3 -r) | sort)" \
	"$(pcap_flows "$WORK/oneway.pcap" | sort)"
tcpdump_start bidir "$NSB" "pfring:$IFB" "PFRING_RULES=hash 9 drop udp 10.0.0.2:10002 10.255.0.1:80 bidir"
send_flows "$NSA" "$IFA" -n 30 -f 3
send_flows "$NSA" "$IFA" -n 30 -f 3 -r
wait_for_packets "$DEADLINE" 40 "$WORK/bidir.pcap" || true
tcpdump_stop bidir
check_same "bidirectional hash rule drops both directions" \
	"$( (flows 0 1; expected_flows -n 20 -f 2 -r) | sed 's/ 20$/ 10/' | sort)" \
	"$(pcap_flows "$WORK/bidir.pcap" | sort)"

# Per-rule counters equal the packets each rule saw, through the API.
rules="rule 10 drop src-port 10000-10004; rule 20 count src 10.0.0.0/24; hash 5 drop udp 10.0.0.7:10007 10.255.0.1:80"
run_rulestat() { # NAME [wrapper...]: rulestat in $NSB with $rules, 200 packets sent
	local name=$1; shift
	ip netns exec "$NSB" env "PFRING_RULES=$rules" "$@" "$RULESTAT" -i "$IFB" -n 80 \
		-r 10,20 -h 5:udp:10.0.0.7:10007:10.255.0.1:80 >"$WORK/$name.out" 2>"$WORK/$name.err" &
	local pid=$!
	wait_until "$DEADLINE" grep -q '^ready' "$WORK/$name.out" ||
		{ fail_check "rulestat $name: $(cat "$WORK/$name.err")"; finish; }
	send_flows "$NSA" "$IFA" -n 200 -f 10
	proc_reap "rulestat $name" "$pid"
	[ "$PROC_RC" = 0 ] || fail_check "rulestat $name exit status $PROC_RC"
}
run_rulestat api
check_contains "API: rules in the kernel" "$WORK/api.out" "rules kernel"
check_contains "API: 80 packets passed" "$WORK/api.out" "received 80"
check_contains "rule 10 counted flows 0-4 (100 x 64 bytes)" "$WORK/api.out" "rule 10 packets 100 bytes 6400"
check_contains "rule 20 counted what reached it: flows 5-9 but 7" "$WORK/api.out" "rule 20 packets 80 bytes 5120"
check_contains "hash rule 5 counted flow 7" "$WORK/api.out" "hash 5 packets 20"

# Without permission to load eBPF the same rules run in user space.
NOBPF=(setpriv --bounding-set -bpf,-sys_admin,-perfmon --)
run_rulestat user "${NOBPF[@]}"
check_contains "no CAP_BPF: rules in user space" "$WORK/user.out" "rules user"
check_contains "no CAP_BPF: 80 packets passed" "$WORK/user.out" "received 80"
check_contains "no CAP_BPF: rule 10 counters" "$WORK/user.out" "rule 10 packets 100 bytes 6400"
check_contains "no CAP_BPF: rule 20 counters" "$WORK/user.out" "rule 20 packets 80 bytes 5120"
check_contains "no CAP_BPF: hash rule counters" "$WORK/user.out" "hash 5 packets 20"

: >"$WORK/nobpf.err"
ip netns exec "$NSB" "${NOBPF[@]}" "$PFRING_RUN" "$TCPDUMP" -n -U -w "$WORK/nobpf.pcap" \
	-i "pfring/$WORK/rules.conf:$IFB" 2>"$WORK/nobpf.err" &
TD_PID[nobpf]=$!
wait_until "$DEADLINE" grep -q 'listening on' "$WORK/nobpf.err" ||
	{ fail_check "tcpdump without CAP_BPF did not start: $(cat "$WORK/nobpf.err")"; finish; }
send_flows "$NSA" "$IFA" -n 200 -f 10
wait_for_packets "$DEADLINE" 80 "$WORK/nobpf.pcap" || true
tcpdump_stop nobpf
check_contains "tcpdump warns that rules run in user space" "$WORK/nobpf.err" \
	"WARNING: filtering rules run in user space"
check_same "same verdicts in user space" "$(flows 5 6 8 9)" "$(pcap_flows "$WORK/nobpf.pcap")"

# A malformed rule line stops tcpdump with its file and line.
printf 'default pass\nrule 10 drop dstport 53\n' >"$WORK/bad.conf"
tcpdump_run bad "$NSB" "pfring/$WORK/bad.conf:$IFB"
check_eq "malformed rule: tcpdump fails" 1 "${TD_RC[bad]}"
check_contains "malformed rule: file and line" "$WORK/bad.err" "bad.conf:2: rule 10: unknown field 'dstport'"
finish
