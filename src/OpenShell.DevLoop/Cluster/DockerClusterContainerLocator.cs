using Docker.DotNet;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Cluster;

/// <summary>Asks the Docker engine for the cluster container's id; answers "unknown" when no engine answers.</summary>
public sealed class DockerClusterContainerLocator : IClusterContainerLocator
{
    private readonly TimeSpan _timeout;
    private readonly IDockerClient? _docker;

    /// <summary>Creates the locator; an engine slower than <paramref name="timeout"/> (default 2 s) counts as absent.</summary>
    public DockerClusterContainerLocator(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromSeconds(2);

    /// <summary>
    /// Creates a locator that asks through <paramref name="docker"/>, the client (and, for an <c>ssh://</c> engine, the tunnel)
    /// its caller already uses, rather than a client of its own per lookup.
    /// </summary>
    public DockerClusterContainerLocator(IDockerClient docker, TimeSpan? timeout = null)
        : this(timeout)
    {
        ArgumentNullException.ThrowIfNull(docker);
        _docker = docker;
    }

    /// <inheritdoc />
    public async Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(containerName);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        try
        {
            using var own = _docker is null ? DockerEngine.CreateClient() : null;
            var client = _docker ?? own!;
            var container = await client.Containers.InspectContainerAsync(containerName, cts.Token).ConfigureAwait(false);
            // A stopped container keeps its id and its contents, so it still counts as the same cluster.
            return new ClusterContainerLookup(container.ID, container.State?.Running == true ? null : $"container {containerName} is not running");
        }
        catch (DockerContainerNotFoundException)
        {
            return new ClusterContainerLookup(null, $"no container named {containerName}");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException or Errors.DevLoopException)
        {
            return new ClusterContainerLookup(null, $"no Docker engine answered at {_docker?.Configuration.EndpointBaseUri ?? DockerEngine.Endpoint} ({ex.GetType().Name})");
        }
    }
}
