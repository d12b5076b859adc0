using System.Diagnostics;
using OpenShell.DevLoop.Deploy;

namespace OpenShell.Bench.Deploy;

/// <summary>Records when each deploy event arrived, to time parts of a step.</summary>
internal sealed class TimedEvents : IProgress<DeployEvent>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(double At, DeployEvent Event)> _events = [];

    public void Report(DeployEvent value)
    {
        lock (_events)
        {
            _events.Add((_clock.Elapsed.TotalSeconds, value));
        }
    }

    /// <summary>Seconds from the progress event starting with <paramref name="from"/> to the one starting with <paramref name="to"/> (null: the step's end).</summary>
    public double Between(DeployStep step, string from, string? to)
    {
        lock (_events)
        {
            var start = _events.First(e => e.Event.Step == step && e.Event.Message.StartsWith(from, StringComparison.Ordinal)).At;
            var end = to is null
                ? _events.First(e => e.Event.Step == step && e.Event.Kind == DeployEventKind.Succeeded).At
                : _events.First(e => e.Event.Step == step && e.Event.Message.StartsWith(to, StringComparison.Ordinal)).At;
            return end - start;
        }
    }

    /// <summary>The duration the step reported.</summary>
    public double Duration(DeployStep step)
    {
        lock (_events)
        {
            return _events.First(e => e.Event.Step == step && e.Event.Kind == DeployEventKind.Succeeded).Event.Elapsed!.Value.TotalSeconds;
        }
    }
}
