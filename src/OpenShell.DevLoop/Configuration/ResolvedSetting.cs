namespace OpenShell.DevLoop.Configuration;

/// <summary>One resolved setting and where its value came from.</summary>
/// <param name="Key">The settings key, e.g. <c>OpenShell:Cluster:ImageTag</c>.</param>
/// <param name="Value">The value in effect, <c>********</c> for a secret that is set.</param>
/// <param name="Source">Where it came from: a settings file, a variable (and whether in the environment or <c>.env</c>), a switch, or the default.</param>
public sealed record ResolvedSetting(string Key, string Value, string Source);
