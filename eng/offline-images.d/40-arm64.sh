# Builds the arm64 stand-ins, without emulation, for assembling arm64 images on an amd64 engine (they are never run here).
# The engine keeps one image per tag, so each is tagged per architecture: the amd64 tag plus "-arm64".
#
#   $PREFIX/debian:bookworm-arm64         the arm64 counterpart of $PREFIX/debian:bookworm (gateway base)
#   $PREFIX/cluster-base:bookworm-arm64   the arm64 counterpart of $PREFIX/cluster-base:bookworm
#   $PREFIX/k3s-sim:latest-arm64          the k3s stage for arm64: /bin/k3s and /bin/crictl stand-ins, CA bundle and
#                                         zoneinfo; no simulator and no kubectl (those exist here only for amd64)
#
# The root filesystem is debootstrap's first stage for arm64 (--foreign: download and unpack, no maintainer scripts,
# so nothing arm64 runs) with every downloaded package unpacked by dpkg-deb. `docker import --platform` keeps the
# engine's architecture on Docker 20.10, so each image is written as a `docker load` archive whose configuration says
# arm64. The archive is cached; a run with the images present does nothing, one with only the cache loads it.
# Sourced by eng/offline-images.sh (helpers log, fail, image_exists; PREFIX, MIRROR).
#
#   OPENSHELL_OFFLINE_ARM64_CACHE   cache of the .deb files and the load archive (default: ~/.cache/openshell/offline-arm64)

ARM64_PACKAGES="ca-certificates,curl,libicu72,libssl3,tzdata,zlib1g,iptables,mount,bind9-dnsutils,conntrack,iproute2,coreutils"
# Changing what the images hold bumps this, so cached archives and existing images of an older layout are rebuilt.
ARM64_LAYOUT="1"

build_arm64() (
  local debian="$PREFIX/debian:bookworm-arm64" base="$PREFIX/cluster-base:bookworm-arm64" k3s="$PREFIX/k3s-sim:latest-arm64"
  local stamp="$ARM64_LAYOUT $ARM64_PACKAGES"
  local all_present=1 image
  for image in "$debian" "$base" "$k3s"; do
    if ! image_exists "$image" || [ "$(docker image inspect -f '{{ .Architecture }} {{ index .Config.Labels "dev.openshell.offline-arm64" }}' "$image")" != "arm64 $ARM64_LAYOUT" ]; then
      all_present=0
    fi
  done
  if [ "$all_present" = 1 ]; then log "kept $debian, $base, $k3s"; return; fi

  local cache="${OPENSHELL_OFFLINE_ARM64_CACHE:-$HOME/.cache/openshell/offline-arm64}"
  local key
  key="$(printf '%s' "$stamp" | sha256sum | cut -c1-16)"
  local archive="$cache/images-$key.tar"
  mkdir -p "$cache/debs"

  if [ "$REBUILD" = "1" ] || [ ! -s "$archive" ]; then
    command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is not installed (apt-get install debootstrap)"
    command -v dpkg-deb >/dev/null 2>&1 || fail "dpkg-deb is not installed (apt-get install dpkg)"
    [ "$(id -u)" = "0" ] || fail "debootstrap needs root to unpack the arm64 root filesystem"
    local work
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    local rootfs="$work/rootfs"
    log "debootstrap --foreign --arch arm64 bookworm (minbase) from $MIRROR ..."
    debootstrap --foreign --arch=arm64 --variant=minbase --include="$ARM64_PACKAGES" --cache-dir="$cache/debs" \
      bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap --foreign --arch arm64 failed (see above)"; }
    # The first stage unpacks only the required packages; the rest waits for a second stage that would run arm64
    # code. Unpacking every package with dpkg-deb gives the same files without running anything.
    local deb
    for deb in "$rootfs"/var/cache/apt/archives/*.deb; do
      dpkg-deb -x "$deb" "$rootfs" || fail "dpkg-deb could not unpack $(basename "$deb")"
    done
    # What update-ca-certificates would write: the bundle of the trusted certificates.
    mkdir -p "$rootfs/etc/ssl/certs"
    find "$rootfs/usr/share/ca-certificates" -name '*.crt' -print0 | LC_ALL=C sort -z | xargs -0 cat >"$rootfs/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$rootfs/debootstrap" "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/dev/*
    [ "$(od -An -tu2 -j18 -N2 "$rootfs/usr/bin/true" | tr -d ' ')" = "183" ] || fail "the unpacked /usr/bin/true is not an AArch64 ELF file"

    # The k3s stage: what the cluster image copies from it (/bin, the CA bundle, zoneinfo).
    local k3sroot="$work/k3s"
    mkdir -p "$k3sroot/bin" "$k3sroot/etc/ssl/certs" "$k3sroot/usr/share" "$k3sroot/etc/rancher/k3s"
    cp "$rootfs/etc/ssl/certs/ca-certificates.crt" "$k3sroot/etc/ssl/certs/"
    cp -a "$rootfs/usr/share/zoneinfo" "$k3sroot/usr/share/"
    cp "$REPO_ROOT/eng/offline-images/k3s-sim/crictl" "$k3sroot/bin/crictl"
    printf '%s\n' '#!/bin/sh' \
      '# arm64 k3s stand-in: assembles arm64 cluster images on an amd64 machine; the simulator is built for amd64 only.' \
      'case "${1:-}" in' \
      '  --version|-v|version) echo "k3s version v1.35.0+k3s-sim (arm64 stand-in, not runnable)"; exit 0 ;;' \
      '  *) echo "k3s-sim (arm64): this stand-in only assembles images; run the cluster from the amd64 image" >&2; exit 2 ;;' \
      'esac' >"$k3sroot/bin/k3s"
    chmod 0755 "$k3sroot/bin/k3s" "$k3sroot/bin/crictl"

    log "writing the arm64 load archive ..."
    write_arm64_archive "$work/load" "$rootfs" "$k3sroot" "$debian" "$base" "$k3s"
    tar -C "$work/load" -cf "$archive.tmp" . && mv "$archive.tmp" "$archive"
    find "$cache" -maxdepth 1 -name 'images-*.tar' ! -name "images-$key.tar" -delete
  fi

  docker load -i "$archive" >/dev/null || fail "docker load of $archive failed"
  for image in "$debian" "$base" "$k3s"; do
    [ "$(docker image inspect -f '{{ .Architecture }}' "$image")" = "arm64" ] || fail "$image was loaded but is not arm64"
  done
  log "built $debian, $base, $k3s"
)

# write_arm64_archive DIR ROOTFS K3SROOT DEBIAN_TAG BASE_TAG K3S_TAG: a `docker load` archive (manifest.json, one
# configuration per image, one layer each) of the two root filesystems; the Debian and cluster-base images share a layer.
write_arm64_archive() {
  local dir="$1" rootfs="$2" k3sroot="$3" debian="$4" base="$5" k3s="$6"
  mkdir -p "$dir/rootfs" "$dir/k3s"
  local tarflags=(--sort=name --mtime=2000-01-01 --owner=0 --group=0 --numeric-owner)
  tar -C "$rootfs" "${tarflags[@]}" -cf "$dir/rootfs/layer.tar" .
  tar -C "$k3sroot" "${tarflags[@]}" -cf "$dir/k3s/layer.tar" .
  local rootfs_diff k3s_diff
  rootfs_diff="sha256:$(sha256sum "$dir/rootfs/layer.tar" | cut -d' ' -f1)"
  k3s_diff="sha256:$(sha256sum "$dir/k3s/layer.tar" | cut -d' ' -f1)"
  local path='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
  local label="\"dev.openshell.offline-arm64\":\"$ARM64_LAYOUT\""
  local debian_config base_config k3s_config
  debian_config="$(arm64_config "$dir" "$rootfs_diff" "{\"Env\":[$path],\"Cmd\":[\"/bin/bash\"],\"Labels\":{$label}}")"
  base_config="$(arm64_config "$dir" "$rootfs_diff" "{\"Env\":[$path],\"Cmd\":[\"/bin/bash\"],\"Labels\":{$label,\"dev.openshell.cluster-base\":\"1\"}}")"
  k3s_config="$(arm64_config "$dir" "$k3s_diff" "{\"Env\":[$path,\"KUBECONFIG=/etc/rancher/k3s/k3s.yaml\"],\"Entrypoint\":[\"/bin/k3s\"],\"Cmd\":[\"server\"],\"Labels\":{$label,\"dev.openshell.k3s-sim.layout\":\"bin\"}}")"
  printf '[%s,%s,%s]\n' \
    "{\"Config\":\"$debian_config\",\"RepoTags\":[\"$debian\"],\"Layers\":[\"rootfs/layer.tar\"]}" \
    "{\"Config\":\"$base_config\",\"RepoTags\":[\"$base\"],\"Layers\":[\"rootfs/layer.tar\"]}" \
    "{\"Config\":\"$k3s_config\",\"RepoTags\":[\"$k3s\"],\"Layers\":[\"k3s/layer.tar\"]}" >"$dir/manifest.json"
}

# arm64_config DIR DIFF_ID CONFIG_JSON: writes an arm64 image configuration into DIR and prints its file name.
arm64_config() {
  local dir="$1" diff="$2" config="$3" file
  printf '{"architecture":"arm64","os":"linux","created":"2000-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created":"2000-01-01T00:00:00Z","created_by":"eng/offline-images.d/40-arm64.sh"}]}' \
    "$config" "$diff" >"$dir/config.json"
  file="$(sha256sum "$dir/config.json" | cut -d' ' -f1).json"
  mv "$dir/config.json" "$dir/$file"
  printf '%s\n' "$file"
}

build_arm64
