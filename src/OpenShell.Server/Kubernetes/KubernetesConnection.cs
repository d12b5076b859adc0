using k8s;
using OpenShell.Server.Configuration;

namespace OpenShell.Server.Kubernetes;

/// <summary>
/// The Kubernetes client, or why there is none: the gateway still starts (and answers <c>/healthz</c>) without a
/// cluster, reports not ready, and fails sandbox calls with <c>FailedPrecondition</c>. The configuration is read at start
/// (a bad one stops the gateway), the client built on first use (<see cref="Warm"/> builds it once the gateway serves):
/// building it took about a tenth of a second, which every start of the gateway's pod spent before its startup probe.
/// </summary>
internal sealed class KubernetesConnection : IDisposable
{
    private readonly Lazy<IKubernetes>? _client;

    private KubernetesConnection(Func<IKubernetes>? client, string? problem)
    {
        _client = client is null ? null : new Lazy<IKubernetes>(client);
        Problem = problem;
    }

    public IKubernetes? Client => _client?.Value;

    public string? Problem { get; }

    internal static KubernetesConnection Create(GatewayOptions options)
    {
        if (options.KubeconfigPath is { } path)
        {
            try
            {
                // Read now: a bad file is a configuration error at start, not a failure of the first call.
                var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
                return new KubernetesConnection(() => new k8s.Kubernetes(config), null);
            }
            catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or InvalidOperationException)
            {
                throw new GatewayConfigurationException($"--kubeconfig {path}: {ex.Message}");
            }
        }

        if (KubernetesClientConfiguration.IsInCluster())
        {
            var config = KubernetesClientConfiguration.InClusterConfig();
            return new KubernetesConnection(() => new k8s.Kubernetes(config), null);
        }

        return new KubernetesConnection(null, "no Kubernetes configuration: not running in a cluster and --kubeconfig is not set");
    }

    /// <summary>Builds the client in the background, so the first readiness probe and sandbox call find it built.</summary>
    public void Warm()
    {
        if (_client is not null)
        {
            _ = Task.Run(() => _client.Value);
        }
    }

    public void Dispose()
    {
        if (_client is { IsValueCreated: true })
        {
            _client.Value.Dispose();
        }
    }
}
