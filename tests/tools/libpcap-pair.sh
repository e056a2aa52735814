# libpcap-pair.sh - sourced by the tests that run one program under Debian's
# libpcap and under ours and compare (bench/dump-identical.sh,
# tests/savefile/savefile.sh).

# The system's libpcap.so.0.8 (this architecture's first), or nothing.
libpcap_stock_path() {
	local p
	p=$(ldconfig -p | awk '/libpcap\.so\.0\.8 .*x86-64/ {print $NF; exit}')
	[ -n "$p" ] || p=$(ldconfig -p | awk '/libpcap\.so\.0\.8 / {print $NF; exit}')
	[ -n "$p" ] && [ -e "$p" ] && echo "$p"
}

# libpcap_pair_loaded STOCK_ERR OURS_ERR STOCK_LIB OURS_LIB: each run printed
# "library: PATH" (the libpcap it loaded) to its ERR file; says which, and
# fails unless each run loaded the library it was meant to.
libpcap_pair_loaded() {
	local got_stock got_ours
	got_stock=$(sed -n 's/^library: //p' "$1")
	got_ours=$(sed -n 's/^library: //p' "$2")
	if [ "$(readlink -f "$got_stock")" != "$(readlink -f "$3")" ] ||
	   [ "$(readlink -f "$got_ours")" != "$(readlink -f "$4")" ]; then
		echo "ERROR: libraries loaded: stock run '$got_stock' (want $3), ours '$got_ours' (want $4)"
		return 1
	fi
	echo "stock: $got_stock; ours: $got_ours"
}
