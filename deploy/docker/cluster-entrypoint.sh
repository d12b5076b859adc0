#!/bin/sh
# Entrypoint of the OpenShell cluster image: prepares k3s's folders from what the image carries, then runs k3s.
# POSIX sh on purpose: the k3s base image has busybox, not bash. Every path can be overridden for tests.
set -eu

K3S_CONFIG_DIR="${OPENSHELL_K3S_CONFIG_DIR:-/etc/rancher/k3s}"
K3S_MANIFESTS_DIR="${OPENSHELL_K3S_MANIFESTS_DIR:-/var/lib/rancher/k3s/server/manifests}"
K3S_CHARTS_DIR="${OPENSHELL_K3S_CHARTS_DIR:-/var/lib/rancher/k3s/server/static/charts}"
IMAGE_DIR="${OPENSHELL_IMAGE_DIR:-/opt/openshell}"
K3S_BIN="${OPENSHELL_K3S_BIN:-/bin/k3s}"

log() { printf 'cluster-entrypoint: %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

# Line breaks cannot be meant in these values and would break the YAML: refuse them (in the main shell, so it exits).
require_single_line() {
  case "$2" in
    *'
'*) fail "$1 contains a line break; set it to a single-line value" ;;
  esac
}

# A YAML double-quoted scalar: backslashes and quotes escaped.
yaml_quote() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

is_true() {
  case "${1:-}" in
    1|true|TRUE|True|yes|YES) return 0 ;;
    *) return 1 ;;
  esac
}

write_registries() {
  host="${REGISTRY_HOST:-}"
  [ -n "$host" ] || { log "REGISTRY_HOST is not set: no registry mirror written"; return 0; }
  endpoint="${REGISTRY_ENDPOINT:-$host}"
  require_single_line REGISTRY_HOST "$host"
  require_single_line REGISTRY_ENDPOINT "$endpoint"
  require_single_line REGISTRY_USERNAME "${REGISTRY_USERNAME:-}"
  require_single_line REGISTRY_PASSWORD "${REGISTRY_PASSWORD:-}"
  if is_true "${REGISTRY_INSECURE:-false}"; then scheme=http; else scheme=https; fi
  case "$endpoint" in
    http://*|https://*) url="$endpoint"; endpoint="${endpoint#*://}" ;;
    *) url="$scheme://$endpoint" ;;
  esac

  mkdir -p "$K3S_CONFIG_DIR"
  tmp="$K3S_CONFIG_DIR/.registries.yaml.$$"
  {
    printf 'mirrors:\n'
    printf '  %s:\n' "$(yaml_quote "$host")"
    printf '    endpoint:\n'
    printf '      - %s\n' "$(yaml_quote "$url")"
    if [ -n "${REGISTRY_USERNAME:-}" ] || is_true "${REGISTRY_INSECURE:-false}"; then
      printf 'configs:\n'
      printf '  %s:\n' "$(yaml_quote "$endpoint")"
      if [ -n "${REGISTRY_USERNAME:-}" ]; then
        printf '    auth:\n'
        printf '      username: %s\n' "$(yaml_quote "$REGISTRY_USERNAME")"
        printf '      password: %s\n' "$(yaml_quote "${REGISTRY_PASSWORD:-}")"
      fi
      if is_true "${REGISTRY_INSECURE:-false}"; then
        printf '    tls:\n'
        printf '      insecure_skip_verify: true\n'
      fi
    fi
  } > "$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$K3S_CONFIG_DIR/registries.yaml"
  log "registry mirror: $host -> $url"
}

chart_checksum() {
  chart="$1"
  if [ -f "$chart.sha256" ]; then
    cut -d' ' -f1 < "$chart.sha256"
  else
    sha256sum "$chart" | cut -d' ' -f1
  fi
}

install_charts() {
  mkdir -p "$K3S_CHARTS_DIR"
  for chart in "$IMAGE_DIR"/charts/*.tgz; do
    [ -f "$chart" ] || continue
    cp -f "$chart" "$K3S_CHARTS_DIR/.$(basename "$chart").tmp"
    mv -f "$K3S_CHARTS_DIR/.$(basename "$chart").tmp" "$K3S_CHARTS_DIR/$(basename "$chart")"
  done
}

# Copies one manifest, filling the placeholders, atomically (k3s watches the folder).
install_manifest() {
  src="$1"
  name="$(basename "$src")"
  checksum=""
  if [ -f "$IMAGE_DIR/charts/openshell-0.1.0.tgz" ]; then
    checksum="$(chart_checksum "$IMAGE_DIR/charts/openshell-0.1.0.tgz")"
  fi
  sed \
    -e "s|__CHART_CHECKSUM__|$checksum|g" \
    -e "s|__IMAGE_REPO_BASE__|${IMAGE_REPO_BASE:-127.0.0.1:5000/openshell}|g" \
    -e "s|__IMAGE_TAG__|${IMAGE_TAG:-dev}|g" \
    -e "s|__GATEWAY_NODE_PORT__|${GATEWAY_NODE_PORT:-30051}|g" \
    "$src" > "$K3S_MANIFESTS_DIR/.$name.tmp"
  mv -f "$K3S_MANIFESTS_DIR/.$name.tmp" "$K3S_MANIFESTS_DIR/$name"
  wanted="$wanted $name "
}

install_manifests() {
  mkdir -p "$K3S_MANIFESTS_DIR"
  wanted=" "
  for src in "$IMAGE_DIR"/manifests/*.yaml; do
    [ -f "$src" ] && install_manifest "$src"
  done
  if is_true "${GPU_ENABLED:-false}"; then
    for src in "$IMAGE_DIR"/gpu-manifests/*.yaml; do
      [ -f "$src" ] && install_manifest "$src"
    done
    log "GPU support enabled"
  fi
  # Manifests of ours that this image no longer carries (or GPU ones when GPU is off) would keep being applied.
  for existing in "$K3S_MANIFESTS_DIR"/openshell-*.yaml; do
    [ -f "$existing" ] || continue
    case "$wanted" in
      *" $(basename "$existing") "*) ;;
      *) rm -f "$existing"; log "removed stale manifest $(basename "$existing")" ;;
    esac
  done
}

write_registries
install_charts
install_manifests

[ -x "$IMAGE_DIR/bin/openshell-sandbox" ] || log "warning: $IMAGE_DIR/bin/openshell-sandbox is missing or not executable"

if [ "$#" -eq 0 ]; then
  set -- server
fi
exec "$K3S_BIN" "$@"
