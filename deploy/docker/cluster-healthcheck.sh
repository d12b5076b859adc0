#!/bin/sh
# Docker HEALTHCHECK of the OpenShell cluster image. Prints one HEALTHCHECK_* marker per failing condition.
# POSIX sh (busybox in the k3s image). Paths and tools can be overridden for tests.
set -u

KUBECTL="${OPENSHELL_KUBECTL:-kubectl}"
export KUBECONFIG="${KUBECONFIG:-/etc/rancher/k3s/k3s.yaml}"
SUPERVISOR="${OPENSHELL_SUPERVISOR_PATH:-/opt/openshell/bin/openshell-sandbox}"
NAMESPACE=openshell

failed=0
mark() { printf '%s\n' "$*"; failed=1; }

if [ ! -x "$SUPERVISOR" ]; then
  mark "HEALTHCHECK_MISSING_SUPERVISOR $SUPERVISOR"
fi

if ! "$KUBECTL" get --raw=/readyz >/dev/null 2>&1; then
  mark "HEALTHCHECK_API_NOT_READY"
  exit 1
fi

ready="$("$KUBECTL" -n "$NAMESPACE" get statefulset openshell -o 'jsonpath={.status.readyReplicas}/{.spec.replicas}' 2>/dev/null || true)"
case "$ready" in
  ''|/*|0/*) mark "HEALTHCHECK_GATEWAY_NOT_READY statefulset/openshell ready=${ready:-none}" ;;
  *)
    have="${ready%%/*}"; want="${ready#*/}"
    [ -z "$want" ] || [ "$have" -ge "$want" ] 2>/dev/null || mark "HEALTHCHECK_GATEWAY_NOT_READY statefulset/openshell ready=$ready"
    ;;
esac

for secret in openshell-server-tls openshell-server-client-ca openshell-client-tls; do
  "$KUBECTL" -n "$NAMESPACE" get secret "$secret" >/dev/null 2>&1 || mark "HEALTHCHECK_MISSING_TLS_SECRET $secret"
done
"$KUBECTL" -n "$NAMESPACE" get secret openshell-ssh-handshake >/dev/null 2>&1 || mark "HEALTHCHECK_MISSING_SSH_HANDSHAKE_SECRET openshell-ssh-handshake"

if [ "$failed" -eq 0 ]; then
  echo "HEALTHCHECK_OK"
fi
exit "$failed"
