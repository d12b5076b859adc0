using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Registry;

/// <summary>What to do with a container that already carries the registry's name.</summary>
/// <param name="Replace">True when the container must be removed before the registry starts.</param>
/// <param name="Reason">Why, in words for the resource's log.</param>
public sealed record RegistryContainerVerdict(bool Replace, string Reason);

/// <summary>
/// Finds a registry container left by an earlier run or by OpenShell's scripts that cannot serve
/// the dev loop (a pull-through proxy, the wrong port, published on every interface) and removes it.
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
    public static RegistryContainerVerdict Judge(ContainerInspectResponse container, int hostPort, bool requireOrchestrator = false)
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

        if (bindings.Any(b => !IsLoopback(b.HostIP)))
        {
            return new(true, "it is published on every network interface; the dev registry listens on 127.0.0.1 only");
        }

        if (requireOrchestrator && (container.Config?.Labels is not { } labels || !labels.ContainsKey(OrchestratorLabel)))
        {
            return new(true, "it was created outside the dev host (for example by OpenShell's scripts); pushed images are kept in its volume only if it used the same one");
        }

        return new(false, "its configuration matches");
    }

    /// <summary>
    /// Inspects the container with the given name and removes it when <see cref="Judge"/> says so.
    /// Returns the verdict, or null when no such container exists.
    /// </summary>
    public static async Task<RegistryContainerVerdict?> EnsureUsableAsync(IDockerClient docker, string containerName, int hostPort, bool requireOrchestrator = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ContainerInspectResponse container;
        try
        {
            container = await docker.Containers.InspectContainerAsync(containerName, ct).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }

        var verdict = Judge(container, hostPort, requireOrchestrator);
        if (verdict.Replace)
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, ct).ConfigureAwait(false);
        }

        return verdict;
    }

    private static bool IsLoopback(string? hostIp) =>
        hostIp is not null && System.Net.IPAddress.TryParse(hostIp, out var ip) && System.Net.IPAddress.IsLoopback(ip);
}
