#!/bin/bash
# include-layers.sh - includes run downwards only.  Every #include between
# our own files in pfring-backend/, libpcap/ (the pcap module), common/ and
# kernel/ must stay in its layer or go to a layer below it; a ../ path is
# refused (include paths, set per folder, decide what a layer sees).  Prints
# the include graph, layer by layer and file by file.
set -uo pipefail
cd "${PFRING_SRCDIR:?}" || exit 99

# The layers, top to bottom (rank; equal ranks may not include each other).
# The public headers sit low in this graph although they are the top of the
# API: everything includes them and they include only each other and common/.
layer_of() {
	case $1 in
	libpcap/*)                 echo "1 pcap-module" ;;
	pfring-backend/tools/*)    echo "1 tools" ;;
	pfring-backend/balancer/*) echo "2 balancer" ;;
	pfring-backend/lib/*)      echo "3 lib" ;;
	pfring-backend/zc/*)       echo "4 zc" ;;
	pfring-backend/include/*)  echo "5 public" ;;
	pfring-backend/bpf/*)      echo "6 bpf" ;;
	kernel/*)                  echo "6 kernel" ;;
	common/*)                  echo "7 common" ;;
	*)                         echo "0 unknown" ;;
	esac
}
# Narrower than the order: what a layer may include besides itself.
declare -A ONLY=([tools]=public [pcap-module]=public)
ORDER="pcap-module, tools > balancer > lib > zc > public > bpf, kernel > common"

files=$( { find pfring-backend common kernel -name '*.[ch]' -o -name '*.S'; \
	   ls libpcap/*.[ch]; } 2>/dev/null | sort)
[ -n "$files" ] || { echo "include-layers: no sources under $PWD"; exit 99; }
declare -A BY_NAME=()
bad=0
for f in $files; do
	b=${f##*/}
	if [ -n "${BY_NAME[$b]:-}" ]; then
		echo "include-layers: FAIL: two headers named $b (${BY_NAME[$b]}, $f): includes would be ambiguous"
		bad=1
	fi
	BY_NAME[$b]=$f
done

declare -A LAYER_EDGES=()
edges=() n=0
for f in $files; do
	read -r frank flayer <<<"$(layer_of "$f")"
	if [ "$flayer" = unknown ]; then
		echo "include-layers: FAIL: $f is in no layer (a new folder? add it to layer_of)"
		bad=1
		continue
	fi
	while IFS= read -r inc; do
		[ -n "$inc" ] || continue
		case $inc in
		../*|*/../*)
			echo "include-layers: FAIL: $f includes \"$inc\": a relative path up, not an include path"
			bad=1
			continue ;;
		esac
		if [ -f "${f%/*}/$inc" ] && [ -n "${BY_NAME[${inc##*/}]:-}" ]; then
			t=${f%/*}/$inc
		else
			t=${BY_NAME[${inc##*/}]:-}
		fi
		[ -n "$t" ] || continue	# a system or upstream header
		[ "$t" != "$f" ] || continue
		read -r trank tlayer <<<"$(layer_of "$t")"
		n=$((n + 1))
		mark=
		if [ "$tlayer" != "$flayer" ]; then
			LAYER_EDGES["$flayer -> $tlayer"]=$(( ${LAYER_EDGES["$flayer -> $tlayer"]:-0} + 1 ))
			if [ -n "${ONLY[$flayer]:-}" ] && [[ " ${ONLY[$flayer]} " != *" $tlayer "* ]]; then
				mark="  <- FAIL: $flayer may include only ${ONLY[$flayer]}"
			elif [ "$trank" -le "$frank" ]; then
				mark="  <- FAIL: upward, $tlayer is not below $flayer"
			fi
		fi
		[ -z "$mark" ] || bad=1
		edges+=("  $flayer -> $tlayer: $f -> $t$mark")
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$f")
done

echo "include-layers: layers, top to bottom: $ORDER"
echo "include-layers: layer edges (includes):"
for e in "${!LAYER_EDGES[@]}"; do echo "  $e (${LAYER_EDGES[$e]})"; done | sort
echo "include-layers: file edges:"
printf '%s\n' "${edges[@]}" | sort
echo "include-layers: $n includes between $(wc -w <<<"$files") files"
[ "$n" -gt 0 ] || { echo "include-layers: FAIL: no includes found"; exit 1; }
if [ "$bad" != 0 ]; then
	echo "include-layers: FAIL"
	exit 1
fi
echo "include-layers: PASS: every include stays in its layer or goes down"
