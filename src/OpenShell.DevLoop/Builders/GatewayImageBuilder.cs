using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Builders;

/// <summary>
/// Builds the gateway image from <c>deploy/docker/Dockerfile.gateway</c> through the engine API (legacy builder, the
/// context streamed as a tar with fixed times and owners, so unchanged files hit the layer cache and an unchanged
/// publish gives the same image and the same digest), then pushes it and returns the manifest digest.
/// </summary>
internal static partial class GatewayImageBuilder
{
    /// <summary>The Dockerfile, relative to the repository root.</summary>
    public const string DockerfilePath = "deploy/docker/Dockerfile.gateway";

    /// <summary>The image label naming the repository the image is pushed to (finds the images of one registry, e.g. to clean up).</summary>
    public const string RepositoryLabel = "dev.openshell.repository";

    private static readonly string[] s_manifestTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    /// <summary>True for files of the app layer: the gateway's own outputs, which an edit changes.</summary>
    internal static bool IsAppFile(string fileName) =>
        fileName.StartsWith(GatewayPublisher.BinaryName, StringComparison.Ordinal)
        || fileName.StartsWith("OpenShell.", StringComparison.Ordinal);

    /// <summary>Writes the build context for the publish folder <paramref name="publishDirectory"/>.</summary>
    public static async Task WriteContextAsync(string repositoryRoot, string publishDirectory, Stream output, CancellationToken ct = default)
    {
        var dockerfile = Path.Combine(repositoryRoot, DockerfilePath);
        if (!File.Exists(dockerfile))
        {
            throw new InvalidOperationException($"{dockerfile} is missing; the gateway image is built from it (run from an OpenShell checkout).");
        }

        await using var context = new BuildContextWriter(output);
        await context.AddFileAsync("Dockerfile", dockerfile, BuildContextWriter.Regular, ct).ConfigureAwait(false);
        await context.AddDirectoryAsync("runtime", ct).ConfigureAwait(false);
        await context.AddDirectoryAsync("app", ct).ConfigureAwait(false);
        var files = new DirectoryInfo(publishDirectory).EnumerateFiles("*", SearchOption.AllDirectories)
            .Select(f => (File: f, Relative: Path.GetRelativePath(publishDirectory, f.FullName).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        foreach (var (file, relative) in files)
        {
            var layer = !relative.Contains('/', StringComparison.Ordinal) && IsAppFile(relative) ? "app" : "runtime";
            var mode = (File.GetUnixFileMode(file.FullName) & UnixFileMode.UserExecute) != 0 ? BuildContextWriter.Executable : BuildContextWriter.Regular;
            await context.AddFileAsync($"{layer}/{relative}", file.FullName, mode, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Builds <paramref name="tag"/> on <paramref name="baseImage"/> from the publish folder.</summary>
    /// <exception cref="InvalidOperationException">The engine reported a build error.</exception>
    public static async Task BuildAsync(IDockerClient docker, string repositoryRoot, string publishDirectory, string tag, string baseImage, ILogger logger, CancellationToken ct = default)
    {
        var contextFile = Path.Combine(Path.GetTempPath(), $"openshell-gateway-context-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var file = new FileStream(contextFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await WriteContextAsync(repositoryRoot, publishDirectory, file, ct).ConfigureAwait(false);
            }

            var progress = new EngineProgress(logger, null);
            await using var context = new FileStream(contextFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await docker.Images.BuildImageFromDockerfileAsync(
                new ImageBuildParameters
                {
                    Dockerfile = "Dockerfile",
                    Tags = [tag],
                    BuildArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage },
                    Remove = true,
                    ForceRemove = true,
                    Labels = new Dictionary<string, string> { [RepositoryLabel] = RepositoryOf(tag) },
                },
                context,
                authConfigs: null,
                headers: null,
                progress,
                ct).ConfigureAwait(false);
            if (progress.Error is { } error)
            {
                throw new InvalidOperationException($"Building the gateway image {tag} on {baseImage} failed: {error}. Check {DockerfilePath} and that the base image is present (eng/offline-images.sh builds the offline one).");
            }
        }
        finally
        {
            File.Delete(contextFile);
        }
    }

    private static string RepositoryOf(string tag)
    {
        var reference = ImageReference.Parse(tag);
        return (reference.Registry is null ? "" : reference.Registry + "/") + reference.Repository;
    }

    /// <summary>Pushes <paramref name="tag"/> and returns the manifest digest the registry reports.</summary>
    /// <exception cref="InvalidOperationException">The push failed or no digest could be learned.</exception>
    public static async Task<GatewayImage> PushAsync(IDockerClient docker, string tag, ILogger logger, Action<string>? onProgress, CancellationToken ct = default)
    {
        var reference = ImageReference.Parse(tag);
        var repository = RepositoryOf(tag);
        var progress = new EngineProgress(logger, onProgress);
        await docker.Images.PushImageAsync(repository, new ImagePushParameters { Tag = reference.Tag }, new AuthConfig(), progress, ct).ConfigureAwait(false);
        if (progress.Error is { } error)
        {
            throw new InvalidOperationException(
                $"Pushing {tag} failed: {error}. Check that the registry {reference.Registry ?? "docker.io"} is running and reachable from this machine ('openshell-dev deploy' bootstraps it).");
        }

        var digest = progress.PushedDigest ?? await HeadDigestAsync(reference, ct).ConfigureAwait(false);
        return progress.Tally.Describe(new GatewayImage(tag, repository, digest));
    }

    /// <summary>The digest of <paramref name="reference"/>'s manifest, asked of the registry with a HEAD request.</summary>
    public static async Task<string> HeadDigestAsync(ImageReference reference, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var host = reference.Registry ?? throw new InvalidOperationException($"{reference} names no registry; set IMAGE_REPO_BASE to host:port/path.");
        var scheme = host.StartsWith("127.", StringComparison.Ordinal) || host.StartsWith("localhost", StringComparison.Ordinal) ? "http" : "https";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"{scheme}://{host}/v2/{reference.Repository}/manifests/{reference.Tag}"));
        foreach (var type in s_manifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues("Docker-Content-Digest", out var values))
        {
            throw new InvalidOperationException($"The registry {host} did not report a digest for {reference} (HTTP {(int)response.StatusCode}); check that the push reached it.");
        }

        return values.First();
    }

    /// <summary>Relays engine output to the log, keeps the first error and the digest of a push (in-band, as the engine reports them).</summary>
    private sealed partial class EngineProgress(ILogger logger, Action<string>? onProgress) : IProgress<JSONMessage>
    {
        private readonly Dictionary<string, string> _layerStatus = new(StringComparer.Ordinal);

        public string? Error { get; private set; }

        public string? PushedDigest { get; private set; }

        public PushTally Tally { get; } = new();

        public void Report(JSONMessage value)
        {
            Tally.Add(value);
            var error = value.Error?.Message ?? value.ErrorMessage;
            if (!string.IsNullOrEmpty(error))
            {
                Error ??= error.Trim();
                LogEngineError(logger, error.Trim());
                return;
            }

            var text = (value.Stream ?? value.Status)?.TrimEnd();
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }

            if (DigestPattern().Match(text) is { Success: true } match)
            {
                PushedDigest = match.Groups[1].Value;
            }

            // One line per layer status change, not one per progress tick.
            var key = value.ID ?? string.Empty;
            lock (_layerStatus)
            {
                if (key.Length > 0 && _layerStatus.TryGetValue(key, out var last) && last == text)
                {
                    return;
                }

                _layerStatus[key] = text;
            }

            var line = key.Length > 0 ? $"{key}: {text}" : text;
            LogEngineOutput(logger, line);
            onProgress?.Invoke(line);
        }

        [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
        private static partial Regex DigestPattern();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Line}")]
    private static partial void LogEngineOutput(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "engine: {Error}")]
    private static partial void LogEngineError(ILogger logger, string error);
}
