using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenShell.AppHost.DevLoop;
using OpenShell.AppHost.Sandboxes;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.Testing;
using OpenShell.Testing.Session;
using static OpenShell.AppHost.DevLoop.DashboardVocabulary;

namespace OpenShell.AppHost.Tests.DevLoop;

/// <summary>
/// The dev-loop resources and commands on an app model that is built, not started: the session runs on fakes (no Docker),
/// the checkout is a temporary folder with its own catalogue (never the developer's .env).
/// </summary>
public sealed class DevLoopModelTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly OpenShell.Testing.TempDirectory _checkout = new();
    private readonly FakeSessionServices _fakes = new();
    private DistributedApplication? _app;
    private OpenShell.DevLoop.Engine.EngineWatch? _engine;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _checkout.Dispose();
    }

    private async Task<DistributedApplication> BuildAsync(string? catalog = null)
    {
        Directory.CreateDirectory(_checkout.Combine("deploy", "dev"));
        File.WriteAllText(_checkout.Combine("deploy", "dev", "components.json"),
            catalog ?? File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "dev", "components.json")));
        // Built from this test (as Aspire's own model tests do), never run: nothing needs Docker.
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = [$"--OpenShell:DevHost:RepositoryRoot={_checkout.Path}"],
            AssemblyName = typeof(DevLoopDashboard).Assembly.GetName().Name,
            DisableDashboard = true,
        });
        var settings = SettingsLoader.Resolve(builder.Configuration, null, new Dictionary<string, string?>()).Settings;
        builder.Services.AddSingleton(_fakes.Create() with { Engine = _engine });
        builder.AddOpenShellDevLoop(settings, builder.AddOpenShellRegistry("registry", settings));
        _app = builder.Build();
        await Task.CompletedTask;
        return _app;
    }

    private static T Resource<T>(DistributedApplication app, string name)
        where T : IResource =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<T>().Single(r => r.Name == name);

    private static Task<ExecuteCommandResult> ExecuteAsync(DistributedApplication app, string resource, string command) =>
        Resource<IResource>(app, resource).Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == command)
            .ExecuteCommand(new ExecuteCommandContext { Services = app.Services, ResourceName = resource, CancellationToken = CancellationToken.None, Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Arguments = null! });

    private static DevLoopDashboard Dashboard(DistributedApplication app) => app.Services.GetRequiredService<DevLoopDashboard>();

    private static Task<ResourceEvent> WaitForStateAsync(DistributedApplication app, string resource, string state) =>
        app.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceAsync(resource, e => e.Snapshot.State?.Text == state).WaitAsync(Patience);

    private static string? Property(ResourceEvent e, string name) => e.Snapshot.Properties.FirstOrDefault(p => p.Name == name)?.Value?.ToString();

    private static string SecondImageAndBinary => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "dev", "components.json"))
        .Replace(
            "\"components\": [",
            """
            "components": [
              { "name": "canary", "kind": "image", "stateKey": "canary", "label": "build canary", "include": [ "src/Canary/**" ],
                "repository": "tools/canary", "valuesKey": "canary.image", "workload": "openshell/canary" },
              { "name": "probe", "kind": "binary", "nodePath": "/opt/openshell/bin/openshell-probe", "include": [ "src/Probe/**" ] },
            """,
            StringComparison.Ordinal)
        .Replace("\"name\": \"gateway\",", "\"name\": \"gateway\", \"gateway\": true,", StringComparison.Ordinal);

    [Fact]
    public async Task Each_catalogue_entry_gets_a_resource_under_the_cluster_with_its_kinds_command_and_properties()
    {
        var app = await BuildAsync(SecondImageAndBinary);

        var components = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<OpenShellComponentResource>().ToList();

        Assert.Equal(["canary", "probe", "gateway", "supervisor", "chart"], components.Select(c => c.Name));
        Assert.All(components, c => Assert.Equal("cluster", c.Parent.Name));
        string Command(string name) => Assert.Single(Resource<IResource>(app, name).Annotations.OfType<ResourceCommandAnnotation>(), c => !SandboxCommands.OnGateway.Contains(c.Name)).Name;
        Assert.Equal(["rebuild", "rebuild", "rebuild", "rebuild", "upgrade"], components.Select(c => Command(c.Name)));
        Assert.Equal(["Image", "Binary", "Image", "Binary", "Chart"], components.Select(c => Initial(app, c.Name).ResourceType));
        Assert.Equal("tools/canary", InitialProperty(app, "canary", Properties.ImageRepository));
        Assert.Equal("chart", InitialProperty(app, "canary", Properties.ImageChart));
        Assert.Equal("openshell/canary", InitialProperty(app, "canary", Properties.ImageWorkload));
        Assert.Equal("/opt/openshell/bin/openshell-probe", InitialProperty(app, "probe", Properties.BinaryPath));
        Assert.Equal("/opt/openshell/bin/openshell-sandbox", InitialProperty(app, "supervisor", Properties.BinaryPath));
        Assert.Equal("openshell", InitialProperty(app, "chart", Properties.ChartRelease));

        // Only the image marked as the gateway is checked through the gateway port.
        Assert.Equal(["gateway_health"], Resource<IResource>(app, "gateway").Annotations.OfType<HealthCheckAnnotation>().Select(h => h.Key));
        Assert.Empty(Resource<IResource>(app, "canary").Annotations.OfType<HealthCheckAnnotation>());
    }

    [Fact]
    public async Task A_second_binarys_command_deploys_it_by_name_and_its_resource_shows_what_runs()
    {
        var app = await BuildAsync(SecondImageAndBinary);
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);
        var catalog = OpenShell.DevLoop.Components.ComponentCatalog.Load(_checkout.Path);
        _fakes.Deployer.Behaviour = (_, _, _) => Task.FromResult(FakeDeployer.Deployed(catalog));

        var result = await ExecuteAsync(app, "probe", "rebuild");

        Assert.True(result.Success, result.Message);
        Assert.Equal("probe", Assert.Single(_fakes.Deployer.Requests).Targets.Single());
        var probe = await WaitForStateAsync(app, "probe", States.Running);
        Assert.Equal("/opt/openshell/bin/openshell-probe", Property(probe, Properties.BinaryPath));
        Assert.Equal(new string('1', 64), Property(probe, Properties.BinarySha256));
        var canary = await WaitForStateAsync(app, "canary", States.Running);
        Assert.StartsWith("127.0.0.1:5000/openshell/tools/canary@sha256:", Property(canary, Properties.Image), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_supervisor_shows_the_build_the_node_runs_as_soon_as_it_is_swapped()
    {
        var app = await BuildAsync();
        var gateway = app.Services.GetRequiredService<ISandboxGateway>();
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);
        var sha = new string('9', 64);
        var verifying = new TaskCompletionSource<DeployResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _fakes.Deployer.Behaviour = (_, progress, _) =>
        {
            progress!.Report(new DeployEvent(DeployStep.Supervisor, DeployEventKind.Progress, "/opt/openshell/bin/openshell-sandbox runs sha256 9… now", Component: "supervisor", Sha256: sha));
            return verifying.Task;
        };

        var deploy = Dashboard(app).Session.DeployAsync([], null, CancellationToken.None);

        // While the sandbox verification still runs: the new sha256 shows, and sandboxes are judged against it.
        await app.Services.GetRequiredService<ResourceNotificationService>()
            .WaitForResourceAsync("supervisor", e => Property(e, Properties.BinarySha256) == sha).WaitAsync(Patience);
        Assert.Equal(sha, gateway.NodeSupervisorSha256);
        Assert.False(deploy.IsCompleted);
        verifying.SetResult(FakeDeployer.Deployed());
        await deploy;
    }

    private static CustomResourceSnapshot Initial(DistributedApplication app, string name) =>
        Assert.Single(Resource<IResource>(app, name).Annotations.OfType<ResourceSnapshotAnnotation>()).InitialSnapshot;

    private static string? InitialProperty(DistributedApplication app, string name, string property) =>
        Initial(app, name).Properties.FirstOrDefault(p => p.Name == property)?.Value?.ToString();

    [Fact]
    public async Task Component_commands_are_enabled_only_once_the_cluster_is_up()
    {
        var app = await BuildAsync();
        var rebuild = Resource<IResource>(app, "gateway").Annotations.OfType<ResourceCommandAnnotation>().Single(c => !SandboxCommands.OnGateway.Contains(c.Name));
        ResourceCommandState State() => rebuild.UpdateState(new UpdateCommandStateContext
        {
            ResourceSnapshot = new CustomResourceSnapshot { ResourceType = "Image", Properties = [] },
            Services = app.Services,
        });

        Assert.Equal(ResourceCommandState.Disabled, State());
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);
        Assert.Equal(ResourceCommandState.Enabled, State());
    }

    [Fact]
    public async Task A_failed_deploy_fails_the_command_with_our_message_and_shows_on_the_component()
    {
        var app = await BuildAsync();
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Deployer.Behaviour = (_, _, _) => throw new DeployException(DeployStep.ImagePush, "127.0.0.1:5000 refused the push: connection refused; start the registry resource.");

        var result = await ExecuteAsync(app, "gateway", "rebuild");

        Assert.False(result.Success);
        Assert.StartsWith("Image push failed: 127.0.0.1:5000 refused the push", result.Message, StringComparison.Ordinal);
        Assert.Contains("fix the cause and save", result.Message, StringComparison.Ordinal);
        var gateway = await WaitForStateAsync(app, "gateway", States.Failed);
        Assert.Equal(result.Message, Property(gateway, Properties.DeployError));
    }

    [Fact]
    public async Task A_raw_exception_in_a_deploy_is_our_failure_not_an_unhandled_one()
    {
        var app = await BuildAsync();
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Deployer.Behaviour = (_, _, _) => throw new IOException("disk full writing .cache/cluster-deploy-fast.state");

        var result = await ExecuteAsync(app, "supervisor", "rebuild");

        Assert.False(result.Success);
        Assert.Contains("disk full writing .cache/cluster-deploy-fast.state", result.Message, StringComparison.Ordinal);
        await WaitForStateAsync(app, "supervisor", States.Failed);
        await WaitForStateAsync(app, "chart", States.Failed);
    }

    [Fact]
    public async Task A_successful_deploy_succeeds_and_shows_what_runs()
    {
        var app = await BuildAsync();
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);

        var result = await ExecuteAsync(app, "chart", "upgrade");

        Assert.True(result.Success, result.Message);
        var chart = await WaitForStateAsync(app, "chart", States.Running);
        Assert.Equal(new string('2', 64), Property(chart, Properties.ChartChecksum));
        Assert.Equal("chart", Assert.Single(_fakes.Deployer.Requests).Targets.Single());
    }

    [Theory]
    [InlineData(GatewaySecurity.Mtls, "mTLS enabled", "https://127.0.0.1:30051")]
    [InlineData(GatewaySecurity.Plaintext, "INSECURE (plaintext HTTP)", "http://127.0.0.1:30051")]
    [InlineData(GatewaySecurity.TlsWithoutClientAuth, "INSECURE (TLS enabled, client cert auth disabled)", "https://127.0.0.1:30051")]
    public async Task The_cluster_and_the_gateway_show_the_gateway_security_mode(GatewaySecurity security, string shown, string url)
    {
        _fakes.Cluster.Security = security;
        var app = await BuildAsync();
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);

        var cluster = await WaitForStateAsync(app, "cluster", States.Running);
        Assert.Equal(shown, Property(cluster, Properties.ClusterSecurity));
        var gateway = await app.Services.GetRequiredService<ResourceNotificationService>()
            .WaitForResourceAsync("gateway", e => e.Snapshot.Urls.Length > 0).WaitAsync(Patience);
        Assert.Equal(url, gateway.Snapshot.Urls.Single().Url);
        Assert.Equal(shown, Property(gateway, Properties.ClusterSecurity));
    }

    [Fact]
    public async Task Recreate_whose_redeploy_fails_is_a_failure()
    {
        var app = await BuildAsync();
        await Dashboard(app).Session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Deployer.Behaviour = (_, _, _) => throw new DeployException(DeployStep.HelmUpgrade, "the HelmChart openshell is missing.");

        var result = await ExecuteAsync(app, "cluster", "recreate");

        Assert.False(result.Success);
        Assert.Contains("Helm upgrade failed: the HelmChart openshell is missing.", result.Message, StringComparison.Ordinal);
        Assert.Equal(["up", "remove", "up"], _fakes.Cluster.Log);
    }

    [Theory]
    [InlineData("removed", "no container named openshell-cluster-test exists")]
    [InlineData("exited", "container openshell-cluster-test is not running (state 'exited')")]
    public async Task A_cluster_gone_under_the_session_fails_deploy_now_with_cause_and_fix_and_recreate_brings_it_back(string how, string cause)
    {
        var app = await BuildAsync();
        await Dashboard(app).Session.RunAsync(null, CancellationToken.None);
        await WaitForStateAsync(app, "gateway", States.Running);
        var deploys = _fakes.Deployer.Requests.Count;
        _fakes.Cluster.Container = how == "removed" ? null : FakeCluster.ContainerIn(how, healthy: true);

        // Through the watcher's deploy-now, as the dashboard runs it.
        var result = await ExecuteAsync(app, "watcher", "deploy-now");

        Assert.False(result.Success);
        Assert.Equal(
            $"Cluster failed: The cluster went away since it came up: {cause}. Nothing was deployed.\nUse the cluster's Recreate command to bring it up again.",
            result.Message);
        Assert.Equal(deploys, _fakes.Deployer.Requests.Count);
        var cluster = await WaitForStateAsync(app, "cluster", States.Failed);
        Assert.Equal(result.Message, Property(cluster, Properties.ClusterError));
        var gateway = await WaitForStateAsync(app, "gateway", States.Failed);
        Assert.Equal(result.Message, Property(gateway, Properties.DeployError));
        await WaitForStateAsync(app, "watcher", States.Failed);

        var recreated = await ExecuteAsync(app, "cluster", "recreate");

        Assert.True(recreated.Success, recreated.Message);
        var back = await WaitForStateAsync(app, "cluster", States.Running);
        Assert.Equal("", Property(back, Properties.ClusterError));
        Assert.Equal("000000000002", Property(back, Properties.ClusterContainerId));
        Assert.Equal("", Property(await WaitForStateAsync(app, "gateway", States.Running), Properties.DeployError));
        Assert.Equal(deploys + 1, _fakes.Deployer.Requests.Count);
        Assert.Equal(["up", "remove", "up"], _fakes.Cluster.Log);
    }

    [Fact]
    public async Task Commands_before_the_cluster_is_up_fail_with_what_to_wait_for()
    {
        var app = await BuildAsync();

        var result = await ExecuteAsync(app, "gateway", "rebuild");

        Assert.False(result.Success);
        Assert.Contains("Wait for the cluster resource to be Running", result.Message, StringComparison.Ordinal);
        Assert.Empty(_fakes.Deployer.Requests);
    }

    [Fact]
    public async Task Without_a_runtime_bundle_the_bundle_says_what_to_set_and_the_others_what_they_wait_for()
    {
        _fakes.Bundles.Missing = true;
        var app = await BuildAsync();

        await Dashboard(app).Session.RunAsync(null, CancellationToken.None);

        var bundle = await WaitForStateAsync(app, "runtime-bundle", States.Failed);
        var message = Property(bundle, Properties.BundleVerification)!;
        Assert.Contains("OPENSHELL_RUNTIME_BUNDLE_TARBALL", message, StringComparison.Ordinal);
        Assert.Contains("OPENSHELL_RUNTIME_BUNDLE_URL", message, StringComparison.Ordinal);
        Assert.Contains("OpenShell:DevHost:SyntheticRuntimeBundle=true", message, StringComparison.Ordinal);
        var cluster = await WaitForStateAsync(app, "cluster", "Waiting for the runtime bundle (it failed)");
        Assert.Equal(message, Property(cluster, Properties.WaitingFor));
        await WaitForStateAsync(app, "gateway", "Waiting for the cluster (the runtime bundle failed)");
    }

    [Fact]
    public async Task A_watcher_that_cannot_start_is_failed_with_the_reason()
    {
        _fakes.WatcherStartupError = new IOException("inotify watch limit reached: raise fs.inotify.max_user_watches");
        var app = await BuildAsync();

        await Dashboard(app).Session.RunAsync(null, CancellationToken.None);

        var watcher = await WaitForStateAsync(app, "watcher", States.Failed);
        Assert.Contains("inotify watch limit reached", Property(watcher, Properties.WatcherError), StringComparison.Ordinal);
        Assert.False((await ExecuteAsync(app, "watcher", "pause")).Success);
        await WaitForStateAsync(app, "gateway", States.Running);
    }

    [Fact]
    public async Task A_lost_engine_turns_the_cluster_unreachable_with_the_reason_and_back_to_running_with_its_forwards()
    {
        var probe = new SwitchableProbe();
        _engine = new OpenShell.DevLoop.Engine.EngineWatch(probe, "ssh://root@gpu-box (DOCKER_HOST)");
        var app = await BuildAsync();

        _ = Dashboard(app).Session.RunAsync(null, CancellationToken.None);

        var lost = await WaitForStateAsync(app, "cluster", States.EngineUnreachable);
        Assert.Equal("ssh://root@gpu-box (DOCKER_HOST)", Property(lost, Properties.EngineAddress));
        Assert.Contains("ssh exited: Connection refused; check that sshd runs on gpu-box", Property(lost, Properties.EngineState), StringComparison.Ordinal);
        Assert.Empty(_fakes.Deployer.Requests);

        probe.Up = true;
        var back = await WaitForStateAsync(app, "cluster", States.Running);
        Assert.Equal("connected", Property(back, Properties.EngineState));
        Assert.Equal("linux/arm64", Property(back, Properties.EnginePlatform));
        Assert.Equal("28.2.2", Property(back, Properties.EngineVersion));
        Assert.Equal("127.0.0.1:41001 → 6443, 127.0.0.1:41002 → 30051", Property(back, Properties.EngineForwards));
        await WaitForStateAsync(app, "gateway", States.Running);
    }

    private sealed class SwitchableProbe : OpenShell.DevLoop.Engine.IEngineProbe
    {
        private volatile bool _up;

        public bool Up { get => _up; set => _up = value; }

        public Task<OpenShell.DevLoop.Engine.EngineFacts> CheckAsync(CancellationToken ct) => _up
            ? Task.FromResult(new OpenShell.DevLoop.Engine.EngineFacts("linux/arm64", "28.2.2", new Dictionary<int, int> { [30051] = 41002, [6443] = 41001 }))
            : throw new OpenShell.DevLoop.Engine.EngineConnectionException("ssh exited: Connection refused", "check that sshd runs on gpu-box");
    }
}
