namespace OpenShell.DevLoop.Engine;

/// <summary>What a successful check of the engine learned.</summary>
/// <param name="Platform">The engine's OS and architecture, e.g. <c>linux/arm64</c>.</param>
/// <param name="Version">The engine's version.</param>
/// <param name="Forwards">Each forwarded engine port and its local port; empty when the engine shares this machine's loopback.</param>
public sealed record EngineFacts(string Platform, string Version, IReadOnlyDictionary<int, int> Forwards);
