using System.Globalization;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Cluster;

/// <summary>The ports a container publishes on its engine's host, as the engine reports them.</summary>
public static class PublishedPort
{
    /// <summary>The host port <paramref name="container"/> publishes its TCP <paramref name="containerPort"/> on, or null when it publishes none.</summary>
    public static int? Of(ContainerInspectResponse container, int containerPort)
    {
        ArgumentNullException.ThrowIfNull(container);
        var key = $"{containerPort.ToString(CultureInfo.InvariantCulture)}/tcp";
        if (container.NetworkSettings?.Ports is { } ports && ports.TryGetValue(key, out var bindings) && bindings is { Count: > 0 })
        {
            foreach (var binding in bindings)
            {
                if (int.TryParse(binding.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0)
                {
                    return port;
                }
            }
        }

        return null;
    }
}
