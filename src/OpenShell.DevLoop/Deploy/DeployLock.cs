namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// One deploy at a time per checkout: a lock file under <c>.cache/</c> held open with <see cref="FileShare.None"/>.
/// The operating system releases it when the process dies, so a crashed deploy never leaves a stale lock.
/// </summary>
internal sealed class DeployLock : IDisposable
{
    /// <summary>The lock file relative to the repository root.</summary>
    public const string RelativePath = FileSystem.CachePaths.DeployLockRelativePath;

    /// <summary>The line shown while waiting.</summary>
    public const string WaitingMessage = "Waiting for another deploy of this checkout to finish...";

    private static readonly TimeSpan s_retry = TimeSpan.FromMilliseconds(100);
    private readonly FileSystem.CrossProcessLock _lock;

    private DeployLock(FileSystem.CrossProcessLock held) => _lock = held;

    /// <summary>
    /// Takes the lock of the checkout at <paramref name="repositoryRoot"/>; calls <paramref name="onWaiting"/> once when
    /// another deploy holds it, and throws <see cref="DeployException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<DeployLock> AcquireAsync(string repositoryRoot, TimeSpan timeout, Action onWaiting, CancellationToken ct = default)
    {
        var path = Path.Combine(repositoryRoot, RelativePath);
        var held = await FileSystem.CrossProcessLock.AcquireAsync(path, timeout, s_retry, onWaiting, ct).ConfigureAwait(false)
            ?? throw new DeployException(DeployStep.Total,
                $"Another deploy of this checkout still holds {path} after {timeout.TotalSeconds:F0} s. Wait for it to finish (or stop it), then run the deploy again.");
        return new DeployLock(held);
    }

    public void Dispose() => _lock.Dispose();
}
