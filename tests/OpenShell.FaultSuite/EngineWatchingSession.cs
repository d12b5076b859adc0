using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Session;

namespace OpenShell.FaultSuite;

/// <summary>
/// A dev session over the <see cref="SuiteEngineCluster"/> that only watches the engine, as the AppHost's does while
/// nothing deploys: the real <see cref="EngineWatch"/> and <see cref="DockerEngineProbe"/> on the private engine, and the
/// real cluster controller, so when the engine comes back it starts a node the engine left exited. Records the cluster's
/// events for the scenario to read.
/// </summary>
internal sealed class EngineWatchingSession : IAsyncDisposable
{
    private readonly DockerClient _docker;
    private readonly IEnginePorts _ports;
    private readonly DevSession _session;
    private readonly List<ClusterChanged> _events = [];
    private readonly List<string> _trace = [];

    private EngineWatchingSession(DockerClient docker, IEnginePorts ports, DevSession session)
    {
        _docker = docker;
        _ports = ports;
        _session = session;
        session.Changed += e =>
        {
            lock (_events)
            {
                if (e is ClusterChanged cluster)
                {
                    _events.Add(cluster);
                }

                if (e is ClusterChanged or EngineChanged)
                {
                    _trace.Add(e switch
                    {
                        EngineChanged engine => $"engine {engine.Status.Link}{(engine.Status.Problem is { } p ? ": " + p.Message : "")}",
                        ClusterChanged c => $"cluster {c.Phase}: {c.Detail}",
                        _ => "",
                    });
                }
            }
        };
    }

    /// <summary>Starts watching the engine of <paramref name="cluster"/>.</summary>
    public static EngineWatchingSession Start(SuiteEngineCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var settings = cluster.LoadSettings(offline: true);
        var connection = cluster.Engine.Connection;
        var docker = connection.CreateClient();
        var ports = connection.CreatePorts(settings);
        var services = DevSessionServices.ForDocker(docker, settings, NullLogger.Instance, ports: ports) with
        {
            Engine = new EngineWatch(new DockerEngineProbe(docker, connection, ports), connection.ToString()),
        };
        var watching = new EngineWatchingSession(docker, ports, new DevSession(settings, services));
        watching._session.WatchEngine();
        return watching;
    }

    /// <summary>What the session saw of the engine and the cluster, in order, one line each.</summary>
    public string Trace
    {
        get
        {
            lock (_events)
            {
                return string.Join(" / ", _trace);
            }
        }
    }

    /// <summary>What the session said about the cluster, in order.</summary>
    public IReadOnlyList<ClusterChanged> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>
    /// When the session began to start the node again, waits (<paramref name="limit"/> at most) until it is done and
    /// returns the line it told the user (or its failure); null when it did not start the node.
    /// </summary>
    public async Task<string?> NodeStartAsync(TimeSpan limit, CancellationToken ct)
    {
        if (!Events.Any(StartsNode))
        {
            return null;
        }

        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var done = Events.SkipWhile(e => !StartsNode(e)).Skip(1).FirstOrDefault(e => e.Phase == ClusterPhase.Failed || e.Detail?.StartsWith("cluster node ", StringComparison.Ordinal) == true);
            if (done is not null)
            {
                return done.Phase == ClusterPhase.Failed ? $"failed: {done.Detail}" : done.Detail;
            }

            await Task.Delay(250, ct);
        }

        return $"still starting after {limit.TotalSeconds:0} s";
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _ports.Dispose();
        _docker.Dispose();
    }

    private static bool StartsNode(ClusterChanged e) => e.Phase == ClusterPhase.Starting && e.Detail?.StartsWith("Start:", StringComparison.Ordinal) == true;
}
