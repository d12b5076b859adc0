namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// Every container image the dev host runs or builds on. Public defaults; the Offline profile
/// points at the stand-ins built by <c>eng/offline-images.sh</c>.
/// </summary>
public sealed class ImageSettings
{
    /// <summary>The local registry's image (<c>registry:2</c>).</summary>
    public string Registry { get; set; } = "docker.io/library/registry:2";

    /// <summary>The k3s image the cluster image is built on.</summary>
    public string K3s { get; set; } = "docker.io/rancher/k3s:v1.35.2-k3s1";

    /// <summary>
    /// The glibc OS base of the cluster image (k3s's <c>/bin</c> is copied onto it), with iptables, mount, nslookup,
    /// ca-certificates and conntrack. Built by <c>openshell-dev cluster build-base</c> when missing.
    /// </summary>
    public string ClusterBase { get; set; } = "openshell/cluster-base:ubuntu-24.04";

    /// <summary>
    /// The image <c>cluster build-base</c> installs those packages on (with apt); empty when the base comes from
    /// elsewhere (the Offline profile's is built by <c>eng/offline-images.sh</c>).
    /// </summary>
    public string ClusterBaseFrom { get; set; } = "docker.io/library/ubuntu:24.04";

    /// <summary>The base image of the gateway (self-contained .NET needs only runtime-deps).</summary>
    public string RuntimeDeps { get; set; } = "mcr.microsoft.com/dotnet/runtime-deps:10.0-bookworm-slim";

    /// <summary>
    /// Where the release supervisors baked into cluster images are kept by their inputs (relative to the repository root,
    /// or absolute); empty: the checkout's <c>.cache/publish/supervisor</c>. Pointing several checkouts (worktrees) at one
    /// folder lets a bootstrap reuse the NativeAOT link another checkout of the same commit and supervisor sources made.
    /// </summary>
    public string? SupervisorCache { get; set; }
}
