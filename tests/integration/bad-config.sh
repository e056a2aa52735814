#!/bin/bash
# Configuration mistakes must stop tcpdump with a message that names the
# culprit: a bad key in a per-handle config file (with file and line), a
# missing config file, an unknown interface, an unknown cluster type; and a
# config path is absolute, whatever the current directory holds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lib_init
ns_setup
CID=$(unique_cluster_id 2)

# shellcheck disable=SC2317 # called through check_true
_not_listening() { ! grep -q 'listening on' "$1"; }

# expect_error NAME WHAT STRING [DEVICE]: tcpdump NAME (already run) exited
# 1, never started capturing, and its stderr contains STRING.  With DEVICE,
# STRING must appear outside tcpdump's echo of the device string, so it is
# the library's message that names the culprit, not just the echo.
expect_error() {
	local name=$1 what=$2 str=$3 dev=${4:-} text
	check_eq "$what: tcpdump exit status (1 = error, 124 = kept running)" 1 "${TD_RC[$name]}"
	check_true "$what: no 'listening on'" _not_listening "$WORK/$name.err"
	text=$(cat "$WORK/$name.err")
	[ -z "$dev" ] || text=${text//"$dev"/}
	if [[ $text == *"$str"* ]]; then
		pass_check "$what: message names '$str'"
	else
		fail_check "$what: '$str' not in the message${dev:+ (beyond the device string $dev)}:"
		sed 's/^/    | /' "$WORK/$name.err" | head -20
	fi
}

# Unknown interface: runs in both modes.  Stock libpcap names it only by
# tcpdump's echo of the device; ours must name it in its own message.
tcpdump_run noif "$NSB" "$(capdev nosuchif0)"
if [ "$STOCK" = 1 ]; then
	expect_error noif "unknown interface" nosuchif0
else
	expect_error noif "unknown interface" nosuchif0 pfring:nosuchif0
fi

if [ "$STOCK" = 1 ]; then
	log "SKIP sub-checks: config file, missing config file, cluster type (pfring only)"
	finish
fi

# Lines 1-2 carry nothing that could fail, so the first error is line 3.
printf '# pfring-pcap test config: the key on line 3 is misspelt\n\nslotz = 4096\n' >"$WORK/span.conf"
tcpdump_run badkey "$NSB" "pfring/$WORK/span.conf:$IFB"
expect_error badkey "bad key in config file" "$WORK/span.conf:3: unknown key 'slotz'" "pfring/$WORK/span.conf:$IFB"

tcpdump_run nofile "$NSB" "pfring/$WORK/missing.conf:$IFB"
expect_error nofile "missing config file" "$WORK/missing.conf" "pfring/$WORK/missing.conf:$IFB"

# The path after "pfring" starts at its slash, so it is always absolute
# (pfring-config(7)): "pfring/NAME:IF" reads /NAME, never NAME in the
# current directory, even where that file exists (here, with a bad key on
# line 3 that would be reported if it were read).
rel=cwd-only-$$.conf
[ ! -e "/$rel" ] || hard_error "/$rel exists: the check needs it absent"
cp "$WORK/span.conf" "$WORK/$rel"
pushd "$WORK" >/dev/null
tcpdump_run relpath "$NSB" "pfring/$rel:$IFB"
popd >/dev/null
expect_error relpath "pfring/<name>: reads /<name>" "cannot open config file '/$rel': No such file or directory" "pfring/$rel:$IFB"
check_eq "pfring/<name>: the file in the current directory is not read" 0 \
	"$(grep -c "unknown key 'slotz'" "$WORK/relpath.err" || true)"

tcpdump_run badtype "$NSB" "$(capdev "$IFB")" "PFRING_CLUSTER=$CID" PFRING_CLUSTER_TYPE=per_flw
expect_error badtype "unknown cluster type" per_flw
finish
