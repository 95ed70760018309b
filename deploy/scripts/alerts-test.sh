#!/usr/bin/env bash
# The alert rules of deploy/prometheus/rules/: promtool checks them (and the Prometheus
# configuration that loads them), runs their unit tests with synthetic series, and this
# script checks that every alert names a runbook section that exists and names it back.
#
#   deploy/scripts/alerts-test.sh
#
# Installs promtool (Debian's `prometheus` package, through services.sh) when it is
# missing. Idempotent and non-interactive.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RULES_DIR="$REPO/deploy/prometheus/rules"
RUNBOOK="$REPO/docs/runbook.md"

log() { printf '[alerts-test] %s\n' "$*"; }
die() { printf '[alerts-test] ERROR: %s\n' "$*" >&2; exit 1; }

command -v promtool >/dev/null 2>&1 || "$REPO/deploy/scripts/services.sh" prometheus
command -v promtool >/dev/null 2>&1 || die "promtool is not on PATH after installing prometheus"

shopt -s nullglob
rules=()
tests=()
for f in "$RULES_DIR"/*.yml; do
  case "$f" in
    *.test.yml) tests+=("$f") ;;
    *) rules+=("$f") ;;
  esac
done
((${#rules[@]})) || die "no rule files in $RULES_DIR"
((${#tests[@]})) || die "no unit tests (*.test.yml) in $RULES_DIR"

log "promtool check rules ${rules[*]#"$REPO"/}"
promtool check rules "${rules[@]}"

# prometheus.yml names the rules by their path inside the container
# (/etc/prometheus/rules/, mounted by docker-compose.yml): check it from a copy that
# points at this checkout.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed "s|/etc/prometheus/rules/|$RULES_DIR/|; s|/etc/prometheus/metrics_token|$REPO/deploy/prometheus/metrics_token|" \
  "$REPO/deploy/prometheus/prometheus.yml" >"$tmp/prometheus.yml"
grep -q "$RULES_DIR/" "$tmp/prometheus.yml" || die "deploy/prometheus/prometheus.yml does not load /etc/prometheus/rules/"
log "promtool check config deploy/prometheus/prometheus.yml"
promtool check config "$tmp/prometheus.yml"

log "promtool test rules ${tests[*]#"$REPO"/}"
promtool test rules "${tests[@]}"

# Every alert: a `runbook: docs/runbook.md#<anchor>` annotation, a heading of the
# runbook with that anchor (GitHub's: lower case, spaces to dashes, other punctuation
# dropped), and that heading names the alert.
anchors="$(grep -E '^#{2,4} ' "$RUNBOOK" | sed -E 's/^#+ +//' | tr '[:upper:]' '[:lower:]' \
  | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g')"
fail=0
count=0
for f in "${rules[@]}"; do
  while read -r alert; do
    count=$((count + 1))
    # the alert's block: from its `- alert:` line to the next one
    block="$(awk -v a="$alert" '$0 ~ "- alert: "a"$" {on=1; print; next} on && /- alert: / {exit} on {print}' "$f")"
    anchor="$(printf '%s\n' "$block" | sed -nE 's/^ *runbook: *docs\/runbook\.md#([a-z0-9_-]+) *$/\1/p')"
    if [[ -z "$anchor" ]]; then
      log "FAIL $alert: no 'runbook: docs/runbook.md#<anchor>' annotation"
      fail=1
      continue
    fi
    if ! grep -qxF "$anchor" <<<"$anchors"; then
      log "FAIL $alert: docs/runbook.md has no heading with the anchor #$anchor"
      fail=1
      continue
    fi
    if ! grep -E '^#{2,4} ' "$RUNBOOK" | grep -qw "$alert"; then
      log "FAIL $alert: no heading of docs/runbook.md names it"
      fail=1
    fi
  done < <(sed -nE 's/^ *- alert: *([A-Za-z0-9_]+) *$/\1/p' "$f")
done
((count)) || die "no alerts found in ${rules[*]}"
((fail == 0)) || die "alerts and runbook sections do not match"
log "$count alerts, each with a runbook section that names it"
