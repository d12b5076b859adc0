namespace OpenShell.KubeSim;

/// <summary>Faults injected into the simulator for reliability tests. Thread-safe.</summary>
public sealed class KubeSimFaults
{
    private readonly object _gate = new();
    private readonly List<FailureRule> _failures = [];
    private readonly List<DelayRule> _delays = [];
    private volatile bool _neverConverge;

    internal event Action? NeverConvergeCleared;

    /// <summary>True while StatefulSet rollouts are held before convergence.</summary>
    public bool RolloutsNeverConverge => _neverConverge;

    /// <summary>
    /// Fails the next <paramref name="count"/> requests whose path starts with <paramref name="pathPrefix"/> (and whose method
    /// is <paramref name="method"/>, when given: <c>PATCH</c> for a conflict on update) with <paramref name="statusCode"/>
    /// (a Kubernetes Status body; a 429 carries <c>Retry-After: 1</c>).
    /// </summary>
    public void FailNext(string pathPrefix, int statusCode, int count, string? method = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            _failures.Add(new FailureRule(pathPrefix, statusCode, method) { Remaining = count });
        }
    }

    /// <summary>Delays every response on paths starting with <paramref name="pathPrefix"/> until <see cref="Reset"/>.</summary>
    public void Delay(string pathPrefix, TimeSpan delay)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_gate)
        {
            _delays.Add(new DelayRule(pathPrefix, delay));
        }
    }

    /// <summary>While true, StatefulSet rollouts record the new revision but never converge.</summary>
    public void NeverConverge(bool value)
    {
        var wasSet = _neverConverge;
        _neverConverge = value;
        if (wasSet && !value)
        {
            NeverConvergeCleared?.Invoke();
        }
    }

    /// <summary>Removes every fault.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _failures.Clear();
            _delays.Clear();
        }

        NeverConverge(false);
    }

    /// <summary>Consumes one failure for <paramref name="method"/> <paramref name="path"/>, or returns null.</summary>
    internal int? TakeFailure(string path, string method)
    {
        lock (_gate)
        {
            var rule = _failures.Find(r => path.StartsWith(r.PathPrefix, StringComparison.Ordinal)
                && (r.Method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)));
            if (rule is null)
            {
                return null;
            }

            if (--rule.Remaining == 0)
            {
                _failures.Remove(rule);
            }

            return rule.StatusCode;
        }
    }

    internal TimeSpan DelayFor(string path)
    {
        lock (_gate)
        {
            var total = TimeSpan.Zero;
            foreach (var rule in _delays)
            {
                if (path.StartsWith(rule.PathPrefix, StringComparison.Ordinal))
                {
                    total += rule.Delay;
                }
            }

            return total;
        }
    }

    private sealed record FailureRule(string PathPrefix, int StatusCode, string? Method)
    {
        public int Remaining { get; set; }
    }

    private sealed record DelayRule(string PathPrefix, TimeSpan Delay);
}
