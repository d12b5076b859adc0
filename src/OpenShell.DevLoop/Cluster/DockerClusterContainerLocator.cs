using Docker.DotNet;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Cluster;

/// <summary>Asks the Docker engine for the cluster container's id; answers "unknown" when no engine answers.</summary>
public sealed class DockerClusterContainerLocator : IClusterContainerLocator
{
    private readonly TimeSpan _timeout;

    /// <summary>Creates the locator; an engine slower than <paramref name="timeout"/> (default 2 s) counts as absent.</summary>
    public DockerClusterContainerLocator(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(containerName);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        try
        {
            using var client = DockerEngine.CreateClient();
            var container = await client.Containers.InspectContainerAsync(containerName, cts.Token).ConfigureAwait(false);
            // A stopped container keeps its id and its contents, so it still counts as the same cluster.
            return new ClusterContainerLookup(container.ID, container.State?.Running == true ? null : $"container {containerName} is not running");
        }
        catch (DockerContainerNotFoundException)
        {
            return new ClusterContainerLookup(null, $"no container named {containerName}");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return new ClusterContainerLookup(null, $"no Docker engine answered at {DockerEngine.Endpoint} ({ex.GetType().Name})");
        }
    }
}
