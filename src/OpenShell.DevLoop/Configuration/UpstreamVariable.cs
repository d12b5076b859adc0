namespace OpenShell.DevLoop.Configuration;

/// <summary>One upstream variable and the settings key it sets.</summary>
/// <param name="Name">The variable, e.g. <c>IMAGE_TAG</c>.</param>
/// <param name="Key">The settings key, e.g. <c>OpenShell:Cluster:ImageTag</c>.</param>
/// <param name="Convert">Upstream's reading of the value, as a settings value.</param>
public sealed record UpstreamVariable(string Name, string Key, Func<string, string> Convert);
