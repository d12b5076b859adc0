using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Sandboxes;

/// <summary>
/// The gateway's Sandboxes API over mutual TLS, for the CLI, the dashboard and deploy verification. Every failure is a
/// <see cref="SandboxException"/> naming the cause and the fix.
/// </summary>
public sealed class SandboxClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Core.V1.Sandboxes.SandboxesClient _client;
    private readonly TimeProvider _time;

    private SandboxClient(GatewayEndpoint endpoint, GrpcChannel channel, TimeProvider time)
    {
        Endpoint = endpoint;
        _channel = channel;
        _client = new Core.V1.Sandboxes.SandboxesClient(channel);
        _time = time;
    }

    /// <summary>The gateway this client calls.</summary>
    public GatewayEndpoint Endpoint { get; }

    /// <summary>A client presenting the endpoint's certificate and trusting only its CA.</summary>
    /// <exception cref="SandboxException">The certificate files cannot be loaded.</exception>
    public static SandboxClient Connect(GatewayEndpoint endpoint, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new SandboxClient(endpoint, endpoint.OpenChannel(), time ?? TimeProvider.System);
    }

    /// <summary>Creates a sandbox and returns its first status (usually Pending).</summary>
    public Task<Sandbox> CreateAsync(SandboxCreateRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new CreateSandboxRequest { Name = request.Name ?? SandboxNames.Generate(), From = request.From ?? string.Empty };
        call.Command.AddRange(request.Command ?? []);
        return CallAsync(() => _client.CreateAsync(call, cancellationToken: ct).ResponseAsync);
    }

    /// <summary>
    /// Creates a sandbox and waits until its supervisor registered with the gateway. Fails with the pod's status and
    /// events when it stops first or <see cref="SandboxCreateRequest.Timeout"/> runs out.
    /// </summary>
    public async Task<SandboxReady> CreateAndWaitAsync(SandboxCreateRequest request, IProgress<Sandbox>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        var named = request with { Name = request.Name ?? SandboxNames.Generate() };
        var created = await CreateAsync(named, ct).ConfigureAwait(false);
        progress?.Report(created);
        return await WaitUntilRegisteredAsync(named.Name!, request.Timeout, started, created, progress, ct).ConfigureAwait(false);
    }

    /// <summary>Waits until the supervisor of an existing sandbox registered (after a restart, say).</summary>
    public Task<SandboxReady> WaitUntilRegisteredAsync(string name, TimeSpan timeout, IProgress<Sandbox>? progress = null, CancellationToken ct = default) =>
        WaitUntilRegisteredAsync(name, timeout, _time.GetTimestamp(), null, progress, ct);

    /// <summary>
    /// Waits until the gateway answers a call, for a gateway that is restarting or whose pod is not ready yet; after
    /// <paramref name="timeout"/> the last "does not answer" failure is thrown. Any other failure is thrown at once.
    /// </summary>
    public async Task WaitUntilAnswersAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                await ListAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (SandboxException ex) when (ex.GatewayUnavailable && _time.GetElapsedTime(started) < timeout)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The gateway's own health: whether it reaches the Kubernetes API.</summary>
    public Task<GetHealthResponse> GetHealthAsync(CancellationToken ct = default) =>
        CallAsync(() => new Gateway.GatewayClient(_channel).GetHealthAsync(new GetHealthRequest(), cancellationToken: ct).ResponseAsync);

    /// <summary>One sandbox's status.</summary>
    public Task<Sandbox> GetAsync(string name, CancellationToken ct = default) =>
        CallAsync(() => _client.GetAsync(new GetSandboxRequest { Name = name }, cancellationToken: ct).ResponseAsync);

    /// <summary>Every sandbox, by name.</summary>
    public async Task<IReadOnlyList<Sandbox>> ListAsync(CancellationToken ct = default) =>
        (await CallAsync(() => _client.ListAsync(new ListSandboxesRequest(), cancellationToken: ct).ResponseAsync).ConfigureAwait(false)).Sandboxes;

    /// <summary>Deletes a sandbox (its pod).</summary>
    public Task DeleteAsync(string name, CancellationToken ct = default) =>
        CallAsync(() => _client.DeleteAsync(new DeleteSandboxRequest { Name = name }, cancellationToken: ct).ResponseAsync);

    /// <summary>Recreates a sandbox's pod from the same image and command, so it gets the node's current supervisor.</summary>
    public Task<Sandbox> RestartAsync(string name, CancellationToken ct = default) =>
        CallAsync(() => _client.RestartAsync(new RestartSandboxRequest { Name = name }, cancellationToken: ct).ResponseAsync);

    /// <summary>The sandbox's output (supervisor and workload); <paramref name="tailLines"/> 0 for all of it.</summary>
    public async Task<string> GetLogsAsync(string name, int tailLines = 0, CancellationToken ct = default) =>
        (await CallAsync(() => _client.GetLogsAsync(new GetSandboxLogsRequest { Name = name, TailLines = tailLines }, cancellationToken: ct).ResponseAsync).ConfigureAwait(false)).Text;

    /// <summary>The Kubernetes events of the sandbox's pod, oldest first.</summary>
    public async Task<IReadOnlyList<SandboxEvent>> ListEventsAsync(string name, CancellationToken ct = default) =>
        (await CallAsync(() => _client.ListEventsAsync(new ListSandboxEventsRequest { Name = name }, cancellationToken: ct).ResponseAsync).ConfigureAwait(false)).Events;

    /// <summary>Every sandbox's status, then each change (a removed one once, as Deleted), until cancelled.</summary>
    public async IAsyncEnumerable<Sandbox> WatchAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        using var call = _client.WatchAll(new WatchAllSandboxesRequest(), cancellationToken: ct);
        while (await CallAsync(() => call.ResponseStream.MoveNext(ct)).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _channel.Dispose();

    private async Task<SandboxReady> WaitUntilRegisteredAsync(string name, TimeSpan timeout, long started, Sandbox? last, IProgress<Sandbox>? progress, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            using var call = _client.Watch(new WatchSandboxRequest { Name = name }, cancellationToken: linked.Token);
            while (await CallAsync(() => call.ResponseStream.MoveNext(linked.Token)).ConfigureAwait(false))
            {
                var current = call.ResponseStream.Current;
                last = current;
                progress?.Report(current);
                if (current.Supervisor is not null && current.Phase is SandboxPhase.Ready or SandboxPhase.Succeeded or SandboxPhase.Failed)
                {
                    return new SandboxReady(current, _time.GetElapsedTime(started));
                }

                if (current.Phase is SandboxPhase.Failed or SandboxPhase.Succeeded or SandboxPhase.Deleted)
                {
                    throw SandboxDiagnosis.Explain(name, current, await EventsOrEmptyAsync(name, ct).ConfigureAwait(false), null);
                }
            }

            throw SandboxDiagnosis.Explain(name, last, await EventsOrEmptyAsync(name, ct).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested && ex is OperationCanceledException or SandboxException { Sandbox: null })
        {
            throw SandboxDiagnosis.Explain(name, last, await EventsOrEmptyAsync(name, ct).ConfigureAwait(false), timeout);
        }
    }

    private async Task<IReadOnlyList<SandboxEvent>> EventsOrEmptyAsync(string name, CancellationToken ct)
    {
        try
        {
            return await ListEventsAsync(name, ct).ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            // The events only add detail to an error already on its way.
            return [];
        }
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw Translate(ex);
        }
    }

    private SandboxException Translate(RpcException ex)
    {
        var address = Endpoint.Address.ToString().TrimEnd('/');
        return ex.StatusCode switch
        {
            StatusCode.Unavailable when ex.Status.DebugException is { } transport => Unreachable(address, transport, ex),
            StatusCode.Internal or StatusCode.Unknown when ex.Status.DebugException is { } transport && IsTls(transport) => new SandboxException(
                $"the gateway at {address} refused the TLS handshake: {transport.GetBaseException().Message}",
                "The client certificate under .cache/pki/ may belong to an earlier cluster; bringing the cluster up rewrites it.",
                RemedyAction.BringClusterUp,
                ex),
            StatusCode.Cancelled => new SandboxException($"the call to the gateway at {address} was cancelled", null, RemedyAction.None, ex),
            StatusCode.AlreadyExists => new SandboxException(ex.Status.Detail, "Pick another name, or delete the existing sandbox first.", RemedyAction.None, ex),
            StatusCode.NotFound => new SandboxException(ex.Status.Detail, "List the sandboxes to see their names.", RemedyAction.None, ex),
            StatusCode.InvalidArgument => new SandboxException(ex.Status.Detail, null, RemedyAction.None, ex),
            _ => new SandboxException($"the gateway at {address} answered {ex.StatusCode}: {ex.Status.Detail}", null, RemedyAction.None, ex),
        };
    }

    private static SandboxException Unreachable(string address, Exception transport, RpcException ex) =>
        IsTls(transport)
            ? new SandboxException(
                $"the gateway at {address} refused the TLS handshake: {transport.GetBaseException().Message}",
                "The client certificate under .cache/pki/ may belong to an earlier cluster; bringing the cluster up rewrites it.",
                RemedyAction.BringClusterUp,
                ex)
            : new SandboxException(
                $"the gateway at {address} does not answer: {transport.GetBaseException().Message}",
                "Is the cluster up and the gateway deployed?",
                RemedyAction.BringClusterUp,
                ex)
            {
                GatewayUnavailable = true,
            };

    private static bool IsTls(Exception error) =>
        error is System.Security.Authentication.AuthenticationException || error.InnerException is { } inner && IsTls(inner);
}
