using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Controllers;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// The kubelet (and kube-proxy) of the simulated node: every pod bound to the node runs as containers on the Docker
/// engine (<see cref="PodWorker"/>), deleting a pod removes them, Service changes update the pods' DNS aliases and the
/// NodePort listeners, and pod logs are the containers' logs. On start it removes containers a previous run of this node
/// left behind (the store starts empty, so no pod owns them).
/// </summary>
internal sealed partial class DockerKubelet : IController, IPodLogs, IAsyncDisposable
{
    private readonly KubeletContext _context;
    private readonly NodePortProxy _nodePorts;
    private readonly Dictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);
    private readonly List<Task> _stopping = [];
    // Pods whose delete this kubelet is finishing (their later status updates must not start it again).
    private readonly HashSet<string> _finishing = new(StringComparer.Ordinal);
    private readonly Channel<bool> _serviceChanges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _serviceLoop;

    private DockerKubelet(KubeletContext context, IPAddress bindAddress)
    {
        _context = context;
        _nodePorts = new NodePortProxy(context.Store, bindAddress, context.Logger);
        _serviceLoop = Task.Run(() => ApplyServiceChangesAsync(_shutdown.Token));
    }

    public static async Task<DockerKubelet> StartAsync(ObjectStore store, KubeletOptions options, IPAddress bindAddress, int apiPort, string token, string authorityPem, ILogger logger, CancellationToken ct)
    {
        var docker = new DockerClientConfiguration(options.DockerEndpoint ?? new Uri("unix:///var/run/docker.sock")).CreateClient();
        try
        {
            var node = await KubeletNode.ResolveAsync(docker, options, apiPort, ct).ConfigureAwait(false);
            await RemoveLeftoversAsync(docker, node.NodeId, logger, ct).ConfigureAwait(false);
            var probeHttp = new HttpClient(new SocketsHttpHandler
            {
                // Probes do not verify certificates, as the kubelet's do not.
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            });
            var context = new KubeletContext(docker, store, node, options, new PodImages(docker, options.PullTimeout), new PodEvents(store), probeHttp, token, authorityPem, logger);
            LogStarted(logger, node.NodeId, node.Network, node.ApiHost);
            return new DockerKubelet(context, bindAddress);
        }
        catch
        {
            docker.Dispose();
            throw;
        }
    }

    public void OnChange(StoredEvent change)
    {
        if (change.Kind == ResourceCatalog.Services)
        {
            _serviceChanges.Writer.TryWrite(true);
            return;
        }

        if (change.Kind != ResourceCatalog.Pods)
        {
            return;
        }

        var uid = Json.Str(Json.At(change.Object, "metadata.uid")) ?? "";
        lock (_workers)
        {
            if (change.Type == StoredEvent.Deleted)
            {
                // Deleted at once: a forced delete, or the garbage collector's cascade.
                if (_workers.Remove(uid, out var worker))
                {
                    _stopping.Add(worker.StopAsync(grace: null));
                }

                return;
            }

            if (Json.IsTerminating(change.Object))
            {
                // Terminating: stop the containers within the delete's grace period, then end the delete.
                if (Json.Str(Json.At(change.Object, "spec.nodeName")) == SimulatedNode.Name && !_finishing.Contains(uid))
                {
                    _finishing.Add(uid);
                    _workers.Remove(uid, out var terminating);
                    var grace = Json.Long(Json.At(change.Object, "metadata.deletionGracePeriodSeconds"));
                    _stopping.Add(FinishDeleteAsync(terminating, change.Namespace, change.Name, uid, grace));
                }

                return;
            }

            if (_workers.ContainsKey(uid) || Json.Str(Json.At(change.Object, "spec.nodeName")) != SimulatedNode.Name
                || Json.Str(Json.At(change.Object, "status.phase")) is "Succeeded" or "Failed")
            {
                return;
            }

            var started = new PodWorker(_context, change.Object, ServiceAliases.For(_context.Store, change.Object));
            _workers[uid] = started;
            started.Start();
        }
    }

    // The kubelet's final delete (grace 0, on the pod's uid) once its containers are gone: only then is the name free.
    private async Task FinishDeleteAsync(PodWorker? worker, string ns, string name, string uid, long? grace)
    {
        try
        {
            if (worker is not null)
            {
                await worker.StopAsync(grace).ConfigureAwait(false);
            }

            _context.Store.Delete(ResourceCatalog.Pods, ns, name, gracePeriodSeconds: 0, uid: uid);
        }
        catch (KubeApiException e) when (e.Code is 404 or 409)
        {
            // Gone already (a forced delete, or a cascade).
        }
        finally
        {
            lock (_workers)
            {
                _finishing.Remove(uid);
            }
        }
    }

    /// <summary>Streams a container's engine logs (<c>follow</c>, <c>tailLines</c>, <c>timestamps</c>, <c>sinceSeconds</c>).</summary>
    public async Task WriteLogsAsync(HttpContext context, JsonObject pod, string container)
    {
        PodWorker? worker;
        lock (_workers)
        {
            _workers.TryGetValue(Json.Str(Json.At(pod, "metadata.uid")) ?? "", out worker);
        }

        if (worker?.ContainerId(container) is not { } id)
        {
            throw KubeApiException.BadRequest($"container \"{container}\" in pod \"{Json.Name(pod)}\" is waiting to start: ContainerCreating");
        }

        var query = context.Request.Query;
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Follow = query["follow"] == "true",
            Timestamps = query["timestamps"] == "true",
            Tail = query["tailLines"] is { Count: > 0 } tail ? tail.ToString() : "all",
            Since = query["sinceSeconds"] is { Count: > 0 } since && long.TryParse(since, out var seconds)
                ? (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : null,
        };
        context.Response.ContentType = "text/plain";
        var ct = context.RequestAborted;
        using var stream = await _context.Docker.Containers.GetContainerLogsAsync(id, tty: false, parameters, ct).ConfigureAwait(false);
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
            if (read.EOF)
            {
                return;
            }

            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read.Count), ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    // Service changes come in bursts (a chart applies several): each pass looks at the store as it is then.
    private async Task ApplyServiceChangesAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var _ in _serviceChanges.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                _nodePorts.Reconcile();
                PodWorker[] workers;
                lock (_workers)
                {
                    workers = [.. _workers.Values];
                }

                foreach (var worker in workers)
                {
                    if (_context.Store.Get(ResourceCatalog.Pods, worker.Namespace, worker.Name) is not { } pod)
                    {
                        continue;
                    }

                    try
                    {
                        await worker.UpdateAliasesAsync(ServiceAliases.For(_context.Store, pod), ct).ConfigureAwait(false);
                    }
                    catch (DockerApiException e)
                    {
                        LogAliasesFailed(_context.Logger, worker.Namespace, worker.Name, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static async Task RemoveLeftoversAsync(IDockerClient docker, string nodeId, ILogger logger, CancellationToken ct)
    {
        var leftovers = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{KubeletLabels.Node}={nodeId}"] = true } },
        }, ct).ConfigureAwait(false);
        foreach (var container in leftovers)
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, ct).ConfigureAwait(false);
            LogLeftoverRemoved(logger, container.Names.FirstOrDefault()?.TrimStart('/') ?? container.ID);
        }
    }

    /// <summary>Removes every pod's containers (the simulator is stopping; its pods go with it).</summary>
    public async ValueTask DisposeAsync()
    {
        _serviceChanges.Writer.TryComplete();
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _serviceLoop.ConfigureAwait(false);
        List<Task> stopping;
        lock (_workers)
        {
            stopping = [.. _stopping, .. _workers.Values.Select(w => w.StopAsync(grace: null))];
            _workers.Clear();
        }

        await Task.WhenAll(stopping).ConfigureAwait(false);
        await _nodePorts.DisposeAsync().ConfigureAwait(false);
        _context.ProbeHttp.Dispose();
        _context.Docker.Dispose();
        _shutdown.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "kubelet: node {NodeId} runs pods on network {Network}; pods reach the API at {ApiHost}")]
    private static partial void LogStarted(ILogger logger, string nodeId, string network, string apiHost);

    [LoggerMessage(Level = LogLevel.Information, Message = "kubelet: removed container {Name} left by a previous run of this node")]
    private static partial void LogLeftoverRemoved(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kubelet: updating the DNS aliases of pod {Namespace}/{Name} failed: {Reason}")]
    private static partial void LogAliasesFailed(ILogger logger, string @namespace, string name, string reason);
}
