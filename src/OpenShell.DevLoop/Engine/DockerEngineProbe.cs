using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// Checks a Docker engine through its client (which reopens an <c>ssh://</c> engine's socket tunnel) and reopens the
/// forwards to its published ports, each within a time limit, so a hung connection counts as lost instead of blocking.
/// Between checks it holds the engine's event stream open: the stream ends when the engine goes away, however briefly.
/// </summary>
/// <param name="docker">The engine's client.</param>
/// <param name="connection">The engine, for its messages.</param>
/// <param name="ports">The forwards to its published ports.</param>
public sealed class DockerEngineProbe(IDockerClient docker, EngineConnection connection, IEnginePorts ports) : IEngineProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <inheritdoc />
    public async Task<EngineFacts> CheckAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Limit);
        try
        {
            var version = await connection.CheckAsync(docker, limit.Token).ConfigureAwait(false);
            var forwards = await ports.ReopenAsync(limit.Token).ConfigureAwait(false);
            return new EngineFacts($"{version.Os}/{version.Arch}", version.Version, forwards);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new EngineConnectionException(
                string.Create(CultureInfo.InvariantCulture, $"the Docker engine at {connection.Host} ({connection.Source}) did not answer within {Limit.TotalSeconds:0} s"),
                connection.Host.Scheme == "ssh"
                    ? "check the SSH connection to the engine's machine and the engine there (`docker version` on it)"
                    : "check that the engine runs and that this machine reaches it",
                e);
        }
    }

    /// <inheritdoc />
    public async Task WaitForDropAsync(CancellationToken ct)
    {
        // Daemon events are rare (a configuration reload), so the stream costs nothing while it is open.
        var onlyDaemonEvents = new ContainerEventsParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["type"] = new Dictionary<string, bool> { ["daemon"] = true } },
        };
        try
        {
            await docker.System.MonitorEventsAsync(onlyDaemonEvents, new Progress<Message>(), ct).ConfigureAwait(false);
        }
        catch (DockerApiException)
        {
            // The engine (or a proxy in front of it) refuses event streams: the checks alone have to tell.
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
    }
}
