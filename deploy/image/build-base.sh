#!/usr/bin/env bash
# Builds a minimal Java 17 base image as a `docker save` tarball, for Jib's `tar://` base images: no registry, no
# Docker daemon. Two layers, the way distroless images are made from .debs:
#   1. Debian bookworm's glibc, libgcc, libstdc++ and zlib (what the JVM and RocksDB's JNI library link against)
#      and bsdutils' `renice` (the service lowers its JIT compiler threads' priority with it), extracted from their
#      .debs without maintainer scripts, plus /etc/passwd with the non-root user 65532 ("nonroot"),
#      /etc/nsswitch.conf and a world-writable /tmp;
#   2. a Java runtime made with jlink from the build JDK's jmods: the modules of a JRE (java.se and the jdk.*
#      runtime modules, jdk.incubator.vector included), with a class-data sharing (CDS) archive for a faster start
#      and the JDK's own CA certificates.
# The same .debs and SOURCE_DATE_EPOCH give a byte-identical libraries layer; the Java layer is byte-identical for
# the same JDK only with --no-cds, as JDK 17 does not write its CDS archives deterministically.
#
# usage: deploy/image/build-base.sh [--out FILE] [--debs DIR] [--java-home DIR] [--no-cds]
#   --out FILE       the tarball (default work/image/base.tar)
#   --debs DIR       take the .debs from DIR instead of `apt-get download` (an air-gapped build)
#   --java-home DIR  the JDK whose jmods jlink uses (default: JAVA_HOME, else the `java` on PATH)
#   --no-cds         no CDS archive: a reproducible Java layer, 23 MB smaller, a slower JVM start
# Needs dpkg-deb, and apt-get unless --debs is given. Then:
#   ./mvnw -pl serving -am -DskipTests -Plocal-base package jib:buildTar
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/work/image/base.tar"
DEBS=""
JDK="${JAVA_HOME:-}"
CDS=(--generate-cds-archive)
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --debs) DEBS="$2"; shift 2 ;;
    --java-home) JDK="$2"; shift 2 ;;
    --no-cds) CDS=(); shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$JDK" ] || JDK="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
[ -x "$JDK/bin/jlink" ] || { echo "error: no jlink in $JDK/bin; give --java-home a JDK 17" >&2; exit 1; }
[ -f "$JDK/jmods/java.base.jmod" ] || { echo "error: no jmods in $JDK/jmods (Debian: openjdk-17-jdk-headless)" >&2; exit 1; }
JAVA_VERSION="$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p')"
case "$JAVA_VERSION" in 17.*) ;; *) echo "error: $JDK is Java '$JAVA_VERSION', not 17" >&2; exit 1 ;; esac

# File times in the layers; Jib uses the same epoch-plus-one-second for its own layers.
EPOCH="${SOURCE_DATE_EPOCH:-1}"
PACKAGES=(libc6 libgcc-s1 libstdc++6 zlib1g bsdutils)
# A JRE's modules: java.se plus the jdk.* modules a server may load at run time, without the development tools.
MODULES=java.se,jdk.incubator.vector,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.charsets,jdk.localedata
MODULES+=,jdk.zipfs,jdk.net,jdk.naming.dns,jdk.security.auth,jdk.security.jgss,jdk.management,jdk.management.agent
MODULES+=,jdk.management.jfr,jdk.jfr,jdk.httpserver,jdk.nio.mapmode,jdk.random,jdk.sctp,jdk.xml.dom
JAVA_DIR=opt/java/openjdk
ENV_PATH=/$JAVA_DIR/bin:/usr/local/bin:/usr/bin:/bin

WORK="$(mktemp -d)"
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/debs" "$WORK/os" "$WORK/java/opt/java" "$WORK/image"

if [ -n "$DEBS" ]; then
  for p in "${PACKAGES[@]}"; do
    set -- "$DEBS/${p}"_*_amd64.deb
    [ -f "$1" ] || { echo "error: no ${p}_*_amd64.deb in $DEBS" >&2; exit 1; }
    [ $# = 1 ] || { echo "error: more than one ${p}_*_amd64.deb in $DEBS" >&2; exit 1; }
    cp "$1" "$WORK/debs/"
  done
else
  # The _apt sandbox user cannot write into a private temp directory; the download is checked by apt's signatures.
  (cd "$WORK/debs" && apt-get download -q -o APT::Sandbox::User=root "${PACKAGES[@]}" >/dev/null)
fi

# Layer 1: the shared libraries and the accounts.
for deb in "$WORK"/debs/*.deb; do dpkg-deb -x "$deb" "$WORK/os"; done
(
  cd "$WORK/os"
  # Only the libraries: the copyright files stay (licences), documentation, locales and iconv modules go.
  find usr/share/doc -type f ! -name copyright -delete 2>/dev/null || true
  find usr/share/doc -type l -delete 2>/dev/null || true
  rm -rf usr/share/man usr/share/info usr/share/lintian usr/share/locale usr/share/gdb usr/lib/x86_64-linux-gnu/gconv
  rm -rf usr/lib/x86_64-linux-gnu/audit usr/libexec sbin etc/ld.so.conf.d
  # Of the programs, only renice (it needs libc alone; bsdutils' logger, which needs libsystemd, goes).
  find usr/bin -mindepth 1 ! -name renice -delete
  mkdir -p etc tmp home/nonroot root
  chmod 1777 tmp
  chmod 700 root
  chmod 755 home/nonroot
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >etc/passwd
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' 'nonroot:x:65532:' >etc/group
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >etc/nsswitch.conf
  printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' >etc/hosts
  # What the layer was made from, for `docker run ... cat` users and for audits.
  for deb in "$WORK"/debs/*.deb; do dpkg-deb -f "$deb" Package Version | paste -sd' ' -; done | sort \
    >etc/banner-ranker-base.packages
)

# Layer 2: the Java runtime.
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --output "$WORK/java/$JAVA_DIR" \
  --strip-debug --no-man-pages --no-header-files --compress=2 "${CDS[@]}" >/dev/null

# Layer tars: sorted, fixed times and owners (root, the nonroot user's home its own), so the same input gives the
# same bytes. A layer's diff id is the digest of the tar, its blob the digest of the gzip.
TAR=(tar --sort=name --mtime="@$EPOCH" --numeric-owner --format=gnu)
"${TAR[@]}" --owner=0 --group=0 -C "$WORK/os" --exclude=./home/nonroot -cf "$WORK/os.tar" .
"${TAR[@]}" --owner=65532 --group=65532 -C "$WORK/os" --no-recursion -rf "$WORK/os.tar" ./home/nonroot
"${TAR[@]}" --owner=0 --group=0 -C "$WORK/java" -cf "$WORK/java.tar" .
digest() { sha256sum "$1" | cut -d' ' -f1; }
OS_ID="$(digest "$WORK/os.tar")"
JAVA_ID="$(digest "$WORK/java.tar")"
gzip -n -6 "$WORK/os.tar" "$WORK/java.tar"
OS_BLOB="$(digest "$WORK/os.tar.gz")"
JAVA_BLOB="$(digest "$WORK/java.tar.gz")"
mv "$WORK/os.tar.gz" "$WORK/image/$OS_BLOB.tar.gz"
mv "$WORK/java.tar.gz" "$WORK/image/$JAVA_BLOB.tar.gz"

PKGS="$(paste -sd, "$WORK/os/etc/banner-ranker-base.packages" | sed 's/ /=/g')"
CREATED="$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
cat >"$WORK/image/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"$CREATED",
"config":{"User":"65532:65532","WorkingDir":"/home/nonroot",
"Env":["PATH=$ENV_PATH","JAVA_HOME=/$JAVA_DIR","JAVA_VERSION=$JAVA_VERSION","LANG=C.UTF-8"],
"Labels":{"org.opencontainers.image.title":"banner-ranker-base","org.opencontainers.image.description":"Java $JAVA_VERSION (jlink) on Debian bookworm libraries: $PKGS"}},
"rootfs":{"type":"layers","diff_ids":["sha256:$OS_ID","sha256:$JAVA_ID"]},
"history":[{"created":"$CREATED","created_by":"deploy/image/build-base.sh: $PKGS, /etc/passwd (nonroot 65532)"},
{"created":"$CREATED","created_by":"deploy/image/build-base.sh: jlink --add-modules $MODULES"}]}
JSON
jq -c . "$WORK/image/config.json" >"$WORK/image/config.min" && mv "$WORK/image/config.min" "$WORK/image/config.json"
CONFIG="$(sha256sum "$WORK/image/config.json" | cut -d' ' -f1)"
mv "$WORK/image/config.json" "$WORK/image/$CONFIG.json"
printf '[{"Config":"%s.json","RepoTags":["banner-ranker-base:17"],"Layers":["%s.tar.gz","%s.tar.gz"]}]\n' \
  "$CONFIG" "$OS_BLOB" "$JAVA_BLOB" >"$WORK/image/manifest.json"

mkdir -p "$(dirname "$OUT")"
# Names without a "./" entry: Jib refuses to extract one.
"${TAR[@]}" --owner=0 --group=0 -C "$WORK/image" -cf "$OUT.tmp" $(cd "$WORK/image" && ls | LC_ALL=C sort)
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT ($(du -k "$OUT" | cut -f1) KiB; uncompressed: libraries $(du -sk "$WORK/os" | cut -f1) KiB," \
  "Java $JAVA_VERSION $(du -sk "$WORK/java" | cut -f1) KiB)"
