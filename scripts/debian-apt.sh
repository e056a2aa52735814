# debian-apt.sh - sourced (POSIX sh): a private apt configuration that
# reaches Debian's archive through the system's own mirrors and keys.
#
# The system's apt configuration is not ours to edit, yet the build needs
# what it does not list: Debian's source packages (deb-src) and suites such
# as bookworm-backports.  debian_apt_setup builds sources, state and cache
# in a folder of our own from the system's 'deb' entries (one-line
# sources.list and deb822 *.sources alike), so the same URIs and Signed-By
# keys are used and nothing outside Debian's archive is added.
#
#   debian_apt_setup DIR TYPE [SUITE]
#     DIR    a folder for the private configuration, state and cache
#     TYPE   deb or deb-src: what every entry becomes
#     SUITE  if given, only the entries that carry the system's release
#            suite (bookworm) are kept, with SUITE in its place
#   Sets DEBIAN_APT_OPTS (apt-get options, split at blanks: DIR must not
#   hold any) and runs 'apt-get update'; returns 1 with the log on stderr
#   if that fails.

debian_apt_setup() {
	_da_dir=$1 _da_type=$2 _da_suite=${3:-} _da_rel=
	if [ -n "$_da_suite" ]; then
		# shellcheck disable=SC1091 # the system's file
		_da_rel=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
		[ -n "$_da_rel" ] || { echo "debian-apt: no VERSION_CODENAME in /etc/os-release" >&2; return 1; }
	fi
	mkdir -p "$_da_dir/etc/sources.list.d" "$_da_dir/etc/preferences.d" \
		"$_da_dir/state/lists/partial" "$_da_dir/cache/archives/partial" || return 1
	: >"$_da_dir/etc/sources.list"
	: >"$_da_dir/etc/sources.list.d/system.list"
	for _da_f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$_da_f" ] || continue
		# deb [options] URI SUITE COMPONENTS...
		awk -v type="$_da_type" -v suite="$_da_suite" -v rel="$_da_rel" '
			$1 != "deb" { next }
			{
				i = 2
				if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if (suite != "") { if ($(i + 1) != rel) next; $(i + 1) = suite }
				$1 = type
				print
			}' "$_da_f" >>"$_da_dir/etc/sources.list.d/system.list" || return 1
	done
	for _da_f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$_da_f" ] || continue
		# Paragraphs separated by blank lines; Types and Suites rewritten.
		awk -v type="$_da_type" -v suite="$_da_suite" -v rel="$_da_rel" '
			function flush(   i, keep, w, n) {
				keep = (suite == "")
				for (i = 1; i <= nl; i++) {
					if (line[i] !~ /^Suites:/) continue
					n = split(line[i], w, /[ \t]+/)
					while (n > 1) if (w[n--] == rel) keep = 1
				}
				if (keep && nl > 0) {
					for (i = 1; i <= nl; i++) {
						if (line[i] ~ /^Types:/) line[i] = "Types: " type
						else if (suite != "" && line[i] ~ /^Suites:/) line[i] = "Suites: " suite
						print line[i]
					}
					print ""
				}
				nl = 0
			}
			/^[ \t]*$/ { flush(); next }
			{ line[++nl] = $0 }
			END { flush() }' "$_da_f" >"$_da_dir/etc/sources.list.d/$(basename "$_da_f")" || return 1
	done
	grep -q -h -e '^deb' -e '^Types:' "$_da_dir"/etc/sources.list.d/* ||
		{ echo "debian-apt: no usable 'deb' entry in /etc/apt/sources.list{,.d}${_da_suite:+ for suite $_da_rel}" >&2; return 1; }
	DEBIAN_APT_OPTS="-o Dir::Etc::SourceList=$_da_dir/etc/sources.list
	-o Dir::Etc::SourceParts=$_da_dir/etc/sources.list.d
	-o Dir::Etc::Preferences=$_da_dir/etc/preferences
	-o Dir::Etc::PreferencesParts=$_da_dir/etc/preferences.d
	-o Dir::State=$_da_dir/state -o Dir::Cache=$_da_dir/cache
	-o APT::Sandbox::User=root -qq"
	# shellcheck disable=SC2086
	apt-get $DEBIAN_APT_OPTS update >"$_da_dir/update.log" 2>&1 ||
		{ cat "$_da_dir/update.log" >&2; echo "debian-apt: apt-get update ($_da_type${_da_suite:+ $_da_suite}) failed" >&2; return 1; }
}

# debian_pin_read PIN KEY...: reads a pin file of scripts/deps or drivers/:
# '#' comments, "deb PACKAGE VERSION SHA256" lines (into PIN_DEBS, words
# PACKAGE=VERSION=SHA256) and "KEY VALUE" lines for the KEYs named (into
# PIN_<KEY>).  Any other line is an error naming it: the message on
# stderr, return 1.
debian_pin_read() {
	_pin=$1 _n=0
	shift
	PIN_DEBS=
	for _k in "$@"; do eval "PIN_$_k="; done
	[ -f "$_pin" ] || { echo "no such pin file: $_pin" >&2; return 1; }
	while read -r _key _a _b _c _rest; do
		_n=$((_n + 1))
		case $_key in
		'' | '#'*) continue ;;
		deb)
			if [ -z "$_c" ] || [ -n "$_rest" ]; then
				echo "$_pin:$_n: expected 'deb PACKAGE VERSION SHA256'" >&2
				return 1
			fi
			if ! echo "$_c" | grep -qE '^[0-9a-f]{64}$'; then
				echo "$_pin:$_n: '$_c' is not a sha256" >&2
				return 1
			fi
			PIN_DEBS="$PIN_DEBS $_a=$_b=$_c"
			continue ;;
		esac
		case " $* " in
		*" $_key "*) eval "PIN_$_key=\$_a" ;;
		*) echo "$_pin:$_n: unknown keyword '$_key' (deb $*)" >&2; return 1 ;;
		esac
	done <"$_pin"
}
