using System.Text.RegularExpressions;

namespace OpenShell.Server.Sandboxes;

/// <summary>Sandbox names become pod names, so they follow DNS-1123 label rules.</summary>
internal static partial class SandboxName
{
    internal const int MaxLength = 63;

    /// <summary>Null when <paramref name="name"/> is valid, else why not and how to fix it.</summary>
    internal static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a sandbox name is required";
        }

        if (name.Length > MaxLength)
        {
            return $"sandbox name '{name}' is {name.Length} characters long: use at most {MaxLength}";
        }

        return Dns1123Label().IsMatch(name)
            ? null
            : $"sandbox name '{name}' is invalid: use lowercase letters, digits and '-', starting and ending with a letter or digit";
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();
}
