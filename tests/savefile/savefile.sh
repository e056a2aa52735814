#!/bin/bash
# savefile.sh: reading savefiles with our libpcap tells exactly what Debian's
# libpcap tells.  tests/savefile/sfgen writes good and damaged pcap files
# (both byte orders, micro- and nanosecond, old versions, Kuznetzov headers,
# rewritten pseudo-headers, caplen above snaplen and above the maximum,
# frames up to 256 KB, a small file cut after every byte, a large one cut in
# and around records near buffer refills, random header corruptions);
# tests/savefile/sfread reads them all through each library with every way
# of reading (pcap_dispatch counts, pcap_loop, pcap_next_ex, pcap_next,
# breakloop, filters, nanosecond precision, pcap_fopen_offline, ftell and
# fseek on pcap_file(), a process with threads), from the file and from a
# pipe; its output (every packet, every return value, every error text, the
# stream position) must be the same.  Then Debian's tcpdump, under each
# library: -r FILE -w OUT
# (same bytes written, same messages, same exit status), -r FILE -tt -v
# (same text), and cat FILE | tcpdump -r - -w OUT.  pcapng: some of the
# files converted by Wireshark's editcap (when installed) and a small one
# cut after every byte, read the same ways.
# No namespaces, no root needed (as root, tcpdump gets -Z root to write).
# Exit codes as automake: 0 pass, 1 fail, 77 skip, 99 harness error.
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
B=${PFRING_BUILDDIR:-$(cd "$here/../.." && pwd)}
gen=$B/tests/savefile/sfgen
rd=$B/tests/savefile/sfread
ours=$B/libpcap/lib/libpcap.so.0.8
log() { printf 'savefile: %s\n' "$*"; }

[ -x "$gen" ] && [ -x "$rd" ] || { log "ERROR: $gen or $rd not built"; exit 99; }
[ -e "$ours" ] || { log "ERROR: $ours not built"; exit 99; }
. "$here/../tools/libpcap-pair.sh"
stock=$(libpcap_stock_path) || { log "SKIP: no system libpcap.so.0.8 to compare with"; exit 77; }

W=$(mktemp -d "${TMPDIR:-/tmp}/savefile.XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
mkdir "$W/f" "$W/o"
"$gen" "$W/f" || { log "ERROR: sfgen failed"; exit 99; }
files=("$W"/f/*.pcap)
log "${#files[@]} files written"
[ "${#files[@]}" -ge 500 ] || { log "ERROR: too few files"; exit 99; }
fail=0

# under LIB CMD...: run CMD with LIB's libpcap.so.0.8.
under() {
	local lib=$1
	shift
	if [ "$lib" = stock ]; then env -u LD_LIBRARY_PATH "$@"; else env LD_LIBRARY_PATH="$B/libpcap/lib" "$@"; fi
}

# same NAME: compare $W/o/stock.NAME.* with $W/o/ours.NAME.*
same() {
	local x
	for x in out err rc; do
		[ -e "$W/o/stock.$1.$x" ] || continue
		if ! cmp -s "$W/o/stock.$1.$x" "$W/o/ours.$1.$x"; then
			log "FAIL: $1: $x differs:"
			diff "$W/o/stock.$1.$x" "$W/o/ours.$1.$x" | head -8
			fail=1
			return 1
		fi
	done
	return 0
}

# Which library each run loaded: sfread says.
for lib in stock ours; do
	under "$lib" "$rd" loop "$W/f/no-records.pcap" >/dev/null 2>"$W/o/$lib.lib"
done
loaded=$(libpcap_pair_loaded "$W/o/stock.lib" "$W/o/ours.lib" "$stock" "$ours") || { log "$loaded"; exit 99; }
log "$loaded"

# Every file, every way of reading.
modes="dispatch loop next next1 break filter empty reject refilter nano fopen seek threaded"
for mode in $modes; do
	for lib in stock ours; do
		under "$lib" "$rd" "$mode" "${files[@]}" >"$W/o/$lib.$mode.out" 2>/dev/null
		echo $? >"$W/o/$lib.$mode.rc"
	done
	same "$mode" && log "ok: $mode: $(grep -c '^== ' "$W/o/ours.$mode.out") files, $(wc -l <"$W/o/ours.$mode.out") lines identical"
done
# The outputs must have seen what the files hold: packets of both byte
# orders, every kind of error.
out=$W/o/ours.dispatch.out
for want in 'swapped 1' 'truncated dump file; tried to read [0-9]* header bytes' \
	'truncated dump file; tried to read [0-9]* captured bytes' 'bigger than snaplen' \
	'bigger than maximum' 'file header bytes' 'unknown file format' 'archaic' \
	'unsupported pcap savefile version'; do
	grep -q "$want" "$out" || { log "FAIL: no '$want' in the output"; fail=1; }
done
n=$(grep -c '^[0-9]' "$out")
[ "$n" -ge 15000 ] || { log "FAIL: only $n packets read"; fail=1; }

# From a pipe: the standard input, by name ("-") and as a stream.
for f in le-usec be-nsec large kuznetzov-be over-snaplen-be-cut cut-large-03-3 cut-small-100 corrupt-007; do
	for mode in dispatch next fopen; do
		for lib in stock ours; do
			cat "$W/f/$f.pcap" | under "$lib" "$rd" "$mode" - >"$W/o/$lib.pipe-$f-$mode.out" 2>/dev/null
			echo $? >"$W/o/$lib.pipe-$f-$mode.rc"
		done
		same "pipe-$f-$mode" || continue
	done
done
[ "$fail" = 0 ] && log "ok: 8 files through a pipe, 3 ways, identical"

# pcapng (read through the stream's buffer too): some of the files as
# Wireshark's editcap converts them, and the small one cut after every byte.
if command -v editcap >/dev/null; then
	mkdir "$W/ng"
	small=$(ls "$W"/f/cut-small-*.pcap | tail -1)
	for f in le-usec be-nsec large over-snaplen sll-be usbmmap-le "$(basename "$small" .pcap)"; do
		editcap -F pcapng "$W/f/$f.pcap" "$W/ng/$f.pcapng" >/dev/null 2>&1 || rm -f "$W/ng/$f.pcapng"
	done
	small=$W/ng/$(basename "$small" .pcap).pcapng
	[ -s "$W/ng/le-usec.pcapng" ] && [ -s "$W/ng/large.pcapng" ] && [ -s "$small" ] ||
		{ log "ERROR: editcap did not convert the files"; exit 99; }
	size=$(stat -c %s "$small")
	for ((i = 0; i < size; i++)); do
		head -c "$i" "$small" >"$W/ng/cut-ng-$(printf %04d "$i").pcapng"
	done
	ngfiles=("$W"/ng/*.pcapng)
	for mode in dispatch next break empty nano fopen seek threaded; do
		for lib in stock ours; do
			under "$lib" "$rd" "$mode" "${ngfiles[@]}" >"$W/o/$lib.ng-$mode.out" 2>/dev/null
			echo $? >"$W/o/$lib.ng-$mode.rc"
		done
		same "ng-$mode" && log "ok: pcapng $mode: ${#ngfiles[@]} files, $(wc -l <"$W/o/ours.ng-$mode.out") lines identical"
	done
	grep -q 'truncated pcapng dump file' "$W/o/ours.ng-dispatch.out" ||
		{ log "FAIL: no truncated pcapng file seen"; fail=1; }
	for f in le-usec large; do
		for lib in stock ours; do
			cat "$W/ng/$f.pcapng" | under "$lib" "$rd" dispatch - >"$W/o/$lib.ngpipe-$f.out" 2>/dev/null
			echo $? >"$W/o/$lib.ngpipe-$f.rc"
		done
		same "ngpipe-$f" && log "ok: pcapng $f through a pipe identical"
	done
else
	log "note: pcapng part skipped (no editcap)"
fi

# Debian's tcpdump: all files but most of the cut and corrupted ones.
TCPDUMP=/usr/bin/tcpdump
[ -x "$TCPDUMP" ] || TCPDUMP=/usr/sbin/tcpdump
if [ -x "$TCPDUMP" ]; then
	Z=()
	[ "$(id -u)" = 0 ] && Z=(-Z root)
	n=0 i=0
	for f in "${files[@]}" ${ngfiles[@]+"${ngfiles[@]}"}; do
		name=$(basename "$f")
		i=$((i + 1))
		case $name in
		corrupt-*) [ $((i % 9)) = 0 ] || continue ;;
		cut-small-*|cut-ng-*) [ $((i % 23)) = 0 ] || continue ;;
		esac
		f=${f%/*}
		n=$((n + 1))
		for lib in stock ours; do
			(cd "$f" && under "$lib" "$TCPDUMP" "${Z[@]}" -r "$name" -w "$W/o/$lib.w-$name.out") \
				>/dev/null 2>"$W/o/$lib.w-$name.err"
			echo $? >"$W/o/$lib.w-$name.rc"
			(cd "$f" && under "$lib" "$TCPDUMP" -nn -tt -v -r "$name") \
				>"$W/o/$lib.v-$name.out" 2>"$W/o/$lib.v-$name.err"
			echo $? >"$W/o/$lib.v-$name.rc"
			(cd "$f" && under "$lib" "$TCPDUMP" -nn -tt --time-stamp-precision=nano -r "$name") \
				>"$W/o/$lib.n-$name.out" 2>"$W/o/$lib.n-$name.err"
			echo $? >"$W/o/$lib.n-$name.rc"
			cat "$f/$name" | under "$lib" "$TCPDUMP" "${Z[@]}" -r - -w "$W/o/$lib.p-$name.out" \
				>/dev/null 2>"$W/o/$lib.p-$name.err"
			echo $? >"$W/o/$lib.p-$name.rc"
		done
		same "w-$name"; same "v-$name"; same "n-$name"; same "p-$name"
	done
	# The good files were rewritten, the damaged ones refused: both seen.
	grep -q . "$W/o/ours.w-le-usec.pcap.out" && grep -qv '^0$' "$W/o/ours.w-cut-large-00-1.pcap.rc" ||
		{ log "FAIL: tcpdump did not write le-usec.pcap or did not refuse cut-large-00-1.pcap"; fail=1; }
	[ "$fail" = 0 ] && log "ok: tcpdump -r -w, -r -tt -v, --time-stamp-precision=nano, cat | -r - -w on $n files identical"
else
	log "note: tcpdump part skipped (no tcpdump)"
fi
[ "$fail" = 0 ] && log PASS || log FAILED
exit "$fail"
