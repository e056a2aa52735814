# lib.sh - shared helpers for the integration tests.  Source it, do not run it.
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error (the
# harness itself could not do its job, so no verdict on the code under test).
#
# Typical test:
#   . "$(dirname "$0")/lib.sh"
#   lib_init                 # root/tool checks, work dir, cleanup trap
#   ns_setup                 # $NSA/$IFA <-> $NSB/$IFB, silent veth pair
#   tcpdump_start cap "$NSB" "$(capdev "$IFB")"
#   send_flows "$NSA" "$IFA" -n 1000 -f 10
#   wait_for_packets 20 1000 "$WORK/cap.pcap"
#   tcpdump_stop cap
#   check_eq "packets captured" 1000 "${TD_CAPTURED[cap]}"
#   finish
#
# Environment: PFRING_BUILDDIR, PFRING_SRCDIR (default: this script's ../..),
# PFRING_TEST_STOCK=1 (plain device names and the system libpcap: proves the
# harness), PFRING_TEST_KEEP=1 (keep the work dir), TCPDUMP (tcpdump to run).

# TD_* arrays are results for the test scripts, unused here.
# shellcheck disable=SC2034
set -euo pipefail
export LC_ALL=C

_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PFRING_SRCDIR=${PFRING_SRCDIR:-$(cd "$_lib_dir/../.." && pwd)}
PFRING_BUILDDIR=${PFRING_BUILDDIR:-$(cd "$_lib_dir/../.." && pwd)}
STOCK=${PFRING_TEST_STOCK:-0}
[ "$STOCK" = 0 ] || STOCK=1
TEST_NAME=$(basename "$0" .sh)

TOOLS_DIR=$PFRING_BUILDDIR/tests/tools
FLOWGEN=${FLOWGEN:-$TOOLS_DIR/flowgen}
PCAPFLOWS=${PCAPFLOWS:-$TOOLS_DIR/pcapflows}
FLOWHASH=${FLOWHASH:-$TOOLS_DIR/flowhash}
PFRING_LIBDIR=$PFRING_BUILDDIR/libpcap/lib
PFRING_RUN=$PFRING_BUILDDIR/libpcap/pfring-run
# Debian installs tcpdump in /usr/sbin up to bullseye and in /usr/bin since bookworm.
if [ -z "${TCPDUMP:-}" ]; then
	TCPDUMP=/usr/sbin/tcpdump
	[ -x "$TCPDUMP" ] || TCPDUMP=/usr/bin/tcpdump
fi

# Wait budgets (seconds).  The backend delivers in blocks with a 1 s timeout,
# so anything that waits for packets needs several seconds of slack.
DEADLINE=${PFRING_TEST_DEADLINE:-20}
POLL_INTERVAL=0.05
# A process that outlives its deadline gets SIGKILL and this long to go.
KILL_GRACE=${PFRING_TEST_KILL_GRACE:-5}
# The whole script: past this it is stopped (SIGTERM) and fails, whatever
# it was waiting for, so one hung wait cannot hang the whole run.
TEST_BUDGET=${PFRING_TEST_BUDGET:-600}
_WATCHDOG=

FAILURES=0
WORK=
NSA='' NSB='' IFA='' IFB=''
_NS_CREATED=()
RUNNER=()
declare -gA TD_PID=() TD_RC=() TD_CAPTURED=() TD_RECEIVED=() TD_DROPPED=() TD_IFDROPPED=()

log() { printf '%s: %s\n' "$TEST_NAME" "$*"; }
skip() { log "SKIP: $*"; exit 77; }
hard_error() { log "ERROR: $*"; exit 99; }

# --- assertions: record a failure and keep going, finish decides ------------

fail_check() {
	log "FAIL: $*"
	FAILURES=$((FAILURES + 1))
}

pass_check() { log "ok: $*"; }

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass_check "$1 = $2"
	else
		fail_check "$1: expected '$2', got '${3:-<nothing>}'"
	fi
}

# check_true WHAT CMD...: passes when CMD succeeds.
check_true() {
	local what=$1; shift
	if "$@"; then pass_check "$what"; else fail_check "$what"; fi
}

# check_same WHAT EXPECTED_TEXT ACTUAL_TEXT: line sets, order ignored.
check_same() {
	local e a
	e=$(printf '%s\n' "$2" | sed '/^$/d' | sort)
	a=$(printf '%s\n' "$3" | sed '/^$/d' | sort)
	if [ "$e" = "$a" ]; then
		pass_check "$1 ($(printf '%s\n' "$e" | sed '/^$/d' | wc -l) lines match)"
	else
		fail_check "$1 differs (- expected, + actual):"
		diff -u <(printf '%s\n' "$e") <(printf '%s\n' "$a") | tail -n +3 | head -40 || true
	fi
}

# check_contains WHAT FILE FIXED_STRING
check_contains() {
	if grep -qF -- "$3" "$2"; then
		pass_check "$1"
	else
		fail_check "$1: '$3' not found in $(basename "$2"), which holds:"
		sed 's/^/    | /' "$2" | head -20
	fi
}

finish() {
	if [ "$FAILURES" -gt 0 ]; then
		log "FAILED: $FAILURES check(s)"
		exit 1
	fi
	log "PASS"
	exit 0
}

# --- time ---------------------------------------------------------------------

_now_us() { echo "${EPOCHREALTIME/./}"; }

# wait_until DEADLINE_S CMD...: poll CMD every 50 ms; 0 once it succeeds,
# 1 if the deadline passes first.
wait_until() {
	local end=$(( $(_now_us) + $1 * 1000000 ))
	shift
	while :; do
		if "$@"; then return 0; fi
		[ "$(_now_us)" -lt "$end" ] || return 1
		sleep "$POLL_INTERVAL"
	done
}

# --- setup and cleanup --------------------------------------------------------

in_ns() {
	local ns=$1; shift
	ip netns exec "$ns" "$@"
}

# The device string handed to tcpdump: ours, or the plain interface in stock mode.
capdev() {
	if [ "$STOCK" = 1 ]; then echo "$1"; else echo "pfring:$1"; fi
}

# A cluster id nobody else running in parallel uses: tests pass a distinct
# OFFSET (0..3), the pid separates concurrent runs of the same test.
unique_cluster_id() {
	echo $(( ($$ % 16000) * 4 + $1 + 1 ))
}

_check_library() {
	local line lib
	if [ "$STOCK" = 1 ]; then
		RUNNER=()
		line=$(ldd "$TCPDUMP" | grep 'libpcap\.so' || true)
		[ -n "$line" ] || hard_error "$TCPDUMP is not linked with libpcap"
		log "stock mode: $TCPDUMP with the system libpcap (${line#"${line%%[![:space:]]*}"})"
		return
	fi
	[ -e "$PFRING_LIBDIR/libpcap.so.0.8" ] ||
		hard_error "$PFRING_LIBDIR/libpcap.so.0.8 not built (set PFRING_BUILDDIR, or PFRING_TEST_STOCK=1)"
	[ -x "$PFRING_RUN" ] || hard_error "$PFRING_RUN not built"
	# Ask the loader, through the same wrapper the tests use, which libpcap tcpdump gets.
	line=$("$PFRING_RUN" ldd "$TCPDUMP" | grep 'libpcap\.so\.0\.8 =>' || true)
	lib=$(echo "$line" | awk '{print $3}')
	if [ -z "$lib" ] || [ "$(readlink -f "$lib")" != "$(readlink -f "$PFRING_LIBDIR/libpcap.so.0.8")" ]; then
		hard_error "pfring-run $TCPDUMP would load '${lib:-no libpcap}', not $PFRING_LIBDIR/libpcap.so.0.8"
	fi
	RUNNER=("$PFRING_RUN")
	log "tcpdump loads $lib through $PFRING_RUN"
}

# lib_init: skip unless we can run at all, make the work dir, arm cleanup.
lib_init() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, packet sockets)"
	[ -x "$TCPDUMP" ] || skip "tcpdump not installed (/usr/sbin/tcpdump or /usr/bin/tcpdump)"
	command -v ip >/dev/null || skip "iproute2 'ip' not installed"
	local t
	for t in "$FLOWGEN" "$PCAPFLOWS"; do
		[ -x "$t" ] || hard_error "$t not built (make check builds it)"
	done
	_check_library
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pfring-$TEST_NAME.XXXXXX")
	trap _cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	_watchdog_start
}

# The budget: a subshell that sleeps TEST_BUDGET seconds, then stops the
# script (its TERM trap exits, the EXIT trap cleans up).  A TERM trap of
# its own takes the sleep with it when _cleanup stops it.
_watchdog_start() {
	local me=$$
	(
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		sleep "$TEST_BUDGET" &
		sp=$!
		wait "$sp"
		printf '%s: FAIL: still running after its %ss budget: stopping it\n' \
			"$TEST_NAME" "$TEST_BUDGET" >&2
		kill -TERM "$me"
	) </dev/null >/dev/null &
	_WATCHDOG=$!
}

# proc_reap WHAT PID [SIGNAL]: send SIGNAL (none: the process is to end by
# itself), then wait up to DEADLINE for PID (a child of this shell) to exit.
# One still running then fails the test and gets SIGKILL; PROC_RC is its exit
# status.  Never waits without a deadline: a process that survives even
# SIGKILL for KILL_GRACE seconds (stuck in the kernel) is left, PROC_RC 137.
proc_reap() {
	local what=$1 pid=$2 sig=${3:-}
	PROC_RC=0
	[ -z "$sig" ] || kill "-$sig" "$pid" 2>/dev/null || true
	if ! wait_until "$DEADLINE" _td_gone "$pid"; then
		fail_check "$what (pid $pid) still running ${DEADLINE}s${sig:+ after SIG$sig}: killed"
		kill -KILL "$pid" 2>/dev/null || true
		if ! wait_until "$KILL_GRACE" _td_gone "$pid"; then
			log "warning: $what (pid $pid) survived SIGKILL for ${KILL_GRACE}s"
			PROC_RC=137
			return 0
		fi
	fi
	wait "$pid" 2>/dev/null || PROC_RC=$?
}

# check_stops WHAT PID SIGNAL: PID, idle (nothing arriving), ends with exit
# status 0 within STOP_PROMPT seconds of SIGNAL.
STOP_PROMPT=${PFRING_TEST_STOP_PROMPT:-5}
check_stops() {
	local DEADLINE=$STOP_PROMPT	# proc_reap's deadline, here only
	proc_reap "$1" "$2" "$3"
	check_eq "$1: exit status within ${STOP_PROMPT}s of SIG$3, nothing arriving" 0 "$PROC_RC"
}

# _kill_reap PID: cleanup's variant: SIGKILL, then collect it if it went.
_kill_reap() {
	kill -KILL "$1" 2>/dev/null || true
	if wait_until "$KILL_GRACE" _td_gone "$1"; then
		wait "$1" 2>/dev/null || true
	fi
}

_cleanup() {
	local rc=$? name pid ns
	set +e
	if [ -n "$_WATCHDOG" ]; then
		kill -TERM "$_WATCHDOG" 2>/dev/null
		wait "$_WATCHDOG" 2>/dev/null
		_WATCHDOG=
	fi
	for name in "${!TD_PID[@]}"; do
		_kill_reap "${TD_PID[$name]}"
	done
	for ns in "${_NS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null || log "warning: could not delete namespace $ns"
	done
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
			for f in "$WORK"/*.err; do
				[ -s "$f" ] || continue
				log "--- stderr of $(basename "$f" .err):"
				sed 's/^/    | /' "$f" | head -30
			done
		fi
		if [ "${PFRING_TEST_KEEP:-0}" = 1 ]; then
			log "work dir kept: $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$rc"
}

_link_up() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null | grep -q 'state UP'
}

# ns_setup: namespaces $NSA and $NSB joined by a veth pair $IFA <-> $IFB,
# names unique per run.  Nothing but the test's own frames crosses it: no
# addresses, no routes, IPv6 off so no router solicitations or MLD.
ns_setup() {
	local sfx ns
	sfx=$(printf '%x%03x' "$$" $((RANDOM & 4095)))
	NSA=pfr-$TEST_NAME-$sfx-a
	NSB=pfr-$TEST_NAME-$sfx-b
	IFA=vethA$sfx
	IFB=vethB$sfx
	for ns in "$NSA" "$NSB"; do
		ip netns add "$ns" 2>"$WORK/ns.err" ||
			skip "cannot create network namespaces: $(cat "$WORK/ns.err")"
		_NS_CREATED+=("$ns")
		# Before the veth exists, so it is born without IPv6.
		if in_ns "$ns" test -d /proc/sys/net/ipv6; then
			in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1 >/dev/null ||
				hard_error "cannot disable IPv6 in $ns"
		fi
		in_ns "$ns" ip link set lo up
	done
	_veth_up
	log "namespaces $NSA ($IFA) <-> $NSB ($IFB)"
}

# _veth_up [NQ]: the pair IFA (in NSA) - IFB (in NSB) made and up, with NQ
# queues each way (default: the kernel's).
_veth_up() {
	local q=()
	[ $# -gt 0 ] && q=(numtxqueues "$1" numrxqueues "$1")
	ip link add "$IFA" "${q[@]}" netns "$NSA" type veth \
		peer name "$IFB" "${q[@]}" netns "$NSB" 2>"$WORK/ns.err" ||
		skip "cannot create a veth pair${1:+ with $1 queues}: $(cat "$WORK/ns.err")"
	in_ns "$NSA" ip link set "$IFA" up
	in_ns "$NSB" ip link set "$IFB" up
	wait_until "$DEADLINE" _link_up "$NSA" "$IFA" || hard_error "$IFA did not come up"
	wait_until "$DEADLINE" _link_up "$NSB" "$IFB" || hard_error "$IFB did not come up"
}

# ns_multiqueue NQ: ns_setup's pair again with NQ queues each way, and what
# steering by XPS needs (sets NCPU, ALL_CPUS, XPS: the sender's queue dir).
ns_multiqueue() {
	in_ns "$NSA" ip link del "$IFA"
	_veth_up "$1"
	NCPU=$(nproc --all)
	[ "$NCPU" -le 62 ] || skip "an XPS mask for $NCPU CPUs: this test writes at most 62 bits"
	ALL_CPUS=$(printf '%x' $(((1 << NCPU) - 1)))
	XPS=/sys/class/net/$IFA/queues
	in_ns "$NSA" test -e "$XPS/tx-0/xps_cpus" || skip "no XPS (CONFIG_XPS) on $IFA"
}

# --- traffic ------------------------------------------------------------------

# The rate send_flows offers unless its caller passes -R (packets/s, 0 =
# as fast as the sender goes).  The tests that expect every packet send at
# most a few thousand, and every ring and queue on their paths holds that
# many: a ZC queue has 4096 slots, tcpdump's buffered ring 2 MiB in 256 KiB
# blocks, an immediate packet-engine ring at least 64 blocks handed over
# every millisecond.  The last is what a pace must respect: at 50 kpps a
# 1 ms block takes about 50 packets, so zbalance's 100 blocks (64 KiB) hold
# a stalled reader's 5000, tcpdump --immediate-mode's 64 (32 KiB) 3200.
# Pacing caps the offered load, so an exact count does not depend on how
# fast this machine sends.
SEND_PPS=${PFRING_TEST_PPS:-50000}

# send_flows NS IFACE FLOWGEN_ARGS...: send, or give up the whole test (a
# sender failure says nothing about the capture side).
send_flows() {
	local ns=$1 ifc=$2 a rate=(-R "$SEND_PPS"); shift 2
	for a in "$@"; do [ "$a" != -R ] || rate=(); done
	in_ns "$ns" "$FLOWGEN" -i "$ifc" "${rate[@]}" "$@" 2>"$WORK/flowgen.err" ||
		hard_error "flowgen -i $ifc $* failed: $(cat "$WORK/flowgen.err")"
}

# expected_flows FLOWGEN_ARGS...: what flowgen --list says those args send.
expected_flows() {
	"$FLOWGEN" --list "$@"
}

# --- pcap files ---------------------------------------------------------------

# pcap_count FILE...: records in the files together.
pcap_count() { "$PCAPFLOWS" -c -n "$@"; }
# pcap_flows FILE...: "src:sport>dst:dport/proto count" lines, files combined.
pcap_flows() { "$PCAPFLOWS" -c "$@"; }
# pcap_sizes FILE: "caplen len" per record.
pcap_sizes() { "$PCAPFLOWS" -s "$@"; }

_count_at_least() {
	local n=$1; shift
	[ "$(pcap_count "$@")" -ge "$n" ]
}

# wait_for_packets DEADLINE_S N FILE...: until the files hold >= N records.
wait_for_packets() {
	local d=$1 n=$2; shift 2
	if ! wait_until "$d" _count_at_least "$n" "$@"; then
		log "note: after ${d}s the capture holds $(pcap_count "$@") of $n packets"
		return 1
	fi
}

_quiet_last=-1
_quiet_since=0
_quiet_check() {
	local q=$1 c now; shift
	c=$(pcap_count "$@")
	now=$(_now_us)
	if [ "$c" != "$_quiet_last" ]; then
		_quiet_last=$c
		_quiet_since=$now
		return 1
	fi
	[ $((now - _quiet_since)) -ge $((q * 1000000)) ]
}

# wait_quiet QUIET_S DEADLINE_S FILE...: until the record count has not
# changed for QUIET_S seconds.  Only for when the final count is unknown
# (drops): QUIET_S must exceed the block timeout so a pending block shows.
wait_quiet() {
	local q=$1 d=$2; shift 2
	_quiet_last=-1
	wait_until "$d" _quiet_check "$q" "$@"
}

# --- tcpdump ------------------------------------------------------------------

_td_alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

_td_state() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1
}

_td_gone() { ! _td_alive "$1"; }
_td_stopped() { [ "$(_td_state "$1")" = T ]; }
_td_running() { [ "$(_td_state "$1")" != T ]; }

_td_ready() {
	grep -q 'listening on' "$WORK/$1.err" || ! _td_alive "${TD_PID[$1]}"
}

# tcpdump_start NAME NS DEVICE [VAR=VALUE...] [-- TCPDUMP_ARGS...]
# Runs "tcpdump -n -U -w $WORK/NAME.pcap -i DEVICE ARGS" in NS in the
# background (stderr in $WORK/NAME.err) with the environment additions, and
# returns once it prints "listening on".  Start cluster members one after
# another: member i is the i-th started.  A tcpdump that dies instead fails
# the test.
tcpdump_start() {
	local name=$1 ns=$2 dev=$3 pid exe
	shift 3
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	: >"$WORK/$name.err"
	rm -f "$WORK/$name.pcap"
	# A plain command, not a function, so $! is the pid that ends up as tcpdump.
	ip netns exec "$ns" env "${envs[@]}" "${RUNNER[@]}" "$TCPDUMP" -n -U \
		-w "$WORK/$name.pcap" -i "$dev" "$@" >/dev/null 2>"$WORK/$name.err" &
	pid=$!
	TD_PID[$name]=$pid
	if ! wait_until "$DEADLINE" _td_ready "$name"; then
		fail_check "tcpdump $name (-i $dev) did not print 'listening on' within ${DEADLINE}s"
		finish
	fi
	if ! grep -q 'listening on' "$WORK/$name.err"; then
		fail_check "tcpdump $name (-i $dev ${envs[*]}) exited before listening:"
		sed 's/^/    | /' "$WORK/$name.err"
		finish
	fi
	exe=$(readlink -f "/proc/$pid/exe" || true)
	[ "$exe" = "$(readlink -f "$TCPDUMP")" ] || hard_error "pid $pid is '$exe', not tcpdump"
	log "started $name: tcpdump -i $dev ${envs[*]} $* (pid $pid)"
}

# tcpdump_stats NAME: parse tcpdump's exit report into TD_CAPTURED[NAME],
# TD_RECEIVED[NAME] (ps_recv), TD_DROPPED[NAME] (ps_drop), TD_IFDROPPED[NAME]
# (ps_ifdrop; tcpdump prints that line only when non-zero).  Absent lines
# leave the value empty, which no numeric expectation matches.
tcpdump_stats() {
	local name=$1 f=$WORK/$1.err
	TD_CAPTURED[$name]=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} captured$/\1/p' "$f")
	TD_RECEIVED[$name]=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} received by filter$/\1/p' "$f")
	TD_DROPPED[$name]=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$f")
	TD_IFDROPPED[$name]=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} dropped by interface$/\1/p' "$f")
	[ -n "${TD_IFDROPPED[$name]}" ] || TD_IFDROPPED[$name]=0
}

# tcpdump_stop NAME: SIGINT, wait for the exit (deadline), TD_RC[NAME] = exit
# status, then tcpdump_stats NAME.
tcpdump_stop() {
	local name=$1 pid=${TD_PID[$1]} rc
	proc_reap "tcpdump $name" "$pid" INT
	rc=$PROC_RC
	unset "TD_PID[$name]"
	TD_RC[$name]=$rc
	tcpdump_stats "$name"
	log "stopped $name: rc=$rc captured=${TD_CAPTURED[$name]:-?} received=${TD_RECEIVED[$name]:-?} dropped=${TD_DROPPED[$name]:-?}"
}

# tcpdump_signal NAME SIGNAL: SIGSTOP/SIGCONT a running capture, waiting
# until the process state shows it.
tcpdump_signal() {
	local pid=${TD_PID[$1]}
	kill "-$2" "$pid"
	case $2 in
	STOP) wait_until "$DEADLINE" _td_stopped "$pid" || hard_error "tcpdump $1 did not stop" ;;
	CONT) wait_until "$DEADLINE" _td_running "$pid" || hard_error "tcpdump $1 did not continue" ;;
	esac
}

# tcpdump_run NAME NS DEVICE [VAR=VALUE...] [-- TCPDUMP_ARGS...]
# Foreground run for error cases: TD_RC[NAME] is the exit status (124 if it
# was still running after the deadline), stderr in $WORK/NAME.err.
tcpdump_run() {
	local name=$1 ns=$2 dev=$3 rc=0
	shift 3
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	timeout -k 5 "$DEADLINE" ip netns exec "$ns" env "${envs[@]}" "${RUNNER[@]}" \
		"$TCPDUMP" -n -c 1 -w "$WORK/$name.pcap" -i "$dev" "$@" \
		>/dev/null 2>"$WORK/$name.err" || rc=$?
	TD_RC[$name]=$rc
	log "ran $name: tcpdump -i $dev ${envs[*]} $* -> rc=$rc"
}
