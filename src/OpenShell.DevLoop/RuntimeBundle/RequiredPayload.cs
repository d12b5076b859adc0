namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>The runtime files the cluster image copies out of every bundle, as OpenShell's consumer requires them.</summary>
internal static class RequiredPayload
{
    public static readonly IReadOnlyList<string> Binaries =
    [
        "usr/bin/nvidia-cdi-hook",
        "usr/bin/nvidia-container-runtime",
        "usr/bin/nvidia-container-runtime-hook",
        "usr/bin/nvidia-container-cli",
        "usr/bin/nvidia-ctk",
    ];

    public const string ConfigDirectory = "etc/nvidia-container-runtime";

    public const string ConfigFile = "etc/nvidia-container-runtime/config.toml";

    /// <summary>The paths manifest.json must list, in the order they are checked.</summary>
    public static readonly IReadOnlyList<string> ManifestPaths = [.. Binaries, ConfigFile];

    private const string LibraryPrefix = "libnvidia-container";

    /// <summary>The multiarch triple of the library folder: <c>x86_64-linux-gnu</c> or <c>aarch64-linux-gnu</c>.</summary>
    public static string Triple(string architecture) => architecture == BundleArchitecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";

    /// <summary>The library glob for the architecture, as messages print it.</summary>
    public static string LibraryPattern(string architecture) => $"usr/lib/{Triple(architecture)}/{LibraryPrefix}*.so*";

    /// <summary>True when <paramref name="path"/> matches <see cref="LibraryPattern"/> (a direct child of the triple's folder).</summary>
    public static bool IsContainerLibrary(string path, string architecture)
    {
        var folder = $"usr/lib/{Triple(architecture)}/";
        if (!path.StartsWith(folder, StringComparison.Ordinal))
        {
            return false;
        }

        var name = path[folder.Length..];
        return !name.Contains('/', StringComparison.Ordinal)
            && name.StartsWith(LibraryPrefix, StringComparison.Ordinal)
            && name.IndexOf(".so", LibraryPrefix.Length, StringComparison.Ordinal) >= 0;
    }
}
