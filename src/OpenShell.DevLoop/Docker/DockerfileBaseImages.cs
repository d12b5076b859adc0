using System.Text.RegularExpressions;

namespace OpenShell.DevLoop.Docker;

/// <summary>
/// The images a Dockerfile builds FROM, with <c>ARG</c> defaults and build arguments substituted, so every base image
/// (including one a later change adds) can be pulled before the legacy builder would pull it silently without credentials.
/// </summary>
public static partial class DockerfileBaseImages
{
    /// <summary>The external images named by <c>FROM</c> lines (not earlier stages, not <c>scratch</c>), in order.</summary>
    public static IReadOnlyList<string> Read(string dockerfile, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var images = new List<string>();
        foreach (var raw in JoinContinuations(dockerfile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (ArgLine().Match(line) is { Success: true } arg)
            {
                var name = arg.Groups["name"].Value;
                args[name] = buildArgs is not null && buildArgs.TryGetValue(name, out var given)
                    ? given
                    : Unquote(Substitute(arg.Groups["value"].Value, args));
                continue;
            }

            if (FromLine().Match(line) is { Success: true } from)
            {
                var image = Substitute(from.Groups["image"].Value, args);
                if (from.Groups["stage"].Success)
                {
                    stages.Add(from.Groups["stage"].Value);
                }

                if (image.Length > 0 && !image.Equals("scratch", StringComparison.OrdinalIgnoreCase) && !stages.Contains(image) && !images.Contains(image))
                {
                    images.Add(image);
                }
            }
        }

        return images;
    }

    private static IEnumerable<string> JoinContinuations(string text)
    {
        var current = new System.Text.StringBuilder();
        foreach (var line in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }

            current.Append(line);
            yield return current.ToString();
            current.Clear();
        }
    }

    private static string Substitute(string text, Dictionary<string, string> args) =>
        Variable().Replace(text, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
            if (args.TryGetValue(name, out var value) && value.Length > 0)
            {
                return value;
            }

            return m.Groups["default"].Success ? m.Groups["default"].Value : string.Empty;
        });

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;

    [GeneratedRegex(@"^ARG\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:=(?<value>\S*))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ArgLine();

    [GeneratedRegex(@"^FROM\s+(?:--platform=\S+\s+)?(?<image>\S+)(?:\s+AS\s+(?<stage>\S+))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?<default>[^}]*))?\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
