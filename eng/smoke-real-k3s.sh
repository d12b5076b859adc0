#!/usr/bin/env bash
# The check to run on a workstation that can run real k3s: the whole loop against the real rancher/k3s image and a
# privileged node container, which CI machines (no privileged containers, no k3s image) cannot show.
#
#   1. cluster up         (builds the cluster image on the glibc base, privileged node, real kubelet and containerd)
#   2. deploy gateway, deploy supervisor, deploy chart   (each on its own)
#   3. a pod that mounts the node's /opt/openshell/bin and runs the supervisor from it
#   4. cluster down --volumes   (also on failure)
#
# It runs on a throw-away clone of the checkout's HEAD (commit what you want to test) under the cluster name
# smoke-k3s-<pid>. Where the engine refuses privileged containers or the k3s image is absent it prints ONE line saying
# which and exits 0 without creating anything. --check runs only that gate ("smoke-real-k3s: ready" when it would run).
#
#   OPENSHELL_SMOKE_K3S_IMAGE          k3s image (default: the settings' OpenShell:Images:K3s)
#   OPENSHELL_SMOKE_SANDBOX_IMAGE      glibc image the test pod runs (default: docker.io/library/debian:bookworm-slim)
#   OPENSHELL_RUNTIME_BUNDLE_TARBALL   GPU runtime bundle (default: a stand-in packed with 'openshell-dev bundle pack')
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
K3S_IMAGE="${OPENSHELL_SMOKE_K3S_IMAGE:-$(sed -n 's/.*"K3s": *"\([^"]*\)".*/\1/p' "$REPO_ROOT/OpenShell.AppHost/appsettings.json" | head -1)}"
SANDBOX_IMAGE="${OPENSHELL_SMOKE_SANDBOX_IMAGE:-docker.io/library/debian:bookworm-slim}"

say() { printf 'smoke-real-k3s: %s\n' "$*"; }
skip() { say "skipped: $*"; exit 0; }

command -v docker >/dev/null 2>&1 || skip "the docker CLI is not installed"
docker info >/dev/null 2>&1 || skip "no Docker engine answers on ${DOCKER_HOST:-unix:///var/run/docker.sock}"
docker image inspect "$K3S_IMAGE" >/dev/null 2>&1 \
  || skip "the k3s image $K3S_IMAGE is not present locally (docker pull $K3S_IMAGE)"
# The probe container is removed by --rm whether or not the engine lets it start.
if ! probe="$(docker run --rm --privileged --network none --entrypoint /bin/k3s "$K3S_IMAGE" --version 2>&1)"; then
  skip "the Docker engine refuses privileged containers ($(printf '%s' "$probe" | tr '\n' ' ' | cut -c1-160))"
fi
if [ "${1:-}" = "--check" ]; then say "ready"; exit 0; fi

command -v dotnet >/dev/null 2>&1 || { say "error: the .NET SDK (dotnet) is needed"; exit 1; }
work="$(mktemp -d)"
export CLUSTER_NAME="smoke-k3s-$$"
node="openshell-cluster-$CLUSTER_NAME"
clone="$work/repo"
cli_dll="$work/cli/openshell-dev.dll"
cli() { dotnet "$cli_dll" "$@" --repo "$clone"; }
cleanup() {
  rc=$?
  if [ -f "$cli_dll" ]; then cli cluster down --volumes >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  [ "$rc" -eq 0 ] && say "passed" || say "FAILED (exit $rc)"
}
trap cleanup EXIT

say "cluster $CLUSTER_NAME on $K3S_IMAGE, clone of $(git -C "$REPO_ROOT" rev-parse --short HEAD)"
git clone --quiet --no-hardlinks "$REPO_ROOT" "$clone"
dotnet build "$REPO_ROOT/src/OpenShell.DevLoop.Cli" -c Release -o "$work/cli" -nologo -v quiet >/dev/null

if [ -z "${OPENSHELL_RUNTIME_BUNDLE_TARBALL:-}" ]; then
  arch="$(docker image inspect -f '{{.Architecture}}' "$K3S_IMAGE")"
  lib="$( [ "$arch" = arm64 ] && echo aarch64-linux-gnu || echo x86_64-linux-gnu)"
  root="$work/bundle-root"
  mkdir -p "$root/usr/bin" "$root/etc/nvidia-container-runtime" "$root/usr/lib/$lib"
  for tool in nvidia-cdi-hook nvidia-container-runtime nvidia-container-runtime-hook nvidia-container-cli nvidia-ctk; do
    printf '#!/bin/sh\necho "%s: stand-in from smoke-real-k3s"\n' "$tool" > "$root/usr/bin/$tool"
    chmod 755 "$root/usr/bin/$tool"
  done
  printf '[nvidia-container-cli]\n' > "$root/etc/nvidia-container-runtime/config.toml"
  printf 'stand-in\n' > "$root/usr/lib/$lib/libnvidia-container.so.1"
  export OPENSHELL_RUNTIME_BUNDLE_TARBALL
  OPENSHELL_RUNTIME_BUNDLE_TARBALL="$(dotnet "$cli_dll" bundle pack "$root" --arch "$arch" -o "$work/runtime-bundle-$arch.tar.gz")"
fi

say "1/4 cluster up"
cli cluster up
say "2/4 deploy gateway, supervisor, chart"
for target in gateway supervisor chart; do
  cli deploy "$target"
done

say "3/4 a pod running the supervisor from the node's hostPath"
docker exec -i "$node" kubectl apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: smoke-supervisor
  namespace: default
spec:
  restartPolicy: Never
  containers:
    - name: smoke
      image: $SANDBOX_IMAGE
      command: ["/opt/openshell/bin/openshell-sandbox", "--version"]
      volumeMounts:
        - name: supervisor
          mountPath: /opt/openshell/bin
          readOnly: true
  volumes:
    - name: supervisor
      hostPath:
        path: /opt/openshell/bin
        type: Directory
YAML
phase=""
for _ in $(seq 1 120); do
  phase="$(docker exec "$node" kubectl -n default get pod smoke-supervisor -o 'jsonpath={.status.phase}' 2>/dev/null || true)"
  case "$phase" in Succeeded|Failed) break ;; esac
  sleep 2
done
logs="$(docker exec "$node" kubectl -n default logs smoke-supervisor 2>&1 || true)"
printf '%s\n' "$logs"
[ "$phase" = Succeeded ] || { say "error: the supervisor pod ended as '${phase:-unknown}'"; docker exec "$node" kubectl -n default describe pod smoke-supervisor || true; exit 1; }

say "4/4 cluster down"
cli cluster down --volumes
