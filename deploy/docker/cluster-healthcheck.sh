#!/bin/sh
# Docker HEALTHCHECK of the OpenShell cluster image. Prints one HEALTHCHECK_* marker per failing condition.
# POSIX sh. Paths and tools can be overridden for tests (tools also through PATH).
#   OPENSHELL_HEALTHCHECK_GATEWAY_TCP=true   also require the gateway NodePort (GATEWAY_NODE_PORT, 30051) to accept
#                                             TCP, where a gateway process really serves it (not the offline stand-in)
#   DISABLE_TLS=true                          the gateway serves plaintext: its TLS secrets are not required
#   OPENSHELL_HEALTHCHECK_GATEWAY_READY=false do not require the gateway StatefulSet to be ready (where pods run only once
#                                             the first deploy has pushed the gateway image: its readiness is the
#                                             gateway's own health then)
set -u

KUBECTL="${OPENSHELL_KUBECTL:-kubectl}"
export KUBECONFIG="${KUBECONFIG:-/etc/rancher/k3s/k3s.yaml}"
SUPERVISOR="${OPENSHELL_SUPERVISOR_PATH:-/opt/openshell/bin/openshell-sandbox}"
NAMESPACE=openshell

failed=0
mark() { printf '%s\n' "$*"; failed=1; }

# An IPv4 or IPv6 literal, with an optional :port (as OpenShell strips it).
is_ip_literal() {
  host="${1%:*}"
  echo "$host" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' && return 0
  echo "$host" | grep -qE '^\[?[0-9a-fA-F:]+\]?$' && return 0
  return 1
}

# Without DNS nothing else can work (image pulls fail): say so at once instead of minutes of opaque failures.
dns_target="${REGISTRY_HOST:-ghcr.io}"
if ! is_ip_literal "$dns_target" && ! nslookup "${dns_target%%:*}" >/dev/null 2>&1; then
  mark "HEALTHCHECK_DNS_FAILURE: cannot resolve $dns_target"
  exit 1
fi

if [ ! -x "$SUPERVISOR" ]; then
  mark "HEALTHCHECK_MISSING_SUPERVISOR $SUPERVISOR"
fi

if ! "$KUBECTL" get --raw=/readyz >/dev/null 2>&1; then
  mark "HEALTHCHECK_API_NOT_READY"
  exit 1
fi

# A node under pressure evicts and refuses pods: reported (not a failure by itself) so the cause is visible.
conditions="$("$KUBECTL" get nodes -o 'jsonpath={range .items[*]}{range .status.conditions[*]}{.type}={.status}{"\n"}{end}{end}' 2>/dev/null || true)"
for pressure in DiskPressure MemoryPressure PIDPressure; do
  if printf '%s\n' "$conditions" | grep -q "^${pressure}=True$"; then
    printf 'HEALTHCHECK_NODE_PRESSURE: %s\n' "$pressure"
  fi
done

ready="$("$KUBECTL" -n "$NAMESPACE" get statefulset openshell -o 'jsonpath={.status.readyReplicas}/{.spec.replicas}' 2>/dev/null || true)"
[ "${OPENSHELL_HEALTHCHECK_GATEWAY_READY:-true}" = "false" ] && ready="skipped"
case "$ready" in
  skipped) ;;
  ''|/*|0/*) mark "HEALTHCHECK_GATEWAY_NOT_READY statefulset/openshell ready=${ready:-none}" ;;
  *)
    have="${ready%%/*}"; want="${ready#*/}"
    [ -z "$want" ] || [ "$have" -ge "$want" ] 2>/dev/null || mark "HEALTHCHECK_GATEWAY_NOT_READY statefulset/openshell ready=$ready"
    ;;
esac

# A plaintext gateway (DISABLE_TLS=true, as upstream) serves without the TLS secrets.
if [ "${DISABLE_TLS:-}" != "true" ]; then
  for secret in openshell-server-tls openshell-server-client-ca openshell-client-tls; do
    "$KUBECTL" -n "$NAMESPACE" get secret "$secret" >/dev/null 2>&1 || mark "HEALTHCHECK_MISSING_TLS_SECRET $secret"
  done
fi
"$KUBECTL" -n "$NAMESPACE" get secret openshell-ssh-handshake >/dev/null 2>&1 || mark "HEALTHCHECK_MISSING_SSH_HANDSHAKE_SECRET openshell-ssh-handshake"

# After a restart kube-proxy may not have re-programmed the NodePort yet: the host's mapped port would refuse
# connections although the StatefulSet is ready. Connect without sending a byte (the listener speaks TLS).
if [ "${OPENSHELL_HEALTHCHECK_GATEWAY_TCP:-false}" = "true" ]; then
  port="${GATEWAY_NODE_PORT:-30051}"
  if ! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && exec 3>&-" >/dev/null 2>&1; then
    mark "HEALTHCHECK_GATEWAY_PORT_CLOSED 127.0.0.1:$port"
  fi
fi

if [ "$failed" -eq 0 ]; then
  echo "HEALTHCHECK_OK"
fi
exit "$failed"
