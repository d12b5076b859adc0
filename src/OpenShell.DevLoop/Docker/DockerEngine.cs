using Docker.DotNet;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Docker;

/// <summary>
/// The Docker engine of this process, as Docker's own client picks it (see <see cref="EngineConnection"/>): the front
/// ends' entry point, which reads the process environment once per call.
/// </summary>
public static class DockerEngine
{
    /// <summary>The engine in use for <paramref name="configuredHost"/> (<c>OpenShell:Engine:Host</c>) and this process's environment.</summary>
    /// <exception cref="EngineConnectionException">DOCKER_HOST, the context or the TLS files are unusable.</exception>
    public static EngineConnection Connection(string? configuredHost = null) =>
        EngineConnection.Resolve(configuredHost, Environment.GetEnvironmentVariable, Home);

    /// <summary>The engine in use for <paramref name="settings"/> (<c>OpenShell:Engine</c>) and this process's environment.</summary>
    /// <exception cref="EngineConnectionException">The settings, DOCKER_HOST, the context or the TLS files are unusable.</exception>
    public static EngineConnection Connection(EngineSettings settings) =>
        EngineConnection.FromSettings(settings, Environment.GetEnvironmentVariable, Home);

    /// <summary>The engine endpoint in use.</summary>
    public static Uri Endpoint => Connection().Host;

    /// <summary>Creates a client; it does not connect until first used.</summary>
    public static DockerClient CreateClient(string? configuredHost = null) => Connection(configuredHost).CreateClient();

    /// <summary>Creates a client for the engine <paramref name="settings"/> name (an <c>ssh://</c> one's tunnel opens on first use).</summary>
    public static DockerClient CreateClient(EngineSettings settings) => Connection(settings).CreateClient();

    /// <summary>How this machine reaches the ports published on the engine <paramref name="settings"/> name (see <see cref="EnginePortPlan"/>).</summary>
    /// <exception cref="EngineConnectionException">The engine or its published ports cannot be reached as configured.</exception>
    public static IEnginePorts Ports(OpenShellSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Connection(settings.Engine).CreatePorts(settings);
    }

    /// <summary>The host IP the cluster and the dev registry publish their ports on, on the engine <paramref name="settings"/> name.</summary>
    /// <exception cref="EngineConnectionException">The engine or its published ports cannot be reached as configured.</exception>
    public static string BindAddress(OpenShellSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Connection(settings.Engine).PortPlan(settings.Cluster.RemoteBindAddress, settings.Engine.SshTunnel).BindAddress;
    }

    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

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
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException or DevLoopException)
        {
            return false;
        }
    }
}
