using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenShell.AppHost.Sandboxes;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Cli.Tests.Sandboxes;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.AppHost.Tests.Sandboxes;

/// <summary>
/// The sandboxes under the gateway: the app model (built, not started) and the commands against a real gateway with
/// the cluster's PKI on the Kubernetes API simulator, the dashboard following its WatchAll stream.
/// </summary>
public sealed class SandboxDashboardTests : IAsyncLifetime
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);
    private static readonly string s_old = LocalGateway.Sha256Of("supervisor old");
    private static readonly string s_new = LocalGateway.Sha256Of("supervisor new");

    private readonly TestGatewayLink _link = new();
    private readonly ErrorLog _logs = new();
    private readonly CancellationTokenSource _stop = new();
    private LocalGateway _gateway = null!;
    private DistributedApplication _app = null!;

    public async Task InitializeAsync()
    {
        _gateway = await LocalGateway.StartAsync();
        _link.Gateway = _gateway;
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            AssemblyName = typeof(SandboxDashboard).Assembly.GetName().Name,
            DisableDashboard = true,
        });
        builder.Services.AddSingleton<ISandboxGateway>(_link);
        builder.Services.AddLogging(logging => logging.AddProvider(_logs));
        builder.AddResource(new GatewayStandIn("gateway")).WithOpenShellSandboxes();
        _app = builder.Build();
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (Dashboard.Running is { } running)
        {
            await running;
        }

        await _app.DisposeAsync();
        await _gateway.DisposeAsync();
        _stop.Dispose();
    }

    private SandboxDashboard Dashboard => _app.Services.GetRequiredService<SandboxDashboard>();

    private OpenShellSandboxResource Sandboxes => Model.Resources.OfType<OpenShellSandboxResource>().Single();

    private DistributedApplicationModel Model => _app.Services.GetRequiredService<DistributedApplicationModel>();

    [Fact]
    public void The_gateway_gets_create_and_restart_stale_and_each_sandbox_delete_and_restart()
    {
        var gateway = Model.Resources.Single(r => r.Name == "gateway");
        var gatewayCommands = gateway.Annotations.OfType<ResourceCommandAnnotation>().ToDictionary(c => c.Name);
        Assert.Equal("Create sandbox", gatewayCommands[SandboxCommands.Create].DisplayName);
        Assert.Equal([SandboxCommands.FromArgument, SandboxCommands.NameArgument], gatewayCommands[SandboxCommands.Create].Arguments!.Select(a => a.Name));
        Assert.Equal("Restart stale sandboxes", gatewayCommands[SandboxCommands.RestartStale].DisplayName);

        Assert.Same(gateway, Sandboxes.Parent);
        Assert.Equal("gateway-sandbox", Sandboxes.Name);
        Assert.Equal("gateway", Assert.Single(Sandboxes.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Type == "Parent").Resource.Name);
        Assert.Equal([SandboxCommands.Delete, SandboxCommands.Restart], Sandboxes.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name));
        Assert.Contains(Sandboxes.Annotations, a => a is ManifestPublishingCallbackAnnotation);
    }

    [Fact]
    public async Task Each_sandbox_is_published_with_its_supervisor_and_marked_stale_when_the_node_moves_on()
    {
        var result = await FollowAndCreateAsync("dash-box");
        Assert.True(result.Success, result.Message);
        Assert.Contains($"sandbox dash-box is Ready: supervisor 0.1.0, sha256 {s_old}", result.Message, StringComparison.Ordinal);

        var ready = await WaitForAsync("gateway-sandbox-dash-box", s => s.Snapshot.State?.Text == "Running");
        Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/base:latest", Property(ready, SandboxSnapshot.Image));
        Assert.Equal(s_old, Property(ready, SandboxSnapshot.SupervisorSha256));
        Assert.Equal("no", Property(ready, SandboxSnapshot.Stale));
        Assert.Equal("Sandbox", ready.Snapshot.ResourceType);
        Assert.False(ready.Snapshot.IsHidden);

        _link.Deploy(s_new);
        var stale = await WaitForAsync("gateway-sandbox-dash-box", s => s.Snapshot.State?.Text == SandboxSnapshot.StaleState);
        Assert.Equal(s_new, Property(stale, SandboxSnapshot.NodeSha256));
        Assert.StartsWith("yes", Property(stale, SandboxSnapshot.Stale), StringComparison.Ordinal);

        var oldUid = await _gateway.PodUidAsync("dash-box");
        var restart = Command(SandboxCommands.RestartStale, "gateway");
        await _gateway.RegisterWhenRunningAsync("dash-box", s_new, previousUid: oldUid);
        result = await restart;
        Assert.True(result.Success, result.Message);
        Assert.Equal("restarted dash-box", result.Message);
        var current = await WaitForAsync("gateway-sandbox-dash-box", s => s.Snapshot.State?.Text == "Running");
        Assert.Equal(s_new, Property(current, SandboxSnapshot.SupervisorSha256));

        result = await Command(SandboxCommands.Delete, "gateway-sandbox-dash-box");
        Assert.True(result.Success, result.Message);
        Assert.Equal("deleted dash-box", result.Message);
        await WaitForAsync("gateway-sandbox-dash-box", s => s.Snapshot.IsHidden);
    }

    [Fact]
    public async Task Stopping_while_following_the_gateway_logs_no_error()
    {
        Assert.True((await FollowAndCreateAsync("stop-box")).Success);
        await WaitForAsync("gateway-sandbox-stop-box", s => s.Snapshot.State?.Text == "Running");

        await _stop.CancelAsync();
        await Dashboard.Running!;

        Assert.Empty(_logs.Errors);
    }

    [Fact]
    public async Task Failures_are_our_messages()
    {
        var result = await Command(SandboxCommands.Delete, "gateway-sandbox-ghost");
        Assert.False(result.Success);
        Assert.Contains("sandbox 'ghost' not found in namespace 'openshell'", result.Message, StringComparison.Ordinal);

        result = await Command(SandboxCommands.RestartStale, "gateway");
        Assert.False(result.Success);
        Assert.Contains("the node's supervisor is not known yet", result.Message, StringComparison.Ordinal);

        _link.Gateway = null;
        result = await Command(SandboxCommands.Create, "gateway", Arguments(("from", "base")));
        Assert.False(result.Success);
        Assert.Contains("the cluster is not running yet", result.Message, StringComparison.Ordinal);
    }

    // Every error-level line any logger of the app writes.
    private sealed class ErrorLog : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Errors.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }

    // The dashboard follows the gateway (the node runs the old supervisor), and the create command makes sandbox `name`,
    // which registers with that supervisor.
    private async Task<ExecuteCommandResult> FollowAndCreateAsync(string name)
    {
        _link.NodeSupervisorSha256 = s_old;
        Dashboard.Start(Sandboxes, _stop.Token);
        var created = Command(SandboxCommands.Create, "gateway", Arguments(("from", "base"), ("name", name)));
        await _gateway.RegisterWhenRunningAsync(name, s_old);
        return await created;
    }

    private Task<ExecuteCommandResult> Command(string command, string resourceId, InteractionInputCollection? arguments = null)
    {
        var resource = resourceId == "gateway" ? Model.Resources.Single(r => r.Name == "gateway") : Sandboxes;
        var annotation = resource.Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == command);
        return annotation.ExecuteCommand(new ExecuteCommandContext
        {
            ResourceName = resourceId,
            Services = _app.Services,
            CancellationToken = CancellationToken.None,
            Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            Arguments = arguments ?? new InteractionInputCollection([]),
        });
    }

    private static InteractionInputCollection Arguments(params (string Name, string Value)[] values) =>
        new([.. values.Select(v => new InteractionInput { Name = v.Name, InputType = InputType.Text, Value = v.Value })]);

    private async Task<ResourceEvent> WaitForAsync(string resourceId, Func<ResourceEvent, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(s_patience);
        var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
        await foreach (var change in notifications.WatchAsync(timeout.Token))
        {
            if (change.ResourceId == resourceId && predicate(change))
            {
                return change;
            }
        }

        throw new TimeoutException(resourceId);
    }

    private static string? Property(ResourceEvent change, string name) =>
        change.Snapshot.Properties.SingleOrDefault(p => p.Name == name)?.Value?.ToString();

    private sealed class GatewayStandIn(string name) : Resource(name);

    /// <summary>The test's gateway in place of the dev session's; the node's supervisor set by the test as a deploy would.</summary>
    private sealed class TestGatewayLink : ISandboxGateway
    {
        public LocalGateway? Gateway { get; set; }

        public string? NodeSupervisorSha256 { get; set; }

        public event Action? Changed;

        public SandboxClient Connect() =>
            Gateway is { } gateway
                ? SandboxClient.Connect(GatewayEndpoint.Resolve(gateway.Paths, gateway.Port))
                : throw new SandboxException("the cluster is not running yet", "Wait until the cluster resource is Running.");

        public void Deploy(string sha256)
        {
            NodeSupervisorSha256 = sha256;
            Changed?.Invoke();
        }
    }
}
