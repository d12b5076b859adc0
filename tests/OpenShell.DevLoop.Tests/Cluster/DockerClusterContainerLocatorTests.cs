using Docker.DotNet;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Cluster;

/// <summary>The locator asks through the client it is given (a remote engine's tunnel), and reads no engine as "unknown".</summary>
public sealed class DockerClusterContainerLocatorTests
{
    [Fact]
    public async Task A_given_client_whose_engine_does_not_answer_makes_the_lookup_unknown_and_stays_usable()
    {
        using var docker = new DockerClientConfiguration(new Uri("unix:///nonexistent/osrem-docker.sock")).CreateClient();
        var locator = new DockerClusterContainerLocator(docker);

        var first = await locator.FindAsync("openshell-cluster-any");
        var second = await locator.FindAsync("openshell-cluster-any");

        Assert.Null(first.ContainerId);
        Assert.StartsWith("no Docker engine answered at ", first.Note, StringComparison.Ordinal);
        Assert.Equal(first, second);
    }

    [RequiresDocker]
    public async Task A_given_client_finds_what_its_engine_has()
    {
        using var docker = DockerEngine.CreateClient();
        var locator = new DockerClusterContainerLocator(docker);

        var missing = await locator.FindAsync($"osrem-no-such-{Guid.NewGuid():N}");

        Assert.Null(missing.ContainerId);
        Assert.StartsWith("no container named osrem-no-such-", missing.Note, StringComparison.Ordinal);
        // The caller's client is not disposed by the lookup.
        Assert.NotNull(await docker.System.GetVersionAsync());
    }
}
