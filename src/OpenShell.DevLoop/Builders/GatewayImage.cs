namespace OpenShell.DevLoop.Builders;

/// <summary>A gateway image in the registry.</summary>
/// <param name="Tag">The tagged reference, e.g. <c>127.0.0.1:5000/openshell/gateway:dev</c>.</param>
/// <param name="Repository">The repository without tag, e.g. <c>127.0.0.1:5000/openshell/gateway</c>.</param>
/// <param name="Digest">The manifest digest the registry stores (<c>sha256:…</c>).</param>
public sealed record GatewayImage(string Tag, string Repository, string Digest)
{
    /// <summary>The digest-pinned reference (<c>repository@sha256:…</c>).</summary>
    public string Pinned => $"{Repository}@{Digest}";

    /// <summary>
    /// False when the registry already held an image of the same content under the tag, so nothing was pushed and
    /// <see cref="Digest"/> is that image's: the chart keeps its digest and nothing rolls out.
    /// </summary>
    public bool Pushed { get; init; } = true;

    /// <summary>Bytes of the layers uploaded by the push (layers the registry had are not counted).</summary>
    public long BytesPushed { get; init; }

    /// <summary>How many layers the push uploaded.</summary>
    public int LayersPushed { get; init; }

    /// <summary>How many layers the registry already had.</summary>
    public int LayersReused { get; init; }
}
