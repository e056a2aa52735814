#!/bin/bash
# bench/run.sh: stock Debian libpcap against ours, side by side, in one run.
#
#   sudo bench/run.sh            # about 5 minutes on a 2 vCPU VM
#
# Builds what it needs (scripts/install-deps.sh, scripts/build.sh, then
# bench/gen and bench/dispatch), makes two network namespaces joined by a
# veth pair, and measures, for the same unmodified Debian tcpdump and for
# bench/dispatch (pcap_dispatch, empty callback), once with the system's
# libpcap.so.0.8 and once with ours (LD_LIBRARY_PATH):
#
#   instructions/packet  callgrind's user-space instruction count of the
#                        capture process over a fixed number of packets,
#                        minus the same run with no packets, divided by the
#                        packets captured;
#   CPU ns/packet        /proc/PID/schedstat run time of the capture process
#                        (pinned to CPU 1, nice -19) while the generator
#                        (pinned to CPU 0) offers a fixed load, divided by
#                        the packets captured; median of several runs, the
#                        two libraries alternating;
#   drops                pcap_stats' ps_drop over ps_recv in those runs.
#
# Cases: live capture (stock: IFACE, ours: pfring:IFACE), buffered and
# immediate mode, for "tcpdump -w /dev/null" and dispatch; the savefile path,
# "tcpdump -r FILE -w /dev/null" and "dispatch -r FILE" (instructions only).
# Zero-copy devices, ours only (stock has no counterpart; the table sets them
# against stock on the plain interface): zc:IFACE (AF_XDP, copy mode on a
# veth) with dispatch and tcpdump -w, buffered; zc:CLUSTER@0, dispatch on the
# one queue of a cluster that zbalance (per-flow hash) feeds from IFACE; and
# zbalance itself under callgrind (1 queue, and 2 queues where the hash picks
# the queue), with its CPU time (every thread) in the zc:CLUSTER@0 runs.
#
# Prints the table, writes bench/results/DATE.json and puts the table in
# bench/README.md.  Knobs (environment): BENCH_RATE (pps offered, 400000),
# BENCH_SECONDS (per CPU run, 2), BENCH_REPS (CPU runs per case and library,
# 3), BENCH_VG_RATE (pps under valgrind, 50000), BENCH_VG_PACKETS (100000),
# BENCH_FILE_PACKETS (savefile size, 200000), BENCH_BUILDDIR (build),
# BENCH_CASES (a subset of the case names below, e.g. "dispatch zbalance-2q":
# only those run and the table is printed but not saved),
# BENCH_KEEP=1 keeps the work directory.  Not part of make check.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILDDIR:-$top/build}
RATE=${BENCH_RATE:-400000}
SECONDS_PER_RUN=${BENCH_SECONDS:-2}
REPS=${BENCH_REPS:-3}
VG_RATE=${BENCH_VG_RATE:-50000}
VG_PACKETS=${BENCH_VG_PACKETS:-100000}
FILE_PACKETS=${BENCH_FILE_PACKETS:-200000}
# The backend and stock libpcap both hand a partly filled block over after the
# 1 s pcap timeout tcpdump uses: wait longer than that after the last frame.
SETTLE=1.5
DEADLINE=60

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (network namespaces, packet sockets)"

sh "$top/scripts/install-deps.sh" >&2 || die "installing dependencies failed"
sh "$top/scripts/build.sh" "$build" >&2 || die "build failed"
make -C "$build" -s bench/gen bench/dispatch >&2 || die "building bench/gen and bench/dispatch failed"

GEN=$build/bench/gen
DISPATCH=$build/bench/dispatch
ZBALANCE=$build/pfring-backend/tools/zbalance
[ -x "$ZBALANCE" ] || die "$ZBALANCE not built"
OURS_LIBDIR=$build/libpcap/lib
TCPDUMP=/usr/bin/tcpdump
[ -x "$TCPDUMP" ] || TCPDUMP=/usr/sbin/tcpdump
[ -x "$TCPDUMP" ] || die "tcpdump not installed"
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || die "python3 not installed"
STOCK_LIB=$(ldconfig -p | awk '/libpcap\.so\.0\.8 .*x86-64/ {print $NF; exit}')
[ -n "$STOCK_LIB" ] && [ -e "$STOCK_LIB" ] || die "no system libpcap.so.0.8 (Debian's libpcap0.8)"
STOCK_LIB=$(readlink -f "$STOCK_LIB")
OURS_LIB=$(readlink -f "$OURS_LIBDIR/libpcap.so.0.8")
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: the generator and the capture are pinned apart"

WORK=$(mktemp -d /tmp/pfring-bench.XXXXXX)
RAW=$WORK/raw.tsv
: >"$RAW"
NSA='' NSB=''
CAP_PID=''
ZB_PID='' ZB_OUT=''
# A ZC cluster id no other cluster on the machine uses.
CID=$(( $$ % 60000 + 2000 ))
while [ -e "/dev/shm/pfring_zc-$(id -u)/pfring_zc.$CID" ]; do CID=$(( CID % 60000 + 2001 )); done

cleanup() {
	local rc=$?
	set +e
	if [ -n "$CAP_PID" ] && kill -0 "$CAP_PID" 2>/dev/null; then
		kill -KILL "$CAP_PID"
		wait "$CAP_PID" 2>/dev/null
	fi
	declare -F stop_consumers >/dev/null && stop_consumers
	if [ -n "$ZB_PID" ] && kill -0 "$ZB_PID" 2>/dev/null; then
		kill -KILL "$ZB_PID"
		wait "$ZB_PID" 2>/dev/null
	fi
	rm -f "/dev/shm/pfring_zc-$(id -u)/pfring_zc.$CID" /dev/shm/pfring_zc-"$(id -u)"/pfring_zc."$CID".*.wake
	[ -n "$NSA" ] && ip netns del "$NSA" 2>/dev/null
	[ -n "$NSB" ] && ip netns del "$NSB" 2>/dev/null
	if [ "${BENCH_KEEP:-0}" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- namespaces: A sends, B captures; nothing else on the link ---------------
sfx=$(printf '%x' $$)
NSA=pfbench-$sfx-a
NSB=pfbench-$sfx-b
IFA=vbenchA$sfx
IFB=vbenchB$sfx
for ns in "$NSA" "$NSB"; do
	ip netns add "$ns" || die "cannot create namespace $ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$ns" link set lo up
done
ip link add "$IFA" netns "$NSA" type veth peer name "$IFB" netns "$NSB" || die "cannot create a veth pair"
ip -n "$NSA" link set "$IFA" up
ip -n "$NSB" link set "$IFB" up
for i in $(seq 100); do
	ip -n "$NSB" -o link show dev "$IFB" | grep -q 'state UP' &&
		ip -n "$NSA" -o link show dev "$IFA" | grep -q 'state UP' && break
	sleep 0.05
done
log "namespaces $NSA ($IFA) -> $NSB ($IFB); work in $WORK"

# --- the capture process -------------------------------------------------------

# lib_env LIB: the env(1) arguments that make a program load LIB's libpcap.
lib_env() {
	if [ "$1" = stock ]; then echo "-u LD_LIBRARY_PATH"; else echo "LD_LIBRARY_PATH=$OURS_LIBDIR"; fi
}

# capture_cmd LIB CASE: the capture command line for a live case.
# The zc cases exist for ours only.
capture_cmd() {
	local dev=$IFB
	[ "$1" = ours ] && dev=pfring:$IFB
	case $2 in
	tcpdump-w) echo "$TCPDUMP -Z root -n -i $dev -w /dev/null" ;;
	tcpdump-w-immediate) echo "$TCPDUMP -Z root -n --immediate-mode -i $dev -w /dev/null" ;;
	dispatch) echo "$DISPATCH -i $dev" ;;
	dispatch-immediate) echo "$DISPATCH -I -i $dev" ;;
	zc-dispatch) echo "$DISPATCH -i zc:$IFB" ;;
	zc-tcpdump-w) echo "$TCPDUMP -Z root -n -i zc:$IFB -w /dev/null" ;;
	zcq-dispatch) echo "$DISPATCH -i zc:$CID@0" ;;
	*) die "unknown case $2" ;;
	esac
}

_now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# start_capture NAME LIB PREFIX CMD...: start CMD in B with LIB's libpcap,
# behind PREFIX (a word list: valgrind or taskset/nice), wait for "listening
# on" and check the process really loaded LIB.  Sets CAP_PID.
start_capture() {
	local name=$1 lib=$2 prefix=$3 end want
	shift 3
	: >"$WORK/$name.err"
	# shellcheck disable=SC2046,SC2086
	ip netns exec "$NSB" env $(lib_env "$lib") $prefix "$@" >/dev/null 2>"$WORK/$name.err" &
	CAP_PID=$!
	end=$(( $(_now_ms) + DEADLINE * 1000 ))
	until grep -q 'listening on' "$WORK/$name.err"; do
		kill -0 "$CAP_PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; die "$name exited before listening"; }
		[ "$(_now_ms)" -lt "$end" ] || die "$name did not start listening within ${DEADLINE}s"
		sleep 0.05
	done
	want=$STOCK_LIB
	[ "$lib" = ours ] && want=$OURS_LIB
	grep -q " $want\$" "/proc/$CAP_PID/maps" ||
		die "$name ($lib) did not load $want: $(grep -o '/[^ ]*libpcap[^ ]*' "/proc/$CAP_PID/maps" | sort -u | tr '\n' ' ')"
}

# stop_capture NAME: SIGINT, wait; sets CAPTURED RECEIVED DROPPED.
stop_capture() {
	local f=$WORK/$1.err
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || die "$1 exited with status $?: $(tail -5 "$f")"
	CAP_PID=''
	CAPTURED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$f")
	RECEIVED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$f")
	DROPPED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$f")
	[ -n "$CAPTURED" ] && [ -n "$RECEIVED" ] && [ -n "$DROPPED" ] || die "$1: no statistics in $f"
}

send() { # send COUNT RATE
	ip netns exec "$NSA" taskset -c 0 "$GEN" -i "$IFA" -n "$1" -r "$2" 2>>"$WORK/gen.err" ||
		die "gen failed: $(tail -3 "$WORK/gen.err")"
}

callgrind_total() { sed -n 's/^summary: *//p' "$1"; }

# --- zbalance -------------------------------------------------------------------

# zbalance_start NAME QUEUES PREFIX [INPUT]: zbalance in B reading INPUT (IFB,
# or zc:IFB for the AF_XDP input into the cluster's own buffers) into cluster
# CID (QUEUES queues, per-flow hash), behind PREFIX; returns once it runs.
zbalance_start() {
	local name=$1 nq=$2 prefix=$3 input=${4:-$IFB} end
	ZB_OUT=$WORK/$name.out
	: >"$ZB_OUT"
	# shellcheck disable=SC2086
	ip netns exec "$NSB" $prefix "$ZBALANCE" -i "$input" -c "$CID" -n "$nq" -m hash -t per_flow \
		>"$ZB_OUT" 2>"$WORK/$name.err" &
	ZB_PID=$!
	end=$(( $(_now_ms) + DEADLINE * 1000 ))
	until grep -q '^zbalance: running$' "$ZB_OUT"; do
		kill -0 "$ZB_PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; die "$name exited before running"; }
		[ "$(_now_ms)" -lt "$end" ] || die "$name did not start within ${DEADLINE}s"
		sleep 0.05
	done
}

# zbalance_stop NAME: SIGINT, wait; sets ZB_IN (packets the balancer took),
# ZB_RECV/ZB_DROP (its input ring), ZB_QDROP (dropped at full queues).
zbalance_stop() {
	kill -INT "$ZB_PID"
	wait "$ZB_PID" || die "$1 exited with status $?: $(tail -5 "$WORK/$1.err")"
	ZB_PID=''
	ZB_IN=$(sed -n 's/^balancer: packets \([0-9]*\) .*/\1/p' "$ZB_OUT" | tail -1)
	ZB_RECV=$(sed -n 's/^input .*: received \([0-9]*\) .*/\1/p' "$ZB_OUT" | tail -1)
	ZB_DROP=$(sed -n 's/^input .*: received [0-9]* dropped \([0-9]*\)$/\1/p' "$ZB_OUT" | tail -1)
	ZB_QDROP=$(sed -n 's/^queue [0-9]*: sent [0-9]* dropped \([0-9]*\) .*/\1/p' "$ZB_OUT" |
		awk '{ s += $1 } END { print s + 0 }')
	[ -n "$ZB_IN" ] && [ -n "$ZB_RECV" ] && [ -n "$ZB_DROP" ] || die "$1: no statistics in $ZB_OUT"
}

# Plain consumers that drain the queues while zbalance is measured.
CONS_PIDS=()
start_consumers() { # start_consumers NAME QUEUES
	local q end
	for ((q = 0; q < $2; q++)); do
		: >"$WORK/$1-q$q.err"
		ip netns exec "$NSB" env LD_LIBRARY_PATH="$OURS_LIBDIR" "$DISPATCH" -i "zc:$CID@$q" \
			>/dev/null 2>"$WORK/$1-q$q.err" &
		CONS_PIDS+=($!)
		end=$(( $(_now_ms) + DEADLINE * 1000 ))
		until grep -q 'listening on' "$WORK/$1-q$q.err"; do
			kill -0 "${CONS_PIDS[-1]}" 2>/dev/null || die "consumer zc:$CID@$q exited: $(cat "$WORK/$1-q$q.err")"
			[ "$(_now_ms)" -lt "$end" ] || die "consumer zc:$CID@$q did not start"
			sleep 0.05
		done
	done
}
stop_consumers() {
	local p
	for p in "${CONS_PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CONS_PIDS=()
}

# task_ns PID: run time of every thread of PID.
task_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

# ir_zbalance CASE QUEUES INPUT: zbalance under callgrind, plain consumers on
# every queue; the baseline runs as long with no packets (its idle wake-ups).
ir_zbalance() {
	local case=$1 nq=$2 input=$3 kind n name
	for kind in base run; do
		name=ir-ours-$case-$kind
		zbalance_start "$name" "$nq" "$VG$WORK/$name.cg" "$input"
		start_consumers "$name" "$nq"
		n=0
		if [ "$kind" = run ]; then n=$VG_PACKETS; send "$n" "$VG_RATE"; else sleep "$VG_SEND_TIME"; fi
		sleep "$SETTLE"
		stop_consumers
		zbalance_stop "$name"
		printf 'ir\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' ours "$case" "$kind" \
			"$(callgrind_total "$WORK/$name.cg")" "$ZB_IN" "$ZB_RECV" "$((ZB_DROP + ZB_QDROP))" "$n" >>"$RAW"
	done
}

VG="valgrind --tool=callgrind --callgrind-out-file="

# --- instructions per packet --------------------------------------------------

# ir_live LIB CASE: a callgrind run with VG_PACKETS packets and one with none.
ir_live() {
	local lib=$1 case=$2 kind n name
	for kind in base run; do
		name=ir-$lib-$case-$kind
		start_capture "$name" "$lib" "$VG$WORK/$name.cg" $(capture_cmd "$lib" "$case")
		n=0
		[ "$kind" = run ] && { n=$VG_PACKETS; send "$n" "$VG_RATE"; }
		sleep "$SETTLE"
		stop_capture "$name"
		printf 'ir\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$lib" "$case" "$kind" \
			"$(callgrind_total "$WORK/$name.cg")" "$CAPTURED" "$RECEIVED" "$DROPPED" "$n" >>"$RAW"
	done
}

# ir_file LIB CASE: savefile cases; the baseline reads a file of no packets.
ir_file() {
	local lib=$1 case=$2 kind file name n
	for kind in base run; do
		name=ir-$lib-$case-$kind
		file=$WORK/empty.pcap n=0
		[ "$kind" = run ] && file=$WORK/frames.pcap n=$FILE_PACKETS
		case $case in
		tcpdump-r-w) cmd="$TCPDUMP -Z root -n -r $file -w /dev/null" ;;
		dispatch-r) cmd="$DISPATCH -r $file" ;;
		esac
		# shellcheck disable=SC2046,SC2086
		env $(lib_env "$lib") $VG"$WORK/$name.cg" $cmd >/dev/null 2>"$WORK/$name.err" ||
			die "$name failed: $(tail -5 "$WORK/$name.err")"
		printf 'ir\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$lib" "$case" "$kind" \
			"$(callgrind_total "$WORK/$name.cg")" "$n" "$n" 0 "$n" >>"$RAW"
	done
}

# --- CPU per packet -----------------------------------------------------------

schedstat_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }

cpu_live() { # cpu_live LIB CASE REP
	local lib=$1 case=$2 rep=$3 name=cpu-$1-$2-$3 n s0 s1 z0 z1
	n=$((RATE * SECONDS_PER_RUN))
	# zc:CLUSTER@0: zbalance on the generator's CPU (where the veth's receive
	# work runs too), the consumer alone on CPU 1.
	[ "$case" = zcq-dispatch ] && zbalance_start "zb-$name" 1 "nice -n -19 taskset -c 0"
	start_capture "$name" "$lib" "nice -n -19 taskset -c 1" $(capture_cmd "$lib" "$case")
	sleep 0.2
	s0=$(schedstat_ns "$CAP_PID")
	[ -n "$ZB_PID" ] && z0=$(task_ns "$ZB_PID")
	send "$n" "$RATE"
	sleep "$SETTLE"
	s1=$(schedstat_ns "$CAP_PID")
	[ -n "$ZB_PID" ] && z1=$(task_ns "$ZB_PID")
	stop_capture "$name"
	printf 'cpu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$lib" "$case" "$rep" \
		"$((s1 - s0))" "$CAPTURED" "$RECEIVED" "$DROPPED" "$n" >>"$RAW"
	if [ -n "$ZB_PID" ]; then
		zbalance_stop "zb-$name"
		printf 'cpu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' ours zbalance-1q "$rep" \
			"$((z1 - z0))" "$ZB_IN" "$ZB_RECV" "$((ZB_DROP + ZB_QDROP))" "$n" >>"$RAW"
	fi
}

# --- run ------------------------------------------------------------------------
LIVE_CASES="dispatch dispatch-immediate tcpdump-w tcpdump-w-immediate"
FILE_CASES="dispatch-r tcpdump-r-w"
ZC_CASES="zc-dispatch zc-tcpdump-w zcq-dispatch"
ZB_CASES="zbalance-1q zbalance-2q zbalance-zc-1q zbalance-zc-2q"
if [ -n "${BENCH_CASES:-}" ]; then
	pick() { # pick LIST: the cases of LIST named in BENCH_CASES
		local c out=''
		for c in $1; do case " $BENCH_CASES " in *" $c "*) out="$out $c" ;; esac; done
		echo "$out"
	}
	for c in $BENCH_CASES; do
		case " $LIVE_CASES $FILE_CASES $ZC_CASES $ZB_CASES " in
		*" $c "*) ;;
		*) die "BENCH_CASES: unknown case '$c' (known: $LIVE_CASES $FILE_CASES $ZC_CASES $ZB_CASES)" ;;
		esac
	done
	LIVE_CASES=$(pick "$LIVE_CASES") FILE_CASES=$(pick "$FILE_CASES")
	ZC_CASES=$(pick "$ZC_CASES") ZB_CASES=$(pick "$ZB_CASES")
fi
VG_SEND_TIME=$(awk -v n="$VG_PACKETS" -v r="$VG_RATE" 'BEGIN { printf "%.1f", (r > 0 ? n / r : 0) }')
t_start=$(_now_ms)

"$GEN" -w "$WORK/frames.pcap" -n "$FILE_PACKETS"
"$GEN" -w "$WORK/empty.pcap" -n 0

log "CPU ns/packet: $RATE pps offered for ${SECONDS_PER_RUN}s, $REPS runs per case and library"
for case in $LIVE_CASES; do
	for rep in $(seq "$REPS"); do
		# Alternate which library goes first, so drift hits both alike.
		if [ $((rep % 2)) = 1 ]; then order="stock ours"; else order="ours stock"; fi
		for lib in $order; do cpu_live "$lib" "$case" "$rep"; done
	done
	log "  $case done"
done
for case in $ZC_CASES; do
	for rep in $(seq "$REPS"); do cpu_live ours "$case" "$rep"; done
	log "  $case done"
done

log "instructions/packet: callgrind, $VG_PACKETS packets at $VG_RATE pps (live), $FILE_PACKETS (savefile)"
for case in $LIVE_CASES; do
	for lib in stock ours; do ir_live "$lib" "$case"; done
	log "  $case done"
done
for case in $ZC_CASES; do
	[ "$case" = zcq-dispatch ] && { zbalance_start "zb-ir-$case" 1 ""; }
	ir_live ours "$case"
	[ "$case" = zcq-dispatch ] && zbalance_stop "zb-ir-$case"
	log "  $case done"
done
for case in $ZB_CASES; do
	# zbalance-[zc-]Nq: N queues; zc- reads through AF_XDP into the cluster.
	nq=${case##*-} input=$IFB
	case $case in zbalance-zc-*) input=zc:$IFB ;; esac
	ir_zbalance "$case" "${nq%q}" "$input"
	log "  $case done"
done
for case in $FILE_CASES; do
	for lib in stock ours; do ir_file "$lib" "$case"; done
	log "  $case done"
done

# What tcpdump -w writes must not depend on the library: same file, same bytes.
for lib in stock ours; do
	# shellcheck disable=SC2046
	env $(lib_env "$lib") "$TCPDUMP" -n -r "$WORK/frames.pcap" -w "$WORK/rewritten-$lib.pcap" 2>/dev/null
done
if cmp -s "$WORK/rewritten-stock.pcap" "$WORK/rewritten-ours.pcap"; then same=yes; else same=no; fi
printf 'identical\ttcpdump-r-w\t%s\n' "$same" >>"$RAW"

machine="$(nproc) vCPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r), Debian $(cat /etc/debian_version)"
"$PYTHON" "$top/bench/report.py" --raw "$RAW" --machine "$machine" \
	--stock "$STOCK_LIB ($(dpkg-query -W -f='${Version}' libpcap0.8 2>/dev/null || echo '?'))" \
	--ours "$OURS_LIB ($(git -C "$top" describe --always --dirty 2>/dev/null || echo '?'))" \
	--tcpdump "$TCPDUMP ($(dpkg-query -W -f='${Version}' tcpdump 2>/dev/null || echo '?'))" \
	--settings "rate=$RATE seconds=$SECONDS_PER_RUN reps=$REPS vg_rate=$VG_RATE vg_packets=$VG_PACKETS file_packets=$FILE_PACKETS" \
	--elapsed "$(( ($(_now_ms) - t_start) / 1000 ))" \
	${BENCH_CASES:+--no-save} --json-dir "$top/bench/results" --readme "$top/bench/README.md"
# The change against the previous full run, so a regression shows at once.
if [ -z "${BENCH_CASES:-}" ]; then
	mapfile -t runs < <(ls -1 "$top"/bench/results/*.json 2>/dev/null | sort)
	if [ "${#runs[@]}" -ge 2 ]; then
		"$PYTHON" "$top/bench/report.py" --compare "${runs[-2]}" "${runs[-1]}"
	fi
fi
