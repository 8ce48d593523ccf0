#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs the build with `cmake --install` under a scratch prefix and builds
# a C program against it as a user would - `cc $(pkg-config --cflags --libs
# benchfs)` for the shared library, and libbenchfs.a with `pkg-config
# --static` - then runs both against a benchfsd. Also checks that
# libbenchfs.so exports nothing but benchfs_*.
#
#   installed_test.sh BUILD_DIR PROGRAM.c BENCHFSD CC [SANITIZERS]
set -euo pipefail
build=$1 program=$2 benchfsd=$3 cc=$4 sanitize=${5:-}

tmp=$(mktemp -d /tmp/libbenchfs-installed-XXXXXX)
daemon=
cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    kill -TERM "$daemon"
    wait "$daemon" || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name benchfs.pc)
[ -n "$pc" ] || { echo "no benchfs.pc installed under $tmp/prefix" >&2; exit 1; }
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir benchfs)
for f in "$(pkg-config --variable=includedir benchfs)/benchfs/benchfs.h" "$libdir/libbenchfs.so" "$libdir/libbenchfs.a"; do
  [ -e "$f" ] || { echo "not installed: $f" >&2; exit 1; }
done

others=$(nm -D --defined-only "$libdir/libbenchfs.so" | awk 'NF == 3 && $2 != "A" {print $3}' | grep -v '^benchfs_' || true)
if [ -n "$others" ]; then
  echo "libbenchfs.so exports more than benchfs_*:" >&2
  echo "$others" | head -20 >&2
  exit 1
fi

flags=(-std=c11 -Wall -Wextra -Werror)
[ -n "$sanitize" ] && flags+=(-fsanitize="$sanitize")
# shellcheck disable=SC2046
"$cc" "${flags[@]}" -o "$tmp/shared" "$program" $(pkg-config --cflags --libs benchfs)
# shellcheck disable=SC2046
"$cc" "${flags[@]}" -o "$tmp/static" "$program" $(pkg-config --cflags benchfs) "$libdir/libbenchfs.a" \
  $(pkg-config --static --libs benchfs | sed 's/-lbenchfs\b//')
readelf -d "$tmp/shared" | grep -q 'NEEDED.*libbenchfs.so.1' || { echo "shared program does not need libbenchfs.so.1" >&2; exit 1; }
if readelf -d "$tmp/static" | grep -q 'NEEDED.*libbenchfs'; then echo "static program needs libbenchfs.so" >&2; exit 1; fi

root=()
[ "$(id -u)" -eq 0 ] && root=(--allow-root)
"$benchfsd" --listen 127.0.0.1:0 --backend memory --data-dir "$tmp/data" --log-level warn "${root[@]}" \
  > "$tmp/benchfsd.out" 2> "$tmp/benchfsd.err" &
daemon=$!
addr=
for _ in $(seq 600); do
  addr=$(sed -n 's/^benchfsd ready on \([^ ]*\).*/\1/p' "$tmp/benchfsd.out")
  [ -n "$addr" ] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$tmp/benchfsd.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addr" ] || { echo "benchfsd did not report ready" >&2; exit 1; }

LD_LIBRARY_PATH=$libdir "$tmp/shared" "$addr"
"$tmp/static" "$addr"
