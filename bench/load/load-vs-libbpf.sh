#!/bin/sh
# open + load + close of a CO-RE object: bpf4j against a C skeleton loader on libbpf 1.1 (bpftool gen
# skeleton; both loaders compiled here), in turn in one run. Whole process: one load per process start (the JVM start included, with an AOT cache
# as the launcher uses), and the floor under it: a JVM with the same flags that prints hello, and one
# that makes a single FFM system call (JvmFloor). In-process: mean per round after warm-up. Prints the
# ratios bpf4j/libbpf.
# Usage (as root): bench/load/load-vs-libbpf.sh [ROUNDS] [PROCESSES]
set -eu
ROUNDS=${1:-200}
PROCS=${2:-10}
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
. "$ROOT/scripts/setup.sh"
bpf4j_find_java
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

"$ROOT/bpf4j" --version >/dev/null
JAR="$ROOT/bpf4j-cli/target/bpf4j.jar"
SRC="$ROOT/bpf4j-core/src/test/bpf/core_reads.bpf.c"
"$ROOT/bpf4j" btf dump -o "$OUT/vmlinux.h"
CLANG=$(ls /usr/bin/clang-* | grep -E 'clang-[0-9]+$' | sort -V | tail -1)
"$CLANG" -g -O2 -target bpf -D__TARGET_ARCH_x86 -idirafter /usr/include/x86_64-linux-gnu -I"$OUT" -c "$SRC" -o "$OUT/obj.o"
bpftool gen skeleton "$OUT/obj.o" name bench > "$OUT/bench.skel.h"
gcc -O2 -I"$OUT" -o "$OUT/skeleton_load" "$HERE/skeleton_load.c" -lbpf
# As the launcher does: C1 only, and a JDK AOT cache recorded from one run of the same program.
JFLAGS="--enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -Xmn256m -XX:-UsePerfData $(bpf4j_thp_option)"
"$JAVA_HOME/bin/javac" -d "$OUT/classes" -cp "$JAR" "$HERE/JavaLoad.java" "$HERE/JvmFloor.java"
"$JAVA_HOME/bin/jar" cf "$OUT/javaload.jar" -C "$OUT/classes" .   # CDS archives take jars only
CP="$JAR:$OUT/javaload.jar"
"$JAVA" $JFLAGS -XX:AOTCacheOutput="$OUT/bench.aot" -cp "$CP" JavaLoad "$OUT/obj.o" 1 >/dev/null 2>&1
for m in hello syscall; do   # each floor program gets an AOT cache of its own, trained the same way
    "$JAVA" $JFLAGS -XX:AOTCacheOutput="$OUT/$m.aot" -cp "$CP" JvmFloor "$m" >/dev/null 2>&1
done
QUIET="-Xlog:aot=off -Xlog:cds=off"
floor() { "$JAVA" $JFLAGS -XX:AOTCache="$OUT/$1.aot" $QUIET -cp "$CP" JvmFloor "$1" >/dev/null; }
JFLAGS="$JFLAGS -XX:AOTCache=$OUT/bench.aot $QUIET"

now() { date +%s%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
i=0; tc=0; tj=0; th=0; ts=0
while [ "$i" -lt "$PROCS" ]; do
    a=$(now); "$OUT/skeleton_load" 1 >/dev/null; b=$(now)
    "$JAVA" $JFLAGS -cp "$CP" JavaLoad "$OUT/obj.o" 1 >/dev/null; c=$(now)
    floor hello; d=$(now)
    floor syscall; e=$(now)
    tc=$((tc + b - a)); tj=$((tj + c - b)); th=$((th + d - c)); ts=$((ts + e - d)); i=$((i + 1))
done
echo "whole process (one load each, $PROCS runs): libbpf $((tc / PROCS / 1000000)) ms, bpf4j $((tj / PROCS / 1000000)) ms, ratio $(ratio "$tj" "$tc")"
echo "JVM floor, same flags (no BPF work): hello world $((th / PROCS / 1000000)) ms ($(ratio "$th" "$tc")x libbpf's whole load), one FFM system call $((ts / PROCS / 1000000)) ms ($(ratio "$ts" "$tc")x)"

c=$("$OUT/skeleton_load" "$ROUNDS")
j=$("$JAVA" $JFLAGS -cp "$CP" JavaLoad "$OUT/obj.o" "$ROUNDS" "$ROUNDS")
echo "in-process (mean of $ROUNDS rounds after warm-up): libbpf $c us, bpf4j $j us, ratio $(ratio "$j" "$c")"
