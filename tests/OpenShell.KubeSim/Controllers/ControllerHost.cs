using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>Seeds the cluster's built-in objects and feeds every store change to the controllers, one at a time.</summary>
internal sealed partial class ControllerHost : IAsyncDisposable
{
    private static readonly TimeSpan s_manifestPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly ObjectStore _store;
    private readonly KubeSimOptions _options;
    private readonly KubeSimFaults _faults;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly BackgroundWork _work;
    private readonly StatefulSetController _statefulSets;
    private readonly List<IController> _controllers;
    private readonly ManifestDeployer? _deployer;
    private Task _loop = Task.CompletedTask;
    private Task _manifestLoop = Task.CompletedTask;

    public ControllerHost(ObjectStore store, KubeSimOptions options, KubeSimFaults faults, string authorityPem, ILogger logger)
    {
        _store = store;
        _options = options;
        _faults = faults;
        _logger = logger;
        _work = new BackgroundWork(logger, _stopping.Token);
        _statefulSets = new StatefulSetController(store, options, faults, _work);
        _controllers =
        [
            new NamespaceController(store, authorityPem),
            new PodController(store, options, _work, runsContainers: options.Kubelet.Mode != Kubelet.KubeletMode.None),
            new JobController(store, options, _work),
            _statefulSets,
            new HelmChartController(store, options.HelmBinary is { } helm ? new HelmTemplate(helm, options.StaticChartsDirectory) : null, _work, logger),
        ];
        _deployer = options.ManifestsDirectory is { } directory ? new ManifestDeployer(store, directory, logger) : null;
        faults.NeverConvergeCleared += _statefulSets.Resync;
    }

    /// <summary>Creates what a fresh k3s server has: the system namespaces, the node and the <c>kubernetes</c> service.</summary>
    public void Bootstrap()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            _store.Create(ResourceCatalog.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        SimulatedNode.Create(_store);
        _store.Create(ResourceCatalog.Services, "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" } },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = "10.43.0.1",
                ["clusterIPs"] = new JsonArray("10.43.0.1"),
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
            },
        });
    }

    /// <summary>Starts feeding changes to the controllers, and to <paramref name="kubelet"/> (which runs pods) when given.</summary>
    public void Start(IController? kubelet = null)
    {
        if (kubelet is not null)
        {
            _controllers.Add(kubelet);
        }

        var subscription = _store.Subscribe(fromRevision: null);
        _loop = Task.Run(() => RunAsync(subscription, _stopping.Token));
    }

    /// <summary>Applies the manifests folder once, then keeps watching it (polling, which works on bind mounts too).</summary>
    public Task ApplyManifestsAsync(CancellationToken ct)
    {
        if (_deployer is null)
        {
            return Task.CompletedTask;
        }

        ct.ThrowIfCancellationRequested();
        lock (_deployer)
        {
            _deployer.ApplyChanged();
        }

        _manifestLoop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(s_manifestPollInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                {
                    lock (_deployer)
                    {
                        _deployer.ApplyChanged();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync(StoreSubscription subscription, CancellationToken ct)
    {
        using (subscription)
        {
            try
            {
                foreach (var change in subscription.Initial)
                {
                    Dispatch(change);
                }

                await foreach (var change in subscription.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    Dispatch(change);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    private void Dispatch(StoredEvent change)
    {
        foreach (var controller in _controllers)
        {
            try
            {
                controller.OnChange(change);
            }
            catch (KubeApiException e)
            {
                LogControllerFailed(_logger, controller.GetType().Name, change.Kind.Plural, change.Name, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _faults.NeverConvergeCleared -= _statefulSets.Resync;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _manifestLoop.ConfigureAwait(false);
        await _work.DrainAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller} failed on {Resource} {Name}: {Reason}")]
    private static partial void LogControllerFailed(ILogger logger, string controller, string resource, string name, string reason);
}
