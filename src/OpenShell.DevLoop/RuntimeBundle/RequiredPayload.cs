using System.Text.RegularExpressions;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>The runtime files the cluster image copies out of every bundle.</summary>
internal static partial class RequiredPayload
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

    public const string LibraryPattern = "usr/lib/*-linux-gnu/libnvidia-container*.so*";

    public static bool IsContainerLibrary(string path) => LibraryRegex().IsMatch(path);

    [GeneratedRegex(@"^usr/lib/[^/]+-linux-gnu/libnvidia-container[^/]*\.so[^/]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LibraryRegex();
}
