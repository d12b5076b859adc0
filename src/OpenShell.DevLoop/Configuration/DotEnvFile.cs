using System.Text;

namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// A repository's <c>.env</c>, read the way OpenShell's task runner loads it: <c>KEY=value</c> lines, <c>#</c> comments,
/// an optional <c>export</c> prefix, single quotes (literal), double quotes (<c>\n</c>, <c>\"</c>, <c>\\</c>, <c>\$</c> escapes),
/// and <c>${KEY}</c> expanded from keys defined earlier in the file only (never from the process environment).
/// </summary>
public sealed class DotEnvFile
{
    private DotEnvFile(string path, IReadOnlyDictionary<string, string> values, IReadOnlyList<string> warnings)
    {
        Path = path;
        Values = values;
        Warnings = warnings;
    }

    /// <summary>The file read (it may not exist).</summary>
    public string Path { get; }

    /// <summary>The variables, last definition winning.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>References to keys not defined earlier (expanded to nothing), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Reads <c>.env</c> in <paramref name="repositoryRoot"/>; a missing file has no variables.</summary>
    /// <exception cref="InvalidOperationException">A line is malformed; the message names the file, the line and the fix.</exception>
    public static DotEnvFile Load(string repositoryRoot)
    {
        var path = System.IO.Path.Combine(repositoryRoot, ".env");
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : new DotEnvFile(path, new Dictionary<string, string>(StringComparer.Ordinal), []);
    }

    /// <summary>Parses the text of a <c>.env</c> file; <paramref name="path"/> names it in errors.</summary>
    public static DotEnvFile Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal) || line.StartsWith("export\t", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? line : line[..equals].TrimEnd();
            if (equals < 0 || !IsKey(key))
            {
                throw new InvalidOperationException(
                    $"{path}:{number}: '{lines[number - 1].Trim()}' is not a KEY=value line; write it as NAME=value (letters, digits and '_', not starting with a digit) or comment it out with '#'.");
            }

            values[key] = Value(line[(equals + 1)..].TrimStart(), values, path, number, warnings);
        }

        return new DotEnvFile(path, values, warnings);
    }

    private static string Value(string raw, Dictionary<string, string> earlier, string path, int number, List<string> warnings)
    {
        if (raw.StartsWith('\''))
        {
            var end = raw.IndexOf('\'', 1);
            Require(end > 0 && IsTrailer(raw[(end + 1)..]), path, number, "a single-quoted value must end with ' on the same line");
            return raw[1..end];
        }

        if (raw.StartsWith('"'))
        {
            var result = new StringBuilder();
            for (var i = 1; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '"')
                {
                    Require(IsTrailer(raw[(i + 1)..]), path, number, "text follows the closing double quote");
                    return result.ToString();
                }

                if (c == '\\' && i + 1 < raw.Length)
                {
                    i++;
                    result.Append(raw[i] switch { 'n' => '\n', 't' => '\t', _ => raw[i] });
                }
                else if (c == '$' && i + 1 < raw.Length && raw[i + 1] == '{')
                {
                    i = Expand(raw, i, result, earlier, path, number, warnings);
                }
                else
                {
                    result.Append(c);
                }
            }

            Require(false, path, number, "a double-quoted value must end with \" on the same line");
        }

        // Unquoted: up to an inline comment (" #"), trimmed.
        var comment = raw.IndexOf(" #", StringComparison.Ordinal);
        var text = (comment >= 0 ? raw[..comment] : raw).TrimEnd();
        var unquoted = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                i = Expand(text, i, unquoted, earlier, path, number, warnings);
            }
            else
            {
                unquoted.Append(text[i]);
            }
        }

        return unquoted.ToString();
    }

    // Expands ${KEY} at raw[start]; returns the index of its closing brace.
    private static int Expand(string raw, int start, StringBuilder into, Dictionary<string, string> earlier, string path, int number, List<string> warnings)
    {
        var close = raw.IndexOf('}', start + 2);
        Require(close > start + 2, path, number, "'${' has no closing '}'");
        var name = raw[(start + 2)..close];
        Require(IsKey(name), path, number, $"'${{{name}}}' is not a variable reference; only ${{KEY}} of keys defined above is expanded");
        if (earlier.TryGetValue(name, out var value))
        {
            into.Append(value);
        }
        else
        {
            warnings.Add($"{path}:{number}: ${{{name}}} is not defined above in the file and expands to nothing (the process environment is not read)");
        }

        return close;
    }

    private static bool IsTrailer(string rest)
    {
        var trimmed = rest.TrimStart();
        return trimmed.Length == 0 || trimmed[0] == '#';
    }

    private static void Require(bool condition, string path, int number, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{path}:{number}: {problem}; fix the line or comment it out with '#'.");
        }
    }

    private static bool IsKey(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
