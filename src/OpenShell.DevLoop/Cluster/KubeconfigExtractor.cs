using System.Formats.Tar;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using k8s.KubeConfigModels;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// Reads the kubeconfig k3s writes inside the node through the Docker API, points it at 127.0.0.1 and the port this
/// machine dials for the API the node publishes (the published port itself, or the local end of its SSH forward; the
/// node's certificate names 127.0.0.1, so TLS stays verified) and writes it (mode 0600, atomically) for local tools and the AppHost's <c>KUBECONFIG</c> connection string.
/// </summary>
public static class KubeconfigExtractor
{
    /// <summary>
    /// Copies the kubeconfig out of <paramref name="containerId"/>, rewritten for the port <paramref name="ports"/> dials for
    /// <paramref name="apiHostPort"/> (published on the engine's loopback), to <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="KubeconfigNotReadyException">k3s has not written the file yet.</exception>
    public static async Task<string> ExtractAsync(
        IDockerClient docker, IEnginePorts ports, string containerId, int apiHostPort, string destination, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(ports);
        var yaml = await ReadFromContainerAsync(docker, containerId, ct).ConfigureAwait(false);
        var localPort = await ports.LocalPortAsync(apiHostPort, ct).ConfigureAwait(false);
        var rewritten = Rewrite(yaml, new Uri($"https://127.0.0.1:{localPort.ToString(CultureInfo.InvariantCulture)}"));
        await AtomicFile.WriteTextAsync(destination, rewritten, AtomicFile.OwnerOnly, ct).ConfigureAwait(false);
        return destination;
    }

    /// <summary>The port Docker published the node's API port on, on the engine's loopback.</summary>
    /// <exception cref="InvalidOperationException">The API port is not published.</exception>
    public static int ApiHostPort(ContainerInspectResponse container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return PublishedPort.Of(container, ClusterContainerSpec.ApiPort) ?? throw new InvalidOperationException(
            $"Container {container.Name.TrimStart('/')} does not publish port {ClusterContainerSpec.ApiPort.ToString(CultureInfo.InvariantCulture)}/tcp on the host (is it running?); remove it with 'openshell-dev cluster down' and run 'cluster up' again.");
    }

    /// <summary>Points every cluster of the kubeconfig at <paramref name="server"/>.</summary>
    internal static string Rewrite(string kubeconfigYaml, Uri server)
    {
        K8SConfiguration config;
        try
        {
            config = KubernetesYaml.Deserialize<K8SConfiguration>(kubeconfigYaml);
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            throw new InvalidOperationException($"The node's {ClusterContainerSpec.KubeconfigPath} is not a valid kubeconfig: {ex.Message}", ex);
        }

        var clusters = config.Clusters?.ToList() ?? [];
        if (clusters.Count == 0)
        {
            throw new InvalidOperationException($"The node's {ClusterContainerSpec.KubeconfigPath} defines no cluster.");
        }

        foreach (var cluster in clusters)
        {
            cluster.ClusterEndpoint ??= new ClusterEndpoint();
            cluster.ClusterEndpoint.Server = server.ToString().TrimEnd('/');
        }

        return KubernetesYaml.Serialize(config);
    }

    private static async Task<string> ReadFromContainerAsync(IDockerClient docker, string containerId, CancellationToken ct)
    {
        GetArchiveFromContainerResponse archive;
        try
        {
            archive = await docker.Containers.GetArchiveFromContainerAsync(
                containerId, new GetArchiveFromContainerParameters { Path = ClusterContainerSpec.KubeconfigPath }, statOnly: false, ct).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException ex) when (ex.Message.Contains("file", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("path", StringComparison.OrdinalIgnoreCase))
        {
            throw new KubeconfigNotReadyException($"{ClusterContainerSpec.KubeconfigPath} does not exist yet in container {containerId}.", ex);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new KubeconfigNotReadyException($"{ClusterContainerSpec.KubeconfigPath} does not exist yet in container {containerId}.", ex);
        }

        // Buffer the (small) archive first: the engine's chunked stream does not support the tar reader's reads.
        using var buffer = new MemoryStream();
        await using (var stream = archive.Stream)
        {
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
        }

        buffer.Position = 0;
        await using var reader = new TarReader(buffer);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is not null)
            {
                using var text = new StreamReader(entry.DataStream);
                var content = await text.ReadToEndAsync(ct).ConfigureAwait(false);
                if (content.Length == 0)
                {
                    throw new KubeconfigNotReadyException($"{ClusterContainerSpec.KubeconfigPath} is still empty in container {containerId}.");
                }

                return content;
            }
        }

        throw new KubeconfigNotReadyException($"The archive of {ClusterContainerSpec.KubeconfigPath} from container {containerId} holds no file.");
    }
}
