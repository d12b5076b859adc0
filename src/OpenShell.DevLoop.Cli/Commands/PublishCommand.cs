using System.CommandLine;
using System.Globalization;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>
/// <c>openshell-dev publish</c>, the counterpart of OpenShell's <c>docker-publish-multiarch.sh --mode registry</c>: per-architecture
/// cluster and gateway images from verified per-architecture bundles, then one manifest list per image, without buildx.
/// Progress on stderr; the summary and every pushed reference with its digest on stdout.
/// </summary>
internal static class PublishCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var registry = new Option<string?>("--registry") { Description = "The registry and path to push to, e.g. ghcr.io/myorg or 127.0.0.1:5000/team (DOCKER_REGISTRY)." };
        var insecure = new Option<bool>("--insecure-registry") { Description = "Speak plain HTTP to a registry that is not on this machine (loopback registries always are)." };
        var repo = new Option<string?>("--repo") { Description = "The repository root (default: the git working tree around the current folder)." };
        var command = new Command(
            "publish",
            "Build and push openshell-cluster (<tag>-<arch>) and openshell-gateway (by digest) for every DOCKER_PLATFORMS architecture, then one manifest list "
            + "per image under IMAGE_TAG (also latest with TAG_LATEST=true, and EXTRA_DOCKER_TAGS). Needs OPENSHELL_RUNTIME_BUNDLE_TARBALL_<ARCH> for each.");
        command.Options.Add(registry);
        command.Options.Add(insecure);
        command.Options.Add(repo);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var root = parse.GetValue(repo) is { Length: > 0 } given ? Path.GetFullPath(given) : GitRepository.Discover(Environment.CurrentDirectory).Root;
            var settings = CliSettings.Load(parse.GetValue(CliApp.OfflineOption), root);
            if (parse.GetValue(registry) is { Length: > 0 } named)
            {
                settings.Publish.Registry = named;
            }

            settings.Publish.InsecureRegistry |= parse.GetValue(insecure);
            var fromSettings = PublishRequest.From(settings, root);
            var request = fromSettings with { BundleVariable = name => fromSettings.BundleVariable(name) ?? PerArchitecture(name, environment) };
            using var docker = DockerEngine.CreateClient(settings.Engine);
            var result = await MultiArchPublisher.RunAsync(docker, request, new WriterLogger(stderr), ct: ct).ConfigureAwait(false);
            await PrintAsync(stdout, result).ConfigureAwait(false);
            foreach (var line in request.Target.DoneLines())
            {
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    // Only the per-architecture variables: a publish never falls back to OPENSHELL_RUNTIME_BUNDLE_TARBALL.
    private static string? PerArchitecture(string name, Func<string, string?> environment) =>
        name.EndsWith("_AMD64", StringComparison.Ordinal) || name.EndsWith("_ARM64", StringComparison.Ordinal) ? environment(name) : null;

    private static async Task PrintAsync(TextWriter stdout, PublishResult result)
    {
        var rows = result.Images.Select(i => new[]
        {
            i.Reference, i.Architecture, i.Digest, Size(i.Size), Size(i.BytesPushed),
            $"{i.LayersPushed}/{i.LayersReused}", i.BuildSeconds.ToString("F1", CultureInfo.InvariantCulture), i.PushSeconds.ToString("F1", CultureInfo.InvariantCulture),
        }).ToList();
        string[] header = ["IMAGE", "ARCH", "DIGEST", "SIZE", "UPLOADED", "LAYERS NEW/REUSED", "BUILD S", "PUSH S"];
        var widths = header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        await stdout.WriteLineAsync(Row(header, widths)).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await stdout.WriteLineAsync(Row(row, widths)).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync().ConfigureAwait(false);
        await stdout.WriteLineAsync("Pushed:").ConfigureAwait(false);
        foreach (var reference in result.References)
        {
            // A per-architecture gateway image has no tag: its reference already is its digest.
            var shown = reference.Reference.Contains('@', StringComparison.Ordinal) ? reference.Reference : $"{reference.Reference}@{reference.Digest}";
            await stdout.WriteLineAsync($"  {shown}  ({reference.Kind})").ConfigureAwait(false);
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Published in {result.TotalSeconds:F1}s; {Size(result.BytesPushed)} of layers uploaded.")).ConfigureAwait(false);
    }

    private static string Row(string[] cells, int[] widths) => string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    /// <summary>
    /// Runs the publish with the command line's error ladder (<see cref="CliErrors.RunAsync"/>); its own case: a publish
    /// failure prints as it is, then its remedy, so OpenShell's own messages (<c>Set DOCKER_REGISTRY to push multi-arch
    /// images (e.g. ghcr.io/myorg)</c>, <c>Unsupported cluster platform for runtime bundle publishing: …</c>) read as upstream prints them.
    /// </summary>
    private static Task<int> RunAsync(TextWriter stderr, Func<Task<int>> action) =>
        CliErrors.RunAsync(stderr, action, ex => ex is PublishException publish
            ? publish.Remedy is { Length: > 0 } remedy ? [publish.Message, remedy] : [publish.Message]
            : null);
}
