#!/bin/sh
# Writes the Alertmanager configuration that runs, from the committed files of this folder and
# the ALERT_* environment: render.sh SOURCE_DIR OUTPUT_DIR
#
# - alertmanager.yml: a "# @if VAR..." ... "# @end" block is uncommented when every VAR it
#   names is set and non-empty (with ${VAR} replaced by the value, quoted for YAML), dropped
#   otherwise; the "# @templates" line is pointed at OUTPUT_DIR/templates.
# - templates/*.tmpl: ${VAR} replaced by the value.
# Defaults: ALERT_GRAFANA_URL http://localhost:3000, ALERT_TELEGRAM_API_URL https://api.telegram.org.
# POSIX sh and awk only: it runs in the prom/alertmanager image (busybox) and on the host, where
# the back-end tests run this very script. Values are never printed; an invalid one is named
# and the script exits 2, so a typo cannot silently turn a receiver off.
set -eu

src=${1:?usage: render.sh SOURCE_DIR OUTPUT_DIR}
out=${2:?usage: render.sh SOURCE_DIR OUTPUT_DIR}
ALERT_GRAFANA_URL=${ALERT_GRAFANA_URL:-http://localhost:3000}
ALERT_TELEGRAM_API_URL=${ALERT_TELEGRAM_API_URL:-https://api.telegram.org}
export ALERT_GRAFANA_URL ALERT_TELEGRAM_API_URL

fail() {
  echo "render.sh: $1" >&2
  exit 2
}

for name in ALERT_SLACK_PAGE_WEBHOOK_URL ALERT_SLACK_WARNING_WEBHOOK_URL ALERT_WEBHOOK_URL ALERT_GRAFANA_URL ALERT_TELEGRAM_API_URL; do
  eval "value=\${$name:-}"
  case $value in
    '' | http://?* | https://?*) ;;
    *) fail "$name must be an http:// or https:// URL" ;;
  esac
  case $value in
    *[[:space:]]*) fail "$name must not contain spaces" ;;
  esac
done
chat_digits=${ALERT_TELEGRAM_CHAT_ID:-0}
case ${chat_digits#-} in
  '' | *[!0-9]*) fail "ALERT_TELEGRAM_CHAT_ID must be a numeric chat id (e.g. -1001234567890)" ;;
esac
case ${ALERT_TELEGRAM_BOT_TOKEN:-} in
  *[[:space:]]*) fail "ALERT_TELEGRAM_BOT_TOKEN must not contain spaces" ;;
esac

mkdir -p "$out/templates"
umask 077

# $1: "yaml" quotes values for a single-quoted YAML string ('' for '), "raw" inserts them as is.
substitute() {
  awk -v mode="$1" -v templates="$out/templates/*.tmpl" -v q="'" '
    function value(name,    v) {
      v = ENVIRON[name]
      if (mode == "yaml") gsub(q, q q, v)
      return v
    }
    function expand(line,    result, name) {
      result = ""
      while (match(line, /\$\{[A-Z0-9_]+\}/)) {
        name = substr(line, RSTART + 2, RLENGTH - 3)
        result = result substr(line, 1, RSTART - 1) value(name)
        line = substr(line, RSTART + RLENGTH)
      }
      return result line
    }
    mode == "yaml" && /^[ \t]*# @if / {
      if (inblock) { print "render.sh: nested # @if at line " NR > "/dev/stderr"; exit 3 }
      inblock = 1; keep = 1
      n = split($0, words, /[ \t]+/)
      for (i = 1; i <= n; i++) if (words[i] ~ /^[A-Z][A-Z0-9_]*$/ && ENVIRON[words[i]] == "") keep = 0
      next
    }
    mode == "yaml" && /^[ \t]*# @end[ \t]*$/ { inblock = 0; next }
    mode == "yaml" && inblock {
      if (!keep) next
      match($0, /^[ \t]*/)
      indent = substr($0, 1, RLENGTH)
      rest = substr($0, RLENGTH + 1)
      sub(/^# ?/, "", rest)
      print expand(indent rest)
      next
    }
    mode == "yaml" && /# @templates[ \t]*$/ {
      match($0, /^[ \t]*/)
      print substr($0, 1, RLENGTH) "- " q templates q
      next
    }
    { print (mode == "yaml" ? $0 : expand($0)) }
    END { if (inblock) { print "render.sh: # @if without # @end" > "/dev/stderr"; exit 3 } }
  '
}

substitute yaml <"$src/alertmanager.yml" >"$out/alertmanager.yml"
for template in "$src"/templates/*.tmpl; do
  substitute raw <"$template" >"$out/templates/${template##*/}"
done
