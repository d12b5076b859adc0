namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>Settings overrides from several groups of a command's switches, as one layer.</summary>
internal static class SwitchOverrides
{
    /// <summary>The union of <paramref name="groups"/>; the groups set different keys, so none overrides another.</summary>
    public static IReadOnlyDictionary<string, string?> Merge(params IReadOnlyDictionary<string, string?>[] groups)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in groups)
        {
            foreach (var (key, value) in group)
            {
                merged[key] = value;
            }
        }

        return merged;
    }
}
