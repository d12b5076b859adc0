using OpenShell.DevLoop.State;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.State;

public sealed class DeployStateStoreTests
{
    private static readonly string s_fingerprint = new('a', 64);

    [Fact]
    public async Task Writes_the_upstream_format_and_reads_it_back()
    {
        using var folder = new TempDirectory();
        var store = new DeployStateStore(folder.Combine(".cache", "cluster-deploy-fast.state"));
        var state = new DeployState("openshell", "abc123", new Dictionary<string, string> { ["helm"] = string.Empty, ["gateway"] = s_fingerprint });

        await store.WriteAsync(state, ["gateway", "supervisor", "helm"]);

        Assert.Equal($"cluster_name=openshell\ncontainer_id=abc123\ngateway={s_fingerprint}\nhelm=\n", await File.ReadAllTextAsync(store.Path));
        var read = await store.ReadAsync();
        Assert.Null(read.Warning);
        Assert.Equal("openshell", read.State!.ClusterName);
        Assert.Equal("abc123", read.State.ContainerId);
        Assert.Equal(state.Fingerprints.OrderBy(p => p.Key), read.State.Fingerprints.OrderBy(p => p.Key));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(store.Path)!));
    }

    [Fact]
    public async Task Writing_replaces_the_file_whole()
    {
        using var folder = new TempDirectory();
        var store = new DeployStateStore(folder.Combine("state"));
        await File.WriteAllTextAsync(store.Path, new string('x', 10_000));

        await store.WriteAsync(new DeployState("c", string.Empty, new Dictionary<string, string>()), []);

        Assert.Equal("cluster_name=c\ncontainer_id=\n", await File.ReadAllTextAsync(store.Path));
    }

    [Fact]
    public async Task A_missing_file_is_no_state_without_a_warning()
    {
        using var folder = new TempDirectory();

        var read = await new DeployStateStore(folder.Combine("none")).ReadAsync();

        Assert.Equal(new DeployStateReadResult(null, null), read);
    }

    [Fact]
    public async Task An_unreadable_file_is_no_state_with_a_warning()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.Combine("state"));

        var read = await new DeployStateStore(folder.Combine("state")).ReadAsync();

        Assert.Null(read.State);
        Assert.Contains("cannot be read", read.Warning, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CorruptFiles => new()
    {
        { "garbage", "line 1 is not a key=value line" },
        { "cluster_name=a\n=b\n", "line 2 is not a key=value line" },
        { "cluster_name=a b\n", "line 1 is not a key=value line" },
        { "container_id=x\n", "no cluster_name line" },
        { "cluster_name=a\n\0\0\0", "line 2 is not a key=value line" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void A_corrupt_file_is_no_state_with_a_warning(string text, string cause)
    {
        var read = DeployStateStore.Parse(text, "state");

        Assert.Null(read.State);
        Assert.Contains(cause, read.Warning, StringComparison.Ordinal);
        Assert.Contains("planning as if nothing was deployed", read.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Upstream_files_with_crlf_and_unknown_keys_parse()
    {
        var read = DeployStateStore.Parse($"cluster_name=a\r\ncontainer_id=\r\nsupervisor={s_fingerprint}\r\n", "state");

        Assert.Equal(s_fingerprint, read.State!.Fingerprints["supervisor"]);
        Assert.Equal(string.Empty, read.State.ContainerId);
    }

    [Fact]
    public void A_value_that_is_no_fingerprint_is_kept_aside_not_fatal()
    {
        var read = DeployStateStore.Parse($"cluster_name=a\ngateway=not-a-hash\nfuture_flag=1\nhelm={s_fingerprint}\nnote=two words\n", "state");

        Assert.Null(read.Warning);
        Assert.Equal(new Dictionary<string, string> { ["helm"] = s_fingerprint }, read.State!.Fingerprints);
        Assert.Equal([new("gateway", "not-a-hash"), new("future_flag", "1"), new("note", "two words")], read.State.OtherEntries);
    }

    [Fact]
    public void Other_entries_are_written_back_after_the_fingerprints_unless_a_fingerprint_replaces_them()
    {
        var state = new DeployState("a", "id", new Dictionary<string, string> { ["gateway"] = s_fingerprint })
        {
            OtherEntries = [new("gateway", "not-a-hash"), new("future_flag", "1"), new("cluster_name", "ignored")],
        };

        var text = DeployStateStore.Format(state, ["gateway", "supervisor"]);

        Assert.Equal($"cluster_name=a\ncontainer_id=id\ngateway={s_fingerprint}\nfuture_flag=1\n", text);
    }

    [Fact]
    public void The_last_line_of_a_key_wins()
    {
        var read = DeployStateStore.Parse($"cluster_name=a\ngateway=bad\ngateway={s_fingerprint}\nhelm={s_fingerprint}\nhelm=bad\n", "state");

        Assert.Equal(s_fingerprint, read.State!.Fingerprints["gateway"]);
        Assert.False(read.State.Fingerprints.ContainsKey("helm"));
        Assert.Equal([new("helm", "bad")], read.State.OtherEntries);
    }

    [Fact]
    public async Task A_temp_file_a_killed_writer_left_is_removed_by_the_next_write_and_nothing_else_is()
    {
        using var folder = new TempDirectory();
        var store = new DeployStateStore(folder.Combine(".cache", "cluster-deploy-fast.state"));
        Directory.CreateDirectory(folder.Combine(".cache"));
        var stale = folder.Combine(".cache", $".cluster-deploy-fast.state.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(stale, "cluster_name=half");
        var other = folder.Combine(".cache", $".other.state.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(other, "not ours");

        await store.WriteAsync(new DeployState("openshell", "", new Dictionary<string, string> { ["gateway"] = s_fingerprint }), ["gateway"]);

        Assert.False(File.Exists(stale), "the killed writer's temp file is still there");
        Assert.True(File.Exists(other));
        Assert.Equal([Path.GetFileName(other), "cluster-deploy-fast.state"], Directory.GetFiles(folder.Combine(".cache")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
