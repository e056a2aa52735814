# zc-lib.sh - lib.sh plus helpers for the zc-*.sh tests: zbalance in the
# background, its per-queue report.  Source it, do not run it.
# shellcheck disable=SC2034
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ZBALANCE=${ZBALANCE:-$PFRING_BUILDDIR/pfring-backend/tools/zbalance}
ZB_PID=
ZB_OUT=

_zb_ready() {
	grep -q '^zbalance: running$' "$ZB_OUT" || ! kill -0 "$ZB_PID" 2>/dev/null
}

_zb_cleanup() {
	local rc=$?
	# Under set -e the status replay below would end the script before
	# _cleanup removes the namespaces and the work dir.
	set +e
	[ -z "$ZB_PID" ] || _kill_reap "$ZB_PID"
	# A killed zbalance leaves its files; a later create removes them too.
	[ -z "${CID:-}" ] || rm -f "/dev/shm/pfring_zc-$(id -u)/pfring_zc.$CID" /dev/shm/pfring_zc-"$(id -u)"/pfring_zc."$CID".*.wake
	# _cleanup takes the exit status from $?.
	(exit "$rc")
	_cleanup
}

# zbalance_start NS ZBALANCE_ARGS...: run zbalance in NS (stdout in
# $WORK/zbalance.out), return once it says "running".
zbalance_start() {
	local ns=$1; shift
	[ -x "$ZBALANCE" ] || hard_error "$ZBALANCE not built"
	ZB_OUT=$WORK/zbalance.out
	ip netns exec "$ns" "$ZBALANCE" "$@" >"$ZB_OUT" 2>"$WORK/zbalance.err" &
	ZB_PID=$!
	trap _zb_cleanup EXIT
	if ! wait_until "$DEADLINE" _zb_ready || ! kill -0 "$ZB_PID" 2>/dev/null; then
		fail_check "zbalance $* did not start:"
		sed 's/^/    | /' "$WORK/zbalance.err" "$ZB_OUT"
		finish
	fi
	log "zbalance $* (pid $ZB_PID): $(grep 'ZC cluster' "$ZB_OUT")"
}

# zbalance_stop: SIGINT, wait for its final report.  The tests stop it
# once their traffic is over: it must end promptly (check_stops).
zbalance_stop() {
	check_stops zbalance "$ZB_PID" INT
	ZB_PID=
}

# zb_input FIELD: received or dropped of zbalance's (first) input in its
# last report.
zb_input() {
	local v
	v=$(sed -n "s/^input .*: received \([0-9][0-9]*\) dropped \([0-9][0-9]*\)\$/\1 \2/p" "$ZB_OUT" | tail -1)
	case $1 in
	received) echo "${v% *}" ;;
	dropped) echo "${v#* }" ;;
	esac
}

# zb_queue Q FIELD: FIELD (sent, dropped, consumed, queued) of queue Q in
# zbalance's last report.
zb_queue() {
	sed -n "s/^queue $1: .*\\b$2 \\([0-9][0-9]*\\).*/\\1/p" "$ZB_OUT" | tail -1
}
