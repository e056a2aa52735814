#!/bin/bash
# installed-tools.sh - the tools build from what "make install" ships: each
# installed header compiles on its own, and each tool compiles with only the
# installed include folder on its include path and links with the installed
# libraries, so a private header or an unexported call fails here.  Two of
# them then run on the installed libraries and must say exactly what the
# build tree's say.
set -uo pipefail
B=${PFRING_BUILDDIR:?} S=${PFRING_SRCDIR:?}
CC=${CC:-cc}
CFLAGS="-std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE"

stage=$(mktemp -d /tmp/pfring-installed.XXXXXX) || exit 99
trap 'rm -rf "$stage"' EXIT
fails=0
fail() { echo "installed-tools: FAIL: $*"; fails=$((fails + 1)); }

# A make of our own, not a job of the make that runs the tests.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$B" install DESTDIR="$stage/root" \
	>"$stage/install.log" 2>&1; then
	cat "$stage/install.log"
	echo "installed-tools: ERROR: make install failed"
	exit 99
fi
hdr=$(find "$stage/root" -name pfring.h -print -quit)
so=$(find "$stage/root" -name libpfring.so -print -quit)
[ -n "$hdr" ] && [ -n "$so" ] || { echo "installed-tools: ERROR: no pfring.h or libpfring.so installed"; exit 99; }
inc=${hdr%/*} lib=${so%/*}
echo "installed-tools: include folder ${inc#"$stage/root"}: $(cd "$inc" && ls -- *.h | tr '\n' ' ')"

# Each installed header of ours on its own: self-contained.
for h in "$inc"/pfring*.h; do
	if printf '#include <%s>\n' "${h##*/}" |
		$CC $CFLAGS -I"$inc" -fsyntax-only -x c - 2>"$stage/err"; then
		echo "installed-tools: ok: ${h##*/} compiles alone"
	else
		fail "${h##*/} does not compile alone: $(head -3 "$stage/err")"
	fi
done

# Each tool: the installed headers only (and the system's), the installed
# libraries.
tools=0
for src in "$S"/pfring-backend/tools/*.c; do
	t=${src##*/}; t=${t%.c}
	tools=$((tools + 1))
	if $CC $CFLAGS -I"$inc" -pthread -o "$stage/$t" "$src" -L"$lib" -Wl,-rpath-link,"$lib" \
		-lpfring -lpcap 2>"$stage/err"; then
		echo "installed-tools: ok: $t builds against the installed headers and libraries"
	else
		fail "$t: $(head -5 "$stage/err")"
	fi
done
[ "$tools" -ge 6 ] || fail "only $tools tools found in $S/pfring-backend/tools"

# Built that way they run on the installed libraries, with the same words.
same() { # NAME EXPECTED COMMAND...
	local name=$1 want=$2 got
	shift 2
	got=$(LD_LIBRARY_PATH=$lib "$@" 2>&1 | head -1)
	if [ "$got" = "$want" ]; then
		echo "installed-tools: ok: $name: $got"
	else
		fail "$name: '$got', expected '$want'"
	fi
}
[ -x "$stage/zfwd" ] && same "zfwd cluster id limit" \
	"zfwd: -i zc:70000@0: cluster id 70000 out of range 1..65535" \
	"$stage/zfwd" -i zc:70000@0 -o zc:1@0
[ -x "$stage/pfcount" ] && same "pfcount cluster type" \
	"pfcount: unknown cluster type 'per_flw'" "$stage/pfcount" -i lo -c 1 -t per_flw

if [ "$fails" -ne 0 ]; then
	echo "installed-tools: FAIL ($fails)"
	exit 1
fi
echo "installed-tools: PASS: $tools tools build and run on the installed API"
