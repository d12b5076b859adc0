using System.Collections;
using System.Globalization;

namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// The environment variables OpenShell's scripts read, mapped onto <see cref="ClusterSettings"/>. They override the
/// settings files; an explicit <c>OpenShell__Cluster__…</c> variable overrides them.
/// </summary>
public static class UpstreamVariables
{
    private static readonly (string Variable, string Key, Action<ClusterSettings, string> Apply)[] s_map =
    [
        ("CLUSTER_NAME", "Name", (s, v) => s.Name = v),
        ("IMAGE_TAG", "ImageTag", (s, v) => s.ImageTag = v),
        ("OPENSHELL_REGISTRY", "ImageRepoBase", (s, v) => s.ImageRepoBase = v.TrimEnd('/')),
        // Listed after OPENSHELL_REGISTRY so it wins, as upstream.
        ("IMAGE_REPO_BASE", "ImageRepoBase", (s, v) => s.ImageRepoBase = v.TrimEnd('/')),
        ("GATEWAY_PORT", "GatewayPort", (s, v) => s.GatewayPort = ParsePort("GATEWAY_PORT", v)),
        ("CLUSTER_GPU", "Gpu", (s, v) => s.Gpu = IsTrue(v)),
        ("OPENSHELL_NODE_NAME", "NodeName", (s, v) => s.NodeName = v),
        ("SKIP_CLUSTER_IMAGE_BUILD", "SkipImageBuild", (s, v) => s.SkipImageBuild = IsTrue(v)),
        ("REGISTRY_USERNAME", "RegistryUsername", (s, v) => s.RegistryUsername = v),
        ("REGISTRY_PASSWORD", "RegistryPassword", (s, v) => s.RegistryPassword = v),
    ];

    /// <summary>The process environment as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string;
        }

        return result;
    }

    /// <summary>Applies every upstream variable that is set, unless <c>OpenShell__Cluster__&lt;key&gt;</c> is set too.</summary>
    public static void Apply(ClusterSettings settings, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (variable, key, apply) in s_map)
        {
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrWhiteSpace(value)
                && !environment.ContainsKey($"OpenShell__Cluster__{key}"))
            {
                apply(settings, value.Trim());
            }
        }
    }

    private static bool IsTrue(string value) =>
        value is "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase);

    private static int ParsePort(string variable, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new InvalidOperationException($"{variable}={value} is not a TCP port; set it to a number between 1 and 65535, or unset it to pick a free one.");
}
