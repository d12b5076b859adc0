namespace OpenShell.DevLoop.Deploy;

/// <summary>What each component that finished in a deploy got; thread-safe, as binaries finish beside images and charts.</summary>
internal sealed class ComponentOutcomes
{
    private readonly Dictionary<string, ComponentOutcome> _done = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="outcome"/>'s component finished.</summary>
    public void Add(ComponentOutcome outcome)
    {
        lock (_done)
        {
            _done[outcome.Component] = outcome;
        }
    }

    /// <summary>Forgets <paramref name="component"/>'s outcome (it finished, then failed its verification).</summary>
    public void Remove(string component)
    {
        lock (_done)
        {
            _done.Remove(component);
        }
    }

    /// <summary>Replaces <paramref name="component"/>'s outcome with <paramref name="change"/> of it; nothing when it did not finish.</summary>
    public void Update(string component, Func<ComponentOutcome, ComponentOutcome> change)
    {
        lock (_done)
        {
            if (_done.TryGetValue(component, out var outcome))
            {
                _done[component] = change(outcome);
            }
        }
    }

    /// <summary>The outcome of <paramref name="component"/>, or null when it did not finish.</summary>
    public ComponentOutcome? Get(string component)
    {
        lock (_done)
        {
            return _done.GetValueOrDefault(component);
        }
    }

    /// <summary>True when <paramref name="component"/> finished.</summary>
    public bool Has(string component)
    {
        lock (_done)
        {
            return _done.ContainsKey(component);
        }
    }

    /// <summary>The outcomes so far, by component name.</summary>
    public IReadOnlyDictionary<string, ComponentOutcome> Snapshot()
    {
        lock (_done)
        {
            return new Dictionary<string, ComponentOutcome>(_done, StringComparer.Ordinal);
        }
    }
}
