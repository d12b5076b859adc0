using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Configuration;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Configuration;

/// <summary>Precedence: explicit key (variable, switch) &gt; upstream variable in the environment &gt; in <c>.env</c> &gt; settings files.</summary>
public sealed class SettingsLoaderTests : IDisposable
{
    private readonly TempDirectory _repo = new();

    public void Dispose() => _repo.Dispose();

    private IConfiguration Configuration(string? settingsJson = null, string[]? switches = null, IDictionary<string, string>? explicitVariables = null)
    {
        var builder = new ConfigurationBuilder();
        if (settingsJson is not null)
        {
            File.WriteAllText(_repo.Combine("appsettings.json"), settingsJson);
            builder.AddJsonFile(_repo.Combine("appsettings.json"));
        }

        if (explicitVariables is not null)
        {
            foreach (var (key, value) in explicitVariables)
            {
                Environment.SetEnvironmentVariable(key, value);
            }

            builder.AddEnvironmentVariables("OpenShellTest_");
        }

        builder.AddCommandLine(switches ?? []);
        return builder.Build();
    }

    private (OpenShellSettings Settings, IReadOnlyList<ResolvedSetting> Sources) Resolve(IConfiguration configuration, Dictionary<string, string?>? environment = null)
    {
        var (settings, sources, _) = SettingsLoader.Resolve(configuration, _repo.Path, environment ?? []);
        return (settings, sources);
    }

    private static string SourceOf(IReadOnlyList<ResolvedSetting> sources, string key) => sources.Single(s => s.Key == key).Source;

    [Fact]
    public void Every_layer_in_order()
    {
        File.WriteAllText(_repo.Combine(".env"), "IMAGE_TAG=from-dotenv\nCLUSTER_NAME=dotenv-cluster\nexport GATEWAY_PORT=23456\n");
        var configuration = Configuration("""{ "OpenShell": { "Cluster": { "ImageTag": "from-file", "Name": "file-cluster", "Network": "file-net" } } }""");

        var (settings, sources) = Resolve(configuration, new() { ["IMAGE_TAG"] = "from-environment" });

        Assert.Equal("from-environment", settings.Cluster.ImageTag);
        Assert.Equal("IMAGE_TAG in the environment", SourceOf(sources, "OpenShell:Cluster:ImageTag"));
        Assert.Equal("dotenv-cluster", settings.Cluster.Name);
        Assert.Equal("CLUSTER_NAME in .env", SourceOf(sources, "OpenShell:Cluster:Name"));
        Assert.Equal(23456, settings.Cluster.GatewayPort);
        Assert.Equal("file-net", settings.Cluster.Network);
        Assert.EndsWith("appsettings.json", SourceOf(sources, "OpenShell:Cluster:Network"), StringComparison.Ordinal);
        Assert.Equal("default", SourceOf(sources, "OpenShell:Cluster:GatewayNodePort"));
    }

    [Fact]
    public void A_switch_wins_over_every_upstream_variable()
    {
        File.WriteAllText(_repo.Combine(".env"), "IMAGE_TAG=from-dotenv\n");
        var configuration = Configuration(switches: ["--OpenShell:Cluster:ImageTag=from-switch"]);

        var (settings, sources) = Resolve(configuration, new() { ["IMAGE_TAG"] = "from-environment" });

        Assert.Equal("from-switch", settings.Cluster.ImageTag);
        Assert.Equal("switch --OpenShell:Cluster:ImageTag", SourceOf(sources, "OpenShell:Cluster:ImageTag"));
    }

    [Fact]
    public void An_explicit_OpenShell_variable_wins_over_the_upstream_one()
    {
        var configuration = Configuration(explicitVariables: new Dictionary<string, string> { ["OpenShellTest_OpenShell__Cluster__ImageTag"] = "explicit" });

        var (settings, sources) = Resolve(configuration, new() { ["IMAGE_TAG"] = "upstream" });

        Assert.Equal("explicit", settings.Cluster.ImageTag);
        Assert.Equal("OpenShell__Cluster__ImageTag in the environment", SourceOf(sources, "OpenShell:Cluster:ImageTag"));
    }

    [Fact]
    public void Every_upstream_variable_is_read_from_dotenv()
    {
        File.WriteAllText(_repo.Combine(".env"), """
            # what contributors keep for mise run cluster
            CLUSTER_NAME=dev
            export OPENSHELL_RUNTIME_BUNDLE_TARBALL='/bundles/nvidia amd64.tar.gz'
            OPENSHELL_RUNTIME_BUNDLE_URL_ARM64="https://example.com/arm64.tar.gz"
            DEPLOY_FAST_STATE_FILE=.cache/mine.state
            DEPLOY_FAST_MODE=full
            FORCE_HELM_UPGRADE=1
            DEPLOY_FAST_HELM_WAIT=1
            CLUSTER_GPU=1
            SKIP_CLUSTER_IMAGE_BUILD=1
            REGISTRY_PASSWORD=hunter2
            """);

        var (settings, sources) = Resolve(Configuration());

        Assert.Equal("dev", settings.Cluster.Name);
        Assert.Equal("/bundles/nvidia amd64.tar.gz", settings.RuntimeBundle.Tarball);
        Assert.Equal("https://example.com/arm64.tar.gz", settings.RuntimeBundle.Variable("OPENSHELL_RUNTIME_BUNDLE_URL_ARM64"));
        Assert.Equal(".cache/mine.state", settings.Deploy.StateFile);
        Assert.True(settings.Deploy.FullMode && settings.Deploy.ForceHelmUpgrade && settings.Deploy.HelmWait);
        Assert.True(settings.Cluster.Gpu && settings.Cluster.SkipImageBuild);
        Assert.Equal("hunter2", settings.Cluster.RegistryPassword);
        Assert.Equal("********", sources.Single(s => s.Key == "OpenShell:Cluster:RegistryPassword").Value);
        Assert.DoesNotContain(sources, s => s.Value.Contains("hunter2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("On", true)]
    [InlineData("1", true)]
    [InlineData("no", false)]
    [InlineData("0", false)]
    public void Our_own_booleans_have_one_truth_rule_in_every_layer(string value, bool expected)
    {
        var fromSwitch = Resolve(Configuration(switches: [$"--OpenShell:DevHost:WatchEnabled={value}"])).Settings;
        var fromFile = Resolve(Configuration($$"""{ "OpenShell": { "Cluster": { "Privileged": "{{value}}" } } }""")).Settings;

        Assert.Equal(expected, fromSwitch.DevHost.WatchEnabled);
        Assert.Equal(expected, fromFile.Cluster.Privileged);
    }

    [Fact]
    public void A_bad_boolean_names_the_key_and_the_accepted_words()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolve(Configuration(switches: ["--OpenShell:Cluster:Gpu=maybe"])));

        Assert.Contains("OpenShell:Cluster:Gpu", error.Message, StringComparison.Ordinal);
        Assert.Contains("true or false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Upstream_flags_keep_upstream_truth_rules()
    {
        var (settings, _) = Resolve(Configuration(), new() { ["CLUSTER_GPU"] = "true", ["SKIP_CLUSTER_IMAGE_BUILD"] = "yes", ["DEPLOY_FAST_MODE"] = "Full" });

        Assert.False(settings.Cluster.Gpu);
        Assert.False(settings.Cluster.SkipImageBuild);
        Assert.False(settings.Deploy.FullMode);
    }

    [Fact]
    public void A_malformed_dotenv_is_a_clear_error()
    {
        File.WriteAllText(_repo.Combine(".env"), "GATEWAY_PORT 1234\n");

        var error = Assert.Throws<InvalidOperationException>(() => Resolve(Configuration()));

        Assert.Contains(".env:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_settings_class_is_kept_for_the_ahead_of_time_planner()
    {
        // openshell-dev-plan is trimmed: a settings class missing here would lose its properties there, and its
        // settings would stay at their defaults without a word.
        var kept = typeof(SettingsLoader).GetMethod("SettingsProperties", BindingFlags.NonPublic | BindingFlags.Static)!
            .GetCustomAttributes<DynamicDependencyAttribute>()
            .Where(a => a.MemberTypes.HasFlag(DynamicallyAccessedMemberTypes.PublicProperties))
            .Select(a => a.Type!)
            .ToHashSet();

        Assert.Equal(SettingsClasses(typeof(OpenShellSettings)).OrderBy(t => t.Name), kept.OrderBy(t => t.Name));
    }

    private static IEnumerable<Type> SettingsClasses(Type type)
    {
        yield return type;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var simple = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (!simple.IsPrimitive && simple != typeof(string) && !simple.IsEnum)
            {
                foreach (var nested in SettingsClasses(simple))
                {
                    yield return nested;
                }
            }
        }
    }
}
