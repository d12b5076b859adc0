namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>The manifest as it sits in JSON; every field nullable so a missing one can be reported by name.</summary>
internal sealed class ManifestDto
{
    public int? SchemaVersion { get; set; }

    public string? Name { get; set; }

    public string? Version { get; set; }

    public string? Architecture { get; set; }

    public List<ManifestFileDto?>? Files { get; set; }
}
