using System.Text;

namespace OpenShell.DevLoop.Cluster;

/// <summary>Cluster names as OpenShell's scripts derive them, and the Docker names built from them.</summary>
public static class ClusterNaming
{
    /// <summary>The prefix of the cluster container and its volume.</summary>
    public const string ContainerPrefix = "openshell-cluster-";

    /// <summary>
    /// Lowercase; every character outside <c>a-z0-9-</c> becomes <c>-</c>; runs of <c>-</c> collapse to one;
    /// leading and trailing <c>-</c> are removed.
    /// </summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            var mapped = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-';
            if (mapped == '-' && builder.Length > 0 && builder[^1] == '-')
            {
                continue;
            }

            builder.Append(mapped);
        }

        return builder.ToString().Trim('-');
    }

    /// <summary>The configured name (normalised), else the repository folder's name (normalised).</summary>
    /// <exception cref="InvalidOperationException">Neither gives a usable name.</exception>
    public static string Resolve(string? configuredName, string repositoryRoot)
    {
        var source = string.IsNullOrWhiteSpace(configuredName)
            ? new DirectoryInfo(repositoryRoot).Name
            : configuredName;
        var name = Normalize(source);
        if (name.Length == 0)
        {
            throw new InvalidOperationException(
                $"The cluster name '{source}' has no letters or digits; set CLUSTER_NAME (or OpenShell:Cluster:Name) to a name such as 'openshell'.");
        }

        return name;
    }

    /// <summary>The container (and volume) name of a cluster.</summary>
    public static string ContainerName(string clusterName) => ContainerPrefix + clusterName;
}
