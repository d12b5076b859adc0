using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>Prints image pull progress to stderr, one line per tenth of an image's download, so logs stay short.</summary>
internal sealed class ImagePullPrinter(TextWriter stderr) : IProgress<ImagePullProgress>
{
    private readonly Lock _gate = new();
    private string? _image;
    private int _lastTenth = -1;

    public void Report(ImagePullProgress value)
    {
        if (value.LayersTotal == 0)
        {
            return;
        }

        var tenth = value.BytesTotal > 0
            ? (int)Math.Min(10, value.BytesDone * 10 / value.BytesTotal)
            : value.LayersDone * 10 / value.LayersTotal;
        lock (_gate)
        {
            if (_image != value.Image)
            {
                _image = value.Image;
                _lastTenth = -1;
            }

            if (tenth <= _lastTenth)
            {
                return;
            }

            _lastTenth = tenth;
            stderr.WriteLine(FormattableString.Invariant(
                $"pulling {value.Image}: {tenth * 10}% ({value.BytesDone >> 20} of {value.BytesTotal >> 20} MiB, {value.LayersDone}/{value.LayersTotal} layers)"));
        }
    }
}
