// The gateway image for linux/amd64 and linux/arm64 under one Docker manifest list, two ways, on the same input (the
// same sources, one registry on a free 127.0.0.1 port, the same base image pushed there as a manifest list, the same
// MSBuild properties). Each way builds in a throw-away clone of its own: they pass different global properties, so in
// one clone each would find dotnet's incremental state stale after the other.
//   ours  `openshell-dev publish`'s path: one restore, then dotnet publish per architecture, the legacy builder through the engine API
//         (runtime and app layers), the blobs and the manifest pushed by digest, the list PUT under the tag
//   sdk   `dotnet publish -t:PublishContainer` for both runtime identifiers in one MSBuild run (daemonless layers,
//         pushed by the SDK, which also pushes a tag per architecture and the list under the tag)
// Scenarios: first run (cold obj and registry), no change, and a one-line edit of the server; the two alternate which
// goes first. Each run's list is read back: Docker manifest list, amd64 and arm64, each configuration's architecture.
// Run: dotnet run -c Release --project bench/OpenShell.Bench.GatewayPublish [-- --runs N]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.Bench;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Publishing;
using OpenShell.DevLoop.RuntimeBundle;

var runs = args is ["--runs", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 3;
var source = BenchEnvironment.RepositoryRoot();
var id = Guid.NewGuid().ToString("N")[..10];
var work = Path.Combine(Path.GetTempPath(), $"openshell-bench-gwpublish-{id}");
var roots = new Dictionary<string, string>(StringComparer.Ordinal) { ["ours"] = Path.Combine(work, "ours"), ["sdk"] = Path.Combine(work, "sdk") };
var port = BenchEnvironment.FreeLoopbackPort();
var registryHost = $"127.0.0.1:{port}";
var registryName = $"openshell-bench-registry-{id}";
string[] architectures = [BundleArchitecture.Amd64, BundleArchitecture.Arm64];
var settings = OpenShellSettings.From(SettingsFiles.Load(AppContext.BaseDirectory, offline: true, new Dictionary<string, string?>()), new Dictionary<string, string?>());
using var docker = DockerEngine.CreateClient();
// Ctrl+C or a TERM signal stops the run and still removes the registry, the images and the clones.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var ct = stop.Token;
using var registry = new RegistryClient(RegistryEndpoint.For(registryHost, insecure: false));
var localTags = new List<string>();
var bases = new Dictionary<string, string>(StringComparer.Ordinal);
var baseBlobs = new HashSet<string>(StringComparer.Ordinal);
var seenBlobs = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

try
{
    Console.WriteLine($"Preparing: clone, registry {registryHost}, base image {settings.Images.RuntimeDeps} for both architectures as a list...");
    Directory.CreateDirectory(work);
    foreach (var clone in roots.Values)
    {
        await BenchEnvironment.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", source, clone], source, ct: ct);
    }

    await docker.Containers.CreateContainerAsync(new CreateContainerParameters
    {
        Name = registryName,
        Image = settings.Images.Registry,
        HostConfig = new HostConfig
        {
            PortBindings = new Dictionary<string, IList<PortBinding>> { ["5000/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = port.ToString(CultureInfo.InvariantCulture) }] },
        },
    });
    await docker.Containers.StartContainerAsync(registryName, new ContainerStartParameters(), ct);
    await WaitForRegistryAsync();

    var engine = BundleArchitecture.TryNormalize((await docker.System.GetVersionAsync()).Arch)!;
    var baseEntries = new List<ManifestListEntry>();
    foreach (var arch in architectures)
    {
        bases[arch] = await PlatformImages.EnsureAsync(docker, settings.Images.RuntimeDeps, arch, engine, NullLogger.Instance);
        var pushed = await DigestPusher.PushAsync(docker, bases[arch], registry, "base/runtime-deps", Path.Combine(work, "base-layers"), NullLogger.Instance);
        baseEntries.Add(new ManifestListEntry(pushed.Manifest, arch));
        using var baseManifest = JsonDocument.Parse(pushed.Manifest.Content);
        baseBlobs.UnionWith(baseManifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!));
    }

    await registry.PutManifestAsync("base/runtime-deps", "bench", ManifestMediaTypes.DockerManifestList, ManifestList.Create(baseEntries));
    // Restore once for both runtime identifiers, outside the timings: whichever ran first would pay it otherwise.
    foreach (var clone in roots.Values)
    {
        await BenchEnvironment.RunAsync("dotnet", ["restore", Path.Combine(clone, GatewayPublisher.ProjectPath), "-p:RuntimeIdentifiers=\"linux-x64;linux-arm64\"", "--nologo", "-v", "quiet"], clone, ct: ct);
    }

    Console.WriteLine("Ready.\n");

    var figures = new Dictionary<(string Scenario, string Path), List<double>>();
    var uploads = new Dictionary<(string Scenario, string Path), List<double>>();
    var splits = new List<string>();
    var tag = 0;
    foreach (var scenario in new[] { "first run", "no change", "edit" })
    {
        var count = scenario == "first run" ? 1 : runs;
        for (var i = 0; i < count; i++)
        {
            if (scenario == "edit")
            {
                var probe = $"namespace OpenShell.Server;\n\ninternal static class BenchProbe\n{{\n    internal const string Value = \"{Guid.NewGuid():N}\";\n}}\n";
                foreach (var clone in roots.Values)
                {
                    await File.WriteAllTextAsync(Path.Combine(clone, "src", "OpenShell.Server", "BenchProbe.cs"), probe, ct);
                }
            }

            // Alternate the order, so neither always finds the other's warm state.
            string[] order = i % 2 == 0 ? ["ours", "sdk"] : ["sdk", "ours"];
            foreach (var path in order)
            {
                var imageTag = $"t{++tag}";
                var watch = Stopwatch.StartNew();
                var split = path == "ours" ? await OursAsync(imageTag) : await SdkAsync(imageTag);
                var seconds = watch.Elapsed.TotalSeconds;
                var (list, newBytes) = await CheckListAsync(path, imageTag);
                (figures.TryGetValue((scenario, path), out var values) ? values : figures[(scenario, path)] = []).Add(seconds);
                (uploads.TryGetValue((scenario, path), out var sizes) ? sizes : uploads[(scenario, path)] = []).Add(newBytes / 1e6);
                Console.WriteLine(FormattableString.Invariant($"{scenario,-9} {path,-4} {seconds,6:F2}s  {split}  new blobs {newBytes / 1e6:F1} MB, list {list[..19]}"));
            }
        }
    }

    Console.WriteLine();
    Console.WriteLine("| scenario | ours p50 (s) | sdk p50 (s) | sdk / ours | new blobs ours / sdk (MB, p50) |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var scenario in new[] { "first run", "no change", "edit" })
    {
        var ours = Median(figures[(scenario, "ours")]);
        var sdk = Median(figures[(scenario, "sdk")]);
        Console.WriteLine(FormattableString.Invariant(
            $"| {scenario} | {ours:F2} | {sdk:F2} | {sdk / ours:F2} | {Median(uploads[(scenario, "ours")]):F1} / {Median(uploads[(scenario, "sdk")]):F1} |"));
    }

    Console.WriteLine(FormattableString.Invariant($"\n{runs} runs per scenario after the first; machine: {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}."));
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped; removing the registry, the images and the clones.");
    Environment.ExitCode = 130;
}
finally
{
    try
    {
        await docker.Containers.RemoveContainerAsync(registryName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
    }
    catch (DockerContainerNotFoundException)
    {
    }

    foreach (var local in localTags)
    {
        try
        {
            await docker.Images.DeleteImageAsync(local, new ImageDeleteParameters { Force = true });
        }
        catch (DockerApiException)
        {
        }
    }

    Directory.Delete(work, recursive: true);
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

// Our path, as MultiArchPublisher runs it for the gateway: one restore, per architecture publish, build, push by digest; then the list.
async Task<string> OursAsync(string imageTag)
{
    double publish = 0, build = 0, push = 0;
    long bytes = 0;
    var entries = new List<ManifestListEntry>();
    var root = roots["ours"];
    var cache = new CachePaths(root);
    var restore = Stopwatch.StartNew();
    await GatewayPublisher.RestoreAsync(root, architectures, NullLogger.Instance, ct);
    publish += restore.Elapsed.TotalSeconds;
    foreach (var arch in architectures)
    {
        var watch = Stopwatch.StartNew();
        var output = await GatewayPublisher.PublishAsync(root, arch, cache.GatewayPublish(arch), NullLogger.Instance, ct, restored: true);
        publish += watch.Elapsed.TotalSeconds;
        watch.Restart();
        var local = $"openshell-bench/gateway-{id}:{imageTag}-{arch}";
        localTags.Add(local);
        await GatewayImageBuilder.BuildAsync(docker, root, output, local, bases[arch], $"linux/{arch}", NullLogger.Instance, ct: ct);
        build += watch.Elapsed.TotalSeconds;
        watch.Restart();
        var pushed = await DigestPusher.PushAsync(docker, local, registry, "ours/openshell-gateway", Path.Combine(work, "layers"), NullLogger.Instance, ct);
        entries.Add(new ManifestListEntry(pushed.Manifest, arch));
        bytes += pushed.BytesPushed;
        push += watch.Elapsed.TotalSeconds;
    }

    var list = Stopwatch.StartNew();
    await registry.PutManifestAsync("ours/openshell-gateway", imageTag, ManifestMediaTypes.DockerManifestList, ManifestList.Create(entries), ct);
    push += list.Elapsed.TotalSeconds;
    return FormattableString.Invariant($"(dotnet publish {publish:F2}s, image build {build:F2}s, push {push:F2}s, {bytes / 1e6:F1} MB uploaded)");
}

// The SDK's container publishing of both runtime identifiers, to the same registry, on the same base list.
async Task<string> SdkAsync(string imageTag)
{
    var root = roots["sdk"];
    await BenchEnvironment.RunAsync("dotnet",
        ["publish", Path.Combine(root, GatewayPublisher.ProjectPath), "-c", "Release", "-t:PublishContainer", "--nologo", "-v", "quiet", "-clp:NoSummary",
         "-p:RuntimeIdentifiers=\"linux-x64;linux-arm64\"", "-p:ContainerRuntimeIdentifiers=\"linux-x64;linux-arm64\"",
         "-p:PublishSingleFile=false", "-p:" + DevBuild.Property, "-p:ContainerImageFormat=Docker",
         $"-p:ContainerBaseImage={registryHost}/base/runtime-deps:bench", $"-p:ContainerRegistry={registryHost}",
         "-p:ContainerRepository=sdk/openshell-gateway", $"-p:ContainerImageTag={imageTag}",
         "-p:ContainerWorkingDirectory=/opt/openshell/server/", "-p:ContainerUser=10001"],
        root, new Dictionary<string, string?> { ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registryHost }, ct);
    return "(one MSBuild run: build, layers, push)";
}

// The list under the tag: a Docker manifest list of amd64 and arm64 whose configurations say so. Returns its digest and
// the bytes of the blobs (configurations, layers) that no earlier run of the same path referenced: what had to go up.
async Task<(string Digest, long NewBytes)> CheckListAsync(string path, string imageTag)
{
    var repository = path + "/openshell-gateway";
    var known = seenBlobs.TryGetValue(path, out var set) ? set : seenBlobs[path] = new HashSet<string>(baseBlobs, StringComparer.Ordinal);
    long newBytes = 0;
    var list = await registry.GetManifestAsync(repository, imageTag) ?? throw new InvalidOperationException($"{repository}:{imageTag} is missing");
    Check(list.MediaType == ManifestMediaTypes.DockerManifestList, $"{repository}:{imageTag} is {list.MediaType}, not a Docker manifest list");
    using var json = JsonDocument.Parse(list.Content);
    var seen = new List<string>();
    foreach (var entry in json.RootElement.GetProperty("manifests").EnumerateArray())
    {
        var arch = entry.GetProperty("platform").GetProperty("architecture").GetString()!;
        var manifest = await registry.GetManifestAsync(repository, entry.GetProperty("digest").GetString()!) ?? throw new InvalidOperationException($"{repository}: {arch} entry missing");
        using var manifestJson = JsonDocument.Parse(manifest.Content);
        foreach (var blob in manifestJson.RootElement.GetProperty("layers").EnumerateArray().Append(manifestJson.RootElement.GetProperty("config")))
        {
            if (known.Add(blob.GetProperty("digest").GetString()!))
            {
                newBytes += blob.GetProperty("size").GetInt64();
            }
        }

        await using var config = await registry.OpenBlobAsync(repository, manifestJson.RootElement.GetProperty("config").GetProperty("digest").GetString()!);
        using var configJson = await JsonDocument.ParseAsync(config);
        Check(configJson.RootElement.GetProperty("architecture").GetString() == arch, $"{repository}:{imageTag}: the {arch} entry's configuration says another architecture");
        seen.Add(arch);
    }

    Check(seen.Order(StringComparer.Ordinal).SequenceEqual(architectures), $"{repository}:{imageTag} lists {string.Join(", ", seen)}");
    return (list.Digest, newBytes);
}

async Task WaitForRegistryAsync()
{
    for (var i = 0; i < 50; i++)
    {
        try
        {
            await registry.CatalogAsync();
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or RegistryException)
        {
            await Task.Delay(200);
        }
    }

    throw new InvalidOperationException($"The registry on {registryHost} did not answer.");
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static void Check(bool condition, string message)
{
    if (!condition)
    {
        throw new InvalidOperationException(message);
    }
}
