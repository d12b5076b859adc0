using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>The release supervisor is reused while its inputs are unchanged and rebuilt when they change.</summary>
public sealed class ReleaseSupervisorCacheTests
{
    [Fact]
    public async Task An_unchanged_supervisor_is_reused_and_an_edit_of_it_rebuilds_it()
    {
        using var repository = await GitTestRepository.CreateAsync();
        using var work = new TempDirectory("supervisor-cache");
        var cache = new ReleaseSupervisorCache(work.Combine("supervisor"));
        var publishes = 0;
        Task<string> Publish()
        {
            publishes++;
            var output = work.Combine($"out-{publishes}", "openshell-sandbox");
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            File.WriteAllText(output, $"binary {publishes}");
            return Task.FromResult(output);
        }

        var key = await ReleaseSupervisorCache.KeyAsync(repository.Root, "amd64");
        Assert.NotNull(key);
        var (first, firstReused) = await cache.GetOrPublishAsync(key, Publish, NullLogger.Instance);
        Assert.False(firstReused);
        Assert.Equal(1, publishes);

        // Stored content-addressed, executable.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(first))), Path.GetFileName(first));
        Assert.True(File.GetUnixFileMode(first).HasFlag(UnixFileMode.UserExecute));

        // No change (an unrelated edit included): the same key, the same binary, no publish.
        repository.Append(GitTestRepository.UnrelatedFile, "more");
        repository.Append(GitTestRepository.GatewayFile, "// gateway only");
        Assert.Equal(key, await ReleaseSupervisorCache.KeyAsync(repository.Root, "amd64"));
        var (again, reused) = await cache.GetOrPublishAsync(key, Publish, NullLogger.Instance);
        Assert.True(reused);
        Assert.Equal(first, again);
        Assert.Equal(1, publishes);

        // Another architecture is another build.
        Assert.NotEqual(key, await ReleaseSupervisorCache.KeyAsync(repository.Root, "arm64"));

        // An edit of the supervisor's sources, or of what every component shares, rebuilds it.
        repository.Append(GitTestRepository.SupervisorFile, "// edited");
        var edited = await ReleaseSupervisorCache.KeyAsync(repository.Root, "amd64");
        Assert.NotEqual(key, edited);
        var (rebuilt, rebuiltReused) = await cache.GetOrPublishAsync(edited, Publish, NullLogger.Instance);
        Assert.False(rebuiltReused);
        Assert.Equal(2, publishes);
        Assert.Equal("binary 2", File.ReadAllText(rebuilt));

        repository.Append(GitTestRepository.SharedFile, "// shared edit");
        Assert.NotEqual(edited, await ReleaseSupervisorCache.KeyAsync(repository.Root, "amd64"));

        // A commit changes the version a release build carries, so it is a new key too.
        var beforeCommit = await ReleaseSupervisorCache.KeyAsync(repository.Root, "amd64");
        await repository.CommitAllAsync("edits");
        Assert.NotEqual(beforeCommit, await ReleaseSupervisorCache.KeyAsync(repository.Root, "amd64"));
    }

    [Fact]
    public async Task A_damaged_cached_binary_is_rebuilt_not_used()
    {
        using var work = new TempDirectory("supervisor-cache-damaged");
        var cache = new ReleaseSupervisorCache(work.Combine("supervisor"));
        var publishes = 0;
        Task<string> Publish()
        {
            publishes++;
            var output = work.Combine("openshell-sandbox");
            File.WriteAllText(output, "the binary");
            return Task.FromResult(output);
        }

        var key = new string('a', 64);
        var (binary, _) = await cache.GetOrPublishAsync(key, Publish, NullLogger.Instance);
        File.WriteAllText(binary, "truncated");

        var (again, reused) = await cache.GetOrPublishAsync(key, Publish, NullLogger.Instance);

        Assert.False(reused);
        Assert.Equal(2, publishes);
        Assert.Equal("the binary", File.ReadAllText(again));
    }

    [Fact]
    public async Task Without_a_key_it_always_publishes_and_stores_nothing()
    {
        using var work = new TempDirectory("supervisor-cache-nokey");
        var cache = new ReleaseSupervisorCache(work.Combine("supervisor"));
        var publishes = 0;
        Task<string> Publish()
        {
            publishes++;
            var output = work.Combine("openshell-sandbox");
            File.WriteAllText(output, "x");
            return Task.FromResult(output);
        }

        await cache.GetOrPublishAsync(null, Publish, NullLogger.Instance);
        var (binary, reused) = await cache.GetOrPublishAsync(null, Publish, NullLogger.Instance);

        Assert.False(reused);
        Assert.Equal(2, publishes);
        Assert.Equal(work.Combine("openshell-sandbox"), binary);
        Assert.False(Directory.Exists(work.Combine("supervisor")));
    }

    [Fact]
    public async Task Two_checkouts_building_the_same_key_at_once_link_it_once()
    {
        using var work = new TempDirectory("supervisor-cache-shared");
        // Two caches on one folder, as two checkouts pointed at a shared OpenShell:Images:SupervisorCache are.
        var first = new ReleaseSupervisorCache(work.Combine("shared"));
        var second = new ReleaseSupervisorCache(work.Combine("shared"));
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var publishes = 0;
        async Task<string> Publish()
        {
            Interlocked.Increment(ref publishes);
            started.TrySetResult();
            await release.Task;
            var output = work.Combine("openshell-sandbox");
            await File.WriteAllTextAsync(output, "linked once");
            return output;
        }

        var key = new string('b', 64);
        var building = first.GetOrPublishAsync(key, Publish, NullLogger.Instance);
        await started.Task;
        var waiting = second.GetOrPublishAsync(key, Publish, NullLogger.Instance);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "the second build must wait for the first instead of linking too");

        release.SetResult();
        var (built, builtReused) = await building;
        var (reusedBinary, reused) = await waiting;

        Assert.Equal(1, publishes);
        Assert.False(builtReused);
        Assert.True(reused);
        Assert.Equal(built, reusedBinary);
        Assert.Equal("linked once", File.ReadAllText(reusedBinary));
    }
}
