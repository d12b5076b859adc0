using OpenShell.DevLoop.Cli.Tests.Deploy;

namespace OpenShell.FaultSuite;

/// <summary>
/// The one offline cluster the killed-deploy scenarios share (a throw-away clone, registry and node, every name carrying
/// <c>osflt</c>), bootstrapped and primed on first use and removed by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class SuiteCluster : DeployClusterFixture, IAsyncDisposable
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static SuiteCluster? s_instance;

    private SuiteCluster()
        : base("osflt")
    {
    }

    /// <summary>The shared cluster when one was made already (its cluster image can seed another engine); else null.</summary>
    public static SuiteCluster? Existing => Volatile.Read(ref s_instance);

    /// <summary>The shared cluster, bootstrapped and primed by a first deploy on first use.</summary>
    public static async Task<SuiteCluster> GetAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            if (s_instance is null)
            {
                var cluster = new SuiteCluster();
                await cluster.InitializeAsync();
                s_instance = cluster;
            }

            return s_instance;
        }
        finally
        {
            s_gate.Release();
        }
    }

    /// <summary>Removes the shared cluster, when one was made.</summary>
    public static async Task RemoveAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            if (s_instance is { } cluster)
            {
                s_instance = null;
                await cluster.DisposeAsync();
            }
        }
        finally
        {
            s_gate.Release();
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
}
