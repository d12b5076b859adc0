using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>Prints bundle progress to stderr, one line per tenth of the work, so logs stay short.</summary>
internal sealed class ProgressPrinter(TextWriter stderr) : IProgress<BundleProgress>
{
    private BundleOperation? _operation;
    private int _lastTenth = -1;

    public void Report(BundleProgress value)
    {
        if (value.BytesTotal is not > 0)
        {
            return;
        }

        if (_operation != value.Operation)
        {
            _operation = value.Operation;
            _lastTenth = -1;
        }

        var tenth = (int)Math.Min(10, value.BytesDone * 10 / value.BytesTotal.Value);
        if (tenth == _lastTenth)
        {
            return;
        }

        _lastTenth = tenth;
        var verb = value.Operation switch
        {
            BundleOperation.Download => "downloading",
            BundleOperation.Extract => "verifying",
            _ => "packing",
        };
        stderr.WriteLine(FormattableString.Invariant($"{verb}: {tenth * 10}% ({value.BytesDone >> 20} of {value.BytesTotal.Value >> 20} MiB)"));
    }
}
