namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Path rules for archive entries and link targets (always '/'-separated).</summary>
internal static class BundlePaths
{
    /// <summary>Explains why an archive entry name is unsafe, or returns null when it is fine.</summary>
    public static string? WhyUnsafe(string name)
    {
        if (name.Length == 0)
        {
            return "has an empty name";
        }

        if (name[0] == '/')
        {
            return "is an absolute path";
        }

        if (name.Length >= 2 && name[1] == ':')
        {
            return "is a drive-qualified path";
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return "contains a backslash";
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            return "contains a NUL character";
        }

        var segments = (name.EndsWith('/') ? name[..^1] : name).Split('/');
        if (segments.Any(s => s == ".."))
        {
            return "contains '..' and could land outside the bundle directory";
        }

        if (segments.Skip(1).Any(s => s.Length == 0 || s == "."))
        {
            return "has an empty or '.' path segment";
        }

        return null;
    }

    /// <summary>Strips the leading "./" some tar invocations write; null for the archive root itself.</summary>
    public static string? StripDotPrefix(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        return name.Length == 0 || name == "." ? null : name;
    }

    /// <summary>
    /// Resolves a symlink target relative to the link's folder (both relative to the bundle directory);
    /// null when it is absolute, climbs out of the bundle directory, or has a '..' after a name: the kernel
    /// resolves "a/../x" through whatever "a" links to, so only leading '..' segments can be checked by text.
    /// </summary>
    public static string? ResolveLinkTarget(string linkPath, string target)
    {
        if (target.Length == 0 || target[0] == '/' || target.Contains('\\', StringComparison.Ordinal) || target.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var parts = new List<string>(linkPath.Split('/'));
        parts.RemoveAt(parts.Count - 1);
        var climbing = true;
        foreach (var segment in target.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (!climbing || parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            climbing = false;
            parts.Add(segment);
        }

        return string.Join('/', parts);
    }
}
