namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// Computes <see cref="ComponentFingerprint"/>s plan after plan, hashing again only a component whose inputs changed.
/// The scanner hands out the same <see cref="InputFile"/> record for a file until its content or presence changes, so a
/// component whose inputs are the very same records as last time has the same fingerprint. Not thread-safe: the planner
/// runs one plan at a time.
/// </summary>
internal sealed class ComponentFingerprinter
{
    private readonly Dictionary<int, (InputFile[] Inputs, string Fingerprint)> _last = [];

    /// <summary>The fingerprint of component <paramref name="bit"/> and how many input files it has.</summary>
    public (string Fingerprint, int Inputs) Compute(IReadOnlyList<InputFile> sortedFiles, ulong[] fileMasks, int bit)
    {
        var inputs = ComponentFingerprint.Select(sortedFiles, fileMasks, bit);
        if (_last.TryGetValue(bit, out var last) && SameRecords(inputs, last.Inputs))
        {
            return (last.Fingerprint, inputs.Length);
        }

        var fingerprint = ComponentFingerprint.Hash(inputs);
        _last[bit] = (inputs, fingerprint);
        return (fingerprint, inputs.Length);
    }

    private static bool SameRecords(InputFile[] a, InputFile[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!ReferenceEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
