using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.FileSystemGlobbing;
using SharpCompress.Common;
using SharpCompress.Writers.Tar;
using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Images;

/// <summary>
/// Packages a Helm chart folder the way <c>helm package</c> lays it out (<c>&lt;name&gt;/…</c> in a gzip tar), but
/// deterministically: entries sorted, fixed timestamps, and a gzip header without a time, so the same chart gives the
/// same bytes and the same checksum, and a changed chart a different one.
/// </summary>
public static class ChartPackager
{
    private static readonly DateTime s_fixedTime = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Packages <paramref name="chartDirectory"/> into <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="InvalidOperationException">The folder is not a chart.</exception>
    public static async Task<PackagedChart> PackAsync(string chartDirectory, string outputDirectory, CancellationToken ct = default)
    {
        var chartYaml = Path.Combine(chartDirectory, "Chart.yaml");
        if (!File.Exists(chartYaml))
        {
            throw new InvalidOperationException($"{chartDirectory} is not a Helm chart (no Chart.yaml); point the build at deploy/helm/openshell.");
        }

        var lines = await File.ReadAllLinesAsync(chartYaml, ct).ConfigureAwait(false);
        var name = TopLevelValue(lines, "name") ?? throw new InvalidOperationException($"{chartYaml} has no 'name'.");
        var version = TopLevelValue(lines, "version") ?? throw new InvalidOperationException($"{chartYaml} has no 'version'.");

        var files = ChartFiles(chartDirectory);
        Directory.CreateDirectory(outputDirectory);
        var output = Path.Combine(outputDirectory, $"{name}-{version}.tgz");
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            using var tar = new TarWriter(gzip, new TarWriterOptions(CompressionType.None, finalizeArchiveOnClose: true) { LeaveStreamOpen = true });
            foreach (var relative in files)
            {
                await using var source = File.OpenRead(Path.Combine(chartDirectory, relative));
                await tar.WriteAsync($"{name}/{relative}", source, s_fixedTime, source.Length, ct).ConfigureAwait(false);
            }
        }

        var bytes = buffer.ToArray();
        await AtomicFile.WriteAsync(output, bytes, ct: ct).ConfigureAwait(false);
        return new PackagedChart(output, name, version, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>The chart's files, relative with '/' separators, sorted ordinally, minus <c>.helmignore</c> matches.</summary>
    internal static IReadOnlyList<string> ChartFiles(string chartDirectory)
    {
        var ignore = new Matcher(StringComparison.Ordinal);
        ignore.AddInclude("**/*.tgz.tmp");
        var helmignore = Path.Combine(chartDirectory, ".helmignore");
        if (File.Exists(helmignore))
        {
            foreach (var raw in File.ReadAllLines(helmignore))
            {
                var pattern = raw.Trim();
                if (pattern.Length == 0 || pattern[0] == '#' || pattern[0] == '!')
                {
                    continue;
                }

                pattern = pattern.TrimStart('/');
                var isDirectory = pattern.EndsWith('/');
                pattern = pattern.TrimEnd('/');
                var rooted = raw.Trim().StartsWith('/');
                var glob = rooted ? pattern : "**/" + pattern;
                ignore.AddInclude(glob);
                ignore.AddInclude(glob + "/**");
                if (!isDirectory && !rooted)
                {
                    ignore.AddInclude(pattern);
                }
            }
        }

        return Directory.EnumerateFiles(chartDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(chartDirectory, f).Replace('\\', '/'))
            .Where(f => !ignore.Match(f).HasMatches)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string? TopLevelValue(IEnumerable<string> lines, string key)
    {
        foreach (var line in lines)
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                var value = line[(key.Length + 1)..];
                var comment = value.IndexOf(" #", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    value = value[..comment];
                }

                value = value.Trim().Trim('"', '\'');
                return value.Length == 0 ? null : value;
            }
        }

        return null;
    }
}
