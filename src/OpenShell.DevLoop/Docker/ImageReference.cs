namespace OpenShell.DevLoop.Docker;

/// <summary>An image reference split the way Docker reads it: [registry/]repository[:tag][@digest].</summary>
/// <param name="Registry">The registry host (and port), or null for a local/Docker Hub short name.</param>
/// <param name="Repository">The repository path.</param>
/// <param name="Tag">The tag; <c>latest</c> when none is given.</param>
/// <param name="Digest">The digest, when pinned.</param>
public sealed record ImageReference(string? Registry, string Repository, string Tag, string? Digest)
{
    /// <summary>Parses a reference such as <c>127.0.0.1:5000/openshell/gateway:dev</c>.</summary>
    /// <exception cref="FormatException">The text is not an image reference.</exception>
    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var text = reference.Trim();
        if (text.Length == 0 || text.Any(char.IsWhiteSpace))
        {
            throw new FormatException($"'{reference}' is not an image reference (expected [registry/]name[:tag][@digest]).");
        }

        string? digest = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            text = text[..at];
        }

        string? registry = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = text[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first;
                text = text[(slash + 1)..];
            }
        }

        var tag = "latest";
        var colon = text.LastIndexOf(':');
        if (colon > text.LastIndexOf('/'))
        {
            tag = text[(colon + 1)..];
            text = text[..colon];
        }

        if (text.Length == 0 || tag.Length == 0 || digest is { Length: 0 })
        {
            throw new FormatException($"'{reference}' is not an image reference (expected [registry/]name[:tag][@digest]).");
        }

        return new ImageReference(registry, text, tag, digest);
    }

    /// <summary>The reference in canonical text form.</summary>
    public override string ToString() =>
        (Registry is null ? "" : Registry + "/") + Repository + ":" + Tag + (Digest is null ? "" : "@" + Digest);
}
