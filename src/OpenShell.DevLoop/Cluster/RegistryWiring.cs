using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// How the cluster node reaches the registry that gateway images are pushed to.
/// </summary>
/// <param name="Host">The registry host images are named by (the part of <c>IMAGE_REPO_BASE</c> before the first '/').</param>
/// <param name="Endpoint">Where the node's containerd really pulls from (<c>host:port</c>).</param>
/// <param name="Insecure">True to pull over plain http.</param>
public sealed record RegistryWiring(string Host, string Endpoint, bool Insecure)
{
    /// <summary>
    /// For our local registry (<c>127.0.0.1:&lt;port&gt;</c> or <c>localhost:&lt;port&gt;</c>) the node pulls from the
    /// registry container by name over the shared container network, insecure; any other registry over https.
    /// </summary>
    public static RegistryWiring From(ClusterSettings cluster, RegistrySettings registry)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(registry);
        var repoBase = cluster.ImageRepoBase.Trim();
        var slash = repoBase.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? repoBase : repoBase[..slash];
        if (host.Length == 0)
        {
            throw new InvalidOperationException(
                $"IMAGE_REPO_BASE '{cluster.ImageRepoBase}' has no registry host; use a value such as 127.0.0.1:5000/openshell.");
        }

        var port = registry.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var isLocal = host == $"127.0.0.1:{port}" || host == $"localhost:{port}";
        return isLocal
            ? new RegistryWiring(host, $"{registry.ContainerName}:5000", Insecure: true)
            : new RegistryWiring(host, host, Insecure: false);
    }
}
