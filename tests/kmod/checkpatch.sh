#!/bin/bash
# checkpatch.sh - the kernel's checkpatch.pl must report no errors on kernel/.
# checkpatch.pl and its data files come out of linux-source-6.1's tarball,
# once, into the build tree.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SRC=${PFRING_SRCDIR:-$(cd "$here/../.." && pwd)}
BUILD=${PFRING_BUILDDIR:-$SRC}
cache=$BUILD/tests/kmod/checkpatch
cp=$cache/scripts/checkpatch.pl

if [ ! -f "$cp" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
	[ -n "$tarball" ] || { echo "checkpatch: SKIP: no /usr/src/linux-source-*.tar.xz (linux-source-6.1)"; exit 77; }
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache" --strip-components=1 --occurrence=1 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch" || { echo "checkpatch: ERROR: extracting from $tarball"; exit 99; }
fi
out=$(perl "$cp" --no-tree --terse --show-types -f "$SRC"/kernel/*.c "$SRC"/kernel/*.h "$SRC"/kernel/Kbuild 2>&1)
# Our drivers' patches against Debian's kernel source, as patches; the
# Signed-off-by is the submitter's to add.
for p in "$SRC"/drivers/*/patches/*.patch; do
	[ -f "$p" ] || continue
	out="$out
$(perl "$cp" --no-tree --terse --show-types --ignore MISSING_SIGN_OFF "$p" 2>&1)"
done
echo "$out"
errors=$(echo "$out" | grep -c ': ERROR:')
echo "checkpatch: $errors error(s)"
[ "$errors" -eq 0 ]
