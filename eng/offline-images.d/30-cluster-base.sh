# Builds $PREFIX/cluster-base:bookworm, the glibc base of the cluster image (the stand-in for the Ubuntu base that
# 'openshell-dev cluster build-base' makes online): a debootstrap minbase root filesystem with what k3s expects from
# the host OS. Sourced by eng/offline-images.sh (helpers log, fail, image_exists; PREFIX, MIRROR).
#
#   iptables (nft and legacy backends)   flannel, kube-proxy, the entrypoint's DNS proxy and backend probe
#   mount                                kubelet volume mounts
#   bind9-dnsutils                       nslookup for the entrypoint's and health check's DNS probes
#   ca-certificates                      TLS to registries
#   conntrack                            kube-proxy connection tracking
#   iproute2                             ip, for the entrypoint's route and address lookups (real k3s ships its own)

build_cluster_base() (
  local tag="$PREFIX/cluster-base:bookworm"
  if image_exists "$tag"; then log "kept $tag"; return; fi
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is not installed (apt-get install debootstrap)"
  [ "$(id -u)" = "0" ] || fail "debootstrap needs root to build $tag"
  local rootfs
  rootfs="$(mktemp -d)"
  trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
  log "debootstrap bookworm (minbase) with the cluster node's tools from $MIRROR ..."
  debootstrap --variant=minbase \
    --include=ca-certificates,iptables,mount,bind9-dnsutils,conntrack,iproute2,tzdata \
    bookworm "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; fail "debootstrap of $tag failed (see above)"; }
  rm -f "$rootfs.log"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'LABEL dev.openshell.cluster-base=1' \
    - "$tag" >/dev/null
  log "built $tag"
)

build_cluster_base
