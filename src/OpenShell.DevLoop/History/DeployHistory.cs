using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OpenShell.DevLoop.History;

/// <summary>
/// The deploy history of a checkout: one JSON line per deploy in <c>.cache/deploy-history.jsonl</c>, rotated to
/// <c>deploy-history.1.jsonl</c>, <c>.2.jsonl</c>, ... when it grows past <see cref="DeployHistoryOptions.MaxBytes"/>.
/// Writers in several processes (the CLI and the AppHost) take a lock file for each append, so lines never interleave
/// and a rotation never loses one; readers skip a line a crash left half-written.
/// </summary>
public sealed class DeployHistory
{
    /// <summary>The history file relative to the repository root.</summary>
    public const string RelativePath = ".cache/deploy-history.jsonl";

    private static readonly TimeSpan s_retry = TimeSpan.FromMilliseconds(20);
    private readonly DeployHistoryOptions _options;

    /// <summary>A history kept in <paramref name="path"/>.</summary>
    public DeployHistory(string path, DeployHistoryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _options = options ?? new DeployHistoryOptions();
        if (_options.MaxBytes < 1024 || _options.RotatedFiles < 1)
        {
            throw new ArgumentException("A deploy history needs MaxBytes of at least 1024 and at least one rotated file.", nameof(options));
        }
    }

    /// <summary>The current history file.</summary>
    public string Path { get; }

    /// <summary>The history of the checkout at <paramref name="repositoryRoot"/>.</summary>
    public static DeployHistory ForRepository(string repositoryRoot, DeployHistoryOptions? options = null) =>
        new(System.IO.Path.Combine(repositoryRoot, RelativePath), options);

    /// <summary>Appends <paramref name="entry"/> as one line, rotating first when the file would grow past its limit.</summary>
    /// <exception cref="IOException">The lock was not free within <see cref="DeployHistoryOptions.LockTimeout"/>, or the file could not be written.</exception>
    public async Task AppendAsync(DeployHistoryEntry entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, DeployHistoryJson.Default.DeployHistoryEntry) + "\n");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var held = await LockAsync(ct).ConfigureAwait(false);
        var length = File.Exists(Path) ? new FileInfo(Path).Length : 0;
        if (length > 0 && length + line.Length > _options.MaxBytes)
        {
            Rotate();
        }

        await using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        if (stream.Length > 0 && !EndsWithNewline())
        {
            // A writer died mid-line: end that fragment so this entry stays a line of its own.
            await stream.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
        }

        // One write of the whole line.
        await stream.WriteAsync(line, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Every readable entry, oldest first (rotated files before the current one).</summary>
    public async Task<DeployHistoryRead> ReadAsync(CancellationToken ct = default)
    {
        var entries = new List<DeployHistoryEntry>();
        var skipped = 0;
        for (var generation = _options.RotatedFiles; generation >= 0; generation--)
        {
            var file = FileOf(generation);
            if (!File.Exists(file))
            {
                continue;
            }

            string[] lines;
            try
            {
                lines = await File.ReadAllLinesAsync(file, ct).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                // Rotated away between the check and the read.
                continue;
            }

            foreach (var line in lines)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    if (JsonSerializer.Deserialize(line, DeployHistoryJson.Default.DeployHistoryEntry) is { } entry)
                    {
                        entries.Add(entry);
                        continue;
                    }
                }
                catch (JsonException)
                {
                }

                skipped++;
            }
        }

        return new DeployHistoryRead(entries, skipped);
    }

    private string FileOf(int generation) => generation == 0
        ? Path
        : System.IO.Path.ChangeExtension(Path, null) + $".{generation}" + System.IO.Path.GetExtension(Path);

    private void Rotate()
    {
        // Oldest first, so each rename has a free name: .N is dropped, .N-1 → .N, ..., current → .1.
        File.Delete(FileOf(_options.RotatedFiles));
        for (var generation = _options.RotatedFiles - 1; generation >= 0; generation--)
        {
            if (File.Exists(FileOf(generation)))
            {
                File.Move(FileOf(generation), FileOf(generation + 1));
            }
        }
    }

    private bool EndsWithNewline()
    {
        using var reader = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (reader.Length == 0)
        {
            return true;
        }

        reader.Seek(-1, SeekOrigin.End);
        return reader.ReadByte() == '\n';
    }

    // The lock file is held open with FileShare.None (an flock on Unix): other processes and other streams of this one
    // wait. The operating system releases it when a writer dies.
    private async Task<FileStream> LockAsync(CancellationToken ct)
    {
        var lockPath = Path + ".lock";
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (watch.Elapsed < _options.LockTimeout)
            {
                await Task.Delay(s_retry, ct).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new IOException(
                    $"Another process held {lockPath} for more than {_options.LockTimeout.TotalSeconds:0} s, so this deploy was not added to the history. If no deploy is running, delete the lock file.", ex);
            }
        }
    }
}
