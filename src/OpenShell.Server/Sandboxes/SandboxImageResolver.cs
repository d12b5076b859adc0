using OpenShell.Server.Configuration;

namespace OpenShell.Server.Sandboxes;

/// <summary>Turns a Create request's <c>from</c> into an image reference.</summary>
internal static class SandboxImageResolver
{
    /// <summary>
    /// Empty → the default sandbox image; a full reference (it holds '/', ':' or '@') → itself;
    /// otherwise a community name → <c>&lt;community registry&gt;/&lt;name&gt;:latest</c>.
    /// </summary>
    internal static string Resolve(string? from, GatewayOptions options, out string? problem)
    {
        problem = null;
        var value = from?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            return options.SandboxImage;
        }

        if (value.Any(char.IsWhiteSpace))
        {
            problem = $"'{from}' is not an image reference or community sandbox name (it contains white space)";
            return string.Empty;
        }

        if (value.IndexOfAny(['/', ':', '@']) >= 0)
        {
            return value;
        }

        if (SandboxName.Problem(value) is not null)
        {
            problem = $"'{from}' is neither a full image reference (registry/repository:tag) nor a community sandbox name (lowercase letters, digits and '-')";
            return string.Empty;
        }

        return $"{options.CommunityRegistry}/{value}:latest";
    }
}
