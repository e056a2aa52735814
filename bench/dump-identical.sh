#!/bin/bash
# dump-identical.sh: files written by our pcap_dump are byte-identical to the
# ones Debian's libpcap writes for the same packets.  bench/dumpsame writes
# the same record sequences under each library (LD_LIBRARY_PATH picks it;
# the program reports which one it got); every file and everything it
# reported must match.  Then Debian's tcpdump rewrites each of those files
# under each library (-r FILE -w OUT, and from a pipe): same bytes again.
# Exit codes as automake: 0 pass, 1 fail, 77 skip, 99 harness error.
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
B=${PFRING_BUILDDIR:-$(cd "$here/.." && pwd)}
prog=$B/bench/dumpsame
ours=$B/libpcap/lib/libpcap.so.0.8
log() { printf 'dump-identical: %s\n' "$*"; }

[ -x "$prog" ] || { log "ERROR: $prog not built"; exit 99; }
[ -e "$ours" ] || { log "ERROR: $ours not built"; exit 99; }
. "$here/../tests/tools/libpcap-pair.sh"
stock=$(libpcap_stock_path) || { log "SKIP: no system libpcap.so.0.8 to compare with"; exit 77; }

W=$(mktemp -d "${TMPDIR:-/tmp}/dump-identical.XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
fail=0

for lib in stock ours; do
	mkdir -p "$W/$lib"
	if [ "$lib" = stock ]; then
		env -u LD_LIBRARY_PATH "$prog" "$W/$lib" >"$W/$lib.out" 2>"$W/$lib.err"
	else
		env LD_LIBRARY_PATH="$B/libpcap/lib" "$prog" "$W/$lib" >"$W/$lib.out" 2>"$W/$lib.err"
	fi || { log "ERROR: dumpsame under $lib failed: $(cat "$W/$lib.err")"; exit 99; }
done
loaded=$(libpcap_pair_loaded "$W/stock.err" "$W/ours.err" "$stock" "$ours") || { log "$loaded"; exit 99; }
log "$loaded"

n=0
for f in "$W"/stock/*; do
	name=$(basename "$f")
	n=$((n + 1))
	if cmp "$f" "$W/ours/$name"; then
		log "ok: $name identical ($(stat -c %s "$f") bytes)"
	else
		log "FAIL: $name differs"; fail=1
	fi
done
[ "$n" -ge 7 ] || { log "FAIL: only $n files written"; fail=1; }
if diff -u "$W/stock.out" "$W/ours.out" >"$W/out.diff"; then
	log "ok: ftell, flush and error results identical ($(wc -l <"$W/stock.out") lines)"
else
	log "FAIL: what the library reported differs:"; head -20 "$W/out.diff"; fail=1
fi

# Debian's tcpdump (it drops privileges to write unless -Z root, so root
# only) rewrites every file the stock run wrote (microsecond and nanosecond
# ones, and those with the program's own bytes between records, which end
# in a read error) under each library, from the file and from a pipe
# (-r -): same bytes written, same messages, same exit status.
TCPDUMP=/usr/bin/tcpdump
[ -x "$TCPDUMP" ] || TCPDUMP=/usr/sbin/tcpdump
if [ -x "$TCPDUMP" ] && [ "$(id -u)" = 0 ]; then
	td() { # td LIB ARGS...: Debian's tcpdump with LIB's libpcap
		local lib=$1
		shift
		if [ "$lib" = stock ]; then
			env -u LD_LIBRARY_PATH "$TCPDUMP" -Z root "$@"
		else
			env LD_LIBRARY_PATH="$B/libpcap/lib" "$TCPDUMP" -Z root "$@"
		fi
	}
	n=0
	for f in "$W"/stock/*; do
		name=$(basename "$f")
		for how in file pipe; do
			for lib in stock ours; do
				out=$W/td-$how-$lib-$name
				if [ "$how" = file ]; then
					td "$lib" -r "$f" -w "$out" 2>"$out.err"
				else
					td "$lib" -r - -w "$out" <"$f" 2>"$out.err"
				fi
				echo $? >"$out.rc"
			done
			a=$W/td-$how-stock-$name b=$W/td-$how-ours-$name
			if cmp -s "$a" "$b" && cmp -s "$a.err" "$b.err" && cmp -s "$a.rc" "$b.rc"; then
				n=$((n + 1))
			else
				log "FAIL: tcpdump -r ($how) -w of $name differs (exit $(cat "$a.rc") vs $(cat "$b.rc"))"
				diff "$a.err" "$b.err" | head -4
				fail=1
			fi
		done
	done
	if [ "$(cat "$W/td-file-ours-plain.pcap.rc")" != 0 ]; then
		log "FAIL: tcpdump -r plain.pcap -w failed: $(cat "$W/td-file-ours-plain.pcap.err")"; fail=1
	fi
	log "ok: tcpdump -r FILE -w and -r - -w: $n outputs identical under both libraries ($(stat -c %s "$W/td-file-ours-plain.pcap") bytes from plain.pcap)"
else
	log "note: tcpdump part skipped (needs root and tcpdump)"
fi
[ "$fail" = 0 ] && log PASS || log FAILED
exit "$fail"
