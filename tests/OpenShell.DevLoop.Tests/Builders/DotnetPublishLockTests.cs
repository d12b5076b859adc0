using OpenShell.DevLoop.Builders;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Builders;

/// <summary>One <c>dotnet publish</c> or <c>restore</c> at a time per checkout, across processes.</summary>
public sealed class DotnetPublishLockTests
{
    [Fact]
    public async Task A_publish_waits_while_another_process_holds_the_checkouts_lock_and_runs_once_it_is_released()
    {
        using var repo = new TempDirectory("publish-lock");
        Directory.CreateDirectory(repo.Combine(".cache"));
        var log = new RecordingLogger();

        // What another openshell-dev process holds while it publishes.
        Task restore;
        await using (new FileStream(repo.Combine(".cache", "dotnet-publish.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            restore = DotnetPublish.RestoreAsync(repo.Path, repo.Combine("missing.csproj"), ["linux-x64"], log);
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            Assert.False(restore.IsCompleted, "dotnet ran while another process held the checkout's lock");
            Assert.Contains(log.Lines, l => l.Contains("waiting for another dotnet publish or restore of this checkout", StringComparison.Ordinal));
        }

        // Released: it runs (and, the project being missing, dotnet's own error comes back).
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => restore.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.StartsWith("dotnet restore ", error.Message, StringComparison.Ordinal);
    }
}
