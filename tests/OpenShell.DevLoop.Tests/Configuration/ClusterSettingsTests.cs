using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Configuration;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Configuration;

public sealed class ClusterSettingsTests
{
    private static OpenShellSettings From(IReadOnlyDictionary<string, string?> environment, params (string Key, string Value)[] values) =>
        OpenShellSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build(),
            environment);

    private static readonly Dictionary<string, string?> s_none = [];

    [Fact]
    public void Defaults_match_upstream()
    {
        var cluster = From(s_none).Cluster;

        Assert.Null(cluster.Name);
        Assert.Equal("openshell/cluster:dev", cluster.Image);
        Assert.Equal("127.0.0.1:5000/openshell", cluster.ImageRepoBase);
        Assert.True(cluster.Privileged);
        Assert.False(cluster.Gpu);
        Assert.False(cluster.SkipImageBuild);
        Assert.Null(cluster.GatewayPort);
    }

    public static TheoryData<string, string, Func<ClusterSettings, object?>, object?> UpstreamCases => new()
    {
        { "CLUSTER_NAME", "My Repo", s => s.Name, "My Repo" },
        { "IMAGE_TAG", "feature-1", s => s.ImageTag, "feature-1" },
        { "GATEWAY_PORT", "23456", s => s.GatewayPort, 23456 },
        { "CLUSTER_GPU", "1", s => s.Gpu, true },
        { "CLUSTER_GPU", "0", s => s.Gpu, false },
        { "OPENSHELL_NODE_NAME", "node-7", s => s.NodeName, "node-7" },
        { "SKIP_CLUSTER_IMAGE_BUILD", "1", s => s.SkipImageBuild, true },
        { "OPENSHELL_REGISTRY", "registry.example.com/team/", s => s.ImageRepoBase, "registry.example.com/team" },
        { "IMAGE_REPO_BASE", "localhost:5000/x", s => s.ImageRepoBase, "localhost:5000/x" },
        { "IMAGE_REGISTRY", "ghcr.io/org/repo/", s => s.Image, "ghcr.io/org/repo/cluster:dev" },
    };

    [Theory]
    [MemberData(nameof(UpstreamCases))]
    public void Upstream_variables_override_the_settings_files(string variable, string value, Func<ClusterSettings, object?> read, object? expected)
    {
        var cluster = From(new Dictionary<string, string?> { [variable] = value }).Cluster;

        Assert.Equal(expected, read(cluster));
    }

    [Fact]
    public void Image_repo_base_wins_over_openshell_registry()
    {
        var cluster = From(new Dictionary<string, string?> { ["OPENSHELL_REGISTRY"] = "a:1/x", ["IMAGE_REPO_BASE"] = "b:2/y" }).Cluster;

        Assert.Equal("b:2/y", cluster.ImageRepoBase);
    }

    [Fact]
    public void An_explicit_openshell_variable_wins_over_the_upstream_one()
    {
        var environment = new Dictionary<string, string?> { ["IMAGE_TAG"] = "upstream", ["OpenShell__Cluster__ImageTag"] = "explicit" };

        var cluster = From(environment, ("OpenShell:Cluster:ImageTag", "explicit")).Cluster;

        Assert.Equal("explicit", cluster.ImageTag);
    }

    [Fact]
    public void K3s_version_sets_the_tag_of_the_default_k3s_image_even_over_the_offline_stand_in()
    {
        var directory = Path.Combine(RepositoryPaths.Root, "OpenShell.AppHost");
        var environment = new Dictionary<string, string?> { ["K3S_VERSION"] = "v1.33.1-k3s1" };

        var offline = OpenShellSettings.From(SettingsFiles.Load(directory, offline: true), environment);
        var online = From(environment);

        Assert.Equal("docker.io/rancher/k3s:v1.33.1-k3s1", offline.Images.K3s);
        Assert.Equal("docker.io/rancher/k3s:v1.33.1-k3s1", online.Images.K3s);
    }

    [Fact]
    public void An_explicit_k3s_image_and_cluster_repository_win_over_the_upstream_variables()
    {
        var environment = new Dictionary<string, string?>
        {
            ["K3S_VERSION"] = "v1.33.1-k3s1",
            ["OpenShell__Images__K3s"] = "mirror.example/k3s:pinned",
            ["IMAGE_REGISTRY"] = "ghcr.io/org",
            ["OpenShell__Cluster__ImageRepository"] = "local/cluster",
        };

        var settings = From(environment, ("OpenShell:Images:K3s", "mirror.example/k3s:pinned"), ("OpenShell:Cluster:ImageRepository", "local/cluster"));

        Assert.Equal("mirror.example/k3s:pinned", settings.Images.K3s);
        Assert.Equal("local/cluster:dev", settings.Cluster.Image);
    }

    [Fact]
    public void A_switch_wins_over_the_upstream_variable_and_a_settings_file_does_not()
    {
        var directory = Path.Combine(RepositoryPaths.Root, "OpenShell.AppHost");
        var environment = new Dictionary<string, string?> { ["K3S_VERSION"] = "v1.33.1-k3s1", ["IMAGE_TAG"] = "upstream" };
        var switches = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(directory, "appsettings.json"), optional: false)
            .AddCommandLine(["--OpenShell:Images:K3s=mirror.example/k3s:pinned", "--OpenShell:Cluster:ImageTag=switch"])
            .Build();
        var filesOnly = new ConfigurationBuilder().AddJsonFile(Path.Combine(directory, "appsettings.Offline.json"), optional: false).Build();

        var fromSwitches = OpenShellSettings.From(switches, environment);
        var fromFiles = OpenShellSettings.From(filesOnly, environment);

        Assert.Equal("mirror.example/k3s:pinned", fromSwitches.Images.K3s);
        Assert.Equal("switch", fromSwitches.Cluster.ImageTag);
        Assert.Equal("docker.io/rancher/k3s:v1.33.1-k3s1", fromFiles.Images.K3s);
        Assert.Equal("upstream", fromFiles.Cluster.ImageTag);
    }

    [Theory]
    [InlineData("K3S_VERSION", "v1.29.1+k3s1", "K3S_VERSION=v1.29.1+k3s1")]
    [InlineData("GATEWAY_PORT", "http", "GATEWAY_PORT=http")]
    [InlineData("GATEWAY_PORT", "70000", "GATEWAY_PORT=70000")]
    [InlineData("IMAGE_TAG", "bad tag", "IMAGE_TAG")]
    public void Bad_values_are_clear_errors(string variable, string value, string mentioned)
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(new Dictionary<string, string?> { [variable] = value }));

        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offline_settings_turn_privileged_off_and_run_pods_that_verify_supervisor_deploys()
    {
        var directory = Path.Combine(RepositoryPaths.Root, "OpenShell.AppHost");

        var online = OpenShellSettings.From(SettingsFiles.Load(directory, offline: false), s_none);
        var offline = OpenShellSettings.From(SettingsFiles.Load(directory, offline: true), s_none);

        Assert.True(online.Cluster.Privileged);
        Assert.False(offline.Cluster.Privileged);
        Assert.Equal("openshell-offline/k3s-sim:latest", offline.Images.K3s);
        Assert.False(online.Cluster.RunPods);
        Assert.True(offline.Cluster.RunPods);
        Assert.False(online.DevHost.VerifyWithSandbox);
        Assert.True(offline.DevHost.VerifyWithSandbox);
    }
}
