using OpenShell.DevLoop.State;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// What the fingerprint file beside a binary on the node says (<c>openshell-sandbox.fingerprint</c>): the component
/// fingerprint the binary was built from and the sha256 it was swapped in with. Written after the swap, so it never names
/// a binary that is not in place.
/// </summary>
/// <param name="Fingerprint">The component fingerprint (64 lowercase hex digits, or empty for a component without inputs).</param>
/// <param name="Sha256">The sha256 of the binary it was written for.</param>
public sealed record NodeFingerprint(string Fingerprint, string Sha256)
{
    private const string FingerprintKey = "fingerprint=";
    private const string Sha256Key = "sha256=";

    /// <summary>The file's text for <paramref name="fingerprint"/> and <paramref name="sha256"/> (two <c>key=value</c> lines).</summary>
    /// <exception cref="ArgumentException">A value is not a fingerprint or a sha256 (it goes into a shell command).</exception>
    public static string Format(string fingerprint, string sha256)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(sha256);
        if (!DeployStateStore.IsFingerprint(fingerprint) || sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"'{fingerprint}' / '{sha256}' is not a fingerprint and a sha256.", nameof(fingerprint));
        }

        return $"{FingerprintKey}{fingerprint}\n{Sha256Key}{sha256}\n";
    }

    /// <summary>Reads the file's text; null when it is not what <see cref="Format"/> writes.</summary>
    public static NodeFingerprint? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fingerprint = lines.FirstOrDefault(l => l.StartsWith(FingerprintKey, StringComparison.Ordinal))?[FingerprintKey.Length..];
        var sha = lines.FirstOrDefault(l => l.StartsWith(Sha256Key, StringComparison.Ordinal))?[Sha256Key.Length..];
        return fingerprint is not null && sha is not null && DeployStateStore.IsFingerprint(fingerprint) && sha.Length == 64 && sha.All(char.IsAsciiHexDigitLower)
            ? new NodeFingerprint(fingerprint, sha)
            : null;
    }
}
