using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Tests.Docker;

public sealed class ImageReferenceTests
{
    public static TheoryData<string, string?, string, string, string?> References => new()
    {
        { "registry:2", null, "registry", "2", null },
        { "docker.io/library/registry:2", "docker.io", "library/registry", "2", null },
        { "127.0.0.1:5000/openshell/gateway:dev", "127.0.0.1:5000", "openshell/gateway", "dev", null },
        { "localhost/x", "localhost", "x", "latest", null },
        { "openshell-offline/debian:bookworm", null, "openshell-offline/debian", "bookworm", null },
        { "host:5000/a/b@sha256:abc", "host:5000", "a/b", "latest", "sha256:abc" },
        { "ghcr.io/nvidia/openshell/gateway:latest@sha256:0f", "ghcr.io", "nvidia/openshell/gateway", "latest", "sha256:0f" },
    };

    [Theory]
    [MemberData(nameof(References))]
    public void Parses(string text, string? registry, string repository, string tag, string? digest)
    {
        var reference = ImageReference.Parse(text);

        Assert.Equal(new ImageReference(registry, repository, tag, digest), reference);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space:1")]
    [InlineData("name:")]
    [InlineData("name@")]
    public void Rejects(string text)
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.Parse(text));
        Assert.Contains("not an image reference", error.Message, StringComparison.Ordinal);
    }
}
