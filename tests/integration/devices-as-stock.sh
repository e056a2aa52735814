#!/bin/bash
# Everything Debian's libpcap offers, ours offers, under the same numbers:
# Debian's tcpdump -D with our library lists every device the system's
# libpcap lists on this machine (bluetooth-monitor, nflog, nfqueue,
# dbus-system, dbus-session...), in the same order and with the same flags,
# and then "pfring:<if>" for each interface among them, in their order, so
# "tcpdump -i 2" means the same device with either library.  Monitor mode
# (-I) on pfring: and zc: is refused the way stock refuses it on the same
# interface.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "compares our library with the system's"
lib_init

list_stock() { "$TCPDUMP" -D 2>&1; }
list_ours() { "$PFRING_RUN" "$TCPDUMP" -D 2>&1; }

# Other tests add and remove interfaces while this runs: take stock's list
# before and after ours and use a round where they agree.
agreed=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	list_stock >"$WORK/stock.txt"
	list_ours >"$WORK/ours.txt"
	list_stock >"$WORK/stock2.txt"
	if cmp -s "$WORK/stock.txt" "$WORK/stock2.txt"; then
		agreed=1
		break
	fi
done
[ "$agreed" = 1 ] || hard_error "the system's interfaces changed during every one of 10 rounds"
log "stock lists $(wc -l <"$WORK/stock.txt") devices, ours $(wc -l <"$WORK/ours.txt")"

n_stock=$(wc -l <"$WORK/stock.txt")
check_true "stock lists devices" [ "$n_stock" -gt 0 ]
check_eq "ours begins with stock's list, line for line (number, name, description, flags)" \
	"$(cat "$WORK/stock.txt")" "$(head -n "$n_stock" "$WORK/ours.txt")"

# After stock's list: pfring:<if> for each of its interfaces (a name in
# /sys/class/net; not any, nflog, dbus-...), numbered on.
expected=$(sed 's/^[0-9]*\.\([^ ]*\).*/\1/' "$WORK/stock.txt" | while read -r name; do
	if [ -e "/sys/class/net/$name" ]; then echo "pfring:$name"; fi
done | awk -v n="$n_stock" '{print n + NR "." $0}')
check_true "stock lists interfaces" [ -n "$expected" ]
check_eq "then pfring:<if> for each of stock's interfaces, in its order" \
	"$expected" "$(tail -n +"$((n_stock + 1))" "$WORK/ours.txt" | awk '{print $1}')"

# --- monitor mode: refused as stock refuses it -------------------------------
# lo cannot do monitor mode under either library (PCAP_ERROR_RFMON_NOTSUP).
# A library that opened anyway would wait for a packet: bounded, it exits 124.
timeout -k 2 "$DEADLINE" "$TCPDUMP" -I -i lo -c 1 -w /dev/null >"$WORK/rfmon-stock.out" 2>&1 && rc=0 || rc=$?
check_eq "stock tcpdump -I -i lo: exit status" 1 "$rc"
check_eq "stock tcpdump -I -i lo: message" "tcpdump: lo: That device doesn't support monitor mode" \
	"$(cat "$WORK/rfmon-stock.out")"
for dev in pfring:lo zc:lo; do
	timeout -k 2 "$DEADLINE" "$PFRING_RUN" "$TCPDUMP" -I -i "$dev" -c 1 -w /dev/null \
		>"$WORK/rfmon.out" 2>&1 && rc=0 || rc=$?
	check_eq "tcpdump -I -i $dev: exit status" 1 "$rc"
	check_eq "tcpdump -I -i $dev: message" "tcpdump: $dev: That device doesn't support monitor mode" \
		"$(cat "$WORK/rfmon.out")"
done
finish
