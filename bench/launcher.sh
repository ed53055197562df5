#!/bin/sh
# The launcher's own cost: `./bpf4j --version` against the same JVM command it execs, run in turn N
# times. Prints the mean of each and the difference (what the shell script, its staleness check and
# its package checks add). Usage: bench/launcher.sh [N]
set -eu
N=${1:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
. "$ROOT/scripts/setup.sh"
bpf4j_find_java
"$ROOT/bpf4j" --version >/dev/null   # builds the jar and the CDS archive when needed
JAR="$ROOT/bpf4j-cli/target/bpf4j.jar"
JSA="$ROOT/bpf4j-cli/target/bpf4j.jsa"
now() { date +%s%N; }
i=0; tl=0; tj=0
while [ "$i" -lt "$N" ]; do
    a=$(now); "$ROOT/bpf4j" --version >/dev/null; b=$(now)
    "$JAVA" -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off -Xlog:aot=off -XX:SharedArchiveFile="$JSA" \
        -Xshare:auto -XX:TieredStopAtLevel=1 -jar "$JAR" --version >/dev/null; c=$(now)
    tl=$((tl + b - a)); tj=$((tj + c - b)); i=$((i + 1))
done
echo "./bpf4j --version: $((tl / N / 1000000)) ms; the JVM alone: $((tj / N / 1000000)) ms; launcher overhead: $(((tl - tj) / N / 1000000)) ms (mean of $N)"
