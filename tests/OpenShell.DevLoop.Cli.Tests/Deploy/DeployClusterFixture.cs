using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Cli.Commands;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// One throw-away clone of the repository and one cluster (the k3s simulator image), with its own registry on a free
/// 127.0.0.1 port, bootstrapped and primed by a first <c>openshell-dev deploy --offline</c>. Every name is unique, and
/// containers, volumes, network and images are removed at the end. A derived fixture may reach the engine another way
/// (<see cref="EngineSettings"/>), leave the cluster to its tests (<see cref="PrimesOnStart"/>) and deploy another
/// fixture's clone to a cluster of its own (its own name, state file, registry and network), as a checkout can be deployed
/// to two clusters.
/// </summary>
public class DeployClusterFixture : IAsyncLifetime
{
    public const string BaseImage = OfflineImages.K3s;

    private readonly TempDirectory _temp = new("deploy");
    private readonly string? _sharedRoot;
    private readonly int _gatewayPort;
    private DockerClient? _docker;

    public DeployClusterFixture()
        : this("")
    {
    }

    /// <summary>A fixture whose names all carry <paramref name="idPrefix"/>.</summary>
    protected DeployClusterFixture(string idPrefix) => Id = idPrefix + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A fixture whose names all carry <paramref name="idPrefix"/>, deploying the clone at <paramref name="sharedRoot"/> (another fixture's; never removed by this one).</summary>
    protected DeployClusterFixture(string idPrefix, string sharedRoot)
        : this(idPrefix)
    {
        _sharedRoot = sharedRoot;
        _gatewayPort = FreePort();
    }

    public string Id { get; }

    /// <summary>Settings that choose the engine (<c>OpenShell:Engine:*</c>); none: the engine of the process.</summary>
    protected virtual IReadOnlyDictionary<string, string?> EngineSettings { get; } = new Dictionary<string, string?>();

    /// <summary>True when the fixture bootstraps and primes the cluster with a first deploy.</summary>
    protected virtual bool PrimesOnStart => true;

    /// <summary>True when the fixture builds the cluster image before the tests (else the first deploy builds it).</summary>
    protected virtual bool BuildsClusterImage => true;

    /// <summary>The clone's root; its folder name gives the cluster name, unless the clone is another fixture's.</summary>
    public string Root => _sharedRoot ?? _temp.Combine($"osdeploy-{Id}");

    public string ClusterName => $"osdeploy-{Id}";

    public string ContainerName => Cluster.ClusterName.ContainerName(ClusterName);

    public int RegistryPort { get; private set; }

    public string RegistryName => $"openshell-test-registry-{Id}";

    public string GatewayRepository => $"127.0.0.1:{RegistryPort}/openshell/gateway";

    public string ClusterImage => $"openshell-test/cluster-{Id}:dev";

    /// <summary>The engine the cluster runs on (<see cref="CreateDockerClient"/>).</summary>
    public DockerClient Docker => _docker ??= CreateDockerClient();

    public (int ExitCode, string Stdout, string Stderr) Prime { get; private set; }

    /// <summary>The release supervisor baked into the cluster image (a shared cache's copy: never write to it).</summary>
    public string ReleaseSupervisor { get; private set; } = "";

    public OpenShellSettings LoadSettings(bool offline) => LoadSettings(offline, new Dictionary<string, string?>());

    /// <summary>
    /// The fixture's settings, the clone's <c>.env</c> and <paramref name="environment"/> as the process environment;
    /// <paramref name="switches"/> are the settings the command's switches set.
    /// </summary>
    public OpenShellSettings LoadSettings(bool offline, IReadOnlyDictionary<string, string?> environment, IReadOnlyDictionary<string, string?>? switches = null)
    {
        var overrides = new Dictionary<string, string?>(SettingOverrides);
        foreach (var (key, value) in switches ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        return SettingsLoader.Resolve(SettingsFiles.Load(AppContext.BaseDirectory, offline, overrides), Root, environment).Settings;
    }

    /// <summary>
    /// The settings that point a deploy at the fixture's cluster, registry, images and engine (<see cref="EngineSettings"/>;
    /// <c>OpenShell:*</c> keys); another process gets them as <c>OpenShell__*</c> environment variables.
    /// </summary>
    public IReadOnlyDictionary<string, string?> SettingOverrides
    {
        get
        {
            var overrides = new Dictionary<string, string?>
            {
                ["OpenShell:Registry:HostPort"] = RegistryPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["OpenShell:Registry:ContainerName"] = RegistryName,
                ["OpenShell:Registry:VolumeName"] = RegistryName,
                ["OpenShell:Cluster:Network"] = $"openshell-test-{Id}",
                ["OpenShell:Cluster:ImageRepository"] = $"openshell-test/cluster-{Id}",
                ["OpenShell:Cluster:ImageTag"] = "dev",
                ["OpenShell:Cluster:ImageRepoBase"] = $"127.0.0.1:{RegistryPort}/openshell",
                ["OpenShell:Cluster:SkipImageBuild"] = "true",
                ["OpenShell:Cluster:HealthTimeoutSeconds"] = "330",
                ["OpenShell:Images:SupervisorCache"] = TestCaches.ReleaseSupervisors,
            };
            if (_sharedRoot is not null)
            {
                // The checkout's .env keeps the other cluster's gateway port: this one is given its own, as a user would.
                overrides["OpenShell:Cluster:Name"] = ClusterName;
                overrides["OpenShell:Deploy:StateFile"] = StatePath;
                overrides["OpenShell:Cluster:GatewayPort"] = _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            foreach (var (key, value) in EngineSettings)
            {
                overrides[key] = value;
            }

            return overrides;
        }
    }

    /// <summary>Runs <c>openshell-dev deploy ARGS --offline -C ROOT</c> in-process with <paramref name="variables"/> as its environment.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> DeployAsync(IReadOnlyDictionary<string, string>? variables = null, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = variables?.ToDictionary(v => v.Key, v => (string?)v.Value) ?? [];
        var hooks = new DeployCommandHooks((offline, _, switches) => LoadSettings(offline, environment, switches));
        var root = new RootCommand();
        root.Options.Add(CliApp.OfflineOption);
        root.Subcommands.Add(DeployCommand.Create(stdout, stderr, hooks));
        var exit = await root.Parse(["deploy", .. args, "--offline", "-C", Root]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A deployer for API-level tests, with the fixture's settings.</summary>
    public FastDeployer CreateDeployer() => new(Docker, LoadSettings(offline: true), NullLogger.Instance);

    public IKubernetes CreateKubernetesClient() =>
        new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new ClusterPaths(Root, ClusterName).Kubeconfig));

    public async Task<JsonObject> ReadHelmChartAsync()
    {
        using var kube = CreateKubernetesClient();
        return await HelmChartDeployer.ReadAsync(kube);
    }

    public async Task<string> ContainerIdAsync() => (await Docker.Containers.InspectContainerAsync(ContainerName)).ID;

    public async Task<string?> NodeSupervisorSha256Async() => await SupervisorDeployer.ReadNodeSha256Async(Docker, await ContainerIdAsync());

    public string StatePath => _sharedRoot is null
        ? Path.Combine(Root, ".cache", "cluster-deploy-fast.state")
        : Path.Combine(Root, ".cache", $"cluster-deploy-fast-{ClusterName}.state");

    public string Edit(string relativePath, string oldText, string newText)
    {
        var path = Path.Combine(Root, relativePath);
        var text = File.ReadAllText(path);
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(oldText, newText, StringComparison.Ordinal));
        return path;
    }

    public void Write(string relativePath, string content) => File.WriteAllText(Path.Combine(Root, relativePath), content);

    public virtual async Task InitializeAsync()
    {
        if (DockerGate.SkipReason is not null)
        {
            return;
        }

        await EnsureBaseImageAsync();
        if (_sharedRoot is null)
        {
            (await TestProcess.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", RepositoryPaths.Root, Root], timeout: TimeSpan.FromMinutes(2))).EnsureSuccess("git clone");
        }

        RegistryPort = FreePort();

        if (BuildsClusterImage)
        {
            await BuildClusterImageAsync();
        }

        if (PrimesOnStart)
        {
            Prime = await DeployAsync();
        }
    }

    // The cluster image carries the clone's supervisor and chart, as a bootstrap from this tree would.
    private async Task BuildClusterImageAsync()
    {
        var architecture = await ClusterArchitecture.ReadAsync(Docker, BaseImage);
        var key = await ReleaseSupervisorCache.KeyAsync(Root, architecture);
        var (supervisor, _) = await new ReleaseSupervisorCache(TestCaches.ReleaseSupervisors).GetOrPublishAsync(key,
            () => SupervisorPublisher.PublishAsync(Root, architecture, Path.Combine(Root, ".cache", "deploy", "supervisor", architecture), NullLogger.Instance), NullLogger.Instance);
        ReleaseSupervisor = supervisor;
        var chart = await ChartPackager.PackAsync(Path.Combine(Root, "deploy", "helm", "openshell"), _temp.Combine("chart"));
        Directory.CreateDirectory(_temp.Combine("bundle"));
        var inputs = new ClusterImageInputs(Path.Combine(Root, "deploy"), _temp.Combine("bundle"), chart, supervisor);
        try
        {
            await ClusterImageBuilder.BuildAsync(Docker, inputs, ClusterImage, BaseImage, OfflineImages.ClusterBase, NullLogger.Instance);
        }
        catch (ClusterImageBuildException ex) when (ex.Message.Contains("layer does not exist", StringComparison.Ordinal))
        {
            // The engine is shared: the base image can be rebuilt by someone else while this build reads it. Once more.
            await EnsureBaseImageAsync();
            await ClusterImageBuilder.BuildAsync(Docker, inputs, ClusterImage, BaseImage, OfflineImages.ClusterBase, NullLogger.Instance);
        }
    }

    public virtual async Task DisposeAsync()
    {
        try
        {
            if (DockerGate.SkipReason is null && RegistryPort != 0)
            {
                await RemoveFromAsync(Docker, LoadSettings(offline: true));
            }
        }
        finally
        {
            _docker?.Dispose();
            _temp.Dispose();
        }
    }

    /// <summary>Creates the client of the engine the cluster runs on: by default the engine of the process.</summary>
    protected virtual DockerClient CreateDockerClient() => DockerEngine.CreateClient();

    /// <summary>Removes from <paramref name="docker"/> everything the fixture's names and labels can have created there.</summary>
    protected async Task RemoveFromAsync(IDockerClient docker, OpenShellSettings settings)
    {
        ArgumentNullException.ThrowIfNull(docker);
        var lifecycle = new ClusterLifecycle(docker, settings, new ClusterPaths(Root, ClusterName), NullLogger.Instance);
        await Ignore(() => lifecycle.RemoveAsync(removeVolume: true));
        await Ignore(() => docker.Containers.RemoveContainerAsync(RegistryName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }));
        await Ignore(() => docker.Volumes.RemoveAsync(RegistryName, force: true));
        await Ignore(() => docker.Networks.DeleteNetworkAsync($"openshell-test-{Id}"));
        var images = await docker.Images.ListImagesAsync(new ImagesListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{GatewayImageBuilder.RepositoryLabel}={settings.Cluster.ImageRepoBase}/gateway"] = true } },
        });
        foreach (var image in images)
        {
            await Ignore(() => docker.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters { Force = true }));
        }

        // Its untagged parents stay: they are the build cache other fixtures' cluster images share, and pruning them while
        // another build uses them fails that build with "layer does not exist".
        await Ignore(() => docker.Images.DeleteImageAsync(ClusterImage, new ImageDeleteParameters { Force = true, NoPrune = true }));
    }

    private static async Task Ignore(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException)
        {
        }
    }

    /// <summary>Makes sure the engine has the offline stand-in images.</summary>
    protected virtual Task EnsureBaseImageAsync() => OfflineImages.EnsureAsync(Docker);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class DeployClusterCollection : ICollectionFixture<DeployClusterFixture>
{
    public const string Name = "deploy cluster";
}
