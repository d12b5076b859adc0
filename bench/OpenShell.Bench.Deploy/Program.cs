// Edit-to-effect times of the fast deploy on the offline stack: a throw-away clone of the repository, a registry on a
// free 127.0.0.1 port and a cluster from the k3s simulator image. Five edits each:
//   supervisor edit -> new build verified in the node, through the warm compiler the long-lived deployer keeps (and the
//                      part that is not the build); each edit is also built by a bare incremental `dotnet build
//                      src/OpenShell.Sandbox`, and the ratio of the two p50s is printed
//   supervisor edit -> the same, proven by a throwaway sandbox that registers with the new build
//   gateway edit    -> new digest pinned in the HelmChart and rolled out, through the warm compiler the long-lived
//                      deployer keeps for the gateway's publish; per edit also a bare incremental `dotnet build` of the
//                      server after the same edit, and the deploy's parts: warm compile, app layer assembly, push,
//                      rollout; p50s and their ratio to the bare build
//   no-op deploy    -> in-process and as an `openshell-dev deploy` process
// Run: dotnet run -c Release --project bench/OpenShell.Bench.Deploy [-- --edits N] [--supervisor-only | --gateway-only] [--no-sandbox]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.Bench;
using OpenShell.Bench.Deploy;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

var edits = args.SkipWhile(a => a != "--edits").Skip(1).FirstOrDefault() is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 5;
var supervisorOnly = args.Contains("--supervisor-only");
var gatewayOnly = args.Contains("--gateway-only");
var withSandbox = !args.Contains("--no-sandbox");
var source = BenchEnvironment.RepositoryRoot();
var id = Guid.NewGuid().ToString("N")[..10];
var work = Path.Combine(Path.GetTempPath(), $"openshell-bench-deploy-{id}");
var root = Path.Combine(work, $"osbench-{id}");
var clusterName = $"osbench-{id}";
var port = BenchEnvironment.FreeLoopbackPort();
const string BaseImage = "openshell-offline/k3s-sim:latest";
var overrides = new Dictionary<string, string?>
{
    ["OpenShell:Registry:HostPort"] = port.ToString(CultureInfo.InvariantCulture),
    ["OpenShell:Registry:ContainerName"] = $"openshell-bench-registry-{id}",
    ["OpenShell:Registry:VolumeName"] = $"openshell-bench-registry-{id}",
    ["OpenShell:Cluster:Network"] = $"openshell-bench-{id}",
    ["OpenShell:Cluster:ImageRepository"] = $"openshell-bench/cluster-{id}",
    ["OpenShell:Cluster:ImageTag"] = "dev",
    ["OpenShell:Cluster:ImageRepoBase"] = $"127.0.0.1:{port}/openshell",
    ["OpenShell:Cluster:SkipImageBuild"] = "true",
};
var settings = OpenShellSettings.From(SettingsFiles.Load(AppContext.BaseDirectory, offline: true, overrides), new Dictionary<string, string?>());
using var docker = DockerEngine.CreateClient();
// Ctrl+C or a TERM signal stops the run and still removes the cluster, registry, network, images and clone.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var ct = stop.Token;
var lifecycle = new ClusterLifecycle(docker, settings, new ClusterPaths(root, clusterName), NullLogger.Instance);

try
{
    Console.WriteLine($"Preparing: clone, cluster image, bootstrap and a priming deploy (cluster {clusterName}, registry 127.0.0.1:{port})...");
    Directory.CreateDirectory(work);
    await BenchEnvironment.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", source, root], source, ct: ct);
    var architecture = await ClusterArchitecture.ReadAsync(docker, BaseImage);
    var supervisorDir = Path.Combine(root, ".cache", "deploy", "supervisor", architecture);
    var supervisor = await SupervisorPublisher.PublishAsync(root, architecture, supervisorDir, NullLogger.Instance, ct: ct);
    var chart = await ChartPackager.PackAsync(Path.Combine(root, "deploy", "helm", "openshell"), Path.Combine(work, "chart"));
    Directory.CreateDirectory(Path.Combine(work, "bundle"));
    var inputs = new ClusterImageInputs(Path.Combine(root, "deploy"), Path.Combine(work, "bundle"), chart, supervisor);
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            await ClusterImageBuilder.BuildAsync(docker, inputs, settings.Cluster.Image, BaseImage, settings.Images.ClusterBase, NullLogger.Instance, ct: ct);
            break;
        }
        catch (ClusterImageBuildException ex) when (attempt < 3 && ex.Message.Contains("layer does not exist", StringComparison.Ordinal))
        {
            // Concurrent builds on a shared engine can race on identical layers; build again.
        }
    }
    await lifecycle.UpAsync(null, null, ct);
    // The gateway edits rewrite this file: it is there before the priming deploy, so an edit is not a file added.
    await File.WriteAllTextAsync(Path.Combine(root, "src", "OpenShell.Server", "BenchProbe.cs"), BenchProbe(), ct);
    // The deployer a long-lived front end (the AppHost) uses: the priming deploy publishes with MSBuild, then the warm
    // compilers take the compiler's command lines.
    var deployer = new FastDeployer(docker, settings, NullLogger.Instance, warmCompile: true);
    await deployer.DeployAsync(DeployRequest.From(settings, root) with { VerifyWithSandbox = withSandbox }, ct: ct);
    // The bare build's first run is a full one; the edits then measure incremental builds.
    await BenchEnvironment.RunAsync("dotnet", ["build", "src/OpenShell.Sandbox", "--nologo", "-v", "q"], root, ct: ct);
    Console.WriteLine("Ready.\n");

    // Supervisor edits twice over: the deploy alone, then proven by a throwaway sandbox (OpenShell:DevHost:VerifyWithSandbox).
    var supervisorTotal = new List<double>();
    var supervisorNonPublish = new List<double>();
    var supervisorVerified = new List<double>();
    var verification = new List<double>();
    var bareBuilds = new List<double>();
    var bareBuildsVerified = new List<double>();
    foreach (var verify in gatewayOnly ? [] : withSandbox ? new[] { false, true } : [false])
    {
        for (var i = 0; i < edits; i++)
        {
            var program = Path.Combine(root, "src", "OpenShell.Sandbox", "Program.cs");
            var text = await File.ReadAllTextAsync(program);
            await File.WriteAllTextAsync(program, text.Replace("exits with its code.", $"exits with its code. {Guid.NewGuid():N}", StringComparison.Ordinal));
            var bare = Stopwatch.StartNew();
            await BenchEnvironment.RunAsync("dotnet", ["build", "src/OpenShell.Sandbox", "--nologo", "-v", "q"], root, ct: ct);
            (verify ? bareBuildsVerified : bareBuilds).Add(bare.Elapsed.TotalSeconds);
            var events = new TimedEvents();
            var watch = Stopwatch.StartNew();
            var result = await deployer.DeployAsync(DeployRequest.From(settings, root) with { VerifyWithSandbox = verify }, events, ct);
            var elapsed = watch.Elapsed.TotalSeconds;
            var onNode = await SupervisorDeployer.ReadNodeSha256Async(docker, (await docker.Containers.InspectContainerAsync(ClusterName.ContainerName(clusterName))).ID);
            var supervisorSha = result.Of("supervisor")?.Sha256;
            Check(supervisorSha is not null && onNode == supervisorSha, "the node does not hold the new supervisor");
            var sandbox = result.Steps.FirstOrDefault(s => s.Step == DeployStep.SandboxVerification && s.Outcome == DeployStepOutcome.Succeeded);
            Check(verify == (sandbox is not null), verify ? "no sandbox verified the deploy" : "a sandbox verification ran unasked");
            if (verify)
            {
                supervisorVerified.Add(elapsed);
                verification.Add(sandbox!.Duration.TotalSeconds);
                Console.WriteLine(FormattableString.Invariant(
                    $"supervisor edit {i + 1} + sandbox: {elapsed:F2}s edit-to-verified-sandbox (sandbox {sandbox.Duration.TotalSeconds:F2}s; bare dotnet build {bareBuildsVerified[^1]:F2}s)"));
                continue;
            }

            // Throws when the warm compiler did not compile the edit (MSBuild built it instead).
            Check(events.Between(DeployStep.Supervisor, "warm compiler: compiled", "copying") >= 0, "the warm compiler did not build the edit");
            var build = events.Between(DeployStep.Supervisor, "warm compiler: checking", "copying");
            supervisorTotal.Add(elapsed);
            supervisorNonPublish.Add(elapsed - build);
            Console.WriteLine(FormattableString.Invariant($"supervisor edit {i + 1}: {elapsed:F2}s edit-to-verified (warm compile {build:F2}s, rest {elapsed - build:F2}s; bare dotnet build {bareBuilds[^1]:F2}s)"));
        }
    }

    if (!gatewayOnly)
    {
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Supervisor loop over {edits} edits (p50 / min / max, seconds):"));
        Report("bare incremental dotnet build src/OpenShell.Sandbox", bareBuilds, "the yardstick");
        Report("supervisor edit -> verified in node (warm)", supervisorTotal, "goal p50 <= 0.6 x the bare build");
        Console.WriteLine(FormattableString.Invariant($"  ratio to the bare build (p50/p50) without the sandbox: {P50(supervisorTotal) / P50(bareBuilds):F2} (goal <= 0.60)"));
        if (withSandbox)
        {
            Report("bare build, rounds with the sandbox", bareBuildsVerified, "the yardstick");
            Report("supervisor edit -> a new sandbox registered it", supervisorVerified, "goal p50 <= 0.6 x the bare build");
            Console.WriteLine(FormattableString.Invariant($"  ratio to the bare build (p50/p50) with the sandbox: {P50(supervisorVerified) / P50(bareBuildsVerified):F2} (goal <= 0.60)"));
        }
    }

    if (supervisorOnly)
    {
        return 0;
    }

    var gatewayTotal = new List<double>();
    var bareServerBuilds = new List<double>();
    var publishes = new List<double>();
    var assemblies = new List<double>();
    var pushes = new List<double>();
    var rollouts = new List<double>();
    var probes = new List<double>();
    var server = Path.Combine(root, "src", "OpenShell.Server", "OpenShell.Server.csproj");
    string? lastDigest = null;
    for (var i = 0; i < edits; i++)
    {
        await File.WriteAllTextAsync(Path.Combine(root, "src", "OpenShell.Server", "BenchProbe.cs"), BenchProbe(), ct);

        // The yardstick: what MSBuild alone takes for the same edit (its own configuration, so it leaves the deploy's
        // publish as much to do as before).
        var bare = Stopwatch.StartNew();
        await BenchEnvironment.RunAsync("dotnet", ["build", server, "--nologo", "-v", "q"], root, ct: ct);
        var bareBuild = bare.Elapsed.TotalSeconds;

        var events = new TimedEvents();
        var watch = Stopwatch.StartNew();
        var result = await deployer.DeployAsync(DeployRequest.From(settings, root), events, ct);
        var elapsed = watch.Elapsed.TotalSeconds;
        var gateway = result.Of("gateway");
        Check(gateway?.Digest is { } digest && digest != lastDigest && gateway.Image!.EndsWith(digest, StringComparison.Ordinal), "no new digest in the HelmChart");
        lastDigest = gateway!.Digest;
        // Throws when the warm compiler did not compile the edit (MSBuild published it instead).
        Check(events.Between(DeployStep.Builds, "warm compiler: compiled", "assembling image") >= 0, "the warm compiler did not build the gateway edit");
        var publish = events.Between(DeployStep.Builds, "warm compiler: checking", "assembling image");
        var assembly = events.Between(DeployStep.Builds, "assembling image", null);
        var push = events.Duration(DeployStep.ImagePush);
        var rollout = StepSeconds(result, DeployStep.GatewayRollout);
        var probe = StepSeconds(result, DeployStep.GatewayProbe);
        gatewayTotal.Add(elapsed);
        bareServerBuilds.Add(bareBuild);
        publishes.Add(publish);
        assemblies.Add(assembly);
        pushes.Add(push);
        rollouts.Add(rollout);
        probes.Add(probe);
        Console.WriteLine(FormattableString.Invariant(
            $"gateway edit {i + 1}: {elapsed:F2}s edit-to-rolled-out = {elapsed / bareBuild:F2}x bare build {bareBuild:F2}s (warm compile {publish:F2}s, layer assembly {assembly:F2}s, push {push:F2}s, rollout {rollout:F2}s, probe {probe:F2}s, digest {lastDigest![..19]})"));
        Console.WriteLine($"  steps: {StepList(result)}");
    }

    var noop = new List<double>();
    for (var i = 0; i < (gatewayOnly ? 0 : edits); i++)
    {
        var watch = Stopwatch.StartNew();
        var result = await deployer.DeployAsync(DeployRequest.From(settings, root), ct: ct);
        noop.Add(watch.Elapsed.TotalSeconds);
        Check(result.NothingToDo, "the no-op deploy planned work");
    }

    var noopProcess = new List<double>();
    var cli = Path.Combine(AppContext.BaseDirectory, "openshell-dev.dll");
    var environment = overrides.ToDictionary(kv => "OpenShell__" + kv.Key["OpenShell:".Length..].Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
    for (var i = 0; i < (gatewayOnly ? 0 : edits); i++)
    {
        var watch = Stopwatch.StartNew();
        var output = await BenchEnvironment.RunAsync("dotnet", [cli, "deploy", "--offline", "-C", root], root, environment, ct);
        noopProcess.Add(watch.Elapsed.TotalSeconds);
        Check(output.Contains("No new local changes since last deploy.", StringComparison.Ordinal), "the openshell-dev no-op printed: " + output);
    }

    Console.WriteLine();
    Console.WriteLine(FormattableString.Invariant($"Results over {edits} edits each (p50 / min / max, seconds):"));
    if (!gatewayOnly)
    {
        Report("supervisor edit -> verified in node (warm)", supervisorTotal, "goal p50 <= 0.6 x the bare build");
        Report("  of which not the build", supervisorNonPublish, "goal <= 1");
        if (withSandbox)
        {
            Report("supervisor edit -> a new sandbox registered it", supervisorVerified, "the same deploy, proven by a sandbox");
            Report("  of which the sandbox verification", verification, "create, register, delete");
        }
    }

    Report("bare incremental `dotnet build` of the server", bareServerBuilds, "the yardstick, same edit");
    Report("gateway edit -> digest in HelmChart, rolled out", gatewayTotal, "goal p50 <= 5");
    Report("  warm compile into the publish folder", publishes, "in place of dotnet publish");
    Report("  app layer assembly (base kept in the registry)", assemblies, "tar, config, manifest");
    Report("  push (app layer, config, manifest)", pushes, "registry API");
    Report("  rollout: old pod out, new pod ready", rollouts, "the pod's readiness probe decides");
    Report("  gateway probe (GetHealth over mTLS)", probes, "with the sandbox verification setting");
    Console.WriteLine(FormattableString.Invariant($"  {"ratio of p50s: edit -> rolled out / bare build",-48} {P50(gatewayTotal) / P50(bareServerBuilds),7:F2}x"));
    Console.WriteLine(FormattableString.Invariant($"  {"ratio of p50s: warm compile / bare build",-48} {P50(publishes) / P50(bareServerBuilds),7:F2}x"));
    if (!gatewayOnly)
    {
        Report("no-op deploy (in-process)", noop, "goal <= 1");
        Report("no-op `openshell-dev deploy` (process)", noopProcess, "goal <= 1");
    }

    return 0;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped; removing the cluster, the registry, the network, the images and the clone.");
    return 130;
}
finally
{
    await lifecycle.RemoveAsync(removeVolume: true);
    await Ignore(() => docker.Containers.RemoveContainerAsync($"openshell-bench-registry-{id}", new ContainerRemoveParameters { Force = true, RemoveVolumes = true }));
    await Ignore(() => docker.Volumes.RemoveAsync($"openshell-bench-registry-{id}", force: true));
    await Ignore(() => docker.Networks.DeleteNetworkAsync($"openshell-bench-{id}"));
    var images = await docker.Images.ListImagesAsync(new ImagesListParameters
    {
        All = true,
        Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{GatewayImageBuilder.RepositoryLabel}=127.0.0.1:{port}/openshell/gateway"] = true } },
    });
    foreach (var image in images)
    {
        await Ignore(() => docker.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters { Force = true }));
    }

    await Ignore(() => docker.Images.DeleteImageAsync(settings.Cluster.Image, new ImageDeleteParameters { Force = true }));
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
    }
}

static string BenchProbe() => $"namespace OpenShell.Server;\n\ninternal static class BenchProbe\n{{\n    internal const string Value = \"{Guid.NewGuid():N}\";\n}}\n";

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

static double P50(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static void Report(string what, List<double> values, string goal)
{
    var sorted = values.Order().ToList();
    var p50 = P50(values);
    Console.WriteLine(FormattableString.Invariant($"  {what,-48} {p50,7:F2} / {sorted[0]:F2} / {sorted[^1]:F2}   ({goal})"));
}

static double StepSeconds(DeployResult result, DeployStep step) =>
    result.Steps.Where(s => s.Step == step && s.Outcome == DeployStepOutcome.Succeeded).Sum(s => s.Duration.TotalSeconds);

// "Plan 0.04s, Builds 0.41s, ..." for every step the deploy timed, in order.
static string StepList(DeployResult result) => string.Join(", ", result.Steps.Where(s => s.Step != DeployStep.Total)
    .Select(s => FormattableString.Invariant($"{DeployStepLabels.Of(s.Step)} {s.Duration.TotalSeconds:F2}s")));

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("benchmark check failed: " + what);
    }
}

static async Task Ignore(Func<Task> action)
{
    try
    {
        await action();
    }
    catch (Exception ex) when (ex is DockerApiException or HttpRequestException)
    {
    }
}
