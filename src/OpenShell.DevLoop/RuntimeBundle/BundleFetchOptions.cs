namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Settings for <see cref="RuntimeBundleFetcher"/>.</summary>
public sealed record BundleFetchOptions
{
    /// <summary>The cache folder; <see cref="RuntimeBundleFetcher.DefaultCacheDirectory"/> when null.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>How many times a download is attempted (resuming where it stopped) before giving up.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Limits for verifying the downloaded bundle.</summary>
    public BundleLimits? Limits { get; init; }

    /// <summary>The HTTP handler to use; a new <see cref="SocketsHttpHandler"/> when null.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
