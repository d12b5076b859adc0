using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Builders;

/// <summary>
/// Builds the gateway image from <c>deploy/docker/Dockerfile.gateway</c> through the engine API (legacy builder, the
/// context streamed as a tar with fixed times and owners, so unchanged files hit the layer cache and an unchanged
/// publish gives the same image and the same digest), then pushes it and returns the manifest digest. The image carries
/// its content fingerprint as a label (<see cref="ContentLabel"/>: the build context and the base image's id); when the
/// registry's image under the tag has the same one, the push is skipped and that image's digest is kept, so a rebuild
/// of unchanged content (a new <c>created</c> time from the legacy builder notwithstanding) rolls nothing out.
/// </summary>
internal static partial class GatewayImageBuilder
{
    /// <summary>The Dockerfile, relative to the repository root.</summary>
    public const string DockerfilePath = "deploy/docker/Dockerfile.gateway";

    /// <summary>The image label naming the repository the image is pushed to (finds the images of one registry, e.g. to clean up).</summary>
    public const string RepositoryLabel = "dev.openshell.repository";

    /// <summary>The image label holding the SHA-256 of the build context and the base image's id: what decides a rollout.</summary>
    public const string ContentLabel = "dev.openshell.content-sha256";

    /// <summary>
    /// The image label holding the component fingerprint the image was built from (what the deploy state file records for
    /// it), so what runs in the cluster can be compared with the state file.
    /// </summary>
    public const string FingerprintLabel = "dev.openshell.fingerprint";

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

    /// <summary>
    /// Writes the build context for the publish folder <paramref name="publishDirectory"/> with the Dockerfile
    /// <paramref name="dockerfilePath"/> (relative to the repository root; the gateway's by default).
    /// </summary>
    public static async Task WriteContextAsync(string repositoryRoot, string publishDirectory, Stream output, CancellationToken ct = default, string dockerfilePath = DockerfilePath)
    {
        var dockerfile = Path.Combine(repositoryRoot, dockerfilePath);
        if (!File.Exists(dockerfile))
        {
            throw new InvalidOperationException($"{dockerfile} is missing; the image is built from it (run from an OpenShell checkout, or fix \"dockerfile\" in {Components.ComponentCatalog.RelativePath}).");
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

    /// <summary>
    /// Writes the build context of an image's base: <paramref name="dockerfile"/> (the Dockerfile without its app <c>COPY</c>),
    /// the publish folder's runtime files under <c>runtime/</c> and an empty <c>app/</c>.
    /// </summary>
    internal static async Task WriteBaseContextAsync(string dockerfile, string publishDirectory, Stream output, CancellationToken ct = default)
    {
        await using var context = new BuildContextWriter(output);
        await context.AddBytesAsync("Dockerfile", Encoding.UTF8.GetBytes(dockerfile), BuildContextWriter.Regular, ct).ConfigureAwait(false);
        await context.AddDirectoryAsync("runtime", ct).ConfigureAwait(false);
        await context.AddDirectoryAsync("app", ct).ConfigureAwait(false);
        foreach (var (path, relative, mode) in RuntimeFiles(publishDirectory))
        {
            await context.AddFileAsync($"runtime/{relative}", path, mode, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// SHA-256 over the publish folder's runtime files (names, executable bits, contents): what the base's runtime layer
    /// holds. With <paramref name="hashCache"/>, each file's hash is kept there with its size and modification time and
    /// reused while both are unchanged: an incremental publish leaves the runtime files alone, so an edit hashes none.
    /// </summary>
    internal static async Task<string> RuntimeFingerprintAsync(string publishDirectory, CancellationToken ct = default, string? hashCache = null)
    {
        var known = new Dictionary<string, (long Size, long Time, string Sha)>(StringComparer.Ordinal);
        if (hashCache is not null && File.Exists(hashCache))
        {
            foreach (var line in await File.ReadAllLinesAsync(hashCache, ct).ConfigureAwait(false))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length == 4 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var size) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var time))
                {
                    known[parts[3]] = (size, time, parts[2]);
                }
            }
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var records = new StringBuilder();
        var (hashed, files) = (0, 0);
        foreach (var (path, relative, mode) in RuntimeFiles(publishDirectory))
        {
            var info = new FileInfo(path);
            var (size, time) = (info.Length, info.LastWriteTimeUtc.Ticks);
            if (!known.TryGetValue(relative, out var record) || record.Size != size || record.Time != time)
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                record = (size, time, Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false)));
                hashed++;
            }

            files++;
            records.Append(CultureInfo.InvariantCulture, $"{size} {time} {record.Sha} {relative}\n");
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(int)mode} {record.Sha} {relative}\n")));
        }

        if (hashCache is not null && (hashed > 0 || known.Count != files))
        {
            await FileSystem.AtomicFile.WriteTextAsync(hashCache, records.ToString(), ct: ct).ConfigureAwait(false);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // Every published file but the top-level application files, sorted, with the mode the context gives it.
    private static IEnumerable<(string Path, string Relative, UnixFileMode Mode)> RuntimeFiles(string publishDirectory) =>
        new DirectoryInfo(publishDirectory).EnumerateFiles("*", SearchOption.AllDirectories)
            .Select(f => (Path: f.FullName, Relative: Path.GetRelativePath(publishDirectory, f.FullName).Replace('\\', '/')))
            .Where(f => f.Relative.Contains('/', StringComparison.Ordinal) || !IsAppFile(f.Relative))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => (f.Path, f.Relative, (File.GetUnixFileMode(f.Path) & UnixFileMode.UserExecute) != 0 ? BuildContextWriter.Executable : BuildContextWriter.Regular));

    /// <summary>
    /// Builds the base image <paramref name="tag"/> from <paramref name="dockerfile"/> (the Dockerfile without its app
    /// <c>COPY</c>) with the publish folder's runtime files, on <paramref name="baseImage"/>, labelled with
    /// <see cref="RepositoryLabel"/> <paramref name="repository"/>. The FROM images must be present.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine reported a build error.</exception>
    internal static async Task BuildBaseAsync(
        IDockerClient docker, string dockerfile, string publishDirectory, string tag, string baseImage, string repository, ILogger logger, CancellationToken ct = default)
    {
        await EngineImageBuild.WithContextFileAsync("base", file => WriteBaseContextAsync(dockerfile, publishDirectory, file, ct), async context =>
        {
            await EngineImageBuild.RunAsync(
                docker,
                new ImageBuildParameters
                {
                    Tags = [tag],
                    BuildArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage },
                    Labels = new Dictionary<string, string> { [RepositoryLabel] = repository },
                },
                context,
                logger,
                error => new InvalidOperationException(
                    $"Building the base image {tag} on {baseImage} failed: {error}. Check the Dockerfile and that the base image is present (eng/offline-images.sh builds the offline one)."),
                ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds <paramref name="tag"/> on <paramref name="baseImage"/> from the publish folder and returns its content fingerprint
    /// (the <see cref="ContentLabel"/> value). Every image the Dockerfile builds FROM is pulled first when missing (progress on
    /// <paramref name="logger"/> and <paramref name="pullProgress"/>).
    /// </summary>
    /// <exception cref="ImagePullException">A base image is missing and could not be pulled.</exception>
    /// <exception cref="InvalidOperationException">The engine reported a build error.</exception>
    public static Task<string> BuildAsync(
        IDockerClient docker, string repositoryRoot, string publishDirectory, string tag, string baseImage, ILogger logger, IProgress<ImagePullProgress>? pullProgress = null,
        CancellationToken ct = default, string dockerfilePath = DockerfilePath, string? fingerprint = null) =>
        BuildAsync(docker, repositoryRoot, publishDirectory, tag, baseImage, platform: null, logger, pullProgress, ct, dockerfilePath, fingerprint);

    /// <summary>
    /// Builds <paramref name="tag"/> for <paramref name="platform"/> (<c>linux/arm64</c>; null: the engine's own) on a
    /// <paramref name="baseImage"/> of that platform; the Dockerfile runs nothing, so no emulation is needed. A
    /// <paramref name="fingerprint"/> (the component's) is carried as the <see cref="FingerprintLabel"/>.
    /// </summary>
    public static async Task<string> BuildAsync(
        IDockerClient docker, string repositoryRoot, string publishDirectory, string tag, string baseImage, string? platform, ILogger logger,
        IProgress<ImagePullProgress>? pullProgress = null, CancellationToken ct = default, string dockerfilePath = DockerfilePath, string? fingerprint = null)
    {
        var buildArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage };
        var dockerfile = Path.Combine(repositoryRoot, dockerfilePath);
        if (File.Exists(dockerfile))
        {
            var bases = DockerfileBaseImages.Read(await File.ReadAllTextAsync(dockerfile, ct).ConfigureAwait(false), buildArgs);
            await ImagePuller.EnsureAllPresentAsync(docker, bases, logger, pullProgress, ct: ct).ConfigureAwait(false);
        }

        return await EngineImageBuild.WithContextFileAsync("gateway", file => WriteContextAsync(repositoryRoot, publishDirectory, file, ct, dockerfilePath), async context =>
        {
            var content = await ContentFingerprintAsync(docker, context, baseImage, ct).ConfigureAwait(false);
            var labels = new Dictionary<string, string> { [RepositoryLabel] = RepositoryOf(tag), [ContentLabel] = content };
            if (fingerprint is not null)
            {
                labels[FingerprintLabel] = fingerprint;
            }

            context.Position = 0;
            await Deploy.DeployFaultPoints.ReachAsync(Deploy.DeployFaultPoints.ImageBuild, ct).ConfigureAwait(false);
            await EngineImageBuild.RunAsync(
                docker,
                new ImageBuildParameters { Tags = [tag], BuildArgs = buildArgs, Platform = platform, Labels = labels },
                context,
                logger,
                error => new InvalidOperationException(
                    $"Building the image {tag} on {baseImage} failed: {error}. Check {dockerfilePath} and that the base image is present (eng/offline-images.sh builds the offline one)."),
                ct).ConfigureAwait(false);
            return content;
        }).ConfigureAwait(false);
    }

    // The context holds the Dockerfile and every published file (fixed times and owners); with the base image's id it is
    // everything the image is made of.
    private static async Task<string> ContentFingerprintAsync(IDockerClient docker, Stream context, string baseImage, CancellationToken ct)
    {
        var contextSha = await ContextFingerprintAsync(context, ct).ConfigureAwait(false);

        var baseId = (await docker.Images.InspectImageAsync(baseImage, ct).ConfigureAwait(false)).ID;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"context {contextSha}\nbase {baseId}\n")));
    }

    /// <summary>
    /// SHA-256 over a context tar's entries (type, name, mode, owner, time, link target, content), in order. Not over its
    /// bytes: the tar writer names each PAX extended header after the writing process's id, so the same files written by
    /// another process differ in bytes, and the image would get a new label (a new configuration, a new digest) on every run.
    /// </summary>
    internal static async Task<string> ContextFingerprintAsync(Stream tar, CancellationToken ct = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var reader = new System.Formats.Tar.TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            var content = entry.DataStream is { } data ? Convert.ToHexStringLower(await SHA256.HashDataAsync(data, ct).ConfigureAwait(false)) : "-";
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{entry.EntryType} {(int)entry.Mode} {entry.Uid} {entry.Gid} {entry.ModificationTime.ToUnixTimeSeconds()} {content} {entry.Name}\0{entry.LinkName}\0\n")));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal static string RepositoryOf(string tag)
    {
        var reference = ImageReference.Parse(tag);
        return (reference.Registry is null ? "" : reference.Registry + "/") + reference.Repository;
    }

    /// <summary>
    /// Pushes <paramref name="tag"/> and returns the manifest digest the registry reports. When the registry's image under the
    /// tag carries the same <see cref="ContentLabel"/> as the local one, nothing is pushed and its digest is returned
    /// (<see cref="GatewayImage.Pushed"/> false).
    /// The engine pushes; this machine asks the registry for digests where <paramref name="ports"/> dials it (null for an
    /// engine on this machine).
    /// </summary>
    /// <exception cref="InvalidOperationException">The push failed or no digest could be learned.</exception>
    public static async Task<GatewayImage> PushAsync(
        IDockerClient docker, string tag, ILogger logger, Action<string>? onProgress, IEnginePorts? ports = null, CancellationToken ct = default)
    {
        var reference = ImageReference.Parse(tag);
        var repository = RepositoryOf(tag);
        var localLabels = (await docker.Images.InspectImageAsync(tag, ct).ConfigureAwait(false)).Config?.Labels ?? new Dictionary<string, string>();
        var local = localLabels.TryGetValue(ContentLabel, out var content) ? content : null;
        var fingerprint = localLabels.TryGetValue(FingerprintLabel, out var value) ? value : null;

        // The same content under another fingerprint is pushed: the image in the cluster names the inputs it was built from.
        if (local is not null && await RegistryImageAsync(reference, ports, ct).ConfigureAwait(false) is { } remote && remote.Content == local
            && remote.Fingerprint == fingerprint)
        {
            LogSameContent(logger, tag, remote.Digest);
            onProgress?.Invoke($"the registry already holds this content as {remote.Digest}: nothing to push");
            return new GatewayImage(tag, repository, remote.Digest) { Pushed = false };
        }

        var progress = new EngineProgress(logger, onProgress);
        await Deploy.DeployFaultPoints.ReachAsync(Deploy.DeployFaultPoints.ImagePush, ct).ConfigureAwait(false);
        await docker.Images.PushImageAsync(repository, new ImagePushParameters { Tag = reference.Tag }, new AuthConfig(), progress, ct).ConfigureAwait(false);
        if (progress.Error is { } error)
        {
            throw new InvalidOperationException(
                $"Pushing {tag} failed: {error}. Check that the registry {reference.Registry ?? "docker.io"} is running and reachable from this machine ('openshell-dev deploy' bootstraps it).");
        }

        var digest = progress.PushedDigest ?? await HeadDigestAsync(reference, ports, ct).ConfigureAwait(false);
        return progress.Tally.Describe(new GatewayImage(tag, repository, digest));
    }

    /// <summary>
    /// The digest, <see cref="ContentLabel"/> and <see cref="FingerprintLabel"/> of the image the registry holds under
    /// <paramref name="reference"/>'s tag; null when there is none, it is an index, or the registry cannot be asked (the
    /// caller then pushes).
    /// </summary>
    internal static async Task<(string Digest, string? Content, string? Fingerprint)?> RegistryImageAsync(ImageReference reference, IEnginePorts? ports = null, CancellationToken ct = default)
    {
        try
        {
            return await RegistryLabelsAsync(reference, ports, ct).ConfigureAwait(false) is { } image
                ? (image.Digest, image.Labels.GetValueOrDefault(ContentLabel), image.Labels.GetValueOrDefault(FingerprintLabel))
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// The manifest digest and the configuration's labels of the image the registry holds under <paramref name="reference"/>'s
    /// digest (else its tag), asked where <paramref name="ports"/> dials the registry; null when the registry has no such
    /// image or it is an index.
    /// </summary>
    /// <exception cref="HttpRequestException">The registry could not be reached.</exception>
    internal static async Task<(string Digest, IReadOnlyDictionary<string, string> Labels)?> RegistryLabelsAsync(ImageReference reference, IEnginePorts? ports, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Registry is not { } host)
        {
            return null;
        }

        var dialled = await (ports ?? LoopbackEnginePorts.Instance).DialAsync(host, ct).ConfigureAwait(false);
        var baseUri = $"{SchemeOf(host)}://{dialled}/v2/{reference.Repository}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{baseUri}/manifests/{reference.Digest ?? reference.Tag}"));
        foreach (var type in s_manifestTypes.Take(2))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues("Docker-Content-Digest", out var digests))
        {
            return null;
        }

        using var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        if (!manifest.RootElement.TryGetProperty("config", out var config) || !config.TryGetProperty("digest", out var configDigest))
        {
            return null;
        }

        using var blob = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{baseUri}/blobs/{configDigest.GetString()}"), ct).ConfigureAwait(false));
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (blob.RootElement.TryGetProperty("config", out var imageConfig) && imageConfig.TryGetProperty("Labels", out var found) && found.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in found.EnumerateObject().Where(l => l.Value.ValueKind == JsonValueKind.String))
            {
                labels[label.Name] = label.Value.GetString()!;
            }
        }

        return (digests.First(), labels);
    }

    private static string SchemeOf(string host) =>
        host.StartsWith("127.", StringComparison.Ordinal) || host.StartsWith("localhost", StringComparison.Ordinal) ? "http" : "https";

    /// <summary>
    /// The digest of <paramref name="reference"/>'s manifest, asked of the registry with a HEAD request where
    /// <paramref name="ports"/> dials it (a registry on the engine's loopback; null for an engine on this machine).
    /// </summary>
    public static async Task<string> HeadDigestAsync(ImageReference reference, IEnginePorts? ports = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var host = reference.Registry ?? throw new InvalidOperationException($"{reference} names no registry; set IMAGE_REPO_BASE to host:port/path.");
        var scheme = SchemeOf(host);
        var dialled = await (ports ?? LoopbackEnginePorts.Instance).DialAsync(host, ct).ConfigureAwait(false);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"{scheme}://{dialled}/v2/{reference.Repository}/manifests/{reference.Tag}"));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Tag}: the registry already holds an image of the same content ({Digest}); nothing pushed")]
    private static partial void LogSameContent(ILogger logger, string tag, string digest);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Line}")]
    private static partial void LogEngineOutput(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "engine: {Error}")]
    private static partial void LogEngineError(ILogger logger, string error);
}
