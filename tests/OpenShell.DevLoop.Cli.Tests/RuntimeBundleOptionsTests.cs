using System.CommandLine;
using OpenShell.DevLoop.Cli.Commands;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>Upstream remote deploy's bundle switches on <c>deploy</c> and <c>cluster up</c>, as settings overrides.</summary>
public sealed class RuntimeBundleOptionsTests
{
    public static TheoryData<string, string> Switches => new()
    {
        // the command line, the overrides it gives (key=value; ...)
        { "", "" },
        { "--runtime-bundle-tarball ./gpu.tar.gz", "OpenShell:RuntimeBundle:Tarball=./gpu.tar.gz" },
        { "--remote-runtime-bundle-tarball /srv/gpu.tar.gz", "OpenShell:RuntimeBundle:RemoteTarball=/srv/gpu.tar.gz" },
        { "--skip-sync", "OpenShell:RuntimeBundle:SkipSync=true" },
        {
            "--skip-sync --remote-runtime-bundle-tarball /srv/gpu.tar.gz",
            "OpenShell:RuntimeBundle:RemoteTarball=/srv/gpu.tar.gz; OpenShell:RuntimeBundle:SkipSync=true"
        },
    };

    [Theory]
    [MemberData(nameof(Switches))]
    public void Each_switch_given_sets_its_setting_and_no_other(string commandLine, string expected)
    {
        var command = new Command("deploy");
        var options = RuntimeBundleOptions.AddTo(command);

        var overrides = options.Overrides(command.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

        Assert.Equal(expected, string.Join("; ", overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
    }

    [Theory]
    [InlineData("--runtime-bundle-tarball")]
    [InlineData("--remote-runtime-bundle-tarball")]
    public void A_path_switch_given_an_empty_value_is_refused_with_upstreams_words(string name)
    {
        var command = new Command("deploy");
        var options = RuntimeBundleOptions.AddTo(command);

        var error = Assert.Throws<ArgumentException>(() => options.Overrides(command.Parse([name, " "])));

        Assert.Equal($"{name} requires a value", error.Message);
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("cluster", "up")]
    public async Task Deploy_and_cluster_up_offer_the_bundle_switches(params string[] command)
    {
        var (exit, stdout, _) = await CliRunner.RunAsync([.. command, "--help"]);

        Assert.Equal(0, exit);
        Assert.Contains("--runtime-bundle-tarball <PATH>", stdout, StringComparison.Ordinal);
        Assert.Contains("--remote-runtime-bundle-tarball <PATH>", stdout, StringComparison.Ordinal);
        Assert.Contains("--skip-sync", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy", "-C")]
    [InlineData("cluster", "up", "--repo")]
    public async Task Skip_sync_without_a_remote_tarball_fails_before_anything_runs(params string[] command)
    {
        using var repo = new TempDirectory("skip-sync");
        (await TestProcess.RunAsync("git", ["init", "-q", repo.Path])).EnsureSuccess("git init");

        var (exit, _, stderr) = await CliRunner.RunAsync([.. command, repo.Path, "--skip-sync", "--offline"]);

        Assert.Equal(1, exit);
        Assert.Contains("--skip-sync requires --remote-runtime-bundle-tarball (or OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL)", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(repo.Path, ".cache")), "something ran: .cache was written");
    }
}
