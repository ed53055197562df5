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
# The very command the launcher execs (keep in step with ./bpf4j).
JVM_OPTS="-XX:TieredStopAtLevel=1 -Xmn256m -XX:-UsePerfData"
if [ -f "$ROOT/bpf4j-cli/target/bpf4j.aot" ]; then
    set -- -XX:AOTCache="$ROOT/bpf4j-cli/target/bpf4j.aot" -Xlog:aot=off -Xlog:cds=off $JVM_OPTS -jar "$JAR" --version
else
    set -- -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off -Xlog:aot=off \
        -XX:SharedArchiveFile="$ROOT/bpf4j-cli/target/bpf4j.jsa" -Xshare:auto $JVM_OPTS -jar "$JAR" --version
fi
now() { date +%s%N; }
i=0; tl=0; tj=0
while [ "$i" -lt "$N" ]; do
    a=$(now); "$ROOT/bpf4j" --version >/dev/null; b=$(now)
    "$JAVA" "$@" >/dev/null; c=$(now)
    tl=$((tl + b - a)); tj=$((tj + c - b)); i=$((i + 1))
done
echo "./bpf4j --version: $((tl / N / 1000000)) ms; the JVM alone: $((tj / N / 1000000)) ms; launcher overhead: $(((tl - tj) / N / 1000000)) ms (mean of $N)"
