using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// Asks a Docker engine on this machine, through its unix socket, for the cluster container's id with one HTTP request and
/// no Docker.DotNet (whose JSON needs reflection): what the ahead-of-time-compiled planner (<c>openshell-dev-plan</c>)
/// uses. Answers as <see cref="DockerClusterContainerLocator"/> does; never throws for a missing engine or container.
/// </summary>
/// <param name="socketPath">The engine's socket (<c>/var/run/docker.sock</c>).</param>
/// <param name="timeout">An engine slower than this (default 2 s) counts as absent.</param>
public sealed class EngineSocketContainerLocator(string socketPath, TimeSpan? timeout = null) : IClusterContainerLocator
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(containerName);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        try
        {
            using var handler = new SocketsHttpHandler { ConnectCallback = UnixSocketHttp.ConnectTo(socketPath) };
            using var http = new HttpClient(handler) { BaseAddress = new Uri("http://engine/") };
            using var response = await http.GetAsync($"containers/{Uri.EscapeDataString(containerName)}/json", cts.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return new ClusterContainerLookup(null, $"no container named {containerName}");
            }

            if (!response.IsSuccessStatusCode)
            {
                return new ClusterContainerLookup(null, $"no Docker engine answered at unix://{socketPath} (HTTP {(int)response.StatusCode})");
            }

            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false), default, cts.Token)
                .ConfigureAwait(false);
            var root = document.RootElement;
            var id = root.GetProperty("Id").GetString();
            var running = root.TryGetProperty("State", out var state) && state.TryGetProperty("Running", out var flag) && flag.ValueKind == JsonValueKind.True;

            // A stopped container keeps its id and its contents, so it still counts as the same cluster.
            return new ClusterContainerLookup(id, running ? null : $"container {containerName} is not running");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or IOException or OperationCanceledException or SocketException
            or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // The JSON reader throws an internal subclass: name the public one.
            var kind = ex is JsonException ? nameof(JsonException) : ex.GetType().Name;
            return new ClusterContainerLookup(null, $"no Docker engine answered at unix://{socketPath} ({kind})");
        }
    }
}
