# extcap-lib.sh: Debian's tshark running our ntopdump from a private extcap
# folder (a temporary HOME: nothing is installed in the system).  Sourced
# after lib.sh (or zc-lib.sh) and ns_setup; extcap_setup IFACE first, IFACE
# being the ntopdump interface tshark reads ("pfring" or "zc").

declare -A TS_PID=() TS_RC=()

extcap_setup() {
	TS_IFACE=$1
	export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config
	EXTCAP_DIR=$XDG_CONFIG_HOME/wireshark/extcap
	mkdir -p "$EXTCAP_DIR"
	NTOPDUMP=$EXTCAP_DIR/ntopdump
	cp "$NTOPDUMP_BUILT" "$NTOPDUMP"
}

_ts_started() { grep -q 'Capture started' "$WORK/$1.err" || ! _td_alive "${TS_PID[$1]}"; }
_ts_exited() { ! _td_alive "${TS_PID[$1]}"; }
# ntopdump processes still running from our private extcap folder.
_ntopdump_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$NTOPDUMP" ] && echo "${p#/proc/}"
	done
	return 0
}
_no_ntopdump() { [ -z "$(_ntopdump_pids)" ]; }

# tshark_start NAME TSHARK_ARGS...: tshark -i $TS_IFACE in $NSB writing
# $WORK/NAME.pcap; returns once the capture has started: tshark reports that
# when ntopdump has written the pcap header, which it does after the capture
# (filter included) is set up.
tshark_start() {
	local name=$1; shift
	: >"$WORK/$name.err"
	ip netns exec "$NSB" tshark -i "$TS_IFACE" -F pcap -w "$WORK/$name.pcap" "$@" \
		>/dev/null 2>"$WORK/$name.err" &
	TS_PID[$name]=$!
	wait_until "$DEADLINE" _ts_started "$name" || hard_error "tshark $name: no 'Capture started' within ${DEADLINE}s"
	_td_alive "${TS_PID[$name]}" || { fail_check "tshark $name exited before the capture started:"; sed 's/^/    | /' "$WORK/$name.err"; finish; }
	log "started $name: tshark -i $TS_IFACE $*"
}

# tshark_wait NAME: wait for tshark to exit by itself (-c), TS_RC[NAME].
tshark_wait() {
	local name=$1
	proc_reap "tshark $name" "${TS_PID[$name]}"
	TS_RC[$name]=$PROC_RC
}

# tshark_run NAME TSHARK_ARGS...: foreground run for error cases.
tshark_run() {
	local name=$1 rc=0; shift
	timeout -k 5 "$DEADLINE" ip netns exec "$NSB" tshark -i "$TS_IFACE" -F pcap \
		-w "$WORK/$name.pcap" -c 1 "$@" >/dev/null 2>"$WORK/$name.err" || rc=$?
	TS_RC[$name]=$rc
	log "ran $name: tshark -i $TS_IFACE $* -> rc=$rc"
}
