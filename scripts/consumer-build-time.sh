#!/usr/bin/env bash
# Cold build time of a consumer crate on `coufun-api` (default features) against
# one on the stack a user would hand-roll instead (reqwest with rustls, quick-xml,
# encoding_rs, tokio, serde: the versions coufun-api resolves in Cargo.lock, with
# what a hand-rolled client needs of them and whatever more coufun-api asks).
# Both consumers are created in a temporary directory and each is built cold (a
# fresh target directory, the same CARGO_HOME, --offline, the workspace's
# Cargo.lock) back to back, ROUNDS times interleaved (A B A B ...), so that a load
# that changes during the run falls on both sides.
#
# Both are built with CARGO_INCREMENTAL=0, as a user's build compiles coufun-api:
# cargo never builds a registry (or git) dependency incrementally, but it would
# build the path dependencies here (coufun-api, coufun-macros, coufun-rules)
# incrementally, writing an incremental cache that costs a cold build about a
# second of CPU which no user pays. The stack's crates are all registry crates,
# so the setting changes only its empty consumer. INCREMENTAL=1 measures the
# path-dependency build instead.
#
# Usage: scripts/consumer-build-time.sh        (ROUNDS=2 by default)
#        ROUNDS=3 CARGO_BUILD_JOBS=2 scripts/consumer-build-time.sh
#        INCREMENTAL=1 scripts/consumer-build-time.sh
# Prints each build's wall-clock seconds, CPU seconds (user + system of cargo and
# every compiler it ran: steadier than wall-clock time on a shared machine) and
# compiled units, the means and ratios of both, and the number of packages in
# each consumer's normal+build graph.
#
# On a loaded machine the CPU seconds of two builds still differ by several
# percent, as much as the difference measured. So each rustc run is also timed
# (a RUSTC_WRAPPER logging its package, version, crate and CPU seconds), and the
# units are split into those both consumers build (timed in the coufun-api
# builds), those only coufun-api brings and those only the stack builds:
# (both + coufun-only) / (both + stack-only) is the ratio with the
# build-to-build noise of the big shared part gone. The units on one side only
# are listed with their mean CPU seconds: where the difference goes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/coufun-build-time.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset CARGO_TARGET_DIR RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER
if [ "${INCREMENTAL:-0}" = 1 ]; then export CARGO_INCREMENTAL=1; else export CARGO_INCREMENTAL=0; fi

# The version of each crate as coufun-api resolves it (its direct dependencies).
direct=$(cd "$root" && cargo tree --offline --quiet -p coufun-api -e normal --depth 1 --prefix none --format '{p}')
version_of() {
  local v
  v=$(printf '%s\n' "$direct" | awk -v n="$1" '$1 == n { sub(/^v/, "", $2); print $2; exit }')
  [ -n "$v" ] || { echo "coufun-api does not depend on $1" >&2; exit 1; }
  printf '%s' "$v"
}

make_crate() { # name, dependencies (TOML lines), lib.rs
  mkdir -p "$work/$1/src"
  cat >"$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
$2
TOML
  printf '%s\n' "$3" >"$work/$1/src/lib.rs"
  cp "$root/Cargo.lock" "$work/$1/Cargo.lock"
}

make_crate consumer-coufun \
  "coufun-api = { path = \"$root/coufun-api\" }" \
  'pub use coufun_api;'
# The stack issue 19 names, each crate with what a hand-rolled client needs of it
# (rustls for reqwest, tokio's timer, serde's derive for its answer types), plus
# every feature coufun-api's Cargo.toml asks of it (read from `cargo metadata`):
# the stack does at least what coufun-api asks of these crates, and never less
# than a hand-roller would use. Versions as coufun-api resolves them.
hand_rolled='{
  "reqwest": {"default": false, "features": ["rustls-tls"]},
  "quick-xml": {"default": true, "features": []},
  "encoding_rs": {"default": true, "features": []},
  "tokio": {"default": false, "features": ["time"]},
  "serde": {"default": true, "features": ["derive"]}
}'
declared=$(cd "$root" && cargo metadata --offline --format-version 1 --no-deps)
stack_dep() {
  local v line
  v=$(version_of "$1")
  line=$(printf '%s\n' "$declared" | jq -r --arg n "$1" --arg v "$v" --argjson base "$hand_rolled" '
    .packages[] | select(.name == "coufun-api") | .dependencies[]
    | select(.name == $n and .kind == null)
    | "\(.name) = { version = \"=\($v)\", default-features = \($base[$n].default or .uses_default_features), features = \($base[$n].features + .features | unique | tojson) }"')
  [ -n "$line" ] || { echo "coufun-api's Cargo.toml does not declare $1" >&2; exit 1; }
  printf '%s\n' "$line"
}
stack=""
for c in $(printf '%s' "$hand_rolled" | jq -r 'keys_unsorted[]'); do stack+="$(stack_dep "$c")"$'\n'; done
make_crate consumer-stack "$stack" \
  'pub use {encoding_rs, quick_xml, reqwest, serde, tokio};'

# RUSTC_WRAPPER: appends "package version crate cpu-seconds" of each rustc run.
cat >"$work/rustc-cpu" <<'WRAP'
#!/usr/bin/env bash
crate=- prev=
for arg in "${@:2}"; do [ "$prev" = --crate-name ] && crate=$arg; prev=$arg; done
exec /usr/bin/time -a -o "$RUSTC_CPU_LOG" \
  -f "${CARGO_PKG_NAME:--} ${CARGO_PKG_VERSION:--} $crate %U %S" "$@"
WRAP
chmod +x "$work/rustc-cpu"

build() { # crate, round -> prints "seconds cpu-seconds units"
  local dir="$work/$1" target="$work/target-$1-$2" log="$work/log-$1-$2" start end
  start=$(date +%s.%N)
  if ! (cd "$dir" && CARGO_TARGET_DIR="$target" RUSTC_WRAPPER="$work/rustc-cpu" \
    RUSTC_CPU_LOG="$log.units" /usr/bin/time -f 'cpu %U %S' -o "$log.cpu" \
    cargo build --offline --color never) >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  rm -rf "$target"
  printf '%s %s %s\n' "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')" \
    "$(awk '$1 == "cpu" { printf "%.1f", $2 + $3 }' "$log.cpu")" \
    "$(grep -c '^ *Compiling ' "$log")"
}

printf '%-6s %-16s %8s %8s %6s\n' round consumer seconds cpu-s units
sum_a=0 sum_b=0 cpu_a=0 cpu_b=0
for r in $(seq 1 "$rounds"); do
  for c in consumer-coufun consumer-stack; do
    read -r secs cpu units < <(build "$c" "$r")
    printf '%-6s %-16s %8s %8s %6s\n' "$r" "$c" "$secs" "$cpu" "$units"
    add() { awk -v a="$1" -v s="$2" 'BEGIN { print a + s }'; }
    if [ "$c" = consumer-coufun ]; then sum_a=$(add "$sum_a" "$secs") cpu_a=$(add "$cpu_a" "$cpu")
    else sum_b=$(add "$sum_b" "$secs") cpu_b=$(add "$cpu_b" "$cpu"); fi
  done
done

packages() { (cd "$work/$1" && cargo tree --offline --quiet -e normal,build --prefix none --format '{p}' | sed 's/ (\*)$//; s/ (proc-macro)//' | sort -u | wc -l); }
awk -v a="$sum_a" -v b="$sum_b" -v ca="$cpu_a" -v cb="$cpu_b" -v n="$rounds" 'BEGIN {
  printf "mean wall-clock: coufun-api %.1f s, hand-rolled stack %.1f s, ratio %.2f\n", a / n, b / n, a / b
  printf "mean CPU:        coufun-api %.1f s, hand-rolled stack %.1f s, ratio %.2f\n", ca / n, cb / n, ca / cb }'
echo "packages (normal+build graph, the consumer included): coufun-api $(packages consumer-coufun), stack $(packages consumer-stack)"

# The per-unit split (rustc runs only: a unit is "package version crate"; the
# rustc -vV probes, with no package, are left out).
cat "$work"/log-consumer-stack-*.units >"$work/stack.units"
cat "$work"/log-consumer-coufun-*.units >"$work/coufun.units"
awk -v n="$rounds" '
  $1 == "-" { next }
  { key = $1 " " $2 " " $3; cpu = $4 + $5 }
  FILENAME ~ /stack/ { in_stack[key] = 1; stack_cpu[key] += cpu; next }
  { in_coufun[key] = 1; coufun_cpu[key] += cpu }
  END {
    for (k in coufun_cpu) if (k in in_stack) s += coufun_cpu[k]; else { o += coufun_cpu[k]; only[k] = coufun_cpu[k] }
    for (k in stack_cpu) if (!(k in in_coufun)) { t += stack_cpu[k]; spare[k] = stack_cpu[k] }
    printf "per unit (means): units both build %.1f s (timed in the coufun-api builds), units only coufun-api brings %.1f s, units only the stack builds %.1f s\n", s / n, o / n, t / n
    printf "ratio (both + coufun-only) / (both + stack-only) = %.3f\n", (s + o) / (s + t)
    for (k in only) printf "  coufun-api only %6.2f s  %s\n", only[k] / n, k | "sort -k3 -rn"
    for (k in spare) printf "  stack only      %6.2f s  %s\n", spare[k] / n, k | "sort -k3 -rn"
  }' "$work/stack.units" "$work/coufun.units"
echo "CARGO_INCREMENTAL=$CARGO_INCREMENTAL; the stack's dependencies:"
sed -n '/^\[dependencies\]/,$p' "$work/consumer-stack/Cargo.toml" | tail -n +2
