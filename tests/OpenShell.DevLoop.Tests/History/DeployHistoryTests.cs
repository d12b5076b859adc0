using OpenShell.DevLoop.History;
using OpenShell.Testing;
using static OpenShell.DevLoop.Tests.History.HistoryEntries;

namespace OpenShell.DevLoop.Tests.History;

/// <summary>The history file: append, read back, rotation, concurrent writers, lines cut short by a crash.</summary>
public sealed class DeployHistoryTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task An_appended_deploy_is_one_json_line_read_back_whole()
    {
        var history = DeployHistory.ForRepository(_folder.Path);
        var entry = Entry(1, DeployOutcomes.Failed, ("plan", 0.2), ("supervisor", 3.5)) with { Error = "copy failed", FailedStep = "supervisor" };

        await history.AppendAsync(entry);

        Assert.Equal(Path.Combine(_folder.Path, ".cache", "deploy-history.jsonl"), history.Path);
        var line = Assert.Single(await File.ReadAllLinesAsync(history.Path));
        Assert.StartsWith("{\"time\":\"2026-01-01T00:01:00+00:00\",\"trigger\":\"file-change\",\"outcome\":\"failed\"", line, StringComparison.Ordinal);
        Assert.Contains("\"changes\":{\"supervisor\":[\"src/OpenShell.Sandbox/File1.cs\"]}", line, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"copy failed\"", line, StringComparison.Ordinal);
        var read = await history.ReadAsync();
        var back = Assert.Single(read.Entries);
        Assert.Equal(entry.Time, back.Time);
        Assert.Equal("supervisor", back.FailedStep);
        Assert.Equal([("plan", 0.2), ("supervisor", 3.5)], back.Steps.Select(s => (s.Name, s.Seconds)));
        Assert.Equal(["src/OpenShell.Sandbox/File1.cs"], back.Changes["supervisor"]);
        Assert.Equal(0, read.SkippedLines);
    }

    [Fact]
    public async Task A_full_file_is_rotated_and_the_oldest_generation_dropped()
    {
        var history = new DeployHistory(Path.Combine(_folder.Path, "h.jsonl"), new DeployHistoryOptions { MaxBytes = 2048, RotatedFiles = 2 });
        for (var i = 0; i < 60; i++)
        {
            await history.AppendAsync(Entry(i, steps: ("plan", 1)));
        }

        Assert.True(new FileInfo(history.Path).Length <= 2048);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "h.1.jsonl")));
        Assert.True(File.Exists(Path.Combine(_folder.Path, "h.2.jsonl")));
        Assert.False(File.Exists(Path.Combine(_folder.Path, "h.3.jsonl")));
        var read = await history.ReadAsync();
        // Oldest first, contiguous up to the last one appended: only whole older files were dropped.
        Assert.Equal(59, read.Entries[^1].BytesPushed);
        Assert.Equal(Enumerable.Range((int)read.Entries[0].BytesPushed, read.Entries.Count).Select(i => (long)i), read.Entries.Select(e => e.BytesPushed));
        Assert.True(read.Entries.Count < 60);
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_entry_and_never_interleave_lines()
    {
        var path = Path.Combine(_folder.Path, "h.jsonl");
        var options = new DeployHistoryOptions { MaxBytes = 16 * 1024, RotatedFiles = 50 };

        // Each writer is its own DeployHistory with its own streams, as the CLI and the AppHost have; rotations happen
        // while others wait for the lock.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(writer => Task.Run(async () =>
        {
            var history = new DeployHistory(path, options);
            for (var i = 0; i < 40; i++)
            {
                await history.AppendAsync(Entry(writer * 1000 + i, steps: ("plan", 0.1)));
            }
        })));

        var read = await new DeployHistory(path, options).ReadAsync();
        Assert.Equal(0, read.SkippedLines);
        Assert.Equal(240, read.Entries.Count);
        Assert.Equal(240, read.Entries.Select(e => e.BytesPushed).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(_folder.Path, "h.1.jsonl")), "the test should rotate");
        // Each writer's own entries stay in its order.
        for (var writer = 0; writer < 6; writer++)
        {
            var mine = read.Entries.Select(e => e.BytesPushed).Where(n => n / 1000 == writer).ToList();
            Assert.Equal(mine.Order(), mine);
        }
    }

    [Fact]
    public async Task A_writer_in_another_process_holding_the_lock_makes_an_append_wait_for_it()
    {
        var history = new DeployHistory(Path.Combine(_folder.Path, "h.jsonl"));
        await File.WriteAllTextAsync(history.Path + ".lock", "");
        // flock(1) takes the same kind of lock .NET takes for FileShare.None, from a process of its own; it writes a
        // marker as its last act under the lock, so an append that waited for the lock finds the marker (no clock).
        var released = Path.Combine(_folder.Path, "released");
        using var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("flock", [history.Path + ".lock", "-c", $"echo held; sleep 1; touch '{released}'"])
        {
            RedirectStandardOutput = true,
        })!;
        Assert.Equal("held", await holder.StandardOutput.ReadLineAsync());

        await history.AppendAsync(Entry(1, steps: ("plan", 1)));

        Assert.True(File.Exists(released), "the append did not wait for the other process to release the lock");
        await holder.WaitForExitAsync();
        Assert.Single((await history.ReadAsync()).Entries);
    }

    [Fact]
    public async Task A_line_cut_short_by_a_crash_is_skipped_and_the_next_entry_stays_whole()
    {
        var history = DeployHistory.ForRepository(_folder.Path);
        await history.AppendAsync(Entry(1, steps: ("plan", 1)));
        await File.AppendAllTextAsync(history.Path, "{\"time\":\"2026-01-01T00:0");

        await history.AppendAsync(Entry(2, steps: ("plan", 1)));

        var read = await history.ReadAsync();
        Assert.Equal([1L, 2L], read.Entries.Select(e => e.BytesPushed));
        Assert.Equal(1, read.SkippedLines);
    }

    [Fact]
    public async Task A_writer_that_holds_the_lock_too_long_gives_an_error_naming_the_lock_file()
    {
        var history = new DeployHistory(Path.Combine(_folder.Path, "h.jsonl"), new DeployHistoryOptions { LockTimeout = TimeSpan.FromMilliseconds(200) });
        await using var held = new FileStream(history.Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var error = await Assert.ThrowsAsync<IOException>(() => history.AppendAsync(Entry(1, steps: ("plan", 1))));

        Assert.Contains("h.jsonl.lock", error.Message, StringComparison.Ordinal);
        Assert.Contains("delete the lock file", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(history.Path));
    }

    public void Dispose() => _folder.Dispose();
}
