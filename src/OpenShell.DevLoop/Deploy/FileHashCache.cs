using System.Globalization;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The sha256 of files, kept in a file beside them and reused while a file's length and modification time are unchanged,
/// so a deploy after an edit hashes only the files the build rewrote.
/// </summary>
/// <param name="path">The cache file (written atomically by <see cref="Save"/>).</param>
public sealed class FileHashCache(string path)
{
    private readonly Dictionary<string, Entry> _entries = Load(path);
    private bool _changed;

    /// <summary>The sha256 of <paramref name="file"/>, from the cache when its length and modification time are the ones recorded.</summary>
    public async Task<string> HashAsync(string file, CancellationToken ct = default)
    {
        var info = new FileInfo(file);
        var key = info.FullName;
        if (_entries.TryGetValue(key, out var known) && known.Length == info.Length && known.Ticks == info.LastWriteTimeUtc.Ticks)
        {
            return known.Sha256;
        }

        var sha = await NodeTree.HashFileAsync(file, ct).ConfigureAwait(false);
        _entries[key] = new Entry(sha, info.Length, info.LastWriteTimeUtc.Ticks);
        _changed = true;
        return sha;
    }

    /// <summary>Writes the cache when a hash was added or changed (a temp file renamed into place).</summary>
    public void Save()
    {
        if (!_changed)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllLines(temporary, _entries
            .Where(e => File.Exists(e.Key))
            .Select(e => string.Join('\t', e.Value.Sha256, e.Value.Length.ToString(CultureInfo.InvariantCulture), e.Value.Ticks.ToString(CultureInfo.InvariantCulture), e.Key)));
        File.Move(temporary, path, overwrite: true);
        _changed = false;
    }

    private static Dictionary<string, Entry> Load(string path)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return entries;
        }

        foreach (var line in File.ReadLines(path))
        {
            // A line that does not read is dropped: the file is hashed again.
            var parts = line.Split('\t', 4);
            if (parts.Length == 4 && parts[0].Length == 64
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                entries[parts[3]] = new Entry(parts[0], length, ticks);
            }
        }

        return entries;
    }

    private sealed record Entry(string Sha256, long Length, long Ticks);
}
