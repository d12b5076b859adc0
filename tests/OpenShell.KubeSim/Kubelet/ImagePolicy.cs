namespace OpenShell.KubeSim.Kubelet;

/// <summary>Kubernetes' image rules: the default pull policy of a reference, and its repository and tag (or digest) for a pull.</summary>
internal static class ImagePolicy
{
    public const string Always = "Always";
    public const string IfNotPresent = "IfNotPresent";
    public const string Never = "Never";

    /// <summary>The policy a container gets: its own, else <c>Always</c> for <c>:latest</c> or no tag, else <c>IfNotPresent</c>.</summary>
    public static string Effective(string image, string? declared)
    {
        if (declared is Always or IfNotPresent or Never)
        {
            return declared;
        }

        var (_, tag, digest) = Split(image);
        return digest is null && (tag is null || tag == "latest") ? Always : IfNotPresent;
    }

    /// <summary>Splits <c>repo[:tag][@digest]</c>; the registry's port is not a tag.</summary>
    public static (string Repository, string? Tag, string? Digest) Split(string image)
    {
        string? digest = null;
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = image[(at + 1)..];
            image = image[..at];
        }

        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..], digest) : (image, null, digest);
    }
}
