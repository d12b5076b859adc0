namespace OpenShell.KubeSim.Tests;

/// <summary>Polls a condition until it holds, failing with a description when it does not in time.</summary>
internal static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
