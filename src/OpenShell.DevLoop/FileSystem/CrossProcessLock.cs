using System.Diagnostics;

namespace OpenShell.DevLoop.FileSystem;

/// <summary>
/// A lock shared by every process on this machine: a lock file held open with <see cref="FileShare.None"/>. The operating
/// system releases it when the holder dies, so a crashed holder never leaves a stale lock.
/// </summary>
internal sealed class CrossProcessLock : IDisposable
{
    private readonly FileStream _stream;

    private CrossProcessLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the lock at <paramref name="path"/>, creating its folder; calls <paramref name="onWaiting"/> once when another
    /// process holds it, retrying every <paramref name="retry"/>.
    /// </summary>
    /// <returns>The lock, or null when <paramref name="timeout"/> (null: none) passed first.</returns>
    public static async Task<CrossProcessLock?> AcquireAsync(string path, TimeSpan? timeout, TimeSpan retry, Action onWaiting, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onWaiting);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var clock = Stopwatch.StartNew();
        var announced = false;
        while (true)
        {
            try
            {
                return new CrossProcessLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held by another process (a sharing violation): wait and retry.
            }

            if (!announced)
            {
                announced = true;
                onWaiting();
            }

            if (clock.Elapsed >= timeout)
            {
                return null;
            }

            await Task.Delay(retry, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();
}
