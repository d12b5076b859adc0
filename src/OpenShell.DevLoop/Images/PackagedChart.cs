namespace OpenShell.DevLoop.Images;

/// <summary>A chart packaged as <c>&lt;name&gt;-&lt;version&gt;.tgz</c>.</summary>
/// <param name="Path">The .tgz file.</param>
/// <param name="Name">The chart name from Chart.yaml.</param>
/// <param name="Version">The chart version from Chart.yaml.</param>
/// <param name="Sha256">The lowercase hex SHA-256 of the .tgz bytes.</param>
public sealed record PackagedChart(string Path, string Name, string Version, string Sha256)
{
    /// <summary>The file name, e.g. <c>openshell-0.1.0.tgz</c>.</summary>
    public string FileName => $"{Name}-{Version}.tgz";
}
