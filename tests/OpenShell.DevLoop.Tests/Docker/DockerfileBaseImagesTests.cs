using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Docker;

public sealed class DockerfileBaseImagesTests
{
    public static TheoryData<string, string[]> Dockerfiles => new()
    {
        { "ARG K3S_IMAGE=rancher/k3s:v1\nFROM ${K3S_IMAGE}\n", ["rancher/k3s:v1"] },
        { "FROM debian:bookworm AS build\nRUN x\nFROM build\nFROM scratch\n", ["debian:bookworm"] },
        { "ARG BASE=ubuntu:24.04\nFROM --platform=$BUILDPLATFORM golang:1.22 AS tools\nFROM $BASE\nCOPY --from=tools /x /x\n", ["golang:1.22", "ubuntu:24.04"] },
        { "ARG TAG\nFROM example.org/base:${TAG:-latest}\n", ["example.org/base:latest"] },
        { "# comment\nFROM \\\n  a/b:c\nFROM a/b:c\n", ["a/b:c"] },
        { "ARG X=\"quoted:1\"\nFROM ${X}\n", ["quoted:1"] },
    };

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Base_images_are_read_with_arguments_substituted(string dockerfile, string[] expected) =>
        Assert.Equal(expected, DockerfileBaseImages.Read(dockerfile));

    [Fact]
    public void A_build_argument_wins_over_the_default()
    {
        Assert.Equal(["mine:1"], DockerfileBaseImages.Read("ARG K3S_IMAGE=rancher/k3s:v1\nFROM ${K3S_IMAGE}\n", new Dictionary<string, string> { ["K3S_IMAGE"] = "mine:1" }));
    }

    [Theory]
    [InlineData("deploy/docker/Dockerfile.cluster", "K3S_IMAGE")]
    [InlineData("deploy/docker/Dockerfile.gateway", "BASE_IMAGE")]
    public void The_projects_dockerfiles_build_on_their_configured_base(string path, string argument)
    {
        var images = DockerfileBaseImages.Read(File.ReadAllText(Path.Combine(RepositoryPaths.Root, path)), new Dictionary<string, string> { [argument] = "configured/base:1" });

        Assert.Contains("configured/base:1", images);
    }
}
