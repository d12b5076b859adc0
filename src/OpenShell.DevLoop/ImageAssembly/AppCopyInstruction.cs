using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenShell.DevLoop.ImageAssembly;

/// <summary>
/// The Dockerfile's <c>COPY app/ &lt;destination&gt;</c> in its final stage: where the app layer puts the application's
/// files and who owns them. The rest of the Dockerfile (<see cref="BaseDockerfile"/>) builds the base image the app
/// layer is stacked on.
/// </summary>
/// <param name="Destination">The absolute folder the files land in, without a trailing slash (<c>/opt/openshell/server</c>).</param>
/// <param name="Uid">The files' owner (<c>--chown</c>; 0 without it).</param>
/// <param name="Gid">The files' group (<c>--chown</c>; 0 without it).</param>
/// <param name="Instruction">The instruction as written, for the image's history.</param>
/// <param name="BaseDockerfile">The Dockerfile without that instruction.</param>
internal sealed partial record AppCopyInstruction(string Destination, int Uid, int Gid, string Instruction, string BaseDockerfile)
{
    /// <summary>
    /// The app <c>COPY</c> of <paramref name="dockerfile"/>, or null when its final stage has none the app layer can stand
    /// in for (none, several, a relative destination, owners by name or other flags): such an image is built whole by the engine.
    /// </summary>
    public static AppCopyInstruction? Find(string dockerfile)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        var lines = dockerfile.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var lastFrom = Array.FindLastIndex(lines, l => FromLine().IsMatch(l));
        var found = -1;
        Match? match = null;
        for (var i = lastFrom + 1; lastFrom >= 0 && i < lines.Length; i++)
        {
            // A continued line is part of another instruction; only a one-line COPY is recognised.
            if (i > 0 && lines[i - 1].EndsWith('\\'))
            {
                continue;
            }

            if (CopyLine().Match(lines[i]) is { Success: true } m)
            {
                if (found >= 0)
                {
                    return null;
                }

                (found, match) = (i, m);
            }
        }

        if (match is null || match.Groups["destination"].Value is not ['/', ..] destination)
        {
            return null;
        }

        var uid = match.Groups["uid"].Success ? int.Parse(match.Groups["uid"].Value, CultureInfo.InvariantCulture) : 0;
        var gid = match.Groups["gid"].Success ? int.Parse(match.Groups["gid"].Value, CultureInfo.InvariantCulture) : uid;
        var trimmed = destination.TrimEnd('/');
        return new AppCopyInstruction(
            trimmed.Length == 0 ? "/" : trimmed, uid, gid, lines[found].Trim(), string.Join('\n', lines.Where((_, i) => i != found)));
    }

    [GeneratedRegex(@"^\s*FROM\s", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^\s*COPY\s+(?:--chown=(?<uid>\d+)(?::(?<gid>\d+))?\s+)?\.?/?app/?\s+(?<destination>\S+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CopyLine();
}
