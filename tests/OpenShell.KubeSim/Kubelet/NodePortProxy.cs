using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// kube-proxy for NodePort Services: the node listens on each <c>nodePort</c> and forwards every TCP connection to a
/// ready pod the Service selects, at its <c>podIP:targetPort</c> (a number, or the name of a container port).
/// </summary>
internal sealed partial class NodePortProxy(ObjectStore store, IPAddress bindAddress, ILogger logger) : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Listener> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Opens a listener for every NodePort the Services declare and closes those no Service declares any more.</summary>
    public void Reconcile()
    {
        var wanted = new Dictionary<int, (string Namespace, string Service, JsonNode? Port)>();
        foreach (var service in store.List(ResourceCatalog.Services, null).Items.Where(s => Json.Str(Json.At(s, "spec.type")) is "NodePort" or "LoadBalancer"))
        {
            foreach (var port in (Json.At(service, "spec.ports") as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (Json.Long(port["nodePort"]) is { } nodePort and > 0)
                {
                    wanted[(int)nodePort] = (Json.Namespace(service), Json.Name(service), port["name"] is { } name ? name.DeepClone() : port["port"]?.DeepClone());
                }
            }
        }

        lock (_gate)
        {
            foreach (var stale in _listeners.Keys.Where(p => !wanted.ContainsKey(p)).ToList())
            {
                _listeners[stale].Dispose();
                _listeners.Remove(stale);
            }

            foreach (var (nodePort, target) in wanted)
            {
                if (_listeners.TryGetValue(nodePort, out var existing))
                {
                    existing.Target = target;
                    continue;
                }

                try
                {
                    var listener = new Listener(new TcpListener(bindAddress, nodePort), target);
                    listener.Socket.Start();
                    _listeners[nodePort] = listener;
                    listener.Loop = Task.Run(() => AcceptAsync(listener, _stopping.Token));
                    LogListening(logger, nodePort, target.Namespace, target.Service);
                }
                catch (SocketException e)
                {
                    LogListenFailed(logger, nodePort, target.Namespace, target.Service, e.Message);
                }
            }
        }
    }

    private async Task AcceptAsync(Listener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.Socket.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ForwardAsync(client, listener.Target, ct);
        }
    }

    // Each connection owns its sockets and ends on its own; failures close it, as a reset would.
    private async Task ForwardAsync(TcpClient client, (string Namespace, string Service, JsonNode? Port) target, CancellationToken ct)
    {
        using (client)
        {
            if (Endpoint(target) is not { } endpoint)
            {
                return; // No ready endpoint: the connection is refused, as with kube-proxy's REJECT rule.
            }

            try
            {
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(endpoint.Address, endpoint.Port, ct).ConfigureAwait(false);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var down = client.GetStream();
                var up = upstream.GetStream();
                var a = PumpAsync(down, up, upstream.Client, linked.Token);
                var b = PumpAsync(up, down, client.Client, linked.Token);
                await Task.WhenAll(a, b).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The other side went away.
            }
        }
    }

    private static async Task PumpAsync(Stream from, Stream to, Socket toSocket, CancellationToken ct)
    {
        try
        {
            await from.CopyToAsync(to, ct).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                toSocket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }
        }
    }

    /// <summary>A ready pod's address for the Service port (not a terminating one), or null when none is ready.</summary>
    private IPEndPoint? Endpoint((string Namespace, string Service, JsonNode? Port) target)
    {
        var service = store.Get(ResourceCatalog.Services, target.Namespace, target.Service);
        var port = (Json.At(service, "spec.ports") as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(p => JsonNode.DeepEquals(p["name"] ?? p["port"], target.Port));
        if (service is null || port is null)
        {
            return null;
        }

        foreach (var pod in store.List(ResourceCatalog.Pods, target.Namespace).Items)
        {
            // A terminating pod is out of the Service's endpoints, however ready it still reports itself.
            var ready = (Json.At(pod, "status.conditions") as JsonArray)?.OfType<JsonObject>()
                .Any(c => Json.Str(c["type"]) == "Ready" && Json.Str(c["status"]) == "True") == true
                && !Json.IsTerminating(pod);
            if (!ready || !ServiceAliases.Selects(service, Json.Labels(pod)) || !IPAddress.TryParse(Json.Str(Json.At(pod, "status.podIP")), out var ip))
            {
                continue;
            }

            var targetPort = port["targetPort"] ?? port["port"];
            if (Json.Long(targetPort) is { } number && Json.Str(targetPort) is null)
            {
                return new IPEndPoint(ip, (int)number);
            }

            var named = Json.Str(targetPort);
            var containerPort = ((Json.At(pod, "spec.containers") as JsonArray)?.OfType<JsonObject>() ?? [])
                .SelectMany(c => (c["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                .Where(p => Json.Str(p["name"]) == named)
                .Select(p => Json.Long(p["containerPort"]))
                .FirstOrDefault();
            if (containerPort is { } resolved)
            {
                return new IPEndPoint(ip, (int)resolved);
            }

            if (int.TryParse(named, System.Globalization.CultureInfo.InvariantCulture, out var numeric))
            {
                return new IPEndPoint(ip, numeric);
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] loops;
        lock (_gate)
        {
            loops = [.. _listeners.Values.Select(l => l.Loop)];
            foreach (var listener in _listeners.Values)
            {
                listener.Dispose();
            }

            _listeners.Clear();
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node port {NodePort} forwards to service {Namespace}/{Service}")]
    private static partial void LogListening(ILogger logger, int nodePort, string @namespace, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node port {NodePort} of service {Namespace}/{Service} cannot be opened: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, int nodePort, string @namespace, string service, string reason);

    private sealed class Listener(TcpListener socket, (string Namespace, string Service, JsonNode? Port) target) : IDisposable
    {
        public TcpListener Socket { get; } = socket;

        public (string Namespace, string Service, JsonNode? Port) Target { get; set; } = target;

        public Task Loop { get; set; } = Task.CompletedTask;

        public void Dispose() => Socket.Stop();
    }
}
