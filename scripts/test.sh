#!/bin/bash
# test.sh: every test, as CI runs it, on a fresh Debian 12 machine as root.
#  1. install the Debian packages needed, build (fetching pinned upstream
#     libpcap from Debian's source archive);
#  2. make check: unit tests, fuzz-target replays, and the integration tests
#     (veth pairs in namespaces of their own, Debian's unmodified tcpdump
#     loading our libpcap);
#  3. an ASan+UBSan build runs the unit tests, and its zbalance the ZC
#     shared-memory attack test (zc-scribble.sh);
#  4. the Debian packages are built, checked by lintian and installed in a
#     debootstrap'd bookworm (scripts/package-test.sh);
#  5. valgrind runs the unit tests.
# Ends with the line "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
asan=$top/build-asan
[ "$(id -u)" -eq 0 ] || { echo "test: run as root (integration tests create network namespaces)" >&2; exit 1; }

passed=0 failed=0 skipped=0
count_suite() { # test-suite.log of an automake run
	local log=$1 p f e s
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
	skipped=$((skipped + ${s:-0}))
}
summary() {
	echo
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

sh "$top/scripts/install-deps.sh" || { echo "test: installing dependencies failed" >&2; exit 1; }
sh "$top/scripts/build.sh" "$build" || { echo "test: build failed" >&2; exit 1; }

echo "== make check"
make -C "$build" -s -j2 check >"$build/check.out" 2>&1
grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' "$build/check.out"
if [ -f "$build/test-suite.log" ]; then
	count_suite "$build/test-suite.log"
	grep -q '^# FAIL: *0$' "$build/test-suite.log" && grep -q '^# ERROR: *0$' "$build/test-suite.log" ||
		cat "$build/test-suite.log"
else
	cat "$build/check.out"; failed=$((failed + 1))
fi

echo "== ASan+UBSan build: unit tests"
mkdir -p "$asan"
(cd "$asan" && { [ -f Makefile ] || "$top/configure" -q --enable-sanitizers; } &&
	make -s -j2 check-unit) >"$asan/check.out" 2>&1
asan_rc=$?
sed -n 's/^\(PASS\|FAIL\|SKIP\): /asan \1: /p' "$asan/check.out"
p=$(grep -c '^PASS: ' "$asan/check.out") f=$(grep -c '^FAIL: ' "$asan/check.out") s=$(grep -c '^SKIP: ' "$asan/check.out")
passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
if [ "$asan_rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	tail -30 "$asan/check.out"; failed=$((failed + 1))
fi

echo "== ASan+UBSan zbalance under a scribbling consumer"
# The attack test again, the balancer built with the sanitizers: any
# memory error it makes ends it with an error instead of exit status 0.
if make -s -C "$asan" -j2 pfring-backend/tools/zbalance >"$asan/zbalance.out" 2>&1 &&
   ZBALANCE="$asan/pfring-backend/tools/zbalance" PFRING_BUILDDIR="$build" PFRING_SRCDIR="$top" \
	timeout -k 10 600 bash "$top/tests/integration/zc-scribble.sh" >"$asan/zc-scribble.log" 2>&1; then
	echo "PASS: asan zc-scribble"; passed=$((passed + 1))
else
	echo "FAIL: asan zc-scribble"; tail -40 "$asan/zbalance.out" "$asan/zc-scribble.log"
	failed=$((failed + 1))
fi

echo "== Debian packages: build, lintian, install in a debootstrap chroot"
bash "$top/scripts/package-test.sh" "$build" >"$build/package-test.out" 2>&1
cat "$build/package-test.out"
passed=$((passed + $(grep -c '^PASS: ' "$build/package-test.out")))
failed=$((failed + $(grep -c '^FAIL: ' "$build/package-test.out")))
skipped=$((skipped + $(grep -c '^SKIP: ' "$build/package-test.out")))

echo "== valgrind: unit tests"
for t in $(make -s -C "$build" print-unit-tests); do
	if (cd "$build" && valgrind -q --error-exitcode=3 --leak-check=full --suppressions="$top/tests/valgrind.supp" \
	    --errors-for-leak-kinds=definite,indirect ./"$t" >/dev/null 2>"$t.valgrind"); then
		echo "PASS: valgrind $t"; passed=$((passed + 1))
	else
		rc=$?
		if [ "$rc" -eq 77 ]; then
			echo "SKIP: valgrind $t"; skipped=$((skipped + 1))
		else
			echo "FAIL: valgrind $t (exit $rc)"; cat "$build/$t.valgrind"; failed=$((failed + 1))
		fi
	fi
done
summary
