using System.Net;
using Grpc.Core;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using OpenShell.Core.V1;
using OpenShell.Server.Configuration;
using OpenShell.Server.Hosting;
using OpenShell.Server.Kubernetes;
using OpenShell.Server.Sandboxes;

namespace OpenShell.Server.Services;

/// <summary>Sandboxes as pods in the sandbox namespace.</summary>
internal sealed class SandboxesGrpcService(
    KubernetesConnection connection,
    SupervisorRegistry registry,
    GatewayOptions options,
    ILogger<SandboxesGrpcService> logger) : Core.V1.Sandboxes.SandboxesBase
{
    public override async Task<Sandbox> Create(CreateSandboxRequest request, ServerCallContext context)
    {
        RequireValidName(request.Name);
        var image = SandboxImageResolver.Resolve(request.From, options, out var problem);
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }

        var pod = SandboxPodFactory.Create(request.Name, image, request.From, request.Command, options);
        var creating = registry.Now;
        var created = await CallAsync(
            request.Name,
            k => k.CoreV1.CreateNamespacedPodAsync(pod, options.SandboxNamespace, cancellationToken: context.CancellationToken)).ConfigureAwait(false);

        // A pod of the same name from an earlier life must not lend its registration to this one; but this pod's own
        // supervisor may already have registered (a fast start on a busy gateway), and that registration stays.
        registry.ForgetRegisteredBefore(request.Name, creating);
        Log.SandboxCreated(logger, request.Name, image, options.SandboxNamespace);
        return SandboxStatus.From(created, null);
    }

    public override async Task<Sandbox> Get(GetSandboxRequest request, ServerCallContext context)
    {
        RequireValidName(request.Name);
        var pod = await ReadAsync(request.Name, context.CancellationToken).ConfigureAwait(false);
        return SandboxStatus.From(pod, registry.Find(request.Name));
    }

    public override async Task<ListSandboxesResponse> List(ListSandboxesRequest request, ServerCallContext context)
    {
        var pods = await CallAsync(
            null,
            k => k.CoreV1.ListNamespacedPodAsync(options.SandboxNamespace, labelSelector: SandboxPodFactory.Selector, cancellationToken: context.CancellationToken)).ConfigureAwait(false);
        var response = new ListSandboxesResponse();
        response.Sandboxes.AddRange(pods.Items
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .Select(p => SandboxStatus.From(p, registry.Find(p.Metadata.Name))));
        return response;
    }

    public override async Task<DeleteSandboxResponse> Delete(DeleteSandboxRequest request, ServerCallContext context)
    {
        RequireValidName(request.Name);

        // Only pods this gateway made: a same-named pod of something else is "not found", never deleted.
        await ReadAsync(request.Name, context.CancellationToken).ConfigureAwait(false);
        await CallAsync(
            request.Name,
            k => k.CoreV1.DeleteNamespacedPodAsync(request.Name, options.SandboxNamespace, cancellationToken: context.CancellationToken)).ConfigureAwait(false);
        registry.Forget(request.Name);
        Log.SandboxDeleted(logger, request.Name, options.SandboxNamespace);
        return new DeleteSandboxResponse();
    }

    public override async Task Watch(WatchSandboxRequest request, IServerStreamWriter<Sandbox> responseStream, ServerCallContext context)
    {
        RequireValidName(request.Name);
        var ct = context.CancellationToken;
        Sandbox? last = null;
        while (!ct.IsCancellationRequested)
        {
            // Registry changes wake the loop at once; pod changes are seen on the next poll.
            var registryChanged = registry.NextChange;
            var pod = await TryReadAsync(request.Name, ct).ConfigureAwait(false);
            if (pod is null)
            {
                if (last is null)
                {
                    throw NotFound(request.Name);
                }

                last = last.Clone();
                last.Phase = SandboxPhase.Deleted;
                last.Message = "deleted";
                await responseStream.WriteAsync(last, ct).ConfigureAwait(false);
                return;
            }

            var current = SandboxStatus.From(pod, registry.Find(request.Name));
            if (!current.Equals(last))
            {
                await responseStream.WriteAsync(current, ct).ConfigureAwait(false);
                last = current;
            }

            try
            {
                await Task.WhenAny(registryChanged, Task.Delay(options.WatchPollInterval, ct)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task WatchAll(WatchAllSandboxesRequest request, IServerStreamWriter<Sandbox> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var last = new Dictionary<string, Sandbox>(StringComparer.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            var registryChanged = registry.NextChange;
            var pods = await CallAsync(
                null,
                k => k.CoreV1.ListNamespacedPodAsync(options.SandboxNamespace, labelSelector: SandboxPodFactory.Selector, cancellationToken: ct)).ConfigureAwait(false);
            var current = pods.Items
                .Select(p => SandboxStatus.From(p, registry.Find(p.Metadata.Name)))
                .ToDictionary(s => s.Name, StringComparer.Ordinal);
            foreach (var sandbox in current.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                if (!last.TryGetValue(sandbox.Name, out var before) || !before.Equals(sandbox))
                {
                    await responseStream.WriteAsync(sandbox, ct).ConfigureAwait(false);
                }
            }

            foreach (var gone in last.Values.Where(s => !current.ContainsKey(s.Name)).OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                var deleted = gone.Clone();
                deleted.Phase = SandboxPhase.Deleted;
                deleted.Message = "deleted";
                await responseStream.WriteAsync(deleted, ct).ConfigureAwait(false);
            }

            last = current;
            try
            {
                await Task.WhenAny(registryChanged, Task.Delay(options.WatchPollInterval, ct)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task<Sandbox> Restart(RestartSandboxRequest request, ServerCallContext context)
    {
        RequireValidName(request.Name);
        var ct = context.CancellationToken;
        var pod = await ReadAsync(request.Name, ct).ConfigureAwait(false);
        var container = pod.Spec.Containers.FirstOrDefault(c => c.Name == SandboxPodFactory.ContainerName)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"sandbox '{request.Name}' has no '{SandboxPodFactory.ContainerName}' container to restart"));
        var from = pod.Metadata.Annotations is { } annotations && annotations.TryGetValue(SandboxPodFactory.SourceAnnotation, out var source) ? source : null;
        var command = SandboxPodFactory.WorkloadOf(container);

        await CallAsync(
            request.Name,
            k => k.CoreV1.DeleteNamespacedPodAsync(request.Name, options.SandboxNamespace, gracePeriodSeconds: 0, cancellationToken: ct)).ConfigureAwait(false);
        registry.Forget(request.Name);

        // The name is free only once the old pod is gone.
        var deadline = DateTime.UtcNow + options.RestartTimeout;
        while (await TryReadAsync(request.Name, ct).ConfigureAwait(false) is not null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"the old pod of sandbox '{request.Name}' was still terminating after {options.RestartTimeout.TotalSeconds:0}s: try the restart again"));
            }

            await Task.Delay(options.WatchPollInterval, ct).ConfigureAwait(false);
        }

        var replacement = SandboxPodFactory.Create(request.Name, container.Image, from, command, options);
        var created = await CallAsync(
            request.Name,
            k => k.CoreV1.CreateNamespacedPodAsync(replacement, options.SandboxNamespace, cancellationToken: ct)).ConfigureAwait(false);
        registry.Forget(request.Name);
        Log.SandboxRestarted(logger, request.Name, container.Image, options.SandboxNamespace);
        return SandboxStatus.From(created, null);
    }

    public override async Task<GetSandboxLogsResponse> GetLogs(GetSandboxLogsRequest request, ServerCallContext context)
    {
        RequireValidName(request.Name);
        if (request.TailLines < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "tail_lines must be 0 (everything) or positive"));
        }

        var ct = context.CancellationToken;
        await ReadAsync(request.Name, ct).ConfigureAwait(false);
        var stream = await CallAsync(
            request.Name,
            async k =>
            {
                try
                {
                    return await k.CoreV1.ReadNamespacedPodLogAsync(
                        request.Name,
                        options.SandboxNamespace,
                        container: SandboxPodFactory.ContainerName,
                        tailLines: request.TailLines > 0 ? request.TailLines : null,
                        cancellationToken: ct).ConfigureAwait(false);
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.BadRequest)
                {
                    // Kubernetes answers 400 while the container has not started: there is no log yet, the request was fine.
                    throw new RpcException(new Status(StatusCode.FailedPrecondition, $"sandbox '{request.Name}' has no log yet: {StatusMessage(ex)}"));
                }
            }).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            return new GetSandboxLogsResponse { Text = await reader.ReadToEndAsync(ct).ConfigureAwait(false) };
        }
    }

    public override async Task<ListSandboxEventsResponse> ListEvents(ListSandboxEventsRequest request, ServerCallContext context)
    {
        RequireValidName(request.Name);
        var ct = context.CancellationToken;
        var pod = await ReadAsync(request.Name, ct).ConfigureAwait(false);
        var events = await CallAsync(
            request.Name,
            k => k.CoreV1.ListNamespacedEventAsync(
                options.SandboxNamespace,
                fieldSelector: $"involvedObject.kind=Pod,involvedObject.name={request.Name}",
                cancellationToken: ct)).ConfigureAwait(false);
        var response = new ListSandboxEventsResponse();

        // Events of an earlier pod of the same name are not this one's.
        response.Events.AddRange(events.Items
            .Where(e => pod.Metadata.Uid is null || e.InvolvedObject?.Uid is null || e.InvolvedObject.Uid == pod.Metadata.Uid)
            .Select(SandboxEvents.From)
            .OrderBy(e => e.LastSeen?.ToDateTimeOffset() ?? DateTimeOffset.MinValue));
        return response;
    }

    private async Task<V1Pod> ReadAsync(string name, CancellationToken ct) =>
        await TryReadAsync(name, ct).ConfigureAwait(false) ?? throw NotFound(name);

    private async Task<V1Pod?> TryReadAsync(string name, CancellationToken ct)
    {
        try
        {
            var pod = await CallAsync(name, k => k.CoreV1.ReadNamespacedPodAsync(name, options.SandboxNamespace, cancellationToken: ct)).ConfigureAwait(false);
            return pod.Metadata.Labels is { } labels && labels.TryGetValue(SandboxPodFactory.ManagedByLabel, out var manager) && manager == SandboxPodFactory.ManagedByValue ? pod : null;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Runs a Kubernetes call and turns its failures into gRPC status codes with a useful message.</summary>
    private async Task<T> CallAsync<T>(string? name, Func<IKubernetes, Task<T>> call)
    {
        if (connection.Client is not { } client)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the gateway has no Kubernetes connection: {connection.Problem}"));
        }

        try
        {
            return await call(client).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound && name is not null)
        {
            throw NotFound(name);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && name is not null)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"sandbox '{name}' already exists in namespace '{options.SandboxNamespace}': delete it first or pick another name"));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Kubernetes refused the gateway ({(int)ex.Response.StatusCode}) in namespace '{options.SandboxNamespace}': check the chart's Role and RoleBinding"));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Kubernetes rejected the sandbox: {ex.Response.Content}"));
        }
        catch (HttpOperationException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Kubernetes API answered {(int)ex.Response.StatusCode}: {ex.Message}"));
        }
        catch (HttpRequestException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Kubernetes API unreachable: {ex.Message}"));
        }
    }

    /// <summary>The <c>message</c> of a Kubernetes <c>Status</c> body, else the body itself.</summary>
    private static string StatusMessage(HttpOperationException ex)
    {
        try
        {
            using var body = System.Text.Json.JsonDocument.Parse(ex.Response.Content ?? string.Empty);
            if (body.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return ex.Response.Content ?? ex.Message;
    }

    private RpcException NotFound(string name) =>
        new(new Status(StatusCode.NotFound, $"sandbox '{name}' not found in namespace '{options.SandboxNamespace}'"));

    private static void RequireValidName(string name)
    {
        if (SandboxName.Problem(name) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }
    }
}
