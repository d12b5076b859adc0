using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Tests.Images;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Tests.Cluster;

/// <summary>Bootstrap, reuse, a start again after a stop, and removal of a real node container built from the offline cluster image.</summary>
[Collection(ClusterImageCollection.Name)]
public sealed class ClusterLifecycleTests(ClusterImageFixture image, ITestOutputHelper output)
{
    [RequiresDocker]
    public async Task Create_then_reuse_then_start_again_when_stopped_then_down()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        using var repo = new TempDirectory("cluster-repo");
        var registryPort = GatewayPortStore.PickFreePort(Random.Shared);
        var (repository, tag) = (image.Tag[..image.Tag.LastIndexOf(':')], image.Tag[(image.Tag.LastIndexOf(':') + 1)..]);
        var settings = OpenShellSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenShell:Images:Registry"] = "openshell-offline/registry:2",
            ["OpenShell:Registry:ContainerName"] = $"openshell-test-registry-{id}",
            ["OpenShell:Registry:VolumeName"] = $"openshell-test-registry-{id}",
            ["OpenShell:Registry:HostPort"] = registryPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OpenShell:Cluster:Name"] = $"Test_{id}",
            ["OpenShell:Cluster:ImageRepository"] = repository,
            ["OpenShell:Cluster:ImageTag"] = tag,
            ["OpenShell:Cluster:ImageRepoBase"] = $"127.0.0.1:{registryPort}/openshell",
            ["OpenShell:Cluster:Privileged"] = "false",
            // As the Offline profile: the simulator runs no gateway pod that could serve the NodePort.
            ["OpenShell:Cluster:GatewayTcpCheck"] = "false",
            ["OpenShell:Cluster:SkipImageBuild"] = "true",
            ["OpenShell:Cluster:Network"] = $"openshell-test-{id}",
            ["OpenShell:Cluster:HealthTimeoutSeconds"] = "330",
        }).Build(), new Dictionary<string, string?>());
        var name = ClusterName.Resolve(settings.Cluster.Name, repo.Path);
        var paths = new ClusterPaths(repo.Path, name);
        var docker = image.Docker;
        var lifecycle = new ClusterLifecycle(docker, settings, paths, NullLogger.Instance);
        var stateFile = paths.StateFile(null);
        Directory.CreateDirectory(Path.GetDirectoryName(stateFile)!);
        await File.WriteAllTextAsync(stateFile, "cluster_name=old\n");

        try
        {
            Assert.Equal($"test-{id}", name);
            var watch = System.Diagnostics.Stopwatch.StartNew();

            // None → create.
            var created = await lifecycle.UpAsync(buildImage: null);
            output.WriteLine($"bootstrap to healthy took {watch.Elapsed.TotalSeconds:F1}s");
            Assert.Equal(BootstrapAction.Create, created.Decision.Action);
            Assert.False(File.Exists(stateFile), "the fast-deploy state file survived the bootstrap");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(created.KubeconfigPath));
            Assert.Contains($"GATEWAY_PORT={created.GatewayHostPort}", await File.ReadAllLinesAsync(paths.EnvFile));

            // The kubeconfig from the container works through the mapped port.
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(created.KubeconfigPath);
            Assert.Equal($"https://127.0.0.1:{created.ApiHostPort}", config.Host.TrimEnd('/'));
            using (var kube = new Kubernetes(config))
            {
                var namespaces = await kube.CoreV1.ListNamespaceAsync();
                Assert.Contains(namespaces.Items, n => n.Metadata.Name == "openshell");
                var statefulSet = await kube.AppsV1.ReadNamespacedStatefulSetAsync("openshell", "openshell");
                Assert.Equal($"127.0.0.1:{registryPort}/openshell/gateway:{tag}", statefulSet.Spec.Template.Spec.Containers[0].Image);
            }

            var container = await docker.Containers.InspectContainerAsync(created.ContainerId);
            Assert.Equal("healthy", container.State.Health.Status);
            Assert.Contains($"REGISTRY_ENDPOINT=openshell-test-registry-{id}:5000", container.Config.Env);
            Assert.All(container.HostConfig.PortBindings.Values.SelectMany(b => b), b => Assert.Equal("127.0.0.1", b.HostIP));
            var registries = await ReadFileAsync(docker, created.ContainerId, "/etc/rancher/k3s/registries.yaml");
            Assert.Contains($"\"http://openshell-test-registry-{id}:5000\"", registries, StringComparison.Ordinal);
            var registry = await docker.Containers.InspectContainerAsync($"openshell-test-registry-{id}");
            Assert.Contains($"openshell-test-{id}", registry.NetworkSettings.Networks.Keys);
            var secretUid = await SecretUidAsync(lifecycle);

            // Healthy → reuse, secrets kept.
            var reused = await lifecycle.UpAsync(buildImage: null);
            Assert.Equal(BootstrapAction.Reuse, reused.Decision.Action);
            Assert.Equal(created.ContainerId, reused.ContainerId);
            Assert.Equal(secretUid, await SecretUidAsync(lifecycle));

            // A missing handshake secret makes the node unhealthy: its health check says which.
            using (var kube = lifecycle.CreateKubernetesClient())
            {
                await kube.CoreV1.DeleteNamespacedSecretAsync("openshell-ssh-handshake", "openshell");
            }

            var (checkExit, checkOut, checkErr) = await ContainerExec.RunAsync(docker, created.ContainerId, ["/usr/local/bin/cluster-healthcheck.sh"]);
            Assert.NotEqual(0, checkExit);
            Assert.Contains("HEALTHCHECK_MISSING_SSH_HANDSHAKE_SECRET", checkOut + checkErr, StringComparison.Ordinal);

            // Stopped (as an engine restart leaves it) → started again in place: the same container with what was
            // written into it, the state file kept (it records no fingerprint the node could have lost), and the missing
            // secret ensured again, so the health check that failed above passes.
            await File.WriteAllTextAsync(stateFile, "cluster_name=kept\n");
            Assert.Equal(0, (await ContainerExec.RunAsync(docker, created.ContainerId, ["sh", "-c", "echo kept > /etc/openshell-start-marker"])).ExitCode);
            await docker.Containers.StopContainerAsync(created.ContainerId, new ContainerStopParameters { WaitBeforeKillSeconds = 5 });
            var started = await lifecycle.UpAsync(buildImage: null);
            Assert.Equal(BootstrapAction.Start, started.Decision.Action);
            Assert.Contains($"cluster node {lifecycle.ContainerName} was stopped (exit ", started.Decision.Reason, StringComparison.Ordinal);
            Assert.Equal(created.ContainerId, started.ContainerId);
            Assert.Equal("healthy", (await lifecycle.StatusAsync()).Health);
            Assert.Equal("kept\n", await ReadFileAsync(docker, started.ContainerId, "/etc/openshell-start-marker"));
            Assert.Equal("cluster_name=kept\n", await File.ReadAllTextAsync(stateFile));
            using (var kube = lifecycle.CreateKubernetesClient())
            {
                Assert.NotEmpty((await kube.CoreV1.ListNamespaceAsync()).Items);
            }

            // Down removes the container and the volume.
            Assert.True(await lifecycle.RemoveAsync(removeVolume: true));
            Assert.False((await lifecycle.StatusAsync()).Exists);
            await Assert.ThrowsAsync<DockerApiException>(() => docker.Volumes.InspectAsync(lifecycle.ContainerName));
        }
        finally
        {
            await lifecycle.RemoveAsync(removeVolume: true);
            await IgnoreMissingAsync(() => docker.Containers.RemoveContainerAsync($"openshell-test-registry-{id}", new ContainerRemoveParameters { Force = true }));
            await IgnoreMissingAsync(() => docker.Volumes.RemoveAsync($"openshell-test-registry-{id}", force: true));
            await IgnoreMissingAsync(() => docker.Networks.DeleteNetworkAsync($"openshell-test-{id}"));
        }
    }

    private static async Task<string> SecretUidAsync(ClusterLifecycle lifecycle)
    {
        using var kube = lifecycle.CreateKubernetesClient();
        return (await kube.CoreV1.ReadNamespacedSecretAsync("openshell-server-tls", "openshell")).Metadata.Uid;
    }


    private static async Task<string> ReadFileAsync(IDockerClient docker, string containerId, string path)
    {
        var archive = await docker.Containers.GetArchiveFromContainerAsync(containerId, new GetArchiveFromContainerParameters { Path = path }, statOnly: false);
        using var reader = new TarReader(archive.Stream);
        var entry = reader.GetNextEntry()!;
        using var text = new StreamReader(entry.DataStream!);
        return await text.ReadToEndAsync();
    }

    private static async Task IgnoreMissingAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (DockerApiException)
        {
        }
    }
}
