using OpenShell.Server.Configuration;
using OpenShell.Server.Sandboxes;

namespace OpenShell.Server.Tests.Sandboxes;

public sealed class SandboxImageResolverTests
{
    public static TheoryData<string?, string> Resolutions => new()
    {
        { null, "ghcr.io/nvidia/openshell-community/sandboxes/base:latest" },
        { "", "ghcr.io/nvidia/openshell-community/sandboxes/base:latest" },
        { "python", "ghcr.io/nvidia/openshell-community/sandboxes/python:latest" },
        { "ubuntu:24.04", "ubuntu:24.04" },
        { "127.0.0.1:5000/team/box:dev", "127.0.0.1:5000/team/box:dev" },
        { "registry.example/box@sha256:0123", "registry.example/box@sha256:0123" },
    };

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void From_resolves_to_an_image(string? from, string image)
    {
        Assert.Equal(image, SandboxImageResolver.Resolve(from, new GatewayOptions(), out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("Python")]
    [InlineData("my box")]
    public void Bad_from_is_explained(string from)
    {
        SandboxImageResolver.Resolve(from, new GatewayOptions(), out var problem);
        Assert.NotNull(problem);
        Assert.Contains(from, problem, StringComparison.Ordinal);
    }
}
