#!/usr/bin/env bash
# Prints the fingerprint of the Kubernetes API simulator's sources and build settings (16 hex digits): the
# dev.openshell.k3s-sim.fingerprint label of openshell-offline/k3s-sim (eng/offline-images.d/20-k3s-sim.sh). The tests'
# OfflineImages computes the same to notice an image older than the sources; SimulatorSourcesTests keeps the two equal.
# Usage: eng/k3s-sim-fingerprint.sh [REPO_ROOT]
set -euo pipefail
cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}"
{
  find tests/OpenShell.KubeSim eng/offline-images/k3s-sim -type f \( -name '*.cs' -o -name '*.csproj' -o -path 'eng/*' \) -not -path '*/bin/*' -not -path '*/obj/*' | LC_ALL=C sort | xargs sha256sum
  sha256sum global.json Directory.Build.props Directory.Packages.props tests/Directory.Build.props
} | sha256sum | cut -c1-16
