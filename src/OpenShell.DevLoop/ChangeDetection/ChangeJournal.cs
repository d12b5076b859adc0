namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// The paths a repository watcher saw change since the planner last looked, so a plan can re-check those paths instead of
/// scanning the whole tree. It answers "scan everything" whenever it cannot vouch for the list: before the watch is armed
/// and on the first look after, after lost events or git activity, while the watch is down, and to any reader but the
/// first (each reader's last look is its own). Thread-safe.
/// </summary>
internal sealed class ChangeJournal
{
    private readonly Lock _gate = new();
    private HashSet<string> _paths = new(StringComparer.Ordinal);
    private bool _armed;
    private bool _complete;
    private object? _reader;

    /// <summary>The watch runs: paths are recorded from now; the next look still scans everything.</summary>
    public void Arm()
    {
        lock (_gate)
        {
            _armed = true;
            _complete = false;
            _paths.Clear();
        }
    }

    /// <summary>The watch stopped or lost its hold: every look scans everything until it is armed again.</summary>
    public void Disarm()
    {
        lock (_gate)
        {
            _armed = false;
            _complete = false;
            _paths.Clear();
        }
    }

    /// <summary>These paths changed.</summary>
    public void Record(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        lock (_gate)
        {
            if (_complete)
            {
                _paths.UnionWith(paths);
            }
        }
    }

    /// <summary>Anything may have changed (lost events, git rewrote files): the next look scans everything.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _complete = false;
            _paths.Clear();
        }
    }

    /// <summary>
    /// The paths changed since <paramref name="reader"/> last looked, and a fresh start for the next look; null when the
    /// whole tree must be scanned. A reader whose scan then fails calls <see cref="Invalidate"/>: the paths are gone.
    /// </summary>
    public IReadOnlyCollection<string>? Take(object reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        lock (_gate)
        {
            var vouched = _armed && _complete && ReferenceEquals(_reader, reader);
            var paths = _paths;
            _paths = new HashSet<string>(StringComparer.Ordinal);
            _reader ??= reader;
            _complete = _armed && ReferenceEquals(_reader, reader);
            return vouched ? paths : null;
        }
    }
}
