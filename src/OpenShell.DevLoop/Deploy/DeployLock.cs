using System.Diagnostics;

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
    private readonly FileStream _stream;

    private DeployLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the lock of the checkout at <paramref name="repositoryRoot"/>; calls <paramref name="onWaiting"/> once when
    /// another deploy holds it, and throws <see cref="DeployException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<DeployLock> AcquireAsync(string repositoryRoot, TimeSpan timeout, Action onWaiting, CancellationToken ct = default)
    {
        var path = Path.Combine(repositoryRoot, RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var watch = Stopwatch.StartNew();
        var announced = false;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new DeployLock(stream);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held by another deploy (a sharing violation): wait and retry.
            }

            if (!announced)
            {
                announced = true;
                onWaiting();
            }

            if (watch.Elapsed >= timeout)
            {
                throw new DeployException(DeployStep.Total,
                    $"Another deploy of this checkout still holds {path} after {timeout.TotalSeconds:F0} s. Wait for it to finish (or stop it), then run the deploy again.");
            }

            await Task.Delay(s_retry, ct).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stream.Dispose();
}
