using System.Text;

namespace OpenShell.DevLoop.State;

/// <summary>
/// Reads and writes the deploy state file in upstream's format: <c>key=value</c> lines <c>cluster_name</c>,
/// <c>container_id</c>, then one fingerprint per component state key. Writes are atomic (temp file + rename).
/// A key whose value is not a fingerprint (written by a newer version, or malformed) does not spoil the file:
/// it is kept in <see cref="DeployState.OtherEntries"/>, ignored when planning and written back.
/// </summary>
public sealed class DeployStateStore
{
    /// <summary>The default location relative to the repository root.</summary>
    public const string DefaultRelativePath = ".cache/cluster-deploy-fast.state";

    /// <summary>The environment variable that overrides the location.</summary>
    public const string PathVariable = "DEPLOY_FAST_STATE_FILE";

    private const string ClusterNameKey = "cluster_name";
    private const string ContainerIdKey = "container_id";

    /// <summary>Creates a store for the file at <paramref name="path"/>.</summary>
    public DeployStateStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The state file's full path.</summary>
    public string Path { get; }

    /// <summary>The store for a repository: <paramref name="overridePath"/> (relative to the root) or <c>.cache/cluster-deploy-fast.state</c>.</summary>
    public static DeployStateStore ForRepository(string repositoryRoot, string? overridePath)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        return new DeployStateStore(System.IO.Path.Combine(repositoryRoot, string.IsNullOrWhiteSpace(overridePath) ? DefaultRelativePath : overridePath));
    }

    /// <summary>Reads the state; a missing file is no state, an unreadable or corrupt one is no state plus a warning.</summary>
    public async Task<DeployStateReadResult> ReadAsync(CancellationToken ct = default)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(Path, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new DeployStateReadResult(null, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new DeployStateReadResult(null, $"the deploy state file {Path} cannot be read ({ex.Message}); planning as if nothing was deployed. Fix its permissions or delete it.");
        }

        return Parse(text, Path);
    }

    /// <summary>Parses state text; <paramref name="source"/> names it in warnings.</summary>
    public static DeployStateReadResult Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? clusterName = null;
        var containerId = string.Empty;
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        var other = new List<KeyValuePair<string, string>>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? line[..equals] : string.Empty;
            var value = equals > 0 ? line[(equals + 1)..] : string.Empty;
            var known = key is ClusterNameKey or ContainerIdKey;
            if (key.Length == 0 || !key.All(IsKeyChar) || !value.All(known ? IsValueChar : IsTextChar))
            {
                return Corrupt(source, $"line {lineNumber} is not a key=value line");
            }

            switch (key)
            {
                case ClusterNameKey:
                    clusterName = value;
                    break;
                case ContainerIdKey:
                    containerId = value;
                    break;
                default:
                    // Like upstream's reader, the last line of a key wins.
                    other.RemoveAll(e => e.Key == key);
                    fingerprints.Remove(key);
                    if (IsFingerprint(value))
                    {
                        fingerprints[key] = value;
                    }
                    else
                    {
                        other.Add(new(key, value));
                    }

                    break;
            }
        }

        if (clusterName is null)
        {
            return Corrupt(source, "it has no cluster_name line");
        }

        return new DeployStateReadResult(new DeployState(clusterName, containerId, fingerprints) { OtherEntries = other }, null);
    }

    /// <summary>True for a value a fingerprint line may hold: empty (nothing to build) or 64 lowercase hex digits.</summary>
    public static bool IsFingerprint(string value) =>
        value is not null && (value.Length == 0 || (value.Length == 64 && value.All(char.IsAsciiHexDigitLower)));

    /// <summary>
    /// Formats a state as the file holds it: cluster_name, container_id, the fingerprints in <paramref name="keyOrder"/>,
    /// other fingerprints by key, then the other entries in their order (those not written as a fingerprint).
    /// </summary>
    public static string Format(DeployState state, IEnumerable<string> keyOrder)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(keyOrder);
        var builder = new StringBuilder();
        builder.Append(ClusterNameKey).Append('=').Append(state.ClusterName).Append('\n');
        builder.Append(ContainerIdKey).Append('=').Append(state.ContainerId).Append('\n');
        var order = keyOrder.ToList();
        foreach (var key in order.Concat(state.Fingerprints.Keys.Where(k => !order.Contains(k)).Order(StringComparer.Ordinal)))
        {
            if (state.Fingerprints.TryGetValue(key, out var value))
            {
                builder.Append(key).Append('=').Append(value).Append('\n');
            }
        }

        foreach (var (key, value) in state.OtherEntries)
        {
            if (key is not (ClusterNameKey or ContainerIdKey) && !state.Fingerprints.ContainsKey(key))
            {
                builder.Append(key).Append('=').Append(value).Append('\n');
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Writes the state atomically: a temp file beside the target, flushed, then renamed over it. Temp files a killed writer
    /// left beside it are removed first (writes are serialized by the deploy lock, so no other writer's temp file is live).
    /// </summary>
    /// <exception cref="Errors.DevLoopException">The disk is full; the old state file is kept, and the message names the folder and the remedy.</exception>
    public async Task WriteAsync(DeployState state, IEnumerable<string> keyOrder, CancellationToken ct = default)
    {
        var text = Format(state, keyOrder);
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.EnumerateFiles(directory, TempPattern(System.IO.Path.GetFileName(Path))))
        {
            File.Delete(stale);
        }

        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            await Deploy.DeployFaultPoints.ReachAsync(Deploy.DeployFaultPoints.StateWrite, ct).ConfigureAwait(false);
            File.Move(temp, Path, overwrite: true);
        }
        catch (IOException ex) when (FileSystem.DiskFull.Is(ex))
        {
            File.Delete(temp);
            throw new Errors.DevLoopException("Deploy state", $"{FileSystem.DiskFull.Message("writing the deploy state file", directory)}; {Path} still holds the state before this deploy, so what it deployed is deployed again next time",
                FileSystem.DiskFull.Remedy(directory, $"set {PathVariable} (OpenShell:Deploy:StateFile) to a file on another disk"), innerException: ex);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The names of the temp files a write of <paramref name="fileName"/> uses (a glob).</summary>
    internal static string TempPattern(string fileName) => $".{fileName}.{new string('?', 32)}.tmp";

    private static DeployStateReadResult Corrupt(string source, string why) =>
        new(null, $"the deploy state file {source} is corrupt ({why}); planning as if nothing was deployed. It is rewritten after the next successful deploy, or delete it.");

    private static bool IsKeyChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    private static bool IsValueChar(char c) => c is > ' ' and < (char)0x7F;

    // Another tool's value may hold spaces; control characters still mean the file is damaged.
    private static bool IsTextChar(char c) => !char.IsControl(c);
}
