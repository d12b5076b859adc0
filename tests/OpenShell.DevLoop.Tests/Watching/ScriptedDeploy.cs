using System.Collections.Concurrent;
using System.Threading.Channels;
using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>A deploy action the test drives: each call waits until the test completes it.</summary>
internal sealed class ScriptedDeploy
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Channel<Call> _started = Channel.CreateUnbounded<Call>();
    private readonly ConcurrentQueue<DeployTrigger> _triggers = new();

    /// <summary>When true, every call completes at once with success.</summary>
    public bool CompleteImmediately { get; init; }

    /// <summary>Runs inside each call before it completes (e.g. to inspect the repository).</summary>
    public Action<DeployTrigger>? OnCall { get; init; }

    public IReadOnlyList<DeployTrigger> Triggers => [.. _triggers];

    public int Calls => _triggers.Count;

    public Task<DeployOutcome> InvokeAsync(DeployTrigger trigger, CancellationToken ct)
    {
        _triggers.Enqueue(trigger);
        OnCall?.Invoke(trigger);
        if (CompleteImmediately)
        {
            _started.Writer.TryWrite(new Call(trigger, null));
            return Task.FromResult(DeployOutcome.Success());
        }

        var completion = new TaskCompletionSource<DeployOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        ct.Register(() => completion.TrySetCanceled(ct));
        _started.Writer.TryWrite(new Call(trigger, completion));
        return completion.Task;
    }

    /// <summary>Waits for the next call to start.</summary>
    public async Task<Call> NextAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        return await _started.Reader.ReadAsync(cts.Token);
    }

    /// <summary>True when a call started that nobody took with <see cref="NextAsync"/>.</summary>
    public bool HasUnseenCall => _started.Reader.TryPeek(out _);

    internal sealed record Call(DeployTrigger Trigger, TaskCompletionSource<DeployOutcome>? Completion)
    {
        public void Succeed() => Completion!.SetResult(DeployOutcome.Success());

        public void Fail(string message) => Completion!.SetResult(DeployOutcome.Failure(message));

        public void Throw(Exception ex) => Completion!.SetException(ex);
    }
}
