#!/bin/bash
# tcpdump's own test suite (tests/TESTrun: hundreds of decodes of pcap
# files), run with our patched tcpdump twice: on our libpcap and on Debian's
# stock libpcap0.8.  Both runs must give the same result for every test, and
# the failures must be exactly those listed in tcpdump-patches/known-failures.
set -euo pipefail
TEST_NAME=tcpdump-suite
export LC_ALL=C
PFRING_SRCDIR=${PFRING_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PFRING_BUILDDIR=${PFRING_BUILDDIR:-$PFRING_SRCDIR}
TD=$PFRING_BUILDDIR/tcpdump-patches/tcpdump
TREE=$(ls -d "$PFRING_BUILDDIR"/tcpdump-patches/upstream/tcpdump-*/ 2>/dev/null | head -1)
TREE=${TREE%/}
OURLIB=$PFRING_BUILDDIR/libpcap/lib
KNOWN=$PFRING_SRCDIR/tcpdump-patches/known-failures
FAILURES=0

log() { printf '%s: %s\n' "$TEST_NAME" "$*"; }
fail_check() { log "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
check_eq() { if [ "$2" = "$3" ]; then log "ok: $1 = $2"; else fail_check "$1: expected '$2', got '${3:-<nothing>}'"; fi; }

[ -x "$TD" ] || { log "ERROR: $TD not built"; exit 99; }
[ -n "$TREE" ] && [ -f "$TREE/tests/TESTrun" ] || { log "ERROR: no tcpdump tree with tests/TESTrun"; exit 99; }
command -v perl >/dev/null || { log "SKIP: perl not installed"; exit 77; }
[ -e /usr/lib/x86_64-linux-gnu/libpcap.so.0.8 ] || [ -n "$(ldconfig -p | grep 'libpcap.so.0.8 ')" ] ||
	{ log "SKIP: Debian's libpcap0.8 not installed"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pfring-$TEST_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# run_suite NAME [VAR=VALUE...]: TESTrun in $WORK/NAME (it writes tests/NEW,
# tests/DIFF there and reads config.h from there); per-test results in
# $WORK/NAME.results, "name result" lines.
run_suite() {
	local name=$1 rc=0; shift
	mkdir -p "$WORK/$name/tests"
	ln -s "$TREE/config.h" "$WORK/$name/config.h"
	(cd "$WORK/$name" && env "$@" TCPDUMP_BIN="$TD" srcdir="$TREE" perl "$TREE/tests/TESTrun") \
		>"$WORK/$name.out" 2>&1 || rc=$?
	sed -n 's/^ *\([^ ]*\) *: \(passed\|failed\|skipped\).*$/\1 \2/p' "$WORK/$name.out" | sort >"$WORK/$name.results"
	log "$name: TESTrun exit $rc, $(grep -c ' passed$' "$WORK/$name.results" || true) passed, $(grep -c ' failed$' "$WORK/$name.results" || true) failed, $(grep -c ' skipped$' "$WORK/$name.results" || true) skipped; library: $(grep -m1 '^libpcap version' "$WORK/$name.out" || echo '?')"
}

run_suite ours LD_LIBRARY_PATH="$OURLIB"
run_suite stock LD_LIBRARY_PATH=

check_eq "ours: the library loaded names pfring-pcap" 1 "$(grep -m1 '^libpcap version' "$WORK/ours.out" | grep -c 'pfring-pcap')"
check_eq "stock: Debian's library loaded (no pfring-pcap)" 0 "$(grep -m1 '^libpcap version' "$WORK/stock.out" | grep -c 'pfring-pcap' || true)"
n=$(wc -l <"$WORK/ours.results")
[ "$n" -ge 500 ] || fail_check "ours: only $n test results parsed (expected hundreds)"
if diff -u "$WORK/stock.results" "$WORK/ours.results" >"$WORK/results.diff"; then
	log "ok: every one of $n tests has the same result on both libraries"
else
	fail_check "results differ between stock (-) and ours (+):"
	head -40 "$WORK/results.diff"
fi
known=$(sed 's/#.*//; /^[[:space:]]*$/d' "$KNOWN" | sort | tr '\n' ' ')
check_eq "failures on ours are exactly the documented ones" "$known" \
	"$(sed -n 's/ failed$//p' "$WORK/ours.results" | tr '\n' ' ')"
if [ "$FAILURES" -gt 0 ]; then
	grep -A30 'failed' "$WORK/ours.out" | head -60
	log "FAILED: $FAILURES check(s)"; exit 1
fi
log "PASS"
