#!/usr/bin/env bash
# The image's runtime packages (scripts/bootstrap --list runtime) hold every shared library
# that the binaries deploy/Dockerfile copies into it link against, and the Dockerfile builds
# with the commands CI runs: scripts/bootstrap build and scripts/build, which make build and
# make test call too.
#   usage: image_libs.sh SOURCE_DIR BIN_DIR
set -euo pipefail
src=$1
bin=$2
dockerfile=$src/deploy/Dockerfile
fail=0
bad() {
    echo "image_libs: $*" >&2
    fail=1
}

mapfile -t runtime < <("$src/scripts/bootstrap" --list runtime)
# The binaries the image takes from the build stage's /build/bin.
mapfile -t bins < <(grep -oE '/build/bin/[a-z][a-z0-9-]*' "$dockerfile" | sed 's|/build/bin/||' | sort -u)
[ ${#bins[@]} -ge 7 ] || bad "deploy/Dockerfile copies ${#bins[@]} binaries from /build/bin; want every service's"
for svc in web auth member catalog order payment psp-sandbox agora-keygen; do
    printf '%s\n' "${bins[@]}" | grep -qxF "$svc" || bad "deploy/Dockerfile does not copy $svc into the image"
done

# package_of SONAME: the Debian package holding the library the loader would find.
package_of() {
    local path real
    path=$(ldconfig -p | awk -v l="$1" '$1 == l { print $NF; exit }')
    [ -n "$path" ] || return 1
    real=$(readlink -f "$path")
    # usrmerge: dpkg may know the file under /lib rather than /usr/lib.
    dpkg -S "$real" 2>/dev/null | head -n 1 | cut -d: -f1 ||
        dpkg -S "${real#/usr}" 2>/dev/null | head -n 1 | cut -d: -f1
}

declare -A need=() soname_users=()
for b in "${bins[@]}"; do
    [ -x "$bin/$b" ] || {
        bad "$bin/$b is not built"
        continue
    }
    while IFS= read -r so; do
        soname_users[$so]="${soname_users[$so]:-} $b"
    done < <(readelf -d "$bin/$b" | awk '/\(NEEDED\)/ { gsub(/[][]/, "", $5); print $5 }')
done
# One dpkg look-up per library (each reads dpkg's whole file list).
for so in "${!soname_users[@]}"; do
    pkg=$(package_of "$so") || pkg=
    [ -n "$pkg" ] || pkg=$(dpkg -S "/lib/x86_64-linux-gnu/$so" 2>/dev/null | head -n 1 | cut -d: -f1) || true
    if [ -z "$pkg" ]; then
        bad "${soname_users[$so]# } need $so, which no installed Debian package holds"
        continue
    fi
    need[$pkg]="${need[$pkg]:-}${soname_users[$so]}"
done
for pkg in "${!need[@]}"; do
    # The C library is in every Debian image; anything a sanitizer build adds is not shipped.
    case $pkg in libc6 | libasan* | libubsan*) continue ;; esac
    printf '%s\n' "${runtime[@]}" | grep -qxF "$pkg" ||
        bad "$pkg (needed by${need[$pkg]}) is not in scripts/bootstrap's runtime list"
done

# The build stage runs CI's commands, and make runs the same script.
grep -qE '^RUN scripts/bootstrap build$' "$dockerfile" || bad "the build stage does not RUN scripts/bootstrap build"
grep -qE '^RUN scripts/build /build Release$' "$dockerfile" || bad "the build stage does not RUN scripts/build /build Release"
grep -qE '^FROM debian:\$\{DEBIAN_RELEASE\} AS build$' "$dockerfile" || bad "the build stage is not FROM debian:\${DEBIAN_RELEASE}"
grep -qE '^ARG DEBIAN_RELEASE=bookworm$' "$dockerfile" || bad "DEBIAN_RELEASE is not bookworm"
grep -qE '^FROM debian:\$\{DEBIAN_RELEASE\}-slim AS slim$' "$dockerfile" || bad "no stage slim FROM debian slim"
for stage in agora gateway; do
    grep -qE "^FROM slim AS $stage\$" "$dockerfile" || bad "stage $stage is not FROM slim"
done
[ "$(grep -cE '^RUN /tmp/agora-bootstrap/scripts/bootstrap (runtime|gateway) ' "$dockerfile")" -eq 2 ] ||
    bad "the agora and gateway stages do not install with scripts/bootstrap runtime / gateway"
[ "$(grep -cE '^USER 10001:10001$' "$dockerfile")" -eq 2 ] || bad "not both images run as USER 10001:10001"
[ "$(grep -cE '^HEALTHCHECK ' "$dockerfile")" -eq 2 ] || bad "not both images have a HEALTHCHECK"
grep -qE '^build:' "$src/Makefile" && grep -A2 -E '^build:' "$src/Makefile" | grep -qF 'scripts/build build Release' ||
    bad "make build does not run scripts/build"
grep -A4 -E '^test:' "$src/Makefile" | grep -qF 'scripts/build build-test Debug' || bad "make test does not run scripts/build"
grep -A4 -E '^test:' "$src/Makefile" | grep -qF 'scripts/bootstrap' || bad "make test does not run scripts/bootstrap"
grep -qF 'make test' "$src/.ci/run" || bad ".ci/run does not run make test"

[ "$fail" -eq 0 ] || exit 1
echo "image_libs: ${#bins[@]} binaries need $(printf '%s\n' "${!need[@]}" | sort | tr '\n' ' ')- all in the runtime list; the Dockerfile builds with CI's scripts"
