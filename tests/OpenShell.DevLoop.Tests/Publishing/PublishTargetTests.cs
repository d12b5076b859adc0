using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>How the publishing variables are read, as OpenShell's docker-publish-multiarch.sh reads them.</summary>
public sealed class PublishTargetTests
{
    [Fact]
    public void Registry_path_names_tags_and_platforms_follow_upstream()
    {
        var target = PublishTarget.From("127.0.0.1:5000/team/", "dev", "linux/amd64,linux/arm64,", tagLatest: true, extraTags: "v1,v2 dev\n v1");

        Assert.Equal("127.0.0.1:5000", target.Host);
        Assert.Equal("team/openshell-cluster", target.Repository(PublishTarget.ClusterName));
        Assert.Equal("127.0.0.1:5000/team/openshell-gateway", target.Image(PublishTarget.GatewayName));
        Assert.Equal("dev-arm64", target.ArchitectureTag("arm64"));
        Assert.Equal(["amd64", "arm64"], target.Architectures);
        // Comma or space separated; the tag being published is skipped; latest comes after the extra tags.
        Assert.Equal(["v1", "v2", "latest"], target.ExtraTags);

        // Upstream's closing lines, word for word (its extra-tag line lists the tags as given).
        Assert.Equal(
            [
                "Done! Multi-arch images pushed to 127.0.0.1:5000/team:",
                "  127.0.0.1:5000/team/openshell-gateway:dev",
                "  127.0.0.1:5000/team/openshell-cluster:dev",
                "  (all also tagged :latest)",
                "  (all also tagged: v1 v2 dev v1)",
            ],
            target.DoneLines());
        Assert.Equal(["Done! Multi-arch images pushed to ghcr.io/o:", "  ghcr.io/o/openshell-gateway:v1", "  ghcr.io/o/openshell-cluster:v1"],
            PublishTarget.From("ghcr.io/o", "v1", "linux/amd64", tagLatest: false, extraTags: " ").DoneLines());
    }

    [Theory]
    [InlineData("ghcr.io/myorg", "ghcr.io", "myorg/openshell-cluster", "ghcr.io")]
    [InlineData("localhost:5000", "localhost:5000", "openshell-cluster", "localhost:5000")]
    [InlineData("myorg", "docker.io", "myorg/openshell-cluster", "registry-1.docker.io")]
    public void The_registry_host_is_the_first_segment_when_it_looks_like_a_host(string registry, string host, string repository, string apiHost)
    {
        var target = PublishTarget.From(registry, "dev", "linux/amd64", tagLatest: false, extraTags: null);
        Assert.Equal(host, target.Host);
        Assert.Equal(repository, target.Repository(PublishTarget.ClusterName));
        Assert.Equal(apiHost, target.ApiHost);
        Assert.Empty(target.ExtraTags);
    }

    [Theory]
    [InlineData("linux/amd64,linux/s390x", "Unsupported cluster platform for runtime bundle publishing: linux/s390x")]
    [InlineData("linux/arm/v7", "Unsupported cluster platform for runtime bundle publishing: linux/arm/v7")]
    // Split on commas only, as the script's `IFS=',' read -a`: blanks are part of the platform, an empty field is one.
    [InlineData("linux/amd64, linux/arm64", "Unsupported cluster platform for runtime bundle publishing:  linux/arm64")]
    [InlineData("linux/amd64,,", "Unsupported cluster platform for runtime bundle publishing: ")]
    [InlineData("", "DOCKER_PLATFORMS='' names no platform.")]
    public void Unsupported_platforms_are_refused_with_upstreams_message(string platforms, string message)
    {
        var error = Assert.Throws<PublishException>(() => PublishTarget.From("r.example/x", "dev", platforms, false, null));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void No_registry_is_refused_naming_the_variable()
    {
        var error = Assert.Throws<PublishException>(() => PublishTarget.From(" ", "dev", "linux/amd64", false, null));
        Assert.Contains("Set DOCKER_REGISTRY", error.Message, StringComparison.Ordinal);
        Assert.Contains("--registry", error.Remedy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("1", false)]
    [InlineData("TRUE", false)]
    [InlineData("yes", false)]
    public void TAG_LATEST_is_on_only_for_exactly_true(string value, bool expected)
    {
        var settings = OpenShellSettings.From(
            new ConfigurationBuilder().Build(),
            new Dictionary<string, string?> { ["TAG_LATEST"] = value, ["DOCKER_REGISTRY"] = "ghcr.io/org/", ["EXTRA_DOCKER_TAGS"] = "a b" });
        Assert.Equal(expected, settings.Publish.TagLatest);
        Assert.Equal("ghcr.io/org", settings.Publish.Registry);
        Assert.Equal("a b", settings.Publish.ExtraTags);
        Assert.Equal("linux/amd64,linux/arm64", settings.Publish.Platforms);
    }

    [Theory]
    [InlineData(null, "/repo/.cache/publish/supervisor")]
    [InlineData("", "/repo/.cache/publish/supervisor")]
    [InlineData("../shared/supervisors", "/shared/supervisors")]
    [InlineData("/var/cache/supervisors", "/var/cache/supervisors")]
    public void A_publish_keeps_release_supervisors_where_cluster_image_builds_do(string? setting, string expected)
    {
        var settings = OpenShellSettings.From(
            new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["OpenShell:Images:SupervisorCache"] = setting })
                .Build(),
            new Dictionary<string, string?> { ["DOCKER_REGISTRY"] = "ghcr.io/org" });

        var request = PublishRequest.From(settings, "/repo");

        Assert.Equal(expected, request.EffectiveSupervisorCache);
        Assert.Equal(expected, OpenShell.DevLoop.Images.ClusterImageBuildRequest.From(settings, "/repo").EffectiveSupervisorCache);
    }

    [Theory]
    [InlineData("openshell-offline/cluster-base:bookworm", "arm64", "amd64", "openshell-offline/cluster-base:bookworm-arm64")]
    [InlineData("openshell-offline/cluster-base:bookworm", "amd64", "amd64", "openshell-offline/cluster-base:bookworm")]
    [InlineData("docker.io/rancher/k3s:v1.35.2-k3s1", "arm64", "amd64", "docker.io/rancher/k3s:v1.35.2-k3s1-arm64")]
    [InlineData("127.0.0.1:5000/base", "amd64", "arm64", "127.0.0.1:5000/base:latest-amd64")]
    public void A_base_of_another_architecture_is_its_tag_with_the_architecture_appended(string image, string arch, string engine, string expected) =>
        Assert.Equal(expected, PlatformImages.For(image, arch, engine));

    [Fact]
    public async Task The_published_cluster_manifests_name_the_published_gateway_and_keep_the_other_placeholders()
    {
        using var folder = new OpenShell.Testing.TempDirectory("publish-manifests");
        var source = Directory.CreateDirectory(folder.Combine("in")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "chart.yaml"), "repository: __IMAGE_REPO_BASE__/gateway\ntag: \"__IMAGE_TAG__\"\nport: __GATEWAY_NODE_PORT__\n");

        var output = await MultiArchPublisher.WriteManifestsAsync(source, folder.Combine("out"), "ghcr.io/org/openshell-gateway", "v2", CancellationToken.None);

        Assert.Equal("repository: ghcr.io/org/openshell-gateway\ntag: \"v2\"\nport: __GATEWAY_NODE_PORT__\n", await File.ReadAllTextAsync(Path.Combine(output, "chart.yaml")));
    }
}
