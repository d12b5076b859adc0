using System.Security.Cryptography;
using System.Text;

namespace OpenShell.Testing;

/// <summary>
/// The fingerprint eng/k3s-sim-fingerprint.sh prints and the simulator image carries as its
/// <c>dev.openshell.k3s-sim.fingerprint</c> label: the sha256 of <c>sha256sum</c>'s lines for the simulator's sources
/// (byte order) and the build settings, its first 16 hex digits. An image with another one is older than the sources.
/// </summary>
public static class SimulatorSources
{
    private static readonly string[] s_sourceFolders = ["tests/OpenShell.KubeSim", "eng/offline-images/k3s-sim"];
    private static readonly string[] s_buildSettings = ["global.json", "Directory.Build.props", "Directory.Packages.props", "tests/Directory.Build.props"];

    /// <summary>The fingerprint of the sources under <paramref name="repositoryRoot"/>.</summary>
    public static string Fingerprint(string repositoryRoot)
    {
        var sources = s_sourceFolders
            .Where(folder => Directory.Exists(Path.Combine(repositoryRoot, folder)))
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(repositoryRoot, folder), "*", SearchOption.AllDirectories))
            .Where(file => !new FileInfo(file).Attributes.HasFlag(FileAttributes.ReparsePoint))
            .Select(file => Path.GetRelativePath(repositoryRoot, file).Replace('\\', '/'))
            .Where(IsSource)
            .Order(StringComparer.Ordinal);
        var lines = new StringBuilder();
        foreach (var path in sources.Concat(s_buildSettings))
        {
            lines.Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(repositoryRoot, path))))).Append("  ").Append(path).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString())))[..16];
    }

    // find's -name '*.cs' -o -name '*.csproj' -o -path 'eng/*', without bin/ and obj/.
    private static bool IsSource(string path) =>
        (path.EndsWith(".cs", StringComparison.Ordinal) || path.EndsWith(".csproj", StringComparison.Ordinal) || path.StartsWith("eng/", StringComparison.Ordinal))
        && !path.Contains("/bin/", StringComparison.Ordinal)
        && !path.Contains("/obj/", StringComparison.Ordinal);
}
