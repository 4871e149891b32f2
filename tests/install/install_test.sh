#!/usr/bin/env bash
# `cmake --install` and the Debian package put a working ccsim where a user
# looks for it. Usage: install_test.sh BUILD_DIR MODE   (MODE: install | deb)
set -euo pipefail
build=$1 mode=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

case $mode in
  install)
    cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
    bin="$tmp/prefix/bin/ccsim"
    [ -x "$bin" ] || fail "no bin/ccsim under the install prefix"
    "$bin" --version | grep -qE '^ccsim [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version: $("$bin" --version)"
    # The README's tour, run from the PATH with the built-in scenarios.
    out=$(PATH="$tmp/prefix/bin:$PATH" ccsim run double_click -m none)
    grep -q "lost update" <<<"$out" || fail "run double_click -m none shows no lost update"
    [ -f "$tmp/prefix/share/doc/ccsim/README.md" ] || fail "README not installed"
    [ -f "$tmp/prefix/share/doc/ccsim/scenario_format.md" ] || fail "docs not installed"
    [ -f "$tmp/prefix/share/ccsim/scenarios/double_click.toml" ] || fail "scenarios not installed"
    ;;
  deb)
    (cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1) ||
      { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
    deb=$(ls "$tmp"/out/ccsim_*.deb 2>/dev/null | head -1)
    [ -n "$deb" ] || fail "cpack made no .deb"
    files=$(dpkg-deb -c "$deb")
    grep -q '\./usr/bin/ccsim$' <<<"$files" || fail "the package has no /usr/bin/ccsim"
    deps=$(dpkg-deb -f "$deb" Depends)
    grep -q 'libpq5' <<<"$deps" || fail "Depends lacks libpq5: $deps"
    grep -q 'libtomlplusplus3' <<<"$deps" || fail "Depends lacks libtomlplusplus3: $deps"
    # Unpacked, the binary runs.
    dpkg-deb -x "$deb" "$tmp/root"
    "$tmp/root/usr/bin/ccsim" --version | grep -q '^ccsim ' || fail "the packaged binary does not run"
    ;;
  *) fail "unknown mode $mode" ;;
esac
echo "ok: $mode"
