using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Registry;

/// <summary>
/// Creates or reuses the local registry container for the command line, with the same spec as the AppHost's
/// registry resource (image from settings, 127.0.0.1 binding, data volume), attached to the cluster's network.
/// </summary>
public static partial class LocalRegistryContainer
{
    private const string DataPath = "/var/lib/registry";

    /// <summary>
    /// Ensures the registry runs, is on <paramref name="network"/>, and answers <c>/v2/</c> where this machine dials it
    /// (<paramref name="ports"/>; null for an engine on this machine).
    /// </summary>
    public static async Task EnsureAsync(IDockerClient docker, OpenShellSettings settings, string network, ILogger logger, IEnginePorts? ports = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        var registry = settings.Registry;
        var image = ImageReference.Parse(settings.Images.Registry).ToString();
        var addresses = HostAddresses(DockerEngine.BindAddress(settings));
        var verdict = await RegistryContainerCheck.EnsureUsableAsync(docker, registry, image, addresses: addresses, ct: ct).ConfigureAwait(false);
        if (verdict is { Replace: true })
        {
            LogReplaced(logger, registry.ContainerName, verdict.Reason);
            if (verdict.DataNote is { } note)
            {
                LogDataCopied(logger, registry.ContainerName, note);
            }
        }

        await ContainerNetwork.EnsureAsync(docker, network, ct).ConfigureAwait(false);
        var port = registry.HostPort.ToString(CultureInfo.InvariantCulture);
        if (verdict is null || verdict.Replace)
        {
            await ImagePuller.EnsurePresentAsync(docker, image, logger, ct: ct).ConfigureAwait(false);
            await docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = registry.ContainerName,
                Image = image,
                ExposedPorts = new Dictionary<string, EmptyStruct> { ["5000/tcp"] = default },
                HostConfig = new HostConfig
                {
                    PortBindings = new Dictionary<string, IList<PortBinding>> { ["5000/tcp"] = [.. addresses.Select(a => new PortBinding { HostIP = a, HostPort = port })] },
                    Mounts = [new Mount { Type = "volume", Source = registry.VolumeName, Target = DataPath }],
                    RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.Always },
                    NetworkMode = network,
                },
            }, ct).ConfigureAwait(false);
            LogCreated(logger, registry.ContainerName, image, string.Join(", ", addresses.Select(a => $"{a}:{port}")));
        }

        var inspect = await docker.Containers.InspectContainerAsync(registry.ContainerName, ct).ConfigureAwait(false);
        if (inspect.NetworkSettings?.Networks is not { } networks || !networks.ContainsKey(network))
        {
            await docker.Networks.ConnectNetworkAsync(network, new NetworkConnectParameters { Container = inspect.ID }, ct).ConfigureAwait(false);
        }

        if (inspect.State is not { Running: true })
        {
            await docker.Containers.StartContainerAsync(inspect.ID, new ContainerStartParameters(), ct).ConfigureAwait(false);
        }

        await WaitReadyAsync(docker, ports ?? LoopbackEnginePorts.Instance, inspect.ID, registry.HostPort, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The host IPs the registry publishes on for <paramref name="bindAddress"/>: always the engine's loopback, which the
    /// engine pushes to (<c>127.0.0.1:PORT/…</c>), and the bind address too when it is another one (a wildcard covers both).
    /// </summary>
    public static IReadOnlyList<string> HostAddresses(string bindAddress)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bindAddress);
        var address = System.Net.IPAddress.Parse(bindAddress);
        return address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any) || bindAddress == EnginePortPlan.DefaultBindAddress
            ? [bindAddress]
            : [EnginePortPlan.DefaultBindAddress, bindAddress];
    }

    private static async Task WaitReadyAsync(IDockerClient docker, IEnginePorts ports, string containerId, int hostPort, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var localPort = await ports.LocalPortAsync(hostPort, ct).ConfigureAwait(false);
        var url = new Uri($"http://127.0.0.1:{localPort.ToString(CultureInfo.InvariantCulture)}/v2/");
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(url, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }

        var logs = await ContainerLogs.TailAsync(docker, containerId, 20, ct).ConfigureAwait(false);
        throw new InvalidOperationException(
            $"The local registry does not answer {url} after 20 s. Its last log lines:\n{logs}\nCheck that port {hostPort} is free (OpenShell:Registry:HostPort) and the registry image works.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replaced the existing container {Container}: {Reason}")]
    private static partial void LogReplaced(ILogger logger, string container, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replaced container {Container}: {Note}")]
    private static partial void LogDataCopied(ILogger logger, string container, string note);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created registry container {Container} from {Image} on {Port}")]
    private static partial void LogCreated(ILogger logger, string container, string image, string port);
}
