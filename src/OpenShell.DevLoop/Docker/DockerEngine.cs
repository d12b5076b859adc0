using Docker.DotNet;

namespace OpenShell.DevLoop.Docker;

/// <summary>Connects to the Docker engine named by <c>DOCKER_HOST</c>, or the local socket.</summary>
public static class DockerEngine
{
    /// <summary>The engine endpoint in use.</summary>
    public static Uri Endpoint
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
            return string.IsNullOrWhiteSpace(host) ? new Uri("unix:///var/run/docker.sock") : new Uri(host);
        }
    }

    /// <summary>Creates a client; it does not connect until first used.</summary>
    public static DockerClient CreateClient() => new DockerClientConfiguration(Endpoint).CreateClient();

    /// <summary>True when an engine answers a ping within the timeout.</summary>
    public static async Task<bool> IsAvailableAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var client = CreateClient();
            await client.System.PingAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
