namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>One entry of <see cref="ManifestDto.Files"/>.</summary>
internal sealed class ManifestFileDto
{
    public string? Path { get; set; }

    public long? Size { get; set; }

    public string? Sha256 { get; set; }

    public string? Mode { get; set; }

    public string? Target { get; set; }
}
