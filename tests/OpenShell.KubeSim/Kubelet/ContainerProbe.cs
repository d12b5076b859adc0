using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>One Kubernetes probe (httpGet, tcpSocket or exec) run from the node against a pod, with its timings.</summary>
internal sealed class ContainerProbe
{
    private readonly JsonObject _probe;
    private readonly JsonObject _container;

    private ContainerProbe(JsonObject probe, JsonObject container)
    {
        _probe = probe;
        _container = container;
        InitialDelay = TimeSpan.FromSeconds(Json.Long(probe["initialDelaySeconds"]) ?? 0);
        Period = TimeSpan.FromSeconds(Math.Max(1, Json.Long(probe["periodSeconds"]) ?? 10));
        Timeout = TimeSpan.FromSeconds(Math.Max(1, Json.Long(probe["timeoutSeconds"]) ?? 1));
        FailureThreshold = (int)Math.Max(1, Json.Long(probe["failureThreshold"]) ?? 3);
        SuccessThreshold = (int)Math.Max(1, Json.Long(probe["successThreshold"]) ?? 1);
    }

    public TimeSpan InitialDelay { get; }

    public TimeSpan Period { get; }

    public TimeSpan Timeout { get; }

    public int FailureThreshold { get; }

    public int SuccessThreshold { get; }

    /// <summary>The container's readiness probe, or null when it declares none (then it is ready once started).</summary>
    public static ContainerProbe? Readiness(JsonObject container) =>
        container["readinessProbe"] is JsonObject probe ? new ContainerProbe(probe, container) : null;

    /// <summary>
    /// The container's startup probe, or null when it declares none (then it counts as started once running). Until it
    /// passes, readiness is not probed; failing <see cref="FailureThreshold"/> times in a row restarts the container.
    /// </summary>
    public static ContainerProbe? Startup(JsonObject container) =>
        container["startupProbe"] is JsonObject probe ? new ContainerProbe(probe, container) : null;

    /// <summary>Runs the probe once; true when it succeeds.</summary>
    public async Task<bool> RunAsync(IDockerClient docker, string containerId, string podIp, HttpClient http, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            if (_probe["httpGet"] is JsonObject get)
            {
                var scheme = (Json.Str(get["scheme"]) ?? "HTTP").ToLowerInvariant();
                var host = Json.Str(get["host"]) ?? podIp;
                var path = Json.Str(get["path"]) ?? "/";
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{Port(get["port"])}{(path.StartsWith('/') ? path : "/" + path)}")));
                foreach (var header in (get["httpHeaders"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    request.Headers.TryAddWithoutValidation(Json.Str(header["name"]) ?? "", Json.Str(header["value"]));
                }

                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                return (int)response.StatusCode is >= 200 and < 400;
            }

            if (_probe["tcpSocket"] is JsonObject tcp)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Json.Str(tcp["host"]) ?? podIp, Port(tcp["port"]), timeout.Token).ConfigureAwait(false);
                return true;
            }

            if (_probe["exec"]?["command"] is JsonArray command)
            {
                var exec = await docker.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters
                {
                    Cmd = [.. command.Select(c => Json.Str(c) ?? "")],
                    AttachStdout = true,
                    AttachStderr = true,
                }, timeout.Token).ConfigureAwait(false);
                using (var stream = await docker.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false, timeout.Token).ConfigureAwait(false))
                {
                    await stream.ReadOutputToEndAsync(timeout.Token).ConfigureAwait(false);
                }

                return (await docker.Exec.InspectContainerExecAsync(exec.ID, timeout.Token).ConfigureAwait(false)).ExitCode == 0;
            }

            return true; // grpc probes and others: not modelled, counted as passing.
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or OperationCanceledException or DockerApiException)
        {
            ct.ThrowIfCancellationRequested();
            return false;
        }
    }

    // A port is a number or the name of one of the container's ports.
    private int Port(JsonNode? port)
    {
        if (Json.Long(port) is { } number)
        {
            return (int)number;
        }

        var name = Json.Str(port);
        return (_container["ports"] as JsonArray)?.OfType<JsonObject>()
            .Where(p => Json.Str(p["name"]) == name)
            .Select(p => (int?)Json.Long(p["containerPort"]))
            .FirstOrDefault() ?? throw new PodConfigException($"probe port \"{name}\" is not a port of container {Json.Str(_container["name"])}");
    }
}
