using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.Tests.Watching;
using OpenShell.DevLoop.Watching;
using OpenShell.Testing;
using OpenShell.Testing.Session;

namespace OpenShell.DevLoop.Tests.Session;

public sealed class DevSessionTests : IAsyncLifetime
{
    private readonly TempDirectory _checkout = new();
    private readonly ManualTimeProvider _time = new();
    private readonly FakeSessionServices _fakes = new();
    private DevSession? _session;
    private EngineWatch? _engine;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        _checkout.Dispose();
    }

    private (DevSession Session, SessionRecorder Events) Create(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var resolved = SettingsLoader.Resolve(configuration, _checkout.Path, new Dictionary<string, string?>()).Settings;
        _session = new DevSession(resolved, _fakes.Create(_time) with { Engine = _engine });
        return (_session, new SessionRecorder(_session));
    }

    [Fact]
    public async Task Recreate_during_a_deploy_waits_for_it_before_removing_the_cluster()
    {
        var (session, _) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        var release = new TaskCompletionSource<DeployResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _fakes.Deployer.Log = _fakes.Cluster.Log;
        _fakes.Deployer.Behaviour = (_, _, _) => release.Task;
        var deploy = session.DeployAsync(["gateway"], null, CancellationToken.None);

        var recreate = session.RecreateAsync(CancellationToken.None);
        await Task.Delay(200);
        Assert.DoesNotContain("remove", _fakes.Cluster.Log);
        Assert.False(recreate.IsCompleted);

        _fakes.Deployer.Behaviour = (_, _, _) => Task.FromResult(FakeDeployer.Deployed());
        release.SetResult(FakeDeployer.Deployed());
        await deploy;
        await recreate;

        Assert.Equal(["up", "deploy", "deployed", "remove", "up", "deploy", "deployed"], _fakes.Cluster.Log);
        Assert.True(session.IsClusterReady);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Recreate_keeps_the_watcher_as_the_user_left_it(bool paused)
    {
        var (session, events) = Create();
        await session.RunAsync(null, CancellationToken.None);
        await events.WaitForAsync<WatcherChanged>(w => w.Status is not null);
        if (paused)
        {
            session.Pause();
        }

        await session.RecreateAsync(CancellationToken.None);

        Assert.Equal(paused, session.IsPaused);
        Assert.Equal(2, _fakes.Cluster.Log.Count(l => l == "up"));
    }

    [Fact]
    public async Task A_raw_exception_from_a_step_fails_the_component_with_its_message_instead_of_leaving_it_building()
    {
        var (session, events) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Deployer.Behaviour = (_, progress, _) =>
        {
            progress?.Report(new DeployEvent(DeployStep.Builds, DeployEventKind.Started, "Builds", Component: "gateway"));
            throw new InvalidOperationException("the registry refused the push");
        };

        var error = await Assert.ThrowsAsync<DevLoopException>(() => session.DeployAsync(["gateway"], null, CancellationToken.None));

        Assert.Contains("the registry refused the push", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        var gateway = events.Seen.Where(e => e is ComponentPhaseChanged { Component: "gateway" } or ComponentFailed { Component: "gateway" }).ToList();
        Assert.IsType<ComponentPhaseChanged>(gateway[0]);
        var failed = Assert.IsType<ComponentFailed>(gateway[^1]);
        Assert.Equal(error.Message, failed.Error.Message);
    }

    [Fact]
    public async Task A_failed_step_fails_only_its_component()
    {
        var (session, events) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Deployer.Behaviour = (_, _, _) => throw new DeployException(DeployStep.Supervisor, "dotnet publish failed: CS1002") { Component = "supervisor" };

        var error = await Assert.ThrowsAsync<DeployException>(() => session.DeployAsync([], null, CancellationToken.None));

        Assert.Equal("Supervisor build + deploy", error.StepName);
        Assert.Equal(["supervisor"], events.OfType<ComponentFailed>().Select(f => f.Component));
    }

    [Fact]
    public async Task A_second_binary_is_deployed_and_failed_under_its_own_name()
    {
        var catalog = ComponentCatalog.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, ComponentCatalog.RelativePath)).Replace(
            "\"components\": [",
            "\"components\": [ { \"name\": \"probe\", \"kind\": \"binary\", \"nodePath\": \"/opt/openshell/bin/openshell-probe\", \"include\": [ \"src/Probe/**\" ] },",
            StringComparison.Ordinal), "components.json");
        _fakes.Catalog = catalog;
        var (session, events) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Deployer.Behaviour = (_, progress, _) =>
        {
            progress?.Report(new DeployEvent(DeployStep.Supervisor, DeployEventKind.Started, "Supervisor build + deploy", Component: "probe"));
            return Task.FromResult(FakeDeployer.Deployed(catalog));
        };

        await session.DeployAsync([], null, CancellationToken.None);

        Assert.Equal(["probe"], Assert.Single(events.OfType<DeployStepStarted>()).Components);
        Assert.Equal(ComponentPhase.Copying, Assert.Single(events.OfType<ComponentPhaseChanged>()).Phase);
        var probe = events.OfType<ComponentDeployed>().Single(d => d.Component == "probe").Facts;
        Assert.Equal(("/opt/openshell/bin/openshell-probe", new string('1', 64)), (probe.NodePath, probe.Sha256));
        Assert.Equal("/opt/openshell/bin/openshell-sandbox", events.OfType<ComponentDeployed>().Single(d => d.Component == "supervisor").Facts.NodePath);

        _fakes.Deployer.Behaviour = (_, _, _) => throw new DeployException(DeployStep.Supervisor, "dotnet publish failed: CS1002") { Component = "probe" };
        await Assert.ThrowsAsync<DeployException>(() => session.DeployAsync([], null, CancellationToken.None));

        Assert.Equal(["probe"], events.OfType<ComponentFailed>().Select(f => f.Component));
    }

    [Fact]
    public async Task A_watcher_that_cannot_start_says_why_and_the_session_keeps_running()
    {
        _fakes.WatcherStartupError = new IOException("The configured user limit (128) on the number of inotify instances has been reached.");
        var (session, events) = Create();

        await session.RunAsync(null, CancellationToken.None);

        var watcher = await events.WaitForAsync<WatcherChanged>(w => w.StartupError is not null);
        Assert.Contains("inotify", watcher.StartupError!.Message, StringComparison.Ordinal);
        Assert.Equal("Watcher", watcher.StartupError.StepName);
        Assert.True(session.IsClusterReady);
        Assert.False(session.IsWatching);
    }

    [Fact]
    public async Task The_state_file_comes_from_the_settings()
    {
        var (session, _) = Create(("OpenShell:Deploy:StateFile", ".cache/other.state"));
        await session.UpAsync(recreate: false, null, CancellationToken.None);

        await session.DeployAsync([], null, CancellationToken.None);

        Assert.Equal(".cache/other.state", Assert.Single(_fakes.Deployer.Requests).PlanSettings.StateFile);
    }

    [Fact]
    public async Task Requests_for_the_same_targets_share_one_deploy()
    {
        var (session, _) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        var release = new TaskCompletionSource<DeployResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _fakes.Deployer.Behaviour = (_, _, _) => release.Task;

        var first = session.DeployAsync(["chart"], null, CancellationToken.None);
        var second = session.DeployAsync(["chart"], null, CancellationToken.None);
        release.SetResult(FakeDeployer.Deployed());

        Assert.Same(await first, await second);
        Assert.Single(_fakes.Deployer.Requests);
    }

    [Fact]
    public async Task A_deploy_while_the_engine_is_lost_waits_for_it_and_runs_once_it_answers()
    {
        var probe = new SwitchableProbe();
        _engine = new EngineWatch(probe, "ssh://root@gpu-box (DOCKER_HOST)", _time);
        var (session, events) = Create();
        using var stop = new CancellationTokenSource();

        var run = session.RunAsync(null, stop.Token);
        var waiting = await events.WaitForAsync<ComponentPhaseChanged>(c => c.Detail?.StartsWith("Waiting for the Docker engine", StringComparison.Ordinal) == true);
        Assert.Contains("Connection refused", waiting.Detail, StringComparison.Ordinal);
        Assert.Equal(EngineLink.Lost, events.OfType<EngineChanged>()[0].Status.Link);
        Assert.Empty(_fakes.Deployer.Requests);

        probe.Up = true;
        for (var i = 0; i < 40 && _fakes.Deployer.Requests.Count == 0; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(_fakes.Deployer.Requests);
        Assert.Equal(EngineLink.Connected, events.OfType<EngineChanged>()[^1].Status.Link);
        Assert.Empty(events.OfType<ComponentFailed>());
    }

    [Fact]
    public async Task A_deploy_fails_whole_naming_the_engine_when_it_does_not_come_back_in_time()
    {
        _engine = new EngineWatch(new SwitchableProbe(), "ssh://root@gpu-box (DOCKER_HOST)", _time);
        var (session, events) = Create();

        var run = session.RunAsync(null, CancellationToken.None);
        await events.WaitForAsync<ComponentPhaseChanged>(c => c.Detail?.StartsWith("Waiting for the Docker engine", StringComparison.Ordinal) == true);
        for (var i = 0; i < 70 && events.OfType<ComponentFailed>().Count == 0; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        var failed = events.OfType<ComponentFailed>();
        Assert.Equal(["gateway", "supervisor", "chart"], failed.Select(f => f.Component));
        Assert.Equal(EngineConnectionException.Step, failed[0].Error.StepName);
        Assert.Contains("did not come back within 60 s, so nothing was deployed", failed[0].Error.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", failed[0].Error.Message, StringComparison.Ordinal);
        Assert.Empty(_fakes.Deployer.Requests);
    }

    [Fact]
    public async Task When_the_engine_comes_back_an_exited_node_is_started_again_in_place_and_the_user_told_in_one_line()
    {
        var probe = new SwitchableProbe { Up = true };
        _engine = new EngineWatch(probe, "unix:///var/run/docker.sock (default)", _time);
        _fakes.Deployer.Log = _fakes.Cluster.Log;
        var (session, events) = Create();
        await session.RunAsync(null, CancellationToken.None);
        var node = session.Cluster!.ContainerId;

        // The engine crashes; when it answers again the node is still exited (exit 134), as its restart policy left it.
        probe.Up = false;
        await AdvanceUntilAsync(() => _engine.Current.Link == EngineLink.Lost);
        _fakes.Cluster.Container = FakeCluster.ContainerIn("exited", healthy: true, exitCode: 134);
        probe.Up = true;
        var line = $"cluster node {ClusterName.ContainerName(session.Paths.ClusterName)} was stopped (exit 134) when the engine came back; started it again";
        await AdvanceUntilAsync(() => events.OfType<ClusterChanged>().Any(c => c.Phase == ClusterPhase.Running && c.Detail == line));

        var started = events.OfType<ClusterChanged>().Last(c => c.Phase == ClusterPhase.Running);
        Assert.Equal(BootstrapAction.Start, started.Cluster!.Decision.Action);
        Assert.Equal(node, session.Cluster!.ContainerId);
        Assert.Equal(["up", "deploy", "deployed", "up"], _fakes.Cluster.Log);
        Assert.Single(events.OfType<ClusterChanged>(), c => c.Detail == line);

        // Deploys go on against it.
        await session.DeployAsync([], null, CancellationToken.None);
        Assert.Equal(2, _fakes.Deployer.Requests.Count);
    }

    [Fact]
    public async Task An_engine_restart_quicker_than_the_checks_still_gets_the_node_it_left_exited_started_again()
    {
        var probe = new SwitchableProbe { Up = true };
        _engine = new EngineWatch(probe, "unix:///var/run/docker.sock (default)", _time);
        _fakes.Deployer.Log = _fakes.Cluster.Log;
        var (session, events) = Create();
        await session.RunAsync(null, CancellationToken.None);
        await AdvanceUntilAsync(() => probe.Streams == 1);

        // Between two checks the engine restarts: every check answers, but the stream it held open was cut.
        _fakes.Cluster.Container = FakeCluster.ContainerIn("exited", healthy: true, exitCode: 255);
        probe.Drop();
        await AdvanceUntilAsync(() => events.OfType<ClusterChanged>().Any(c => c.Detail?.EndsWith("when the engine came back; started it again", StringComparison.Ordinal) == true));

        Assert.Equal(["up", "deploy", "deployed", "up"], _fakes.Cluster.Log);
        Assert.Contains(events.OfType<EngineChanged>(), e => e.Status.Link == EngineLink.Lost && e.Status.Problem!.Message.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal(EngineLink.Connected, _engine.Current.Link);
    }

    [Fact]
    public async Task A_node_the_engine_stops_only_after_it_answers_again_is_still_started()
    {
        var probe = new SwitchableProbe { Up = true };
        _engine = new EngineWatch(probe, "unix:///var/run/docker.sock (default)", _time);
        _fakes.Deployer.Log = _fakes.Cluster.Log;
        var (session, events) = Create();
        await session.RunAsync(null, CancellationToken.None);
        probe.Up = false;
        await AdvanceUntilAsync(() => _engine.Current.Link == EngineLink.Lost);

        // The engine answers while it is still stopping the node (running, its health no longer passing) ...
        _fakes.Cluster.Container = FakeCluster.ContainerIn("running", healthy: false);
        probe.Up = true;
        await AdvanceUntilAsync(() => _engine.Current.Link == EngineLink.Connected);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.Equal(["up", "deploy", "deployed"], _fakes.Cluster.Log);

        // ... and it exits a few seconds later: it is started then.
        _fakes.Cluster.Container = FakeCluster.ContainerIn("exited", healthy: true, exitCode: 134);
        await AdvanceUntilAsync(() => events.OfType<ClusterChanged>().Any(c => c.Detail?.EndsWith("when the engine came back; started it again", StringComparison.Ordinal) == true));
        Assert.Equal(["up", "deploy", "deployed", "up"], _fakes.Cluster.Log);
    }

    [Fact]
    public async Task A_deploy_waiting_for_the_engine_finds_the_node_it_left_exited_started_again()
    {
        var probe = new SwitchableProbe { Up = true };
        _engine = new EngineWatch(probe, "unix:///var/run/docker.sock (default)", _time);
        _fakes.Deployer.Log = _fakes.Cluster.Log;
        var (session, events) = Create();
        await session.RunAsync(null, CancellationToken.None);
        probe.Up = false;
        await AdvanceUntilAsync(() => _engine.Current.Link == EngineLink.Lost);
        _fakes.Cluster.Container = FakeCluster.ContainerIn("exited", healthy: true, exitCode: 137);

        var deploy = session.DeployAsync([], null, CancellationToken.None);
        probe.Up = true;
        await AdvanceUntilAsync(() => deploy.IsCompleted);

        await deploy;
        Assert.Equal(["up", "deploy", "deployed", "up", "deploy", "deployed"], _fakes.Cluster.Log);
        Assert.Empty(events.OfType<ComponentFailed>());
    }

    [Fact]
    public async Task A_node_stopped_while_the_engine_answers_is_left_stopped_and_the_deploy_refused()
    {
        var probe = new SwitchableProbe { Up = true };
        _engine = new EngineWatch(probe, "unix:///var/run/docker.sock (default)", _time);
        _fakes.Deployer.Log = _fakes.Cluster.Log;
        var (session, _) = Create();
        await session.RunAsync(null, CancellationToken.None);
        _fakes.Cluster.Container = FakeCluster.ContainerIn("exited", healthy: true, exitCode: 143);
        for (var i = 0; i < 12; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        var error = await Assert.ThrowsAsync<DevLoopException>(() => session.DeployAsync([], null, CancellationToken.None));

        Assert.Contains("is not running (state 'exited')", error.Message, StringComparison.Ordinal);
        Assert.Equal(["up", "deploy", "deployed"], _fakes.Cluster.Log);
    }

    // Moves the manual clock a second at a time (the engine watch's checks and back-off) until the condition holds.
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.True(condition(), "the condition did not hold within 200 s of the manual clock");
    }

    private sealed class SwitchableProbe : IEngineProbe
    {
        private volatile bool _up;

        private TaskCompletionSource _drop = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _streams;

        public bool Up { get => _up; set => _up = value; }

        /// <summary>How often the watch opened the drop stream.</summary>
        public int Streams => Volatile.Read(ref _streams);

        public Task<EngineFacts> CheckAsync(CancellationToken ct) => _up
            ? Task.FromResult(new EngineFacts("linux/amd64", "28.2.2", new Dictionary<int, int>()))
            : throw new EngineConnectionException("ssh exited: Connection refused", "check that sshd runs on gpu-box");

        /// <summary>Ends the open drop stream, as an engine restart does.</summary>
        public void Drop() => Interlocked.Exchange(ref _drop, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        public Task WaitForDropAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref _streams);
            return Volatile.Read(ref _drop).Task.WaitAsync(ct);
        }
    }

    [Theory]
    [InlineData("removed", "no container named openshell-cluster-test exists")]
    [InlineData("exited", "container openshell-cluster-test is not running (state 'exited')")]
    public async Task A_cluster_removed_or_stopped_since_it_came_up_fails_the_deploy_before_any_step_and_shows_on_the_cluster(string state, string problem)
    {
        var (session, events) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Cluster.Container = state == "removed" ? null : FakeCluster.ContainerIn(state, healthy: false);

        var error = await Assert.ThrowsAsync<DevLoopException>(() => session.DeployAsync([], null, CancellationToken.None));

        Assert.Equal($"The cluster went away since it came up: {problem}. Nothing was deployed.", error.Message);
        Assert.Equal(RemedyAction.BringClusterUp, error.Action);
        Assert.Empty(_fakes.Deployer.Requests);
        Assert.Equal(ClusterPhase.Failed, events.OfType<ClusterChanged>()[^1].Phase);
        Assert.Equal(["gateway", "supervisor", "chart"], events.OfType<ComponentFailed>().Select(f => f.Component));

        // Recreate brings it back and deploys.
        await session.RecreateAsync(CancellationToken.None);
        Assert.Single(_fakes.Deployer.Requests);
    }

    [Fact]
    public async Task A_running_cluster_whose_health_check_lags_is_deployed_to()
    {
        var (session, _) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        _fakes.Cluster.Container = FakeCluster.ContainerIn("running", healthy: false);

        await session.DeployAsync([], null, CancellationToken.None);

        Assert.Single(_fakes.Deployer.Requests);
    }

    [Fact]
    public async Task Once_the_watcher_runs_deploys_plan_from_the_paths_it_reports()
    {
        var (session, _) = Create();

        await session.RunAsync(null, CancellationToken.None);

        var journal = Assert.Single(_fakes.Deployer.Requests).Journal;
        Assert.NotNull(journal);
        var planner = new object();
        Assert.Null(journal.Take(planner));
        _fakes.WatcherSink!.OnTreeChanged(new TreeChange(["src/OpenShell.Sandbox/Program.cs"]));
        Assert.Equal(["src/OpenShell.Sandbox/Program.cs"], journal.Take(planner));
        _fakes.WatcherSink.OnWatchLost("inotify watch limit reached");
        Assert.Null(journal.Take(planner));
    }

    [Fact]
    public async Task A_deploy_before_the_cluster_is_up_is_refused_with_a_remedy()
    {
        var (session, _) = Create();

        var error = await Assert.ThrowsAsync<DevLoopException>(() => session.DeployAsync([], null, CancellationToken.None));

        Assert.Equal(RemedyAction.WaitForCluster, error.Action);
        Assert.Empty(_fakes.Deployer.Requests);
    }

    [Fact]
    public async Task A_missing_bundle_names_what_to_set_and_the_cluster_and_components_say_what_they_wait_for()
    {
        _fakes.Bundles.Missing = true;
        var (session, events) = Create();

        await session.RunAsync(null, CancellationToken.None);

        var bundle = await events.WaitForAsync<BundleChanged>(b => b.Phase == BundlePhase.Failed);
        Assert.Contains("OPENSHELL_RUNTIME_BUNDLE_TARBALL", bundle.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("OPENSHELL_RUNTIME_BUNDLE_URL", bundle.Error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenShell:DevHost:SyntheticRuntimeBundle=true", bundle.Error.Remedy, StringComparison.Ordinal);
        var cluster = events.OfType<ClusterChanged>()[^1];
        Assert.Equal(ClusterPhase.Waiting, cluster.Phase);
        Assert.StartsWith("Waiting for the runtime bundle", cluster.Detail, StringComparison.Ordinal);
        var gateway = events.OfType<ComponentPhaseChanged>().Last(c => c.Component == "gateway");
        Assert.Equal(ComponentPhase.Waiting, gateway.Phase);
        Assert.Contains("runtime bundle", gateway.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("up", _fakes.Cluster.Log);
    }

    [Fact]
    public async Task A_binary_on_the_node_is_published_before_its_deploy_ends()
    {
        var (session, events) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);
        var sha = new string('9', 64);
        var verifying = new TaskCompletionSource<DeployResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _fakes.Deployer.Behaviour = (_, progress, _) =>
        {
            progress!.Report(new DeployEvent(DeployStep.Supervisor, DeployEventKind.Progress, "/opt/openshell/bin/openshell-sandbox runs sha256 9… now", Component: "supervisor", Sha256: sha));
            return verifying.Task;
        };

        var deploy = session.DeployAsync([], null, CancellationToken.None);

        // The sandbox verification still runs: the deploy has not finished, but the node's build shows.
        Assert.Equal(new BinarySwapped("supervisor", sha), Assert.Single(events.OfType<BinarySwapped>()));
        Assert.Empty(events.OfType<DeployFinished>());
        verifying.SetResult(FakeDeployer.Deployed());
        await deploy;
    }

    [Fact]
    public async Task A_deploy_publishes_each_component_with_what_runs()
    {
        var (session, events) = Create();
        await session.UpAsync(recreate: false, null, CancellationToken.None);

        await session.DeployAsync([], null, CancellationToken.None);

        var deployed = events.OfType<ComponentDeployed>().ToDictionary(d => d.Component);
        Assert.Equal(["gateway", "supervisor", "chart"], deployed.Keys);
        Assert.StartsWith("127.0.0.1:5000/openshell/gateway@sha256:eee", deployed["gateway"].Facts.Image, StringComparison.Ordinal);
        Assert.Equal("0.1.0", deployed["supervisor"].Facts.Version);
        Assert.Equal(_time.GetUtcNow(), deployed["chart"].Facts.DeployedAt);
    }
}
