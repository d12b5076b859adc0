using System.Collections.Concurrent;

namespace OpenShell.Server.Sandboxes;

/// <summary>
/// Registrations, heartbeats and exits reported by supervisors, kept in memory: after a gateway restart the
/// supervisors' next heartbeat is refused and the pod status alone is reported until they register again.
/// </summary>
internal sealed class SupervisorRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SupervisorRecord> _records = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next change of any record.</summary>
    internal Task NextChange => Volatile.Read(ref _changed).Task;

    internal SupervisorRecord? Find(string sandboxId) => _records.GetValueOrDefault(sandboxId);

    internal SupervisorRecord Register(string sandboxId, string version, string sha256)
    {
        var now = time.GetUtcNow();
        var record = new SupervisorRecord(sandboxId, version, sha256, now, now);
        _records[sandboxId] = record;
        Signal();
        return record;
    }

    /// <summary>False when the sandbox never registered with this gateway.</summary>
    internal bool Heartbeat(string sandboxId)
    {
        while (_records.TryGetValue(sandboxId, out var current))
        {
            if (_records.TryUpdate(sandboxId, current with { LastHeartbeatAt = time.GetUtcNow() }, current))
            {
                return true;
            }
        }

        return false;
    }

    internal bool ReportExit(string sandboxId, int exitCode, int signal)
    {
        while (_records.TryGetValue(sandboxId, out var current))
        {
            if (_records.TryUpdate(sandboxId, current with { ExitCode = exitCode, Signal = signal, LastHeartbeatAt = time.GetUtcNow() }, current))
            {
                Signal();
                return true;
            }
        }

        return false;
    }

    /// <summary>The registry's clock: a record registered after this instant was registered after it was read.</summary>
    internal DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Drops <paramref name="sandboxId"/>'s record when it was registered before <paramref name="instant"/> (by an earlier
    /// pod of the same name) and keeps one registered since: a new pod's supervisor can register before its creator hears
    /// back from the Kubernetes API.
    /// </summary>
    internal void ForgetRegisteredBefore(string sandboxId, DateTimeOffset instant)
    {
        while (_records.TryGetValue(sandboxId, out var current) && current.RegisteredAt < instant)
        {
            if (_records.TryRemove(new KeyValuePair<string, SupervisorRecord>(sandboxId, current)))
            {
                Signal();
                return;
            }
        }
    }

    internal void Forget(string sandboxId)
    {
        if (_records.TryRemove(sandboxId, out _))
        {
            Signal();
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
