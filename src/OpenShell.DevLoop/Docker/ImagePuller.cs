using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Docker;

/// <summary>
/// Pulls the public images the environment builds on (k3s, runtime-deps, any other base a Dockerfile names) through the
/// engine API when they are missing, with progress, registry credentials from Docker's configuration, and an error that
/// names the image and the registry.
/// </summary>
public static partial class ImagePuller
{
    /// <summary>
    /// Pulls <paramref name="image"/> unless the engine has it. Progress goes to <paramref name="progress"/> (every engine
    /// message) and to <paramref name="logger"/> (a line per tenth of the download). Returns true when it pulled.
    /// </summary>
    /// <exception cref="ImagePullException">The pull failed.</exception>
    public static async Task<bool> EnsurePresentAsync(
        IDockerClient docker, string image, ILogger? logger = null, IProgress<ImagePullProgress>? progress = null, DockerCredentials? credentials = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentException.ThrowIfNullOrEmpty(image);
        if (await IsPresentAsync(docker, image, ct).ConfigureAwait(false))
        {
            return false;
        }

        await PullAsync(docker, image, logger, progress, credentials, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Pulls every image of <paramref name="images"/> that the engine lacks, one after the other.</summary>
    /// <exception cref="ImagePullException">A pull failed.</exception>
    public static async Task EnsureAllPresentAsync(
        IDockerClient docker, IEnumerable<string> images, ILogger? logger = null, IProgress<ImagePullProgress>? progress = null, DockerCredentials? credentials = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        foreach (var image in images.Distinct(StringComparer.Ordinal))
        {
            await EnsurePresentAsync(docker, image, logger, progress, credentials, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True when the engine has <paramref name="image"/>.</summary>
    public static async Task<bool> IsPresentAsync(IDockerClient docker, string image, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        try
        {
            await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Pulls <paramref name="image"/> whether or not it is present.</summary>
    /// <exception cref="ImagePullException">The pull failed.</exception>
    public static async Task PullAsync(
        IDockerClient docker, string image, ILogger? logger = null, IProgress<ImagePullProgress>? progress = null, DockerCredentials? credentials = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        logger ??= Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(image);
        }
        catch (FormatException ex)
        {
            throw new ImagePullException(image, "(none)", $"Cannot pull '{image}': {ex.Message} Fix the image setting (OpenShell:Images:*).", ex);
        }

        var registry = DockerCredentials.NormalizeHost(reference.Registry);
        AuthConfig? auth;
        try
        {
            credentials ??= DockerCredentials.Load();
            auth = credentials.For(registry);
        }
        catch (InvalidOperationException ex)
        {
            throw new ImagePullException(image, registry, $"Cannot pull image {image} from registry {registry}: {ex.Message}", ex);
        }

        LogPulling(logger, image, registry, auth is null ? "anonymously" : "with the login from " + credentials.Source);
        var tracker = new PullTracker(image, logger, progress);
        try
        {
            await docker.Images.CreateImageAsync(
                new ImagesCreateParameters
                {
                    FromImage = (reference.Registry is null ? "" : reference.Registry + "/") + reference.Repository,
                    Tag = reference.Digest ?? reference.Tag,
                },
                auth ?? new AuthConfig(),
                tracker,
                ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw Failed(image, registry, ex.ResponseBody is { Length: > 0 } body ? EngineMessage(body) : ex.Message, auth is not null, credentials.Source, ex);
        }
        catch (HttpRequestException ex)
        {
            throw Failed(image, registry, ex.Message, auth is not null, credentials.Source, ex);
        }

        if (tracker.Error is { } error)
        {
            throw Failed(image, registry, error, auth is not null, credentials.Source, null);
        }

        if (!await IsPresentAsync(docker, image, ct).ConfigureAwait(false))
        {
            throw Failed(image, registry, "the engine reported no error, but the image is not there afterwards", auth is not null, credentials.Source, null);
        }

        LogPulled(logger, image);
    }

    private static ImagePullException Failed(string image, string registry, string cause, bool authenticated, string? configPath, Exception? inner)
    {
        var login = authenticated
            ? $"the login for {registry} in {configPath} was used: check it with 'docker login {registry}'"
            : $"a private registry needs 'docker login {registry}' first (logins are read from {configPath ?? DockerCredentials.DefaultConfigPath()})";
        return new ImagePullException(image, registry,
            $"Pulling image {image} from registry {registry} failed: {cause.Trim()}. Check that {registry} is reachable from the Docker engine " +
            $"(network, proxy settings of the daemon) and that the image name and tag exist; {login}. Without network access, build the " +
            "offline stand-ins with 'sudo bash eng/offline-images.sh' and use the Offline profile (--offline).",
            inner);
    }

    // The engine answers errors as {"message":"..."}.
    private static string EngineMessage(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("message", out var message) ? message.GetString() ?? body : body;
        }
        catch (System.Text.Json.JsonException)
        {
            return body;
        }
    }

    /// <summary>Sums the engine's per-layer messages into one progress and logs a line per tenth.</summary>
    private sealed class PullTracker(string image, ILogger logger, IProgress<ImagePullProgress>? progress) : IProgress<JSONMessage>
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, (long Done, long Total, bool Complete)> _layers = new(StringComparer.Ordinal);
        private int _lastTenth = -1;

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            var error = value.Error?.Message ?? value.ErrorMessage;
            ImagePullProgress snapshot;
            int? tenth = null;
            lock (_gate)
            {
                if (!string.IsNullOrEmpty(error))
                {
                    Error ??= error;
                    return;
                }

                var status = value.Status ?? string.Empty;
                if (value.ID is { Length: > 0 } id && IsLayerStatus(status))
                {
                    _layers.TryGetValue(id, out var layer);
                    if (status.StartsWith("Downloading", StringComparison.Ordinal) && value.Progress is { Total: > 0 } p)
                    {
                        layer = (p.Current, p.Total, false);
                    }
                    else if (status is "Download complete" or "Verifying Checksum")
                    {
                        layer = (layer.Total, layer.Total, false);
                    }
                    else if (status is "Pull complete" or "Already exists")
                    {
                        layer = (layer.Total, layer.Total, true);
                    }

                    _layers[id] = layer;
                }

                var done = _layers.Values.Sum(l => l.Done);
                var total = _layers.Values.Sum(l => l.Total);
                var complete = _layers.Values.Count(l => l.Complete);
                snapshot = new ImagePullProgress(image, value.ID is { Length: > 0 } layerId ? $"{layerId}: {status}" : status, complete, _layers.Count, done, total);
                var current = _layers.Count == 0 ? 0 : total > 0 ? (int)Math.Min(10, done * 10 / total) : complete * 10 / _layers.Count;
                if (current > _lastTenth && _layers.Count > 0)
                {
                    _lastTenth = current;
                    tenth = current;
                }
            }

            progress?.Report(snapshot);
            if (tenth is { } t)
            {
                LogProgress(logger, image, t * 10, (snapshot.BytesDone >> 20).ToString(CultureInfo.InvariantCulture),
                    (snapshot.BytesTotal >> 20).ToString(CultureInfo.InvariantCulture), snapshot.LayersDone, snapshot.LayersTotal);
            }
        }

        // Statuses about the image as a whole ("Pulling from library/x", "Digest: ...", "Status: ...") carry no layer.
        private static bool IsLayerStatus(string status) =>
            !status.StartsWith("Pulling from", StringComparison.Ordinal) && !status.StartsWith("Digest:", StringComparison.Ordinal) && !status.StartsWith("Status:", StringComparison.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulling image {Image} from {Registry} ({How})")]
    private static partial void LogPulling(ILogger logger, string image, string registry, string how);

    [LoggerMessage(Level = LogLevel.Information, Message = "pulling {Image}: {Percent}% ({DoneMiB} of {TotalMiB} MiB, {LayersDone}/{LayersTotal} layers)")]
    private static partial void LogProgress(ILogger logger, string image, int percent, string doneMiB, string totalMiB, int layersDone, int layersTotal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled image {Image}")]
    private static partial void LogPulled(ILogger logger, string image);
}
