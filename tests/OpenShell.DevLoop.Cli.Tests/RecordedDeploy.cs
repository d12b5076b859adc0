using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>Records a deploy of a test repository's tree as it is, with no cluster container, as a plan test's starting point.</summary>
internal static class RecordedDeploy
{
    /// <summary>A locator that knows no cluster container.</summary>
    public static IClusterContainerLocator NoContainer { get; } = new NoContainerLocator();

    public static async Task WriteAsync(GitTestRepository repository)
    {
        // The CLI asks the real engine, which knows no container for a temp repository: no id either way.
        var plan = await new DeployPlanner(NoContainer).PlanAsync(PlanRequest.Automatic(repository.Root));
        await DeployStateStore.ForRepository(repository.Root, null).WriteAsync(plan.ToState(), plan.StateKeyOrder);
    }

    private sealed class NoContainerLocator : IClusterContainerLocator
    {
        public Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default) =>
            Task.FromResult(new ClusterContainerLookup(null, "none in tests"));
    }
}
