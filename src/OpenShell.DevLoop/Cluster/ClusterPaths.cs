using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Cluster;

/// <summary>The files a cluster keeps in the repository (all under <c>.cache/</c>, see <see cref="CachePaths"/>, except <c>.env</c>).</summary>
/// <param name="RepositoryRoot">The repository root.</param>
/// <param name="ClusterName">The normalised cluster name.</param>
public sealed record ClusterPaths(string RepositoryRoot, string ClusterName)
{
    /// <summary>The checkout's cache layout.</summary>
    public CachePaths Cache => new(RepositoryRoot);

    /// <summary>The cache folder (git-ignored).</summary>
    public string CacheDirectory => Cache.Directory;

    /// <summary>The kubeconfig pointing at the node's API on 127.0.0.1.</summary>
    public string Kubeconfig => Cache.Kubeconfig(ClusterName);

    /// <summary>The client certificate, key and CA for local tools.</summary>
    public string PkiDirectory => Cache.Pki(ClusterName);

    /// <summary>The <c>.env</c> file holding <c>GATEWAY_PORT</c> and <c>OPENSHELL_GATEWAY</c>.</summary>
    public string EnvFile => Path.Combine(RepositoryRoot, ".env");

    /// <summary>The fast-deploy state file (<c>DEPLOY_FAST_STATE_FILE</c>, relative to the root, or the default).</summary>
    public string StateFile(string? overridePath) => Cache.StateFile(overridePath);
}
