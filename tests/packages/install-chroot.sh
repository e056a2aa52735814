#!/bin/bash
# The packages on a clean Debian system: in a debootstrap'd bookworm with
# Debian's tcpdump and tshark, apt installs libpcap0.8-pfring (it takes the
# place of libpcap0.8; tcpdump and tshark stay installed), libpfring0 and
# pfring-tools.  Then Debian's own /usr/bin/tcpdump, with no LD_LIBRARY_PATH
# and no pfring-run, captures exactly what is sent on pfring:IF of a veth
# this test makes, tshark -D lists the ntopdump extcap, and installing
# Debian's libpcap0.8 again removes ours and brings back stock behaviour.
#
# Environment: PFRING_DEBS (folder with the .debs of dpkg-buildpackage -b,
# required), PFRING_CHROOT_BASE (a debootstrap'd tree to copy instead of
# running debootstrap; it needs tcpdump, tshark and iproute2).
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

[ "$STOCK" = 0 ] || skip "tests our packages"
DEBS=${PFRING_DEBS:-}
[ -n "$DEBS" ] || skip "PFRING_DEBS not set (a folder with the .debs of dpkg-buildpackage -b)"
lib_init
for p in libpcap0.8-pfring libpfring0 pfring-tools; do
	ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 || hard_error "no ${p}_*.deb in $DEBS"
done

ROOT=$WORK/root
_MOUNTED=()
chroot_umount() {
	local m
	for m in "${_MOUNTED[@]}"; do umount -l "$m" 2>/dev/null || true; done
	_MOUNTED=()
}
# Unmount before lib.sh's cleanup removes the work dir, and hand it the exit
# status; set +e first, or (exit 1) would end the trap before _cleanup stops
# the watchdog (which holds whatever lock the test runs under).
# shellcheck disable=SC2154 # _rc is set inside the trap
trap '_rc=$?; set +e; chroot_umount; (exit $_rc); _cleanup' EXIT
in_root() { chroot "$ROOT" "$@"; }

if [ -n "${PFRING_CHROOT_BASE:-}" ]; then
	cp -a "$PFRING_CHROOT_BASE" "$ROOT"
else
	command -v debootstrap >/dev/null || skip "debootstrap not installed"
	debootstrap --variant=minbase --include=tcpdump,tshark,iproute2 bookworm "$ROOT" \
		http://deb.debian.org/debian >"$WORK/debootstrap.err" 2>&1 ||
		hard_error "debootstrap failed: $(tail -3 "$WORK/debootstrap.err")"
fi
mount -t proc proc "$ROOT/proc" && _MOUNTED+=("$ROOT/proc")
mount --rbind /sys "$ROOT/sys" && _MOUNTED+=("$ROOT/sys")
for p in tcpdump tshark libpcap0.8; do
	# shellcheck disable=SC2016 # a dpkg-query format, not shell
	in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		hard_error "the clean system lacks Debian's $p"
done
stock_version=$(in_root dpkg-query -W -f='${Version}' libpcap0.8)

# --- install ------------------------------------------------------------------
mkdir -p "$ROOT/debs"
debs=()
for f in "$DEBS"/libpcap0.8-pfring_*.deb "$DEBS"/libpfring0_*.deb "$DEBS"/pfring-tools_*.deb; do
	cp "$f" "$ROOT/debs/"
	debs+=("/debs/$(basename "$f")")
done
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${debs[@]}" >"$WORK/install.err" 2>&1 ||
	hard_error "apt-get install of our packages failed: $(tail -5 "$WORK/install.err")"
installed() { in_root dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
check_true "libpcap0.8-pfring installed" installed libpcap0.8-pfring
check_true "Debian's libpcap0.8 replaced" eval '! installed libpcap0.8'
for p in tcpdump tshark wireshark-common; do
	check_true "$p still installed" installed "$p"
done
in_root /usr/bin/tcpdump --version >"$WORK/version.out" 2>&1
check_contains "Debian's tcpdump loads our library" "$WORK/version.out" "pfring-pcap"

# --- capture: Debian's tcpdump, no LD_LIBRARY_PATH -----------------------------
ns_setup
N=1000
ip netns exec "$NSB" env -u LD_LIBRARY_PATH chroot "$ROOT" /usr/bin/tcpdump -n -c "$N" \
	-w /cap.pcap -i "pfring:$IFB" 2>"$WORK/cap.err" &
CAP=$!
# shellcheck disable=SC2317 # called through wait_until
_listening() { grep -q 'listening on' "$WORK/cap.err"; }
wait_until "$DEADLINE" _listening || hard_error "tcpdump -i pfring:$IFB did not start: $(cat "$WORK/cap.err")"
send_flows "$NSA" "$IFA" -n "$N" -f 10
# shellcheck disable=SC2317 # called through wait_until
_gone() { ! kill -0 "$CAP" 2>/dev/null; }
wait_until "$DEADLINE" _gone || { kill "$CAP"; fail_check "tcpdump did not stop after $N packets"; }
wait "$CAP" && rc=0 || rc=$?
check_eq "tcpdump -c $N -i pfring:$IFB: exit status" 0 "$rc"
check_eq "packets captured from pfring:$IFB" "$N" "$(pcap_count "$ROOT/cap.pcap")"
check_same "flows captured" "$(expected_flows -n "$N" -f 10)" "$(pcap_flows "$ROOT/cap.pcap")"

# --- tshark lists the extcap ---------------------------------------------------
in_root tshark -D >"$WORK/tshark-D.out" 2>"$WORK/tshark-D.err" || true
check_eq "tshark -D lists ntopdump's interface" "pfring (PF_RING capture (pfring-pcap))" \
	"$(sed -n 's/^[0-9][0-9]*\. \(pfring .*\)$/\1/p' "$WORK/tshark-D.out")"

# --- back to Debian's libpcap0.8 -------------------------------------------------
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "libpcap0.8=$stock_version" \
	>"$WORK/restore.err" 2>&1 || hard_error "reinstalling libpcap0.8: $(tail -5 "$WORK/restore.err")"
check_true "libpcap0.8 installed again" installed libpcap0.8
check_true "libpcap0.8-pfring removed" eval '! installed libpcap0.8-pfring'
check_true "tcpdump still installed" installed tcpdump
in_root /usr/bin/tcpdump --version >"$WORK/version2.out" 2>&1
check_eq "tcpdump --version no longer names pfring-pcap" 0 "$(grep -c pfring-pcap "$WORK/version2.out" || true)"
ip netns exec "$NSB" chroot "$ROOT" /usr/bin/tcpdump -c 1 -i "pfring:$IFB" >"$WORK/stock.out" 2>&1 && rc=0 || rc=$?
check_eq "stock tcpdump -i pfring:$IFB: exit status" 1 "$rc"
check_eq "stock tcpdump -i pfring:$IFB: message" "tcpdump: pfring:$IFB: No such device exists" \
	"$(head -1 "$WORK/stock.out")"
ip netns exec "$NSB" chroot "$ROOT" /usr/bin/tcpdump -n -c 5 -w /stock.pcap -i "$IFB" 2>"$WORK/stockcap.err" &
CAP=$!
wait_until "$DEADLINE" eval 'grep -q "listening on" "$WORK/stockcap.err"' ||
	hard_error "stock tcpdump -i $IFB did not start: $(cat "$WORK/stockcap.err")"
send_flows "$NSA" "$IFA" -n 5 -f 1
wait_until "$DEADLINE" _gone || { kill "$CAP"; fail_check "stock tcpdump did not stop after 5 packets"; }
check_eq "stock tcpdump captures on the plain interface" 5 "$(pcap_count "$ROOT/stock.pcap")"
finish
