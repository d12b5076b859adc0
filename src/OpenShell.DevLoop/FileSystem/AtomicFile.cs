namespace OpenShell.DevLoop.FileSystem;

/// <summary>Writes files so readers see the old content or the new, never a half-written one.</summary>
internal static class AtomicFile
{
    /// <summary>Owner read/write only: for keys, certificates and kubeconfigs.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="content"/> to a temporary sibling with <paramref name="mode"/>, then renames it over <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode? mode = null, CancellationToken ct = default)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (mode is { } m && !OperatingSystem.IsWindows())
            {
                // Created with the final mode, so a secret is never readable by others, even briefly.
                options.UnixCreateMode = m;
            }

            await using (var stream = new FileStream(temp, options))
            {
                await stream.WriteAsync(content, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public static Task WriteTextAsync(string path, string text, UnixFileMode? mode = null, CancellationToken ct = default) =>
        WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(text), mode, ct);
}
