using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class ClusterNameTests
{
    [Theory]
    [InlineData("openshell", "openshell")]
    [InlineData("OpenShell", "openshell")]
    [InlineData("my_repo.v2", "my-repo-v2")]
    [InlineData("--a  b--", "a-b")]
    [InlineData("a___b", "a-b")]
    [InlineData("Ünïcode-Name", "n-code-name")]
    public void Normalises_like_the_upstream_scripts(string raw, string expected) =>
        Assert.Equal(expected, ClusterName.Normalize(raw));

    [Fact]
    public void Uses_CLUSTER_NAME_before_the_folder_name()
    {
        Assert.Equal("dev", ClusterName.Resolve("Dev", "/src/OpenShell"));
        Assert.Equal("openshell", ClusterName.Resolve(null, "/src/OpenShell/"));
        Assert.Equal("openshell", ClusterName.Resolve(" ", "/src/OpenShell"));
        Assert.Equal("openshell-cluster-dev", ClusterName.ContainerName("dev"));
    }

    [Fact]
    public void A_name_with_nothing_left_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => ClusterName.Resolve("___", "/src/x"));

        Assert.Contains("set CLUSTER_NAME", ex.Message, StringComparison.Ordinal);
    }
}
