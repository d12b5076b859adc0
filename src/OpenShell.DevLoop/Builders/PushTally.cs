using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Builders;

/// <summary>
/// Counts what a push did from the engine's progress messages: layers uploaded (<c>Pushed</c>) with their bytes (the
/// largest size a <c>Pushing</c> message reported for the layer), and layers the registry already had
/// (<c>Layer already exists</c>, <c>Mounted from …</c>).
/// </summary>
internal sealed class PushTally
{
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pushed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reused = new(StringComparer.Ordinal);

    /// <summary>Bytes of the uploaded layers.</summary>
    public long BytesPushed
    {
        get
        {
            lock (_bytes)
            {
                return _pushed.Sum(id => _bytes.GetValueOrDefault(id));
            }
        }
    }

    /// <summary>Layers uploaded.</summary>
    public int LayersPushed
    {
        get
        {
            lock (_bytes)
            {
                return _pushed.Count;
            }
        }
    }

    /// <summary>Layers the registry already had.</summary>
    public int LayersReused
    {
        get
        {
            lock (_bytes)
            {
                return _reused.Count;
            }
        }
    }

    /// <summary>Takes one progress message of the push.</summary>
    public void Add(JSONMessage message)
    {
        if (string.IsNullOrEmpty(message.ID) || message.Status is not { } status)
        {
            return;
        }

        lock (_bytes)
        {
            if (status.StartsWith("Pushing", StringComparison.Ordinal) && message.Progress is { } progress)
            {
                var size = Math.Max(progress.Total, progress.Current);
                _bytes[message.ID] = Math.Max(size, _bytes.GetValueOrDefault(message.ID));
            }
            else if (status == "Pushed")
            {
                _pushed.Add(message.ID);
            }
            else if (status == "Layer already exists" || status.StartsWith("Mounted from", StringComparison.Ordinal))
            {
                _reused.Add(message.ID);
            }
        }
    }

    /// <summary><paramref name="image"/> with the counts.</summary>
    public GatewayImage Describe(GatewayImage image) =>
        image with { BytesPushed = BytesPushed, LayersPushed = LayersPushed, LayersReused = LayersReused };
}
