namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Architecture names: <c>amd64</c> and <c>arm64</c>; switches also take the kernel aliases, manifests never.</summary>
public static class BundleArchitecture
{
    /// <summary>The canonical name for x86-64.</summary>
    public const string Amd64 = "amd64";

    /// <summary>The canonical name for 64-bit ARM.</summary>
    public const string Arm64 = "arm64";

    /// <summary>Returns the canonical name, or null when <paramref name="name"/> is not a known architecture.</summary>
    public static string? TryNormalize(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "amd64" or "x86_64" or "x86-64" => Amd64,
        "arm64" or "aarch64" => Arm64,
        _ => null,
    };

    /// <summary>Returns the canonical name, or throws naming the accepted values.</summary>
    public static string Normalize(string? name)
        => TryNormalize(name) ?? throw new RuntimeBundleException(
            BundleRule.UnknownArchitecture,
            null,
            $"unknown architecture '{name}': use amd64 or arm64 (x86_64 and aarch64 are accepted as aliases)");

    /// <summary>The architecture of the running machine, canonical.</summary>
    public static string Current => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => Arm64,
        _ => Amd64,
    };
}
