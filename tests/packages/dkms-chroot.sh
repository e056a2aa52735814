#!/bin/bash
# pfring-dkms on a clean Debian: in a debootstrap'd bookworm with dkms and
# Debian's linux-headers-amd64, apt installs pfring-dkms and DKMS builds and
# installs pf_ring.ko for that kernel (its postinst, as on a real system);
# removing the package removes the module.  Loading it (modprobe) needs a
# kernel of that release: that part belongs to the guest lab (tests/kmod).
#
# Environment: PFRING_DEBS (folder with pfring-dkms_*.deb, required),
# PFRING_CHROOT_BASE (a debootstrap'd tree to copy instead of debootstrap).
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

[ "$STOCK" = 0 ] || skip "tests our packages"
DEBS=${PFRING_DEBS:-}
[ -n "$DEBS" ] || skip "PFRING_DEBS not set (a folder with the .debs of dpkg-buildpackage -b)"
lib_init
deb=$(find "$DEBS" -maxdepth 1 -name 'pfring-dkms_*.deb' | head -1)
[ -n "$deb" ] || hard_error "no pfring-dkms_*.deb in $DEBS"
version=$(dpkg-deb -f "$deb" Version)

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
	debootstrap --variant=minbase bookworm "$ROOT" http://deb.debian.org/debian \
		>"$WORK/debootstrap.err" 2>&1 ||
		hard_error "debootstrap failed: $(tail -3 "$WORK/debootstrap.err")"
fi
mount -t proc proc "$ROOT/proc" && _MOUNTED+=("$ROOT/proc")
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	dkms linux-headers-amd64 kmod >"$WORK/deps.err" 2>&1 ||
	hard_error "installing dkms and linux-headers-amd64: $(tail -5 "$WORK/deps.err")"
kver=$(in_root sh -c 'ls /lib/modules | head -1')
[ -n "$kver" ] || hard_error "linux-headers-amd64 left no /lib/modules/<release>"

cp "$deb" "$ROOT/"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/$(basename "$deb")" \
	>"$WORK/install.err" 2>&1 && rc=0 || rc=$?
check_eq "apt-get install pfring-dkms: exit status" 0 "$rc"
[ "$rc" = 0 ] || tail -20 "$WORK/install.err"
check_eq "dkms status" "pfring/$version, $kver, x86_64: installed" \
	"$(in_root dkms status pfring 2>&1)"
ko=/lib/modules/$kver/updates/dkms/pf_ring.ko
check_eq "pf_ring.ko for $kver: its version" "$version" \
	"$(in_root modinfo -F version "$ko" 2>&1)"
check_eq "pf_ring.ko for $kver: its vermagic's release" "$kver" \
	"$(in_root modinfo -F vermagic "$ko" 2>&1 | awk '{print $1}')"

in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q pfring-dkms >"$WORK/purge.err" 2>&1 ||
	fail_check "apt-get purge pfring-dkms: $(tail -3 "$WORK/purge.err")"
check_true "purge removes pf_ring.ko" eval "[ ! -e '$ROOT$ko' ]"
check_eq "dkms status after purge" "" "$(in_root dkms status pfring 2>&1)"
finish
