using System.Text;

namespace OpenShell.DevLoop.Cluster;

/// <summary>The cluster's name and container name, derived as OpenShell's scripts derive them.</summary>
public static class ClusterName
{
    /// <summary>The prefix of the cluster container's (and its volume's) name.</summary>
    public const string ContainerPrefix = "openshell-cluster-";

    /// <summary>
    /// <c>CLUSTER_NAME</c> when set, else the repository folder's name, normalised: lowercase, characters
    /// outside <c>a-z0-9-</c> become <c>-</c>, runs of <c>-</c> collapse, leading and trailing <c>-</c> go.
    /// </summary>
    public static string Resolve(string? clusterNameVariable, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        var raw = string.IsNullOrWhiteSpace(clusterNameVariable)
            ? Path.GetFileName(Path.TrimEndingDirectorySeparator(repositoryRoot))
            : clusterNameVariable;
        var name = Normalize(raw);
        if (name.Length == 0)
        {
            throw new ArgumentException(
                $"The cluster name \"{raw}\" has no letters or digits once normalised; set CLUSTER_NAME to a name made of a-z, 0-9 and '-'.",
                nameof(clusterNameVariable));
        }

        return name;
    }

    /// <summary>Normalises a name: lowercase, <c>[^a-z0-9-]</c> → <c>-</c>, <c>-</c> runs collapsed, trimmed.</summary>
    public static string Normalize(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var builder = new StringBuilder(raw.Length);
        foreach (var c in raw.ToLowerInvariant())
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

    /// <summary>The cluster container's name: <c>openshell-cluster-&lt;name&gt;</c>.</summary>
    public static string ContainerName(string clusterName) => ContainerPrefix + clusterName;
}
