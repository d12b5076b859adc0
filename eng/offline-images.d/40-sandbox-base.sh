# Tags the offline Debian base as OpenShell's default community sandbox image, so `sandbox create --from base` (and a
# create without --from) runs without a pull. The supervisor is not baked in: sandbox pods get it from the node's
# /opt/openshell/bin. What it needs from the image is glibc, libssl3 and ca-certificates (TLS to the gateway), which
# $BASE_IMAGE has; it is built with invariant globalization, so libicu is not needed (but present).
# Sourced by eng/offline-images.sh (helpers log, fail, image_exists, build_image; PREFIX, BASE_IMAGE, REPO_ROOT).
#
#   OPENSHELL_SANDBOX_BASE_IMAGE   the tag to create (default: ghcr.io/nvidia/openshell-community/sandboxes/base:latest)

build_sandbox_base() (
  local tag="${OPENSHELL_SANDBOX_BASE_IMAGE:-ghcr.io/nvidia/openshell-community/sandboxes/base:latest}"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    # A real community image pulled earlier is never replaced by the stand-in, even on a rebuild.
    if [ "$(docker image inspect -f '{{ index .Config.Labels "dev.openshell.offline-sandbox" }}' "$tag")" != "base" ]; then
      log "kept $tag (not an offline stand-in)"; return
    fi
    if image_exists "$tag"; then log "kept $tag"; return; fi
  fi
  local context
  context="$(mktemp -d)"
  trap 'rm -rf "$context"' EXIT
  cp "$REPO_ROOT/eng/offline-images/sandbox-base/"* "$context/"
  build_image "$tag" "$context" --build-arg "BASE_IMAGE=$BASE_IMAGE"
)

build_sandbox_base
