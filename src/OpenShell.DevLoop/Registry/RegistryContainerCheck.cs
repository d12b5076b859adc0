using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Registry;

/// <summary>What to do with a container that already carries the registry's name.</summary>
/// <param name="Replace">True when the container must be removed before the registry starts.</param>
/// <param name="Reason">Why, in words for the resource's log.</param>
public sealed record RegistryContainerVerdict(bool Replace, string Reason)
{
    /// <summary>The old container's images copied into the dev registry's volume before it was removed; null when none were.</summary>
    public RegistryDataCopy? DataCopy { get; init; }

    /// <summary>What happened to the replaced container's images, in words for the registry's log; null when nothing was copied.</summary>
    public string? DataNote => DataCopy is not { } copy
        ? null
        : $"copied {copy.FilesCopied} file(s) of its images from {copy.Source} into the dev registry's volume (files already there were kept); " +
          $"{copy.Source} itself is kept: remove it ('docker volume rm {copy.Source}' for a volume) once the images are no longer needed";
}

/// <summary>
/// Finds a registry container left by an earlier run or by OpenShell's scripts that cannot serve
/// the dev loop (a pull-through proxy, the wrong port, published on every interface) and removes it, after
/// copying its images into the dev registry's volume (see <see cref="RegistryDataAdoption"/>).
/// </summary>
public static class RegistryContainerCheck
{
    private const string ContainerPort = "5000/tcp";

    // Set by Aspire's orchestrator on containers it created; without it the orchestrator cannot adopt the container.
    private const string OrchestratorLabel = "com.microsoft.developer.usvc-dev.lifecycle-key";

    /// <summary>
    /// Judges an existing container against the wanted host port. With <paramref name="requireOrchestrator"/> (the
    /// AppHost), a container Aspire's orchestrator did not create is replaced too, because the orchestrator cannot adopt it.
    /// </summary>
    /// <param name="container">The container carrying the registry's name.</param>
    /// <param name="hostPort">The wanted host port.</param>
    /// <param name="requireOrchestrator">Replace a container Aspire's orchestrator did not create.</param>
    /// <param name="addresses">The wanted host IPs (<see cref="LocalRegistryContainer.HostAddresses"/>); null: loopback only.</param>
    public static RegistryContainerVerdict Judge(ContainerInspectResponse container, int hostPort, bool requireOrchestrator = false, IReadOnlyCollection<string>? addresses = null)
    {
        ArgumentNullException.ThrowIfNull(container);

        var env = container.Config?.Env ?? [];
        if (env.Any(e => e.StartsWith("REGISTRY_PROXY_REMOTEURL=", StringComparison.Ordinal)))
        {
            return new(true, "it is configured as a pull-through proxy (REGISTRY_PROXY_REMOTEURL is set), so pushes would be refused");
        }

        var bindings = container.HostConfig?.PortBindings is { } map && map.TryGetValue(ContainerPort, out var list) ? list : null;
        if (bindings is null || bindings.Count == 0)
        {
            return new(true, $"its port {ContainerPort} is not published on the host");
        }

        var wanted = hostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!bindings.Any(b => b.HostPort == wanted))
        {
            var actual = string.Join(", ", bindings.Select(b => $"{(string.IsNullOrEmpty(b.HostIP) ? "0.0.0.0" : b.HostIP)}:{b.HostPort}"));
            return new(true, $"it maps {ContainerPort} to {actual}, not to 127.0.0.1:{wanted}");
        }

        if (addresses is null || addresses.All(IsLoopback))
        {
            if (bindings.Any(b => !IsLoopback(b.HostIP)))
            {
                return new(true, "it is published on every network interface; the dev registry listens on 127.0.0.1 only");
            }
        }
        else if (!addresses.All(a => bindings.Any(b => b.HostIP == a && b.HostPort == wanted)) || bindings.Any(b => !addresses.Contains(b.HostIP ?? "")))
        {
            var actual = string.Join(", ", bindings.Select(b => $"{(string.IsNullOrEmpty(b.HostIP) ? "0.0.0.0" : b.HostIP)}:{b.HostPort}"));
            return new(true, $"it is published on {actual}, not on {string.Join(", ", addresses.Select(a => $"{a}:{wanted}"))} ({Engine.EnginePortPlan.BindSetting})");
        }

        if (requireOrchestrator && (container.Config?.Labels is not { } labels || !labels.ContainsKey(OrchestratorLabel)))
        {
            return new(true, "it was created outside the dev host (for example by OpenShell's scripts); pushed images are kept in its volume only if it used the same one");
        }

        return new(false, "its configuration matches");
    }

    /// <summary>
    /// Inspects the container named <see cref="RegistrySettings.ContainerName"/> and, when <see cref="Judge"/> says so,
    /// copies its images into <see cref="RegistrySettings.VolumeName"/> (unless it is a pull-through proxy, whose data is
    /// only a cache) and removes it, keeping its volumes. Returns the verdict, or null when no such container exists.
    /// When the copy fails the old container is left as it was (started again if it ran) and the error is thrown.
    /// </summary>
    public static async Task<RegistryContainerVerdict?> EnsureUsableAsync(
        IDockerClient docker, RegistrySettings registry, string helperImage, bool requireOrchestrator = false, IReadOnlyCollection<string>? addresses = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(registry);
        ContainerInspectResponse container;
        try
        {
            container = await docker.Containers.InspectContainerAsync(registry.ContainerName, ct).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }

        var verdict = Judge(container, registry.HostPort, requireOrchestrator, addresses);
        if (!verdict.Replace)
        {
            return verdict;
        }

        var isProxy = (container.Config?.Env ?? []).Any(e => e.StartsWith("REGISTRY_PROXY_REMOTEURL=", StringComparison.Ordinal));
        if (!isProxy && RegistryDataAdoption.ForeignStorage(container, registry.VolumeName) is { } storage)
        {
            // The copy runs in a container of the registry image: have it before the old registry is stopped.
            await ImagePuller.EnsurePresentAsync(docker, helperImage, ct: ct).ConfigureAwait(false);
            var wasRunning = container.State is { Running: true };
            if (wasRunning)
            {
                // A registry writing while its files are copied could leave a half-written upload behind.
                await docker.Containers.StopContainerAsync(container.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 10 }, ct).ConfigureAwait(false);
            }

            try
            {
                verdict = verdict with { DataCopy = await RegistryDataAdoption.CopyAsync(docker, storage, registry.VolumeName, helperImage, ct).ConfigureAwait(false) };
            }
            catch
            {
                if (wasRunning)
                {
                    await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), CancellationToken.None).ConfigureAwait(false);
                }

                throw;
            }
        }

        // Volumes are not removed with the container: the old images stay where they were too.
        await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = false }, ct).ConfigureAwait(false);
        return verdict;
    }

    private static bool IsLoopback(string? hostIp) =>
        hostIp is not null && System.Net.IPAddress.TryParse(hostIp, out var ip) && System.Net.IPAddress.IsLoopback(ip);
}
