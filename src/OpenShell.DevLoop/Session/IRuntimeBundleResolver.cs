using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Session;

/// <summary>Finds and verifies the runtime bundle for an architecture.</summary>
internal interface IRuntimeBundleResolver
{
    /// <summary>Resolves (downloads or packs when needed) and verifies the bundle.</summary>
    Task<ResolvedBundle> ResolveAsync(string architecture, ILogger logger, CancellationToken ct);
}
