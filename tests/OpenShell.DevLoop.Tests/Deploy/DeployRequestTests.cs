using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Tests.Deploy;

public sealed class DeployRequestTests
{
    private static OpenShell.DevLoop.Configuration.OpenShellSettings Settings(string? supervisorBuild) =>
        OpenShell.DevLoop.Configuration.SettingsLoader.Resolve(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), null, new Dictionary<string, string?> { ["OPENSHELL_SUPERVISOR_BUILD"] = supervisorBuild }).Settings;

    [Theory]
    [InlineData(null, SupervisorBuild.Dev)]
    [InlineData("", SupervisorBuild.Dev)]
    [InlineData("dev", SupervisorBuild.Dev)]
    [InlineData("Release", SupervisorBuild.Release)]
    [InlineData(" release ", SupervisorBuild.Release)]
    public void The_supervisor_build_comes_from_OPENSHELL_SUPERVISOR_BUILD(string? value, SupervisorBuild expected)
    {
        var request = DeployRequest.From(Settings(value), "/repo");

        Assert.Equal(expected, request.SupervisorBuild);
    }

    [Fact]
    public void An_unknown_supervisor_build_names_the_variable_and_the_choices()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            DeployRequest.From(Settings("aot"), "/repo"));

        Assert.Contains("OPENSHELL_SUPERVISOR_BUILD=aot", error.Message, StringComparison.Ordinal);
        Assert.Contains("'dev'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'release'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dev_and_release_builds_publish_into_separate_folders()
    {
        var dev = SupervisorPublisher.DefaultOutputDirectory("/repo", "amd64", SupervisorBuild.Dev);
        var release = SupervisorPublisher.DefaultOutputDirectory("/repo", "amd64", SupervisorBuild.Release);

        Assert.NotEqual(dev, release);
        Assert.StartsWith(Path.Combine("/repo", ".cache", "deploy"), dev, StringComparison.Ordinal);
        Assert.EndsWith("amd64", release, StringComparison.Ordinal);
    }
}
