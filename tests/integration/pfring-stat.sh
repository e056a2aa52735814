#!/bin/bash
# pfring-stat: three Debian tcpdumps in a per_flow cluster and a zbalance
# (its packet-engine input) on one veth appear with their pid, app, device,
# engine, cluster, type, member (start order) and received = what each one
# captured.  Forged registry files (another owner, garbage, a huge counter,
# a wrong size) are refused by name with the reason, the real rings still
# listed; a directory others may write is not trusted at all; the entry of
# a killed process is left out and removed; closing removes an entry.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=900
FLOWS=30
MEMBERS=3
PFRING_STAT=${PFRING_STAT:-$PFRING_BUILDDIR/pfring-backend/tools/pfring-stat}

lib_init
[ "$STOCK" = 0 ] || skip "the registry is our library's"
[ -x "$PFRING_STAT" ] || hard_error "$PFRING_STAT not built"
ns_setup
REG=$WORK/registry
mkdir -m 0755 "$REG"
export PFRING_REGISTRY_DIR=$REG
CID=$(unique_cluster_id 0)
ZCID=$(unique_cluster_id 1)

stat_json() { "$PFRING_STAT" --json 2>"$WORK/stat.err"; }
# field PID KEY: KEY of the ring of PID in pfring-stat --json ("" if absent).
field() {
	stat_json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["pid"] == int(sys.argv[1]):
        v = r[sys.argv[2]]
        print("null" if v is None else v)' "$1" "$2"
}

for ((i = 0; i < MEMBERS; i++)); do
	tcpdump_start "m$i" "$NSB" "pfring:$IFB" "PFRING_CLUSTER=$CID" "PFRING_REGISTRY_DIR=$REG"
done
zbalance_start "$NSB" -i "$IFB" -c "$ZCID" -n 1
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "$N" "$WORK"/m*.pcap || true

# The counters are at most a second old while the rings are read.
_stat_caught_up() {
	local i
	for ((i = 0; i < MEMBERS; i++)); do
		[ "$(field "${TD_PID[m$i]}" received)" = "$(pcap_count "$WORK/m$i.pcap")" ] || return 1
	done
	[ "$(field "$ZB_PID" received)" = "$N" ]
}
wait_until "$DEADLINE" _stat_caught_up || true
"$PFRING_STAT" >"$WORK/table.txt" 2>"$WORK/table.err"
sed 's/^/    | /' "$WORK/table.txt"
check_eq "pfring-stat lists the 4 rings" 5 "$(wc -l <"$WORK/table.txt")"
check_eq "pfring-stat says nothing on stderr" "" "$(cat "$WORK/table.err")"
sum=0
for ((i = 0; i < MEMBERS; i++)); do
	pid=${TD_PID[m$i]}
	n=$(pcap_count "$WORK/m$i.pcap")
	sum=$((sum + n))
	check_eq "member $i: app" tcpdump "$(field "$pid" app)"
	check_eq "member $i: device" "pfring:$IFB" "$(field "$pid" device)"
	check_eq "member $i: engine" packet "$(field "$pid" engine)"
	check_eq "member $i: cluster" "$CID" "$(field "$pid" cluster)"
	check_eq "member $i: cluster type" per_flow "$(field "$pid" cluster_type)"
	check_eq "member $i: member index (start order)" "$i" "$(field "$pid" member)"
	check_eq "member $i: received = its capture ($n)" "$n" "$(field "$pid" received)"
	check_eq "member $i: dropped" 0 "$(field "$pid" dropped)"
done
check_eq "the members captured every packet once" "$N" "$sum"
check_eq "zbalance: app" zbalance "$(field "$ZB_PID" app)"
check_eq "zbalance: device" "$IFB" "$(field "$ZB_PID" device)"
check_eq "zbalance: engine" packet "$(field "$ZB_PID" engine)"
check_eq "zbalance: no kernel cluster" 0 "$(field "$ZB_PID" cluster)"
check_eq "zbalance: member" null "$(field "$ZB_PID" member)"
check_eq "zbalance: received every packet" "$N" "$(field "$ZB_PID" received)"

# zbalance_stop clears ZB_PID; keep it for the check after.
ZB=$ZB_PID
# Forged files: a copy of member 0's entry owned by nobody, garbage, the
# copy with a counter of 2^63, one byte short.
src=$(ls "$REG"/ring-"${TD_PID[m0]}"-*)
cp "$src" "$REG/ring-1-nobody" && chown 65534 "$REG/ring-1-nobody"
head -c "$(stat -c %s "$src")" /dev/urandom >"$REG/ring-1-garbage"
python3 - "$src" "$REG/ring-1-huge" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[192:200] = struct.pack("<Q", 1 << 63)   # received
open(sys.argv[2], "wb").write(b)
EOF
head -c "$(($(stat -c %s "$src") - 1))" "$src" >"$REG/ring-1-short"
ln -s "$src" "$REG/ring-1-link"
chmod 0644 "$REG"/ring-1-*
"$PFRING_STAT" --json >"$WORK/forged.json" 2>"$WORK/forged.err" && rc=0 || rc=$?
check_eq "forged files: pfring-stat exit status" 0 "$rc"
check_eq "forged files: the 4 real rings still listed" 4 \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/forged.json")"
check_contains "another owner refused" "$WORK/forged.err" \
	"pfring-stat: $REG/ring-1-nobody: not owned by root (uid 65534): ignored"
check_contains "garbage refused" "$WORK/forged.err" \
	"pfring-stat: $REG/ring-1-garbage: not a ring registry entry (bad magic): ignored"
check_contains "a huge counter refused" "$WORK/forged.err" \
	"pfring-stat: $REG/ring-1-huge: implausible counter: ignored"
check_contains "a short file refused" "$WORK/forged.err" \
	"pfring-stat: $REG/ring-1-short: not the size of one entry: ignored"
check_contains "a symbolic link refused" "$WORK/forged.err" \
	"pfring-stat: $REG/ring-1-link: a symbolic link: ignored"
rm -f "$REG"/ring-1-*

# A directory others may write is not trusted.
chmod 0777 "$REG"
"$PFRING_STAT" >/dev/null 2>"$WORK/dir.err" && rc=0 || rc=$?
check_eq "untrusted directory: exit status" 1 "$rc"
check_contains "untrusted directory: the reason" "$WORK/dir.err" \
	"pfring-stat: $REG: owned by uid 0 with mode 0777: not trusted (must be root's and writable by root only)"
chmod 0755 "$REG"

# A killed member's entry is stale: left out, and removed.
kill -KILL "${TD_PID[m2]}"
wait "${TD_PID[m2]}" 2>/dev/null || true
dead=${TD_PID[m2]}
unset "TD_PID[m2]"
check_eq "killed member: left out" "" "$(field "$dead" pid)"
check_eq "killed member: its file removed" 0 "$(ls "$REG" | grep -c "^ring-$dead-" || true)"

# Closing removes the entry (zbalance); Debian's tcpdump gives up root
# (-Z tcpdump) after opening, so its entry outlives it, is left out, and a
# root pfring-stat removes it.
zbalance_stop
check_eq "zbalance's entry removed when it closed its ring" 0 \
	"$(ls "$REG" | grep -c "^ring-$ZB-" || true)"
tcpdump_stop m0
tcpdump_stop m1
check_eq "after the rings closed: pfring-stat lists none" "[]" "$(stat_json)"
check_eq "... and no entries are left" "" "$(ls "$REG")"
finish
