namespace OpenShell.DevLoop.Docker;

/// <summary>What the Docker engine reports about serving GPUs to containers (<c>GET /info</c>).</summary>
/// <param name="Endpoint">The engine's endpoint, for messages.</param>
/// <param name="ServerVersion">The engine's version.</param>
/// <param name="Runtimes">The registered container runtimes (<c>nvidia</c> once the NVIDIA Container Toolkit is configured).</param>
/// <param name="CdiSpecDirs">Where the engine reads CDI specs; null when it has no CDI support (before Docker 25), empty when CDI is off.</param>
public sealed record EngineGpuSupport(string Endpoint, string ServerVersion, IReadOnlyCollection<string> Runtimes, IReadOnlyList<string>? CdiSpecDirs)
{
    /// <summary>True when the NVIDIA runtime is registered.</summary>
    public bool HasNvidiaRuntime => Runtimes.Contains("nvidia", StringComparer.Ordinal);

    /// <summary>True when the engine resolves CDI devices.</summary>
    public bool HasCdi => CdiSpecDirs is { Count: > 0 };
}
