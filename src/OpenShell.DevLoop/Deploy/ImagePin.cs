namespace OpenShell.DevLoop.Deploy;

/// <summary>One image a chart's values pin.</summary>
/// <param name="ValuesKey">Where in the values (<c>image</c>: <c>image.repository</c>, <c>image.digest</c>, <c>image.pullPolicy</c>); dots nest.</param>
/// <param name="Repository">The image repository (<c>127.0.0.1:5000/openshell/gateway</c>).</param>
/// <param name="Digest">The manifest digest to pin, or null to keep what the values hold.</param>
internal sealed record ImagePin(string ValuesKey, string Repository, string? Digest);
