using System.Security.Cryptography;

namespace OpenShell.DevLoop.Sandboxes;

/// <summary>Names for sandboxes created without one.</summary>
public static class SandboxNames
{
    /// <summary>The prefix of generated names.</summary>
    public const string GeneratedPrefix = "sandbox-";

    /// <summary>A fresh DNS-1123 label such as <c>sandbox-3f9a1c</c>.</summary>
    public static string Generate() => GeneratedPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
}
