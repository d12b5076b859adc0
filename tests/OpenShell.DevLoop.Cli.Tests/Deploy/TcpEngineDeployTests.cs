using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.DevLoop.Session;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// The dev loop against a second engine on <c>tcp://127.0.0.2</c> with TLS client verification, standing in for a remote
/// machine: <c>DOCKER_HOST=tcp://… DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=… openshell-dev deploy --offline</c> bootstraps and
/// deploys there, with a runtime bundle only the second engine's machine holds, and leaves nothing on the shared engine.
/// </summary>
public sealed class TcpEngineDeployTests(TcpDeployClusterFixture cluster, ITestOutputHelper output) : IClassFixture<TcpDeployClusterFixture>
{
    private const string SupervisorSource = "src/OpenShell.Sandbox/Program.cs";
    private const string SupervisorMarker = "exits with its code.";

    [RequiresDocker]
    public async Task Deploy_through_a_tls_tcp_engine_bootstraps_and_deploys_there_with_a_bundle_only_it_holds_and_leaves_nothing_on_the_shared_engine()
    {
        var total = Stopwatch.StartNew();

        // 1. A runtime bundle that exists only on "the remote machine": written through the second engine into a folder
        // that is a tmpfs in its mount namespace only. Here, at the same path, there is nothing.
        var architecture = await ClusterArchitecture.ReadAsync(cluster.Docker, OfflineImages.K3s);
        using var local = new TempDirectory("tcp-bundle");
        var synthetic = await SyntheticRuntimeBundle.EnsureAsync(local.Path, architecture);
        var remoteTarball = await cluster.Engine.WriteRemoteOnlyFileAsync("gpu-runtime.tar.gz", await File.ReadAllBytesAsync(synthetic), OfflineImages.Debian);
        Assert.False(File.Exists(remoteTarball), $"{remoteTarball} must exist only on the engine's side");

        // 2. The real command line, the engine chosen by DOCKER_HOST with TLS: bootstrap (the cluster image built on the
        // second engine from the remote bundle) and the first deploy of everything.
        var clock = Stopwatch.StartNew();
        var first = await cluster.RunDeployAsync("--remote-runtime-bundle-tarball", remoteTarball, "--skip-sync");
        var firstTime = clock.Elapsed;
        output.WriteLine($"first deploy through {cluster.Engine.Host}: {firstTime.TotalSeconds:0.0} s\n{first.Stdout}\n{first.Stderr}");
        DeployAssert.Succeeded(first);
        Assert.Contains($"Bootstrapping cluster {cluster.ClusterName}", first.Stdout, StringComparison.Ordinal);
        DeployAssert.Has(first.Stdout, FastDeployer.PushLine, FastDeployer.HelmLine, FastDeployer.SupervisorUpdatedLine, FastDeployer.CompleteLine);

        // The bundle came back through the engine, verified, byte for byte.
        var fetched = Assert.Single(Directory.GetFiles(new CachePaths(cluster.Root).RemoteBundles));
        Assert.Equal(Sha256(synthetic), Sha256(fetched));

        // The node, its image and the registry are the second engine's, published on its loopback (this machine's too).
        var node = await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName);
        Assert.True(node.State.Running);
        Assert.Equal(cluster.ClusterImage, node.Config.Image);
        Assert.All(node.HostConfig.PortBindings.Values.SelectMany(b => b), b => Assert.Equal("127.0.0.1", b.HostIP));
        Assert.Contains(node.HostConfig.Mounts, m => m.Source == cluster.Engine.Socket);
        var registry = await cluster.Docker.Containers.InspectContainerAsync(cluster.RegistryName);
        Assert.True(registry.State.Running);
        var settings = cluster.LoadSettings(offline: true);
        Assert.NotEqual(5000, settings.Registry.HostPort);
        Assert.StartsWith($"127.0.0.1:{settings.Registry.HostPort.ToString(CultureInfo.InvariantCulture)}/", settings.Cluster.ImageRepoBase, StringComparison.Ordinal);

        // 3. A session as the front ends build it, on the same engine: the ports are dialled as published (the engine's
        // host is this machine). A gateway edit rebuilds the gateway (push, rollout, probe); the supervisor's way is step 4.
        var engine = cluster.Engine.Connection;
        Assert.Equal("tcp", engine.Host.Scheme);
        Assert.NotNull(engine.Tls);
        using var docker = engine.CreateClient();
        using var ports = engine.CreatePorts(settings);
        Assert.IsType<LoopbackEnginePorts>(ports);
        await using var session = new DevSession(settings, DevSessionServices.ForDocker(docker, settings, NullLogger.Instance, ports: ports));
        var up = await session.UpAsync(recreate: false, null, CancellationToken.None);
        Assert.Equal(BootstrapAction.Reuse, up.Decision.Action);
        Assert.Equal(KubeconfigExtractor.ApiHostPort(node), up.ApiHostPort);

        cluster.Write("src/OpenShell.Server/DeployProbe.cs", Probe("OpenShell.Server"));
        var gatewayEdit = await session.DeployAsync([], null, CancellationToken.None);
        Print("gateway edit through tcp://", gatewayEdit);
        foreach (var step in new[] { DeployStep.ImagePush, DeployStep.HelmUpgrade, DeployStep.GatewayRollout, DeployStep.GatewayProbe })
        {
            Assert.Contains(gatewayEdit.Steps, s => s.Step == step && s.Outcome == DeployStepOutcome.Succeeded);
        }

        var gateway = gatewayEdit.Of("gateway") ?? throw new Xunit.Sdk.XunitException("the deploy did not touch the gateway");
        Assert.Equal(gateway.Digest, await GatewayImageBuilder.HeadDigestAsync(ImageReference.Parse($"{cluster.GatewayRepository}:dev"), ports));
        using (var kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new ClusterPaths(cluster.Root, cluster.ClusterName).Kubeconfig)))
        {
            Assert.Equal($"{cluster.GatewayRepository}@{gateway.Digest}", await GatewayRolloutWaiter.ReadImageAsync(kube));
        }

        // 4. A supervisor edit on the second engine.
        var remote = await SupervisorEditAsync(session);
        Print("supervisor edit through tcp://", remote);

        // 5. Nothing of the test on the shared engine: no container, volume, network or image with its names or labels.
        var after = await TcpDeployClusterFixture.TracesAsync(cluster.Shared, cluster.Id);
        Assert.Equal(cluster.SharedBefore, after);
        Assert.Empty(after);
        output.WriteLine($"two-engine deploy (bootstrap, first deploy, gateway edit, supervisor edit): {total.Elapsed.TotalSeconds:0.0} s");

        // 6. The same supervisor edit on the shared engine, for the comparison the remote loop is judged by. It bootstraps a
        // second cluster (minutes), so it runs only when asked for.
        if (Environment.GetEnvironmentVariable("OPENSHELL_COMPARE_LOCAL") != "1")
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"supervisor edit-to-node: tcp:// {Step(remote, DeployStep.Supervisor).TotalSeconds:0.00} s; set OPENSHELL_COMPARE_LOCAL=1 for the same edit on the local socket"));
            return;
        }

        var localSettings = cluster.LocalSettings;
        using var localDocker = DockerEngine.CreateClient();
        await using var direct = new DevSession(localSettings, DevSessionServices.ForDocker(localDocker, localSettings, NullLogger.Instance));
        await direct.UpAsync(recreate: false, null, CancellationToken.None);
        await direct.DeployAsync([], null, CancellationToken.None);
        var directEdit = await SupervisorEditAsync(direct);
        Print("supervisor edit on the local socket", directEdit);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"supervisor edit-to-node: tcp:// {Step(remote, DeployStep.Supervisor).TotalSeconds:0.00} s (whole deploy {Step(remote, DeployStep.Total).TotalSeconds:0.00} s), local {Step(directEdit, DeployStep.Supervisor).TotalSeconds:0.00} s (whole deploy {Step(directEdit, DeployStep.Total).TotalSeconds:0.00} s)"));
        output.WriteLine($"whole test: {total.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task<DeployResult> SupervisorEditAsync(DevSession session)
    {
        cluster.Edit(SupervisorSource, SupervisorMarker, $"{SupervisorMarker} ({Guid.NewGuid():N})");
        var result = await session.DeployAsync([], null, CancellationToken.None);
        Assert.Contains(result.Steps, s => s.Step == DeployStep.Supervisor && s.Outcome == DeployStepOutcome.Succeeded);
        Assert.DoesNotContain(result.Steps, s => s.Step == DeployStep.ImagePush && s.Outcome == DeployStepOutcome.Succeeded);
        return result;
    }

    private static TimeSpan Step(DeployResult result, DeployStep step) =>
        TimeSpan.FromTicks(result.Steps.Where(s => s.Step == step).Sum(s => s.Duration.Ticks));

    private void Print(string what, DeployResult result) =>
        output.WriteLine($"{what}: {string.Join(", ", result.Steps.Select(s => $"{s.Step}{(s.Component is null ? "" : $"[{s.Component}]")} {s.Outcome} {s.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s"))}");

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Probe(string ns) =>
        $"namespace {ns};\n\n/// <summary>An edit made by the deploy tests.</summary>\ninternal static class DeployProbe\n{{\n    internal const string Value = \"{Guid.NewGuid():N}\";\n}}\n";
}
