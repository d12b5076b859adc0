#!/usr/bin/env bash
# Builds local stand-ins for every image the dev host uses, without pulling from any registry.
# Idempotent: an image that already exists is kept (set OPENSHELL_OFFLINE_REBUILD=1 to rebuild).
#
#   OPENSHELL_OFFLINE_PREFIX   image name prefix (default: openshell-offline)
#   OPENSHELL_DEBIAN_MIRROR    Debian mirror for debootstrap (default: http://deb.debian.org/debian)
#
# Later images are added as eng/offline-images.d/NN-name.sh; each is sourced in order and may use
# the helpers below (image_exists, build_image) and the variables PREFIX, BASE_IMAGE, REPO_ROOT.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${OPENSHELL_OFFLINE_PREFIX:-openshell-offline}"
MIRROR="${OPENSHELL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_IMAGE="$PREFIX/debian:bookworm"
REGISTRY_IMAGE="$PREFIX/registry:2"
REBUILD="${OPENSHELL_OFFLINE_REBUILD:-0}"
export REPO_ROOT PREFIX BASE_IMAGE

log() { printf '[offline-images] %s\n' "$*"; }
fail() { printf '[offline-images] error: %s\n' "$*" >&2; exit 1; }

image_exists() {
  [ "$REBUILD" != "1" ] && docker image inspect "$1" >/dev/null 2>&1
}

# build_image TAG CONTEXT_DIR [docker build args...]: legacy builder, never pulls.
build_image() {
  local tag="$1" context="$2"
  shift 2
  local out
  # The legacy builder prints a deprecation notice on every build; show output only on failure.
  out="$(DOCKER_BUILDKIT=0 docker build --pull=false -t "$tag" "$@" "$context" 2>&1)" \
    || { printf '%s\n' "$out" >&2; fail "docker build of $tag failed"; }
  log "built $tag"
}
export -f log fail image_exists build_image

command -v docker >/dev/null 2>&1 || fail "the docker CLI is not installed (apt-get install docker.io)"
docker info >/dev/null 2>&1 || fail "no Docker engine answers on ${DOCKER_HOST:-unix:///var/run/docker.sock}: start dockerd (or Docker Desktop) and retry"

# Each builder runs in a subshell so its EXIT trap cleans up its own temp folder, and nothing else.
build_base() (
  if image_exists "$BASE_IMAGE"; then log "kept $BASE_IMAGE"; return; fi
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is not installed (apt-get install debootstrap)"
  [ "$(id -u)" = "0" ] || fail "debootstrap needs root to build $BASE_IMAGE"
  local rootfs
  rootfs="$(mktemp -d)"
  trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
  log "debootstrap bookworm (minbase) from $MIRROR ..."
  # The extra packages make the base equivalent to .NET's runtime-deps image, plus curl for health checks.
  debootstrap --variant=minbase \
    --include=ca-certificates,curl,libicu72,libssl3,tzdata,zlib1g \
    bookworm "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; fail "debootstrap failed (see above)"; }
  rm -f "$rootfs.log"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$BASE_IMAGE" >/dev/null
  log "built $BASE_IMAGE"
)

build_registry() (
  if image_exists "$REGISTRY_IMAGE"; then log "kept $REGISTRY_IMAGE"; return; fi
  local binary=/usr/bin/docker-registry
  [ -x "$binary" ] || fail "$binary is missing: apt-get install docker-registry (Debian's build of the registry v2 server)"
  local context
  context="$(mktemp -d)"
  trap 'rm -rf "$context"' EXIT
  cp "$REPO_ROOT/eng/offline-images/registry/"* "$context/"
  cp "$binary" "$context/registry"
  build_image "$REGISTRY_IMAGE" "$context" --build-arg "BASE_IMAGE=$BASE_IMAGE"
)

build_base
build_registry
for extra in "$REPO_ROOT"/eng/offline-images.d/*.sh; do
  [ -e "$extra" ] || continue
  # shellcheck source=/dev/null
  source "$extra"
done
log "done: images under $PREFIX/"
