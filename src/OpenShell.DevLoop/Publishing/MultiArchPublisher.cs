using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// Publishes the cluster and gateway images for several architectures without buildx or emulation, in phases, so that
/// nothing is pushed unless everything verified and built:
/// <list type="number">
/// <item>verify and stage every architecture's runtime bundle (<c>OPENSHELL_RUNTIME_BUNDLE_TARBALL_&lt;ARCH&gt;</c> only);</item>
/// <item>build, in upstream's order: the gateway image for each platform, the chart, then per platform the supervisor
/// (reused from <see cref="ReleaseSupervisorCache"/> when its inputs did not change) and the cluster image; each image
/// on that platform's bases (the Dockerfiles run nothing, so the legacy builder assembles them), its architecture checked;</item>
/// <item>push the per-architecture cluster images (<c>&lt;tag&gt;-&lt;arch&gt;</c>) through the engine, and the
/// per-architecture gateway images by digest only (<see cref="DigestPusher"/>: upstream pushes no per-architecture gateway tags);</item>
/// <item>PUT a Docker manifest list under <c>&lt;tag&gt;</c> for each image with the registry API, and copy it to
/// <c>latest</c> and the extra tags by manifest PUT.</item>
/// </list>
/// The published cluster image's chart values name the published gateway (<c>&lt;registry&gt;/openshell-gateway:&lt;tag&gt;</c>).
/// </summary>
public static partial class MultiArchPublisher
{
    /// <summary>Runs the publish.</summary>
    /// <param name="docker">The engine that builds and pushes.</param>
    /// <param name="request">What to publish.</param>
    /// <param name="logger">Progress: each phase, build and push.</param>
    /// <param name="registryHandler">The HTTP handler for the registry API; null uses the default one.</param>
    /// <param name="ct">Cancels the publish.</param>
    /// <exception cref="RuntimeBundleException">A bundle is missing or invalid (nothing built, nothing pushed).</exception>
    /// <exception cref="PublishException">A base image, build or push failed (nothing pushed when it failed before the push phase).</exception>
    /// <exception cref="RegistryException">The registry refused a manifest or a login.</exception>
    public static async Task<PublishResult> RunAsync(
        IDockerClient docker, PublishRequest request, ILogger logger, HttpMessageHandler? registryHandler = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);
        var total = Stopwatch.StartNew();
        var target = request.Target;

        var staged = await VerifyBundlesAsync(request, logger, ct).ConfigureAwait(false);
        var builds = await BuildAllAsync(docker, request, staged, logger, ct).ConfigureAwait(false);

        using var registry = new RegistryClient(RegistryEndpoint.For(target.ApiHost, request.InsecureRegistry), request.Credential, registryHandler);
        var images = new List<PublishedImage>();
        var references = new List<PushedReference>();
        var manifests = new Dictionary<Build, RegistryManifest>();
        foreach (var build in builds)
        {
            var (image, manifest) = await PushAsync(docker, registry, request, build, logger, ct).ConfigureAwait(false);
            images.Add(image);
            manifests[build] = manifest;
            references.Add(new PushedReference(image.Reference, image.Digest, "image"));
        }

        // As upstream: the gateway's list, the cluster's, then the extra tags, gateway first.
        string[] names = [PublishTarget.GatewayName, PublishTarget.ClusterName];
        var lists = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var entries = builds.Where(b => b.Name == name).Select(b => new ManifestListEntry(manifests[b], b.Architecture)).ToList();
            var list = lists[name] = ManifestList.Create(entries);
            var digest = await registry.PutManifestAsync(target.Repository(name), target.Tag, ManifestMediaTypes.DockerManifestList, list, ct).ConfigureAwait(false);
            LogList(logger, $"{target.Image(name)}:{target.Tag}", digest, string.Join(", ", entries.Select(e => e.Architecture)));
            references.Add(new PushedReference($"{target.Image(name)}:{target.Tag}", digest, "manifest list"));
        }

        foreach (var name in names)
        {
            foreach (var tag in target.ExtraTags)
            {
                LogTagging(logger, $"{target.Image(name)}:{tag}");
                var copied = await registry.PutManifestAsync(target.Repository(name), tag, ManifestMediaTypes.DockerManifestList, lists[name], ct).ConfigureAwait(false);
                LogTagged(logger, $"{target.Image(name)}:{tag}", copied);
                references.Add(new PushedReference($"{target.Image(name)}:{tag}", copied, "manifest list"));
            }
        }

        return new PublishResult(images, references, total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Resolves and verifies every architecture's bundle, with the messages of OpenShell's script; each is staged under
    /// <c>&lt;work&gt;/runtime-bundle/&lt;arch&gt;/</c>. Stricter than the script, which checks each bundle only when it
    /// reaches that architecture's cluster image (after pushing the gateway and the previous architectures): all are
    /// checked before anything is built.
    /// </summary>
    /// <exception cref="RuntimeBundleException">A variable is missing, a tarball does not exist, or a bundle is invalid.</exception>
    public static async Task<IReadOnlyDictionary<string, StagedBundle>> VerifyBundlesAsync(PublishRequest request, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);
        var staged = new Dictionary<string, StagedBundle>(StringComparer.Ordinal);
        foreach (var arch in request.Target.Architectures)
        {
            var variable = $"{RuntimeBundleSource.TarballVariable}_{arch.ToUpperInvariant()}";
            var tarball = request.BundleVariable(variable);
            if (string.IsNullOrWhiteSpace(tarball))
            {
                throw new RuntimeBundleException(BundleRule.SourceNotConfigured, null, $"missing required variable: {variable}");
            }

            if (!File.Exists(tarball))
            {
                throw new RuntimeBundleException(BundleRule.TarballNotFound, tarball, $"tarball not found: {tarball}");
            }

            var bundle = await RuntimeBundleStager.StageAsync(tarball, arch, Path.Combine(request.EffectiveWorkDirectory, "runtime-bundle"), ct: ct).ConfigureAwait(false);
            LogVerified(logger, arch, bundle.BundleDirectory, bundle.TarballSha256);
            staged[arch] = bundle;
        }

        return staged;
    }

    private static async Task<List<Build>> BuildAllAsync(IDockerClient docker, PublishRequest request, IReadOnlyDictionary<string, StagedBundle> staged, ILogger logger, CancellationToken ct)
    {
        var target = request.Target;
        var root = request.RepositoryRoot;
        var work = request.EffectiveWorkDirectory;
        var deploy = Path.Combine(root, "deploy");
        var version = await docker.System.GetVersionAsync(ct).ConfigureAwait(false);
        var engine = BundleArchitecture.TryNormalize(version.Arch) ?? version.Arch;
        var gatewayImage = target.Image(PublishTarget.GatewayName);
        var cache = new FileSystem.CachePaths(root);
        var supervisors = new ReleaseSupervisorCache(request.EffectiveSupervisorCache);

        // Every base first: a missing one fails before anything is built.
        var bases = new Dictionary<string, (string K3s, string ClusterBase, string GatewayBase)>(StringComparer.Ordinal);
        foreach (var arch in target.Architectures)
        {
            bases[arch] = (
                await PlatformImages.EnsureAsync(docker, request.K3sImage, arch, engine, logger, ct).ConfigureAwait(false),
                await PlatformImages.EnsureAsync(docker, request.ClusterBase, arch, engine, logger, ct).ConfigureAwait(false),
                await PlatformImages.EnsureAsync(docker, request.GatewayBase, arch, engine, logger, ct).ConfigureAwait(false));
        }

        // Upstream's order and progress lines: the gateway for every platform, the chart, then the cluster image per platform.
        var builds = new List<Build>();
        LogGatewayPhase(logger);
        await Wrap("restoring the gateway", async () =>
        {
            await GatewayPublisher.RestoreAsync(root, target.Architectures, logger, ct).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        foreach (var arch in target.Architectures)
        {
            var platform = $"linux/{arch}";
            var watch = Stopwatch.StartNew();
            var gateway = $"{gatewayImage}:{target.ArchitectureTag(arch)}";
            var publish = await Wrap($"publishing the gateway for {arch}", () =>
                GatewayPublisher.PublishAsync(root, arch, cache.GatewayPublish(arch), logger, ct, restored: true)).ConfigureAwait(false);
            LogBuilding(logger, gateway, platform);
            await Wrap($"building {gateway}", () =>
                GatewayImageBuilder.BuildAsync(docker, root, publish, gateway, bases[arch].GatewayBase, platform, logger, ct: ct)).ConfigureAwait(false);
            await RequireArchitectureAsync(docker, gateway, arch, ct).ConfigureAwait(false);
            builds.Add(new Build(PublishTarget.GatewayName, gateway, arch, watch.Elapsed.TotalSeconds));
        }

        LogPackagingChart(logger);
        var chart = await ChartPackager.PackAsync(Path.Combine(deploy, "helm", "openshell"), Path.Combine(work, "charts"), ct).ConfigureAwait(false);
        var manifests = await WriteManifestsAsync(Path.Combine(deploy, "kube", "manifests"), Path.Combine(work, "manifests"), gatewayImage, target.Tag, ct).ConfigureAwait(false);

        LogClusterPhase(logger);
        foreach (var arch in target.Architectures)
        {
            var platform = $"linux/{arch}";
            var watch = Stopwatch.StartNew();
            var supervisor = await Wrap($"publishing the supervisor for {arch}", async () =>
            {
                var key = await ReleaseSupervisorCache.KeyAsync(root, arch, ct).ConfigureAwait(false);
                var (binary, _) = await supervisors.GetOrPublishAsync(key, () =>
                    SupervisorPublisher.PublishAsync(root, arch, cache.SupervisorPublish(arch, SupervisorBuild.Release), logger, ct), logger, ct).ConfigureAwait(false);
                return binary;
            }).ConfigureAwait(false);
            var cluster = $"{target.Image(PublishTarget.ClusterName)}:{target.ArchitectureTag(arch)}";
            LogBuilding(logger, cluster, platform);
            var inputs = new ClusterImageInputs(deploy, staged[arch].BundleDirectory, chart, supervisor) { Platform = platform, ManifestsDirectory = manifests };
            await Wrap($"building {cluster}", async () =>
            {
                await ClusterImageBuilder.BuildAsync(docker, inputs, cluster, bases[arch].K3s, bases[arch].ClusterBase, logger, ct: ct).ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
            await RequireArchitectureAsync(docker, cluster, arch, ct).ConfigureAwait(false);
            LogClusterBuilt(logger, cluster);
            builds.Add(new Build(PublishTarget.ClusterName, cluster, arch, watch.Elapsed.TotalSeconds));
        }

        // Cluster images first, then gateways, each in platform order.
        return [.. builds.OrderBy(b => b.Name == PublishTarget.ClusterName ? 0 : 1)];
    }

    /// <summary>
    /// The cluster image's manifests with the gateway image pinned to the published one: the HelmChart's
    /// <c>__IMAGE_REPO_BASE__/gateway</c> and <c>__IMAGE_TAG__</c> become <paramref name="gatewayImage"/> and <paramref name="tag"/>,
    /// so the published pair deploys consistently. The other placeholders stay for the entrypoint.
    /// </summary>
    internal static async Task<string> WriteManifestsAsync(string source, string destination, string gatewayImage, string tag, CancellationToken ct)
    {
        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        Directory.CreateDirectory(destination);
        if (Directory.Exists(source))
        {
            foreach (var file in Directory.GetFiles(source, "*.yaml"))
            {
                var text = await File.ReadAllTextAsync(file, ct).ConfigureAwait(false);
                text = text.Replace("__IMAGE_REPO_BASE__/gateway", gatewayImage, StringComparison.Ordinal)
                    .Replace("__IMAGE_TAG__", tag, StringComparison.Ordinal);
                await FileSystem.AtomicFile.WriteAsync(Path.Combine(destination, Path.GetFileName(file)), Encoding.UTF8.GetBytes(text), ct: ct).ConfigureAwait(false);
            }
        }

        return destination;
    }

    private static async Task RequireArchitectureAsync(IDockerClient docker, string image, string architecture, CancellationToken ct)
    {
        var actual = (await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false)).Architecture;
        if (BundleArchitecture.TryNormalize(actual) != architecture)
        {
            throw new PublishException(
                $"{image} was built for '{actual}', not {architecture}: this engine ignored the build's platform.",
                "Publish with a Docker engine that honours the build API's platform parameter (Docker 20.10 or later).");
        }
    }

    // Cluster images are pushed by the engine under <tag>-<arch>; gateway images by digest only. Either way the registry's
    // copy is read back and its configuration's architecture checked.
    private static async Task<(PublishedImage Image, RegistryManifest Manifest)> PushAsync(
        IDockerClient docker, RegistryClient registry, PublishRequest request, Build build, ILogger logger, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var repository = request.Target.Repository(build.Name);
        LogPushing(logger, build.Reference);
        RegistryManifest manifest;
        string reference;
        long bytesPushed;
        int layersPushed, layersReused;
        if (build.Name == PublishTarget.GatewayName)
        {
            var push = await DigestPusher.PushAsync(docker, build.Reference, registry, repository, Path.Combine(request.EffectiveWorkDirectory, "layers"), logger, ct).ConfigureAwait(false);
            manifest = await registry.GetManifestAsync(repository, push.Manifest.Digest, ct).ConfigureAwait(false)
                ?? throw new PublishException($"{build.Reference} was pushed as {push.Manifest.Digest} but the registry does not serve it.", "Check the registry's storage and retry.");
            reference = $"{request.Target.Image(build.Name)}@{manifest.Digest}";
            (bytesPushed, layersPushed, layersReused) = (push.BytesPushed, push.LayersPushed, push.LayersReused);
        }
        else
        {
            var colon = build.Reference.LastIndexOf(':');
            var progress = new PushProgress(logger, build.Reference);
            var auth = request.Credential is { } login
                ? new AuthConfig { Username = login.Username, Password = login.Password, IdentityToken = login.IdentityToken, ServerAddress = request.Target.Host }
                : new AuthConfig();
            await docker.Images.PushImageAsync(build.Reference[..colon], new ImagePushParameters { Tag = build.Reference[(colon + 1)..] }, auth, progress, ct).ConfigureAwait(false);
            if (progress.Error is { } error)
            {
                throw new PublishException($"Pushing {build.Reference} failed: {error}.",
                    $"Check that the registry {request.Target.Host} is reachable and the login may push (docker login {request.Target.Host}, or REGISTRY_USERNAME/REGISTRY_PASSWORD).");
            }

            manifest = await registry.GetManifestAsync(repository, request.Target.ArchitectureTag(build.Architecture), ct).ConfigureAwait(false)
                ?? throw new PublishException($"{build.Reference} was pushed but the registry does not serve it.", "Check the registry's storage and retry.");
            reference = build.Reference;
            var tally = progress.Tally;
            (bytesPushed, layersPushed, layersReused) = (tally.BytesPushed, tally.LayersPushed, tally.LayersReused);
        }

        var (size, configDigest) = SizeAndConfig(manifest);
        await using (var config = await registry.OpenBlobAsync(repository, configDigest, ct).ConfigureAwait(false))
        {
            using var json = await JsonDocument.ParseAsync(config, cancellationToken: ct).ConfigureAwait(false);
            var arch = json.RootElement.TryGetProperty("architecture", out var a) ? a.GetString() : null;
            if (arch != build.Architecture)
            {
                throw new PublishException($"The registry's {reference} says architecture '{arch}', not {build.Architecture}.", "Check the base images' architectures and publish again.");
            }
        }

        LogPushed(logger, reference, manifest.Digest, layersPushed, bytesPushed, layersReused);
        var image = new PublishedImage(reference, build.Architecture, manifest.Digest, size, build.Seconds, watch.Elapsed.TotalSeconds, bytesPushed, layersPushed, layersReused);
        return (image, manifest);
    }

    private static (long Size, string ConfigDigest) SizeAndConfig(RegistryManifest manifest)
    {
        using var json = JsonDocument.Parse(manifest.Content);
        var config = json.RootElement.GetProperty("config");
        var size = config.GetProperty("size").GetInt64()
            + json.RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
        return (size, config.GetProperty("digest").GetString()!);
    }

    // Builders report failures as InvalidOperationException or their own types; a publish reports them as its own.
    private static async Task<T> Wrap<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ClusterImageBuildException or DockerApiException)
        {
            throw new PublishException($"{what} failed: {ex.Message}", "Nothing was pushed; fix the cause and publish again.", ex);
        }
    }

    private sealed record Build(string Name, string Reference, string Architecture, double Seconds);

    /// <summary>Counts the push and keeps its first error; a line per layer status change goes to the log.</summary>
    private sealed class PushProgress(ILogger logger, string reference) : IProgress<JSONMessage>
    {
        private readonly Dictionary<string, string> _status = new(StringComparer.Ordinal);

        public PushTally Tally { get; } = new();

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            Tally.Add(value);
            var error = value.Error?.Message ?? value.ErrorMessage;
            if (!string.IsNullOrEmpty(error))
            {
                Error ??= error.Trim();
                return;
            }

            if (string.IsNullOrEmpty(value.ID) || value.Status is not { } status || status.StartsWith("Pushing", StringComparison.Ordinal))
            {
                return;
            }

            lock (_status)
            {
                if (_status.TryGetValue(value.ID, out var last) && last == status)
                {
                    return;
                }

                _status[value.ID] = status;
            }

            LogLayer(logger, reference, value.ID, status);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime bundle for {Architecture} verified and staged at {Directory} (tarball sha256 {Sha256})")]
    private static partial void LogVerified(ILogger logger, string architecture, string directory, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building multi-arch gateway image...")]
    private static partial void LogGatewayPhase(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Packaging helm chart...")]
    private static partial void LogPackagingChart(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building multi-arch cluster image...")]
    private static partial void LogClusterPhase(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Done! Cluster image: {Image}")]
    private static partial void LogClusterBuilt(ILogger logger, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tagging {Image}...")]
    private static partial void LogTagging(ILogger logger, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building {Image} for {Platform}")]
    private static partial void LogBuilding(ILogger logger, string image, string platform);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushing {Image}")]
    private static partial void LogPushing(ILogger logger, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Image}: {Layer} {Status}")]
    private static partial void LogLayer(ILogger logger, string image, string layer, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushed {Image} as {Digest}: {Pushed} layers uploaded ({Bytes} bytes), {Reused} reused")]
    private static partial void LogPushed(ILogger logger, string image, string digest, int pushed, long bytes, int reused);

    [LoggerMessage(Level = LogLevel.Information, Message = "Manifest list {Image} ({Platforms}) is {Digest}")]
    private static partial void LogList(ILogger logger, string image, string digest, string platforms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tagged {Image} ({Digest})")]
    private static partial void LogTagged(ILogger logger, string image, string digest);
}
