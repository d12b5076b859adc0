#!/bin/sh
# Entrypoint of the OpenShell cluster image: prepares the node the way OpenShell's own entrypoint does (iptables
# backend, DNS proxy to Docker's embedded DNS, default route, host gateway IP, cgroup v1, node name), lays out k3s's
# folders from what the image carries, then runs k3s. POSIX sh; every path and tool can be overridden (tools through
# PATH) so tests run it in a temp folder with fakes.
set -eu

K3S_CONFIG_DIR="${OPENSHELL_K3S_CONFIG_DIR:-/etc/rancher/k3s}"
K3S_MANIFESTS_DIR="${OPENSHELL_K3S_MANIFESTS_DIR:-/var/lib/rancher/k3s/server/manifests}"
K3S_CHARTS_DIR="${OPENSHELL_K3S_CHARTS_DIR:-/var/lib/rancher/k3s/server/static/charts}"
IMAGE_DIR="${OPENSHELL_IMAGE_DIR:-/opt/openshell}"
K3S_BIN="${OPENSHELL_K3S_BIN:-/bin/k3s}"
PROC_DIR="${OPENSHELL_PROC_DIR:-/proc}"
CGROUP_DIR="${OPENSHELL_CGROUP_DIR:-/sys/fs/cgroup}"
FLANNEL_RUN_DIR="${OPENSHELL_FLANNEL_RUN_DIR:-/run/flannel}"
ROUTE_WAIT_ATTEMPTS="${OPENSHELL_ROUTE_WAIT_ATTEMPTS:-30}"
ROUTE_WAIT_DELAY="${OPENSHELL_ROUTE_WAIT_DELAY:-1}"
DNS_PROBE_ATTEMPTS="${OPENSHELL_DNS_PROBE_ATTEMPTS:-5}"
ENGINE_SOCKET="${OPENSHELL_ENGINE_SOCKET:-/var/run/docker.sock}"
RESOLV_CONF="$K3S_CONFIG_DIR/resolv.conf"

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

# --- Node preparation (OpenShell's entrypoint, same messages and markers) -------------------------------------------

# Without br_netfilter on the host, bridged pod traffic skips iptables: ClusterIP services (kube-dns) break. Containers
# cannot load modules, so only warn.
warn_br_netfilter() {
  if [ ! -f "$PROC_DIR/sys/net/bridge/bridge-nf-call-iptables" ]; then
    echo "Warning: br_netfilter does not appear to be loaded on the host." >&2
    echo "         Pod-to-service networking (including kube-dns) may not work without it." >&2
    echo "         If the cluster fails to start or DNS is broken, try loading it on the host:" >&2
    echo "           sudo modprobe br_netfilter" >&2
    echo "         To persist across reboots:" >&2
    echo "           echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf" >&2
  fi
}

# Kernels with nf_tables but without the xt compat bridge (xt_comment) break flannel and kube-proxy on the nft
# backend: probe a comment match in a scratch chain and fall back to iptables-legacy. USE_IPTABLES_LEGACY=1 forces it.
select_iptables_backend() {
  if [ -z "${USE_IPTABLES_LEGACY:-}" ]; then
    if iptables -t filter -N _xt_probe 2>/dev/null; then
      probe_rc=0
      iptables -t filter -A _xt_probe -m comment --comment "probe" -j ACCEPT 2>/dev/null || probe_rc=$?
      iptables -t filter -D _xt_probe -m comment --comment "probe" -j ACCEPT 2>/dev/null || true
      iptables -t filter -X _xt_probe 2>/dev/null || true
      if [ "$probe_rc" -ne 0 ]; then USE_IPTABLES_LEGACY=1; fi
    fi
  fi

  if [ "${USE_IPTABLES_LEGACY:-0}" = "1" ]; then
    echo "iptables nf_tables xt extension bridge unavailable — switching to iptables-legacy"
    if update-alternatives --set iptables /usr/sbin/iptables-legacy 2>/dev/null \
      && update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy 2>/dev/null; then
      echo "Now using iptables-legacy mode"
    else
      echo "Warning: could not switch to iptables-legacy — cluster networking may fail"
    fi
    IPTABLES=iptables-legacy
  else
    IPTABLES=iptables
  fi
}

# Pods cannot reach Docker's embedded DNS (127.0.0.11, only in the node's own namespace): DNAT <eth0 ip>:53 to the
# ports Docker's DOCKER_OUTPUT chain redirects 127.0.0.11:53 to, and point the kubelet at <eth0 ip>.
setup_dns_proxy() {
  rules="$("$IPTABLES" -t nat -S DOCKER_OUTPUT 2>/dev/null || true)"
  udp_port="$(printf '%s\n' "$rules" | grep -- '-p udp.*--dport 53' | sed -n 's/.*--to-destination 127.0.0.11:\([0-9]*\).*/\1/p' | head -1)"
  tcp_port="$(printf '%s\n' "$rules" | grep -- '-p tcp.*--dport 53' | sed -n 's/.*--to-destination 127.0.0.11:\([0-9]*\).*/\1/p' | head -1)"
  if [ -z "$udp_port" ] || [ -z "$tcp_port" ]; then
    echo "Warning: Could not discover Docker DNS ports from iptables"
    echo "  UDP_PORT=${udp_port:-<not found>}  TCP_PORT=${tcp_port:-<not found>}"
    return 1
  fi

  container_ip="$(ip -4 addr show eth0 2>/dev/null | awk '/inet /{print $2}' | cut -d/ -f1 | head -1)"
  if [ -z "$container_ip" ]; then
    echo "Warning: Could not determine container IP from eth0"
    return 1
  fi

  echo "Setting up DNS proxy: ${container_ip}:53 -> 127.0.0.11 (udp:${udp_port}, tcp:${tcp_port})"
  "$IPTABLES" -t nat -I PREROUTING -p udp --dport 53 -d "$container_ip" -j DNAT --to-destination "127.0.0.11:${udp_port}"
  "$IPTABLES" -t nat -I PREROUTING -p tcp --dport 53 -d "$container_ip" -j DNAT --to-destination "127.0.0.11:${tcp_port}"
  write_resolv_conf "nameserver $container_ip"
  echo "Configured k3s DNS to use ${container_ip} (proxied to Docker DNS)"
}

write_resolv_conf() {
  mkdir -p "$K3S_CONFIG_DIR"
  printf '%s\n' "$@" > "$RESOLV_CONF.tmp"
  mv -f "$RESOLV_CONF.tmp" "$RESOLV_CONF"
}

configure_dns() {
  if ! setup_dns_proxy; then
    echo "DNS proxy setup failed, falling back to public DNS servers"
    echo "Note: this may not work on Docker Desktop (Mac/Windows)"
    write_resolv_conf "nameserver 8.8.8.8" "nameserver 8.8.4.4"
  fi
}

# An IPv4 or IPv6 literal, with an optional :port (as OpenShell strips it).
is_ip_literal() {
  host="${1%:*}"
  echo "$host" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' && return 0
  echo "$host" | grep -qE '^\[?[0-9a-fA-F:]+\]?$' && return 0
  return 1
}

verify_dns() {
  dns_target="${REGISTRY_HOST:-ghcr.io}"
  if is_ip_literal "$dns_target"; then
    echo "Registry host is an IP literal ($dns_target), skipping DNS probe"
    return 0
  fi
  lookup_host="${dns_target%%:*}"
  i=1
  while [ "$i" -le "$DNS_PROBE_ATTEMPTS" ]; do
    if nslookup "$lookup_host" >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
    i=$((i + 1))
  done
  return 1
}

# A failed probe is reported with a marker and k3s still starts, so whoever watches the logs can diagnose it.
check_dns() {
  if ! verify_dns; then
    echo "DNS_PROBE_FAILED: cannot resolve ${REGISTRY_HOST:-ghcr.io} after DNS proxy setup"
    echo "  resolv.conf: $(cat "$RESOLV_CONF")"
    echo "  This usually means Docker DNS forwarding is broken."
    echo "  Try restarting Docker or pruning networks: docker network prune -f"
  fi
}

has_default_route() {
  ip -4 route show default 2>/dev/null | grep -q '^default ' \
    || ip -6 route show default 2>/dev/null | grep -q '^default '
}

# Docker Desktop can start the container before its default route exists; k3s exits at once in that state.
wait_for_default_route() {
  i=1
  while [ "$i" -le "$ROUTE_WAIT_ATTEMPTS" ]; do
    if has_default_route; then
      return 0
    fi
    sleep "$ROUTE_WAIT_DELAY"
    i=$((i + 1))
  done

  echo "Error: no default route present before starting k3s"
  echo "IPv4 routes:"
  ip -4 route show 2>/dev/null || true
  echo "IPv6 routes:"
  ip -6 route show 2>/dev/null || true
  echo "/proc/net/route:"
  cat "$PROC_DIR/net/route" 2>/dev/null || true
  echo "/proc/net/ipv6_route:"
  cat "$PROC_DIR/net/ipv6_route" 2>/dev/null || true
  return 1
}

# The host as sandbox pods should reach it (the chart's hostGatewayIP): Docker's host.docker.internal (the node gets
# it as an extra host), else the default gateway.
detect_host_gateway_ip() {
  HOST_GATEWAY_IP="$(getent ahostsv4 host.docker.internal 2>/dev/null | awk 'NR == 1 { print $1; exit }' || true)"
  if [ -n "$HOST_GATEWAY_IP" ]; then
    echo "Detected host gateway IP from host.docker.internal: $HOST_GATEWAY_IP"
  else
    HOST_GATEWAY_IP="$(ip -4 route 2>/dev/null | awk '/default/ { print $3; exit }' || true)"
    if [ -n "$HOST_GATEWAY_IP" ]; then
      echo "Detected host gateway IP from default route: $HOST_GATEWAY_IP"
    else
      echo "Warning: Could not detect host gateway IP from host.docker.internal or default route"
    fi
  fi
}

# Where the gateway and its sandboxes export OpenTelemetry: the dev host's relay on the Docker host (it listens on the
# address host.docker.internal resolves to). Empty when no relay port is given or the host cannot be found.
otlp_endpoint() {
  OTLP_ENDPOINT=""
  port="${OPENSHELL_OTLP_RELAY_PORT:-}"
  [ -n "$port" ] && [ "$port" != 0 ] || return 0
  case "$port" in
    *[!0-9]*) log "OPENSHELL_OTLP_RELAY_PORT is not a port number ($port): no telemetry export"; return 0 ;;
  esac
  if [ -z "${HOST_GATEWAY_IP:-}" ]; then
    log "no host gateway IP: the gateway's telemetry is not exported"
    return 0
  fi
  OTLP_ENDPOINT="http://${HOST_GATEWAY_IP}:${port}"
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
  # The gateway's security mode, as upstream's node reads it: exactly "true" turns a mode on.
  disable_tls=false
  if [ "${DISABLE_TLS:-}" = "true" ]; then disable_tls=true; fi
  disable_gateway_auth=false
  if [ "${DISABLE_GATEWAY_AUTH:-}" = "true" ]; then disable_gateway_auth=true; fi
  sed \
    -e "s|__CHART_CHECKSUM__|$checksum|g" \
    -e "s|__IMAGE_REPO_BASE__|${IMAGE_REPO_BASE:-127.0.0.1:5000/openshell}|g" \
    -e "s|__IMAGE_TAG__|${IMAGE_TAG:-dev}|g" \
    -e "s|__GATEWAY_NODE_PORT__|${GATEWAY_NODE_PORT:-30051}|g" \
    -e "s|__HOST_GATEWAY_IP__|${HOST_GATEWAY_IP:-}|g" \
    -e "s|__OTLP_ENDPOINT__|${OTLP_ENDPOINT:-}|g" \
    -e "s|__DISABLE_TLS__|$disable_tls|g" \
    -e "s|__DISABLE_GATEWAY_AUTH__|$disable_gateway_auth|g" \
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

warn_br_netfilter
select_iptables_backend
configure_dns
check_dns
write_registries
detect_host_gateway_ip
otlp_endpoint
install_charts
install_manifests

[ -x "$IMAGE_DIR/bin/openshell-sandbox" ] || log "warning: $IMAGE_DIR/bin/openshell-sandbox is missing or not executable"

# flannel writes subnet.env here; without the folder, pods race it and fail with "failed to load flannel 'subnet.env'".
mkdir -p "$FLANNEL_RUN_DIR"

# Kubernetes 1.35 refuses cgroup v1 unless told otherwise.
extra_args=""
if [ ! -f "$CGROUP_DIR/cgroup.controllers" ]; then
  echo "Detected cgroup v1 — adding kubelet compatibility flag (fail-cgroupv1=false)"
  extra_args="--kubelet-arg=fail-cgroupv1=false"
fi
# Without xt_comment, kube-router's network policy controller panics: disable it in legacy mode, as OpenShell does.
if [ "${USE_IPTABLES_LEGACY:-0}" = "1" ]; then
  extra_args="$extra_args --disable-network-policy"
fi

wait_for_default_route

# A node name that survives recreating the container, so the volume's node (and its volumes) is reused.
node_name_arg=""
if [ -n "${OPENSHELL_NODE_NAME:-}" ]; then
  node_name_arg="--node-name=${OPENSHELL_NODE_NAME}"
  echo "Using deterministic k3s node name: ${OPENSHELL_NODE_NAME}"
fi

# Pods as containers on the Docker engine (OpenShell:Cluster:RunPods): only the Kubernetes API simulator standing in
# for k3s has that kubelet, and only with the engine's socket mounted.
kubelet_arg=""
if [ "${OPENSHELL_KUBELET:-}" = "docker" ]; then
  if [ ! -S "$ENGINE_SOCKET" ]; then
    log "warning: OPENSHELL_KUBELET=docker but $ENGINE_SOCKET is not a socket: pods will not run"
  elif "$K3S_BIN" --version 2>/dev/null | grep -q 'k3s-sim'; then
    kubelet_arg="--kubelet=docker"
    echo "Pods run as containers on the Docker engine ($ENGINE_SOCKET)"
  else
    log "warning: OPENSHELL_KUBELET=docker is only honoured by the Kubernetes API simulator; k3s runs pods itself"
  fi
fi

if [ "$#" -eq 0 ]; then
  set -- server
fi
# k3s v1.35 takes the resolver file only as a kubelet argument. The unquoted variables hold only flags without spaces.
# shellcheck disable=SC2086
exec "$K3S_BIN" "$@" $node_name_arg --kubelet-arg=resolv-conf="$RESOLV_CONF" $extra_args $kubelet_arg
