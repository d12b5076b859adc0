using System.CommandLine;
using OpenShell.DevLoop.Cli.Commands;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>Upstream remote deploy's cluster switches on <c>deploy</c> and <c>cluster up</c>, as settings overrides and refusals.</summary>
public sealed class ClusterSwitchesTests
{
    public static TheoryData<string, string, bool> Switches => new()
    {
        // the command line, the overrides it gives (key=value; ...), whether it asks to recreate
        { "", "", false },
        { "--name gpu-box", "OpenShell:Cluster:Name=gpu-box", false },
        { "--port 18080", "OpenShell:Cluster:GatewayPort=18080", false },
        { "--image-tag v1.2-dev", "OpenShell:Cluster:ImageTag=v1.2-dev", false },
        { "--recreate", "", true },
        { "--plaintext", "OpenShell:Cluster:Plaintext=true", false },
        { "--disable-gateway-auth", "OpenShell:Cluster:DisableGatewayAuth=true", false },
        {
            "--recreate --port 18080 --plaintext --name openshell",
            "OpenShell:Cluster:GatewayPort=18080; OpenShell:Cluster:Name=openshell; OpenShell:Cluster:Plaintext=true",
            true
        },
    };

    [Theory]
    [MemberData(nameof(Switches))]
    public void Each_switch_given_sets_its_setting_and_no_other(string commandLine, string expected, bool recreate)
    {
        var command = new Command("deploy");
        var switches = ClusterSwitches.AddTo(command);
        var parse = command.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(parse.Errors);

        var overrides = switches.Overrides(parse);

        Assert.Equal(expected, string.Join("; ", overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(recreate, switches.RecreateRequested(parse));
    }

    [Theory]
    [InlineData("--name")]
    [InlineData("--image-tag")]
    public void A_text_switch_given_an_empty_value_is_refused_with_upstreams_words(string name)
    {
        var command = new Command("deploy");
        var switches = ClusterSwitches.AddTo(command);

        var error = Assert.Throws<ArgumentException>(() => switches.Overrides(command.Parse([name, " "])));

        Assert.Equal($"{name} requires a value", error.Message);
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("cluster", "up")]
    public async Task Deploy_and_cluster_up_offer_the_cluster_switches(params string[] command)
    {
        var (exit, stdout, _) = await CliRunner.RunAsync([.. command, "--help"]);

        Assert.Equal(0, exit);
        foreach (var expected in new[] { "--name <NAME>", "--port <PORT>", "--image-tag <TAG>", "--recreate", "--plaintext", "--disable-gateway-auth" })
        {
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string[], string> Refusals => new()
    {
        // the switches, the words of the refusal
        { ["--plaintext", "--disable-gateway-auth"], "--disable-gateway-auth is ignored when --plaintext is set; choose one mode" },
        { ["--port", "70000"], "OpenShell:Cluster:GatewayPort is 70000; set it to a free TCP port between 1 and 65535" },
        { ["--port", "0"], "OpenShell:Cluster:GatewayPort is 0; set it to a free TCP port between 1 and 65535" },
        { ["--image-tag", "dev/x"], "OpenShell:Cluster:ImageTag (IMAGE_TAG) 'dev/x' is not a valid image tag" },
        { ["--name", ""], "--name requires a value" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Unusable_switches_are_refused_before_anything_runs(string[] switches, string message)
    {
        foreach (var command in new[] { new[] { "deploy", "-C" }, ["cluster", "up", "--repo"] })
        {
            using var repo = new TempDirectory("cluster-switches");
            (await TestProcess.RunAsync("git", ["init", "-q", repo.Path])).EnsureSuccess("git init");

            var (exit, _, stderr) = await CliRunner.RunAsync([.. command, repo.Path, .. switches, "--offline"]);

            Assert.Equal(1, exit);
            Assert.Contains(message, stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(repo.Path, ".cache")), $"{string.Join(' ', command)}: something ran: .cache was written");
        }
    }

    [Fact]
    public async Task A_port_that_is_not_a_number_is_refused_by_the_parser()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("deploy", "--port", "http", "--offline");

        Assert.NotEqual(0, exit);
        Assert.Contains("--port", stderr, StringComparison.Ordinal);
    }
}
