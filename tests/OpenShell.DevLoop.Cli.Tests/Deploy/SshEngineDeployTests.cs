using System.Diagnostics;
using System.Globalization;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Session;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// The dev loop against an <c>ssh://</c> engine on the offline stack: the node's API, its gateway and the dev registry are
/// published on the engine's loopback and reached through SSH forwards, never through the published ports themselves.
/// </summary>
public sealed class SshEngineDeployTests(SshDeployClusterFixture cluster, ITestOutputHelper output) : IClassFixture<SshDeployClusterFixture>
{
    private const string SupervisorSource = "src/OpenShell.Sandbox/Program.cs";
    private const string SupervisorMarker = "exits with its code.";

    [RequiresSshd]
    public async Task Cluster_up_and_deploys_through_an_ssh_engine_go_through_forwards_that_open_again_after_ssh_died()
    {
        // 1. The command line: bootstrap and the first deploy of everything, through ssh://.
        var clock = Stopwatch.StartNew();
        var prime = await cluster.DeployAsync();
        output.WriteLine($"first deploy through {cluster.EngineHost}: {clock.Elapsed.TotalSeconds:0.0} s\n{prime.Stdout}");
        DeployAssert.Succeeded(prime);
        Assert.Contains($"Bootstrapping cluster {cluster.ClusterName}", prime.Stdout, StringComparison.Ordinal);
        DeployAssert.Has(prime.Stdout, FastDeployer.PushLine, FastDeployer.HelmLine, FastDeployer.SupervisorUpdatedLine, FastDeployer.CompleteLine);

        var settings = cluster.LoadSettings(offline: true);
        var node = await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName);
        var publishedApi = KubeconfigExtractor.ApiHostPort(node);
        var publishedGateway = PublishedPort.Of(node, settings.Cluster.GatewayNodePort) ?? throw new Xunit.Sdk.XunitException("the gateway port is not published");
        var paths = new ClusterPaths(cluster.Root, cluster.ClusterName);
        Assert.NotEqual(publishedApi, KubeconfigPort(paths));
        // The engine picked the gateway's port; nothing was tested against, or recorded for, this machine.
        Assert.False(File.Exists(paths.EnvFile) && File.ReadAllText(paths.EnvFile).Contains("GATEWAY_PORT", StringComparison.Ordinal));

        // 2. A session as the front ends build it: cluster up reuses the node and names the forwards' local ends.
        var engine = DockerEngine.Connection(settings.Engine);
        Assert.Equal("ssh", engine.Host.Scheme);
        using var docker = engine.CreateClient();
        using var ports = Assert.IsType<SshPortForwards>(engine.CreatePorts());
        await using var session = new DevSession(settings, DevSessionServices.ForDocker(docker, settings, NullLogger.Instance, ports: ports));

        var up = await session.UpAsync(recreate: false, null, CancellationToken.None);

        Assert.Equal(BootstrapAction.Reuse, up.Decision.Action);
        var forwards = ports.Forwards;
        Assert.Equal(forwards[publishedApi], up.ApiHostPort);
        Assert.Equal(forwards[publishedGateway], up.GatewayHostPort);
        Assert.True(forwards.ContainsKey(settings.Registry.HostPort), "the registry is reached through a forward too");
        Assert.DoesNotContain(forwards, f => f.Key == f.Value);
        Assert.Equal(up.ApiHostPort, KubeconfigPort(paths));
        output.WriteLine($"forwards (engine port → local port): {string.Join(", ", forwards.Select(f => $"{f.Key} → {f.Value}"))}");

        // 3. ssh dies (a lost connection); the next deploy opens the same forwards again. A gateway edit goes through all
        // three (push, digest from the registry, rollout, probe over mTLS); the supervisor's way through ssh is step 4.
        var forward = $"127.0.0.1:{up.ApiHostPort}:127.0.0.1:{publishedApi}";
        await SshClientProcesses.KillAsync(forward);
        Assert.False(await SshPortForwards.ListeningAsync(up.ApiHostPort, CancellationToken.None));
        cluster.Write("src/OpenShell.Server/DeployProbe.cs", Probe("OpenShell.Server"));

        var gatewayEdit = await session.DeployAsync([], null, CancellationToken.None);

        Print("gateway edit through ssh://", gatewayEdit);
        foreach (var step in new[] { DeployStep.ImagePush, DeployStep.HelmUpgrade, DeployStep.GatewayRollout, DeployStep.GatewayProbe })
        {
            Assert.Contains(gatewayEdit.Steps, s => s.Step == step && s.Outcome == DeployStepOutcome.Succeeded);
        }

        Assert.Equal(forwards, ports.Forwards);
        Assert.Single(SshClientProcesses.WithArgument(forward));
        var gateway = gatewayEdit.Of("gateway") ?? throw new Xunit.Sdk.XunitException("the deploy did not touch the gateway");
        Assert.True(gateway.Rolled);
        Assert.Equal(gateway.Digest, await GatewayImageBuilder.HeadDigestAsync(ImageReference.Parse($"{cluster.GatewayRepository}:dev"), ports));
        using (var kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(paths.Kubeconfig)))
        {
            Assert.Equal($"{cluster.GatewayRepository}@{gateway.Digest}", await GatewayRolloutWaiter.ReadImageAsync(kube));
        }

        // 4. A supervisor edit through ssh://; the same edit on this machine's engine, for the comparison, only when asked for.
        var remote = await SupervisorEditAsync(session);
        Print("supervisor edit through ssh://", remote);
        if (Environment.GetEnvironmentVariable("OPENSHELL_COMPARE_LOCAL") != "1")
        {
            output.WriteLine("set OPENSHELL_COMPARE_LOCAL=1 for the same supervisor edit on the local socket");
            return;
        }

        using var localDocker = DockerEngine.CreateClient();
        var localSettings = cluster.LoadSettings(offline: true, new Dictionary<string, string?>(), new Dictionary<string, string?> { ["OpenShell:Engine:Host"] = EngineConnection.LocalSocket.ToString() });
        await using var direct = new DevSession(localSettings, DevSessionServices.ForDocker(localDocker, localSettings, NullLogger.Instance));
        await direct.UpAsync(recreate: false, null, CancellationToken.None);
        var directEdit = await SupervisorEditAsync(direct);
        Print("supervisor edit on the local socket", directEdit);
    }

    private async Task<DeployResult> SupervisorEditAsync(DevSession session)
    {
        cluster.Edit(SupervisorSource, SupervisorMarker, $"{SupervisorMarker} ({Guid.NewGuid():N})");
        var result = await session.DeployAsync([], null, CancellationToken.None);
        Assert.Contains(result.Steps, s => s.Step == DeployStep.Supervisor && s.Outcome == DeployStepOutcome.Succeeded);
        Assert.DoesNotContain(result.Steps, s => s.Step == DeployStep.ImagePush && s.Outcome == DeployStepOutcome.Succeeded);
        return result;
    }

    private void Print(string what, DeployResult result) =>
        output.WriteLine($"{what}: {string.Join(", ", result.Steps.Select(s => $"{s.Step}{(s.Component is null ? "" : $"[{s.Component}]")} {s.Outcome} {s.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s"))}");

    private static int KubeconfigPort(ClusterPaths paths)
    {
        var config = KubernetesClientConfiguration.LoadKubeConfig(paths.Kubeconfig);
        var server = new Uri(Assert.Single(config.Clusters).ClusterEndpoint.Server);
        Assert.Equal("127.0.0.1", server.Host);
        return server.Port;
    }

    private static string Probe(string ns) =>
        $"namespace {ns};\n\n/// <summary>An edit made by the deploy tests.</summary>\ninternal static class DeployProbe\n{{\n    internal const string Value = \"{Guid.NewGuid():N}\";\n}}\n";
}
