using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Docker;

/// <summary>The user-defined bridge network the dev containers share, so they reach each other by name.</summary>
public static class ContainerNetwork
{
    /// <summary>Creates the network when it does not exist.</summary>
    public static async Task EnsureAsync(IDockerClient docker, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            await docker.Networks.InspectNetworkAsync(name, ct).ConfigureAwait(false);
        }
        catch (DockerNetworkNotFoundException)
        {
            await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = name, Driver = "bridge", CheckDuplicate = true }, ct).ConfigureAwait(false);
        }
    }
}
