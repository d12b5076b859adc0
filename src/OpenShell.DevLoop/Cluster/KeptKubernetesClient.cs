using k8s;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// A Kubernetes API client kept while the kubeconfig is the same file, for callers that poll or read back often (a new
/// client costs a TLS handshake and its handlers). A recreated cluster writes a new kubeconfig (new port, new
/// certificates), which gives a new client; the old one is disposed then, so callers use it one call at a time.
/// </summary>
internal sealed class KeptKubernetesClient(string kubeconfig) : IDisposable
{
    private readonly Lock _gate = new();
    private (DateTime Written, Kubernetes Client)? _kept;

    /// <summary>The client for the kubeconfig as it is now.</summary>
    /// <exception cref="k8s.Exceptions.KubeConfigException">The kubeconfig cannot be read.</exception>
    public Kubernetes Get()
    {
        var written = File.GetLastWriteTimeUtc(kubeconfig);
        lock (_gate)
        {
            if (_kept is not { } kept || kept.Written != written)
            {
                var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
                _kept?.Client.Dispose();
                kept = (written, client);
                _kept = kept;
            }

            return kept.Client;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _kept?.Client.Dispose();
            _kept = null;
        }
    }
}
