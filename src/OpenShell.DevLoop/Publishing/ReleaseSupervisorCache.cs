using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Git;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// Keeps the release supervisors a publish built, so a publish whose supervisor inputs did not change reuses the binary
/// instead of linking it again (a NativeAOT link takes minutes). A binary is stored content-addressed
/// (<c>blobs/&lt;sha256&gt;</c>), and a record named after the build's key names its sha256; both are written atomically
/// and a blob is used only when its bytes still have its name, so an interrupted or damaged entry means a rebuild, never
/// a wrong binary.
/// <para>
/// The key covers what the release build is a function of: the supervisor component's content fingerprint (the one
/// the dev loop uses to decide a supervisor is unchanged), the runtime identifier, the configuration, the machine's
/// architecture (it decides NativeAOT or trimmed single file) and the commit HEAD names (a release build carries it in
/// its version).
/// </para>
/// </summary>
/// <param name="directory">The cache folder (<c>.cache/publish/supervisor</c>).</param>
public sealed partial class ReleaseSupervisorCache(string directory)
{
    private static readonly TimeSpan s_lockRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>
    /// The key of the release supervisor for <paramref name="architecture"/> built from the working tree at
    /// <paramref name="repositoryRoot"/>, or null when its inputs cannot be told (no catalogue component builds the
    /// supervisor's project, or HEAD cannot be read from files): then nothing is reused.
    /// </summary>
    public static async Task<string?> KeyAsync(string repositoryRoot, string architecture, CancellationToken ct = default)
    {
        var fingerprints = await ComponentFingerprints.ComputeAsync(repositoryRoot, ct).ConfigureAwait(false);
        var supervisor = fingerprints.Where(f => f.Key.Binary?.Project == SupervisorPublisher.ProjectPath).Select(f => f.Value).FirstOrDefault();
        var head = GitHead.ReadState(GitRepository.Discover(repositoryRoot));
        if (string.IsNullOrEmpty(supervisor) || head is null)
        {
            return null;
        }

        var text = $"fingerprint {supervisor}\nrid {Images.ClusterArchitecture.RuntimeIdentifier(architecture)}\nconfiguration Release\n"
            + $"host {RuntimeInformation.OSArchitecture}\nhead {head}\n";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// The cached binary of <paramref name="key"/>; else runs <paramref name="publish"/>, stores its binary and returns the
    /// stored copy. A null key always publishes (and stores nothing).
    /// </summary>
    /// <returns>The binary's path and whether it was reused.</returns>
    public async Task<(string Binary, bool Reused)> GetOrPublishAsync(string? key, Func<Task<string>> publish, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(logger);
        if (key is null)
        {
            return (await publish().ConfigureAwait(false), false);
        }

        if (await FindAsync(key, ct).ConfigureAwait(false) is { } cached)
        {
            LogReused(logger, cached, key);
            return (cached, true);
        }

        // Checkouts sharing the folder may build the same key at once: one links, the others wait and reuse its binary.
        using var building = await FileSystem.CrossProcessLock.AcquireAsync(RecordPath(key) + ".lock", timeout: null, s_lockRetry,
            () => LogWaiting(logger, key), ct).ConfigureAwait(false);
        if (await FindAsync(key, ct).ConfigureAwait(false) is { } builtElsewhere)
        {
            LogReused(logger, builtElsewhere, key);
            return (builtElsewhere, true);
        }

        var built = await publish().ConfigureAwait(false);
        var bytes = await File.ReadAllBytesAsync(built, ct).ConfigureAwait(false);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var blob = BlobPath(sha256);
        await FileSystem.AtomicFile.WriteAsync(blob, bytes, (UnixFileMode)0b111_101_101, ct).ConfigureAwait(false);
        await FileSystem.AtomicFile.WriteTextAsync(RecordPath(key), sha256 + "\n", ct: ct).ConfigureAwait(false);
        return (blob, false);
    }

    // The blob a record names, when both exist and the blob's bytes still hash to its name.
    private async Task<string?> FindAsync(string key, CancellationToken ct)
    {
        var record = RecordPath(key);
        if (!File.Exists(record))
        {
            return null;
        }

        var sha256 = (await File.ReadAllTextAsync(record, ct).ConfigureAwait(false)).Trim();
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower) || BlobPath(sha256) is not { } blob || !File.Exists(blob))
        {
            return null;
        }

        await using var stream = File.OpenRead(blob);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false)) == sha256 ? blob : null;
    }

    private string RecordPath(string key) => Path.Combine(Directory, "keys", key);

    private string BlobPath(string sha256) => Path.Combine(Directory, "blobs", sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for another build of the release supervisor with key {Key}")]
    private static partial void LogWaiting(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reusing the release supervisor {Binary}: its inputs did not change (key {Key})")]
    private static partial void LogReused(ILogger logger, string binary, string key);
}
