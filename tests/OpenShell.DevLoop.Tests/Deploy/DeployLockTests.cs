using OpenShell.DevLoop.Deploy;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Deploy;

public sealed class DeployLockTests
{
    [Fact]
    public async Task A_second_holder_waits_then_gets_the_lock_when_the_first_releases()
    {
        using var root = new TempDirectory("deploy-lock");
        var first = await DeployLock.AcquireAsync(root.Path, TimeSpan.FromSeconds(1), () => Assert.Fail("the first deploy must not wait"));
        var waited = new TaskCompletionSource();
        var second = DeployLock.AcquireAsync(root.Path, TimeSpan.FromSeconds(10), () => waited.TrySetResult());

        await waited.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(second.IsCompleted);
        first.Dispose();
        using var held = await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_second_holder_fails_clearly_after_the_timeout()
    {
        using var root = new TempDirectory("deploy-lock");
        using var first = await DeployLock.AcquireAsync(root.Path, TimeSpan.FromSeconds(1), () => { });

        var ex = await Assert.ThrowsAsync<DeployException>(() => DeployLock.AcquireAsync(root.Path, TimeSpan.FromMilliseconds(300), () => { }));

        Assert.Contains("Another deploy of this checkout", ex.Message, StringComparison.Ordinal);
        Assert.Contains(DeployLock.RelativePath, ex.Message, StringComparison.Ordinal);
    }
}
