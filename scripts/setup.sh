# Sourced by ./bpf4j and ./run-tests: finds a JDK >= 25, installs missing system packages (as root)
# and mounts tracefs and bpffs. POSIX sh; every check is a file test, so a ready machine pays ~nothing.

bpf4j_die() {
    echo "bpf4j: $*" >&2
    exit 1
}

bpf4j_is_root() {
    [ "$(id -u)" = 0 ]
}

# Sets JAVA to a java binary of version >= 25: $JAVA_HOME first, then /usr/lib/jvm/*.
bpf4j_find_java() {
    for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "$home" ] && [ -x "$home/bin/java" ] || continue
        rel="$home/release"
        major=""
        if [ -r "$rel" ]; then
            major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
        fi
        if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
            JAVA_HOME="$home"
            JAVA="$home/bin/java"
            export JAVA_HOME
            return 0
        fi
    done
    bpf4j_die "no JDK 25 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*). Install one, e.g. Temurin 25 into /usr/lib/jvm/temurin-25-jdk-amd64, or set JAVA_HOME to it."
}

# Prints -XX:+UseTransparentHugePages when the kernel offers THP to programs that ask (madvise or
# always), nothing otherwise (the JVM would print a warning on every start).
bpf4j_thp_option() {
    case "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" in
        *"[always]"*|*"[madvise]"*) echo "-XX:+UseTransparentHugePages" ;;
    esac
}

# Installs Debian packages when missing: as root with apt-get, otherwise prints the command and exits.
bpf4j_need_packages() {
    missing=""
    for spec in "$@"; do
        pkg=${spec%%:*}
        probe=${spec#*:}
        [ -e "$probe" ] || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    if ! bpf4j_is_root; then
        bpf4j_die "missing system packages:$missing. Install them with: sudo apt-get install -y$missing"
    fi
    echo "bpf4j: installing$missing (apt-get) ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq $missing >/tmp/bpf4j-apt.log 2>&1; then
        apt-get update -qq >>/tmp/bpf4j-apt.log 2>&1
        apt-get install -y -qq $missing >>/tmp/bpf4j-apt.log 2>&1 ||
            bpf4j_die "apt-get install$missing failed; see /tmp/bpf4j-apt.log"
    fi
}

# The newest clang-N the archive offers (clang-19 on Debian 12), once, when no clang is installed.
bpf4j_clang_package() {
    for v in 21 20 19 18 17 16 15 14; do
        if [ -x "/usr/bin/clang-$v" ]; then echo "clang-$v:/usr/bin/clang-$v llvm-$v:/usr/bin/llvm-strip-$v"; return; fi
    done
    for v in 21 20 19 18 17 16 15 14; do
        if apt-cache show "clang-$v" >/dev/null 2>&1; then echo "clang-$v:/usr/bin/clang-$v llvm-$v:/usr/bin/llvm-strip-$v"; return; fi
    done
    echo "clang-19:/usr/bin/clang-19 llvm-19:/usr/bin/llvm-strip-19"
}

# The packages running bpf4j needs: a BPF compiler and the BPF-side headers.
bpf4j_runtime_packages() {
    set -- $(bpf4j_clang_package) libbpf-dev:/usr/include/bpf/bpf_helpers.h
    bpf4j_need_packages "$@"
}

# tracefs carries bpf_printk output and tracepoint ids; bpffs holds pins. Mounted as root when absent.
bpf4j_mounts() {
    bpf4j_is_root || return 0
    if [ -d /sys/kernel/tracing ] && [ ! -e /sys/kernel/tracing/trace_pipe ]; then
        mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
            echo "bpf4j: could not mount tracefs on /sys/kernel/tracing" >&2
    fi
    if [ -d /sys/fs/bpf ] && ! grep -q ' /sys/fs/bpf bpf ' /proc/self/mounts; then
        mount -t bpf bpf /sys/fs/bpf 2>/dev/null ||
            echo "bpf4j: could not mount bpffs on /sys/fs/bpf" >&2
    fi
}
