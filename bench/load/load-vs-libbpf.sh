#!/bin/sh
# open + load + close of a CO-RE object: bpf4j against libbpf 1.1 (a C loader compiled here; JavaLoad compiled here too), in turn
# in one run. Whole process: one load per process start (the JVM start included, with an AOT cache
# as the launcher uses). In-process: mean per round after warm-up. Prints both ratios bpf4j/libbpf.
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
gcc -O2 -o "$OUT/libbpf_load" "$HERE/libbpf_load.c" -lbpf
# As the launcher does: C1 only, and a JDK AOT cache recorded from one run of the same program.
JFLAGS="--enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -Xmn256m -XX:-UsePerfData $(bpf4j_thp_option)"
"$JAVA_HOME/bin/javac" -d "$OUT/classes" -cp "$JAR" "$HERE/JavaLoad.java"
"$JAVA_HOME/bin/jar" cf "$OUT/javaload.jar" -C "$OUT/classes" .   # CDS archives take jars only
CP="$JAR:$OUT/javaload.jar"
"$JAVA" $JFLAGS -XX:AOTCacheOutput="$OUT/bench.aot" -cp "$CP" JavaLoad "$OUT/obj.o" 1 >/dev/null 2>&1
JFLAGS="$JFLAGS -XX:AOTCache=$OUT/bench.aot -Xlog:aot=off -Xlog:cds=off"

now() { date +%s%N; }
i=0; tc=0; tj=0
while [ "$i" -lt "$PROCS" ]; do
    a=$(now); "$OUT/libbpf_load" "$OUT/obj.o" 1 >/dev/null; b=$(now)
    "$JAVA" $JFLAGS -cp "$CP" JavaLoad "$OUT/obj.o" 1 >/dev/null; c=$(now)
    tc=$((tc + b - a)); tj=$((tj + c - b)); i=$((i + 1))
done
echo "whole process (one load each, $PROCS runs): libbpf $((tc / PROCS / 1000000)) ms, bpf4j $((tj / PROCS / 1000000)) ms, ratio $(echo "scale=2; $tj / $tc" | bc)"

c=$("$OUT/libbpf_load" "$OUT/obj.o" "$ROUNDS")
j=$("$JAVA" $JFLAGS -cp "$CP" JavaLoad "$OUT/obj.o" "$ROUNDS" "$ROUNDS")
echo "in-process (mean of $ROUNDS rounds after warm-up): libbpf $c us, bpf4j $j us, ratio $(echo "scale=2; $j / $c" | bc)"
