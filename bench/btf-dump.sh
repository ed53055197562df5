#!/bin/sh
# Whole-process comparison: `bpf4j btf dump format c` against `bpftool btf dump ... format c` on the
# running kernel's BTF, N runs each (output to /dev/null), alternating. Prints the mean wall time
# and mean peak RSS (from /usr/bin/time -f '%e %M') of each, and bpf4j/bpftool ratios.
# Usage: bench/btf-dump.sh [N] [BTF-FILE]
set -eu
N=${1:-10}
FILE=${2:-/sys/kernel/btf/vmlinux}
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }

# One untimed run each: builds the jar if sources changed and creates the CDS archive.
"$ROOT/bpf4j" btf dump "$FILE" format c >/dev/null
"$BPFTOOL" btf dump file "$FILE" format c >/dev/null

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
i=0
while [ "$i" -lt "$N" ]; do
    /usr/bin/time -f "bpf4j %e %M" -a -o "$tmp" "$ROOT/bpf4j" btf dump "$FILE" format c >/dev/null
    /usr/bin/time -f "bpftool %e %M" -a -o "$tmp" "$BPFTOOL" btf dump file "$FILE" format c >/dev/null
    i=$((i + 1))
done
awk -v n="$N" '
    { t[$1] += $2; m[$1] += $3 }
    END {
        printf "%-8s %10s %14s   (%d runs each, %s)\n", "tool", "wall s", "peak RSS MiB", n, "format c"
        for (k in t) printf "%-8s %10.3f %14.1f\n", k, t[k] / n, m[k] / n / 1024
        printf "ratio bpf4j/bpftool: wall %.2f, RSS %.2f\n", t["bpf4j"] / t["bpftool"], m["bpf4j"] / m["bpftool"]
    }' "$tmp"
