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

    /// <summary>
    /// The k3s node name for a cluster, as OpenShell derives it: <c>openshell-</c> plus the name lowercased, every run of
    /// characters outside <c>a-z0-9</c> one <c>-</c>, trimmed, at most 253 characters in all (<c>openshell-gateway</c>
    /// when nothing is left). The same name for every container of the cluster, so a recreated node keeps its volume's
    /// node object and the volumes bound to it.
    /// </summary>
    public static string NodeName(string clusterName)
    {
        ArgumentNullException.ThrowIfNull(clusterName);
        const string Prefix = "openshell-";
        const int MaxLength = 253;
        var builder = new StringBuilder(clusterName.Length);
        foreach (var c in clusterName)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (builder.Length == 0 || builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var suffix = builder.ToString().Trim('-');
        if (suffix.Length > MaxLength - Prefix.Length)
        {
            suffix = suffix[..(MaxLength - Prefix.Length)].TrimEnd('-');
        }

        return Prefix + (suffix.Length == 0 ? "gateway" : suffix);
    }

    /// <summary>The cluster container's name: <c>openshell-cluster-&lt;name&gt;</c>.</summary>
    public static string ContainerName(string clusterName) => ContainerPrefix + clusterName;
}
