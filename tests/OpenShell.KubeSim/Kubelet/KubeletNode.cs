using Docker.DotNet;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>The resolved facts the kubelet works with: its options, completed from the container the simulator runs in.</summary>
internal sealed record KubeletNode(string NodeId, string Network, string ApiHost, int ApiPort, string PauseImage, IReadOnlyList<string> ExtraHosts, string HostPathRoot)
{
    /// <summary>Fills what <paramref name="options"/> leaves null from the simulator's own container (found by its host name).</summary>
    public static async Task<KubeletNode> ResolveAsync(IDockerClient docker, KubeletOptions options, int apiPort, CancellationToken ct)
    {
        string? ownName = null, ownNetwork = null, ownImage = null;
        if (options.NodeId is null || options.Network is null || options.ApiHost is null || options.PauseImage is null)
        {
            try
            {
                var self = await docker.Containers.InspectContainerAsync(Environment.MachineName, ct).ConfigureAwait(false);
                ownName = self.Name.TrimStart('/');
                ownNetwork = self.NetworkSettings?.Networks?.Keys.FirstOrDefault();
                ownImage = self.Config?.Image;
            }
            catch (DockerContainerNotFoundException)
            {
                // Not in a container: everything must be given.
            }
        }

        static string Need(string? value, string what) => value ?? throw new InvalidOperationException(
            $"The kubelet could not find its own container ({Environment.MachineName}) to learn {what}: run the simulator in a container on the engine, or set KubeletOptions.{what}.");

        return new KubeletNode(
            Need(options.NodeId ?? ownName, nameof(KubeletOptions.NodeId)),
            Need(options.Network ?? ownNetwork, nameof(KubeletOptions.Network)),
            Need(options.ApiHost ?? ownName, nameof(KubeletOptions.ApiHost)),
            apiPort,
            Need(options.PauseImage ?? ownImage, nameof(KubeletOptions.PauseImage)),
            [.. options.ExtraHosts],
            options.HostPathRoot);
    }
}
