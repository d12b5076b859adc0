using System.Diagnostics;
using System.Formats.Tar;
using OpenShell.DevLoop.Deploy;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Deploy;

/// <summary>
/// The node layout's scripts run by a real <c>sh</c> on a folder standing for the node's <c>/opt/openshell/bin</c>; the
/// upload is the tar a swap sends, extracted as the engine's archive API extracts it (hard links relative to the root).
/// </summary>
public sealed class NodeLayoutTests : IDisposable
{
    private const string Name = "openshell-sandbox";
    private readonly TempDirectory _temp = new("node-layout");

    private string Node => _temp.Combine("node");

    private NodeLayout Layout => new(Node, Name);

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string[]> SafePaths => new()
    {
        { "openshell-sandbox", [] },
        { "System.Private.CoreLib.dll", [] },
        { "sub/lib+x_1.so", [] },
        { "a b", ["space"] },
        { "../escape", ["dot-dot"] },
        { "a//b", ["empty segment"] },
        { "it's", ["quote"] },
        { "$(id)", ["shell"] },
        { "", ["empty"] },
    };

    [Theory]
    [MemberData(nameof(SafePaths))]
    public void Only_paths_the_scripts_take_unquoted_are_safe(string path, string[] why) =>
        Assert.Equal(why.Length == 0, NodeLayout.IsSafePath(path));

    [Fact]
    public async Task The_tree_sha256_is_what_the_node_recomputes_from_the_folder()
    {
        var folder = Build("tree", ("openshell-sandbox", "apphost"), ("b.dll", "B"), ("a.dll", "A"), ("sub/c.so", "C"), ("A.txt", "upper"));
        var tree = await NodeTree.ReadAsync(folder);

        var (exit, stdout, stderr) = await ShAsync($"cd '{folder}' && {NodeLayout.TreeHashCommand}");

        Assert.True(exit == 0, stderr);
        Assert.Equal(tree.Sha256, stdout.Trim());
        Assert.Equal(["A.txt", "a.dll", "b.dll", "openshell-sandbox", "sub/c.so"], tree.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task A_tree_replaces_the_release_file_and_the_link_names_it_relatively()
    {
        Directory.CreateDirectory(Node);
        await File.WriteAllTextAsync(Path.Combine(Node, Name), "release single file");
        var tree = await TreeOf("one", ("openshell-sandbox", "apphost 1"), ("app.dll", "app 1"), ("runtime.dll", "runtime"));

        var report = await SwapAsync(tree, store: [], fingerprint: new string('f', 64));

        Assert.Equal(tree.Sha256, report.Sha256);
        Assert.Equal($".{Name}.d/{tree.Sha256}/{Name}", new FileInfo(Path.Combine(Node, Name)).LinkTarget);
        Assert.Equal("apphost 1", await File.ReadAllTextAsync(Path.Combine(Node, Name)));
        Assert.Equal(tree.Files.Select(f => f.Sha256).Order(), report.Store.Order());
        Assert.Equal([tree.Sha256], report.Trees);
        Assert.Equal(new NodeFingerprint(new string('f', 64), tree.Sha256), NodeFingerprint.Parse(await File.ReadAllTextAsync(Path.Combine(Node, Name + ".fingerprint"))));
        Assert.Equal(tree.Sha256, await ReadShaAsync());
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Node, "*", SearchOption.AllDirectories), p => p.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_edit_sends_only_the_changed_file_and_keeps_the_current_and_the_previous_tree()
    {
        var first = await TreeOf("one", ("openshell-sandbox", "apphost"), ("app.dll", "app 1"), ("runtime.dll", "runtime"));
        var second = await TreeOf("two", ("openshell-sandbox", "apphost"), ("app.dll", "app 2"), ("runtime.dll", "runtime"));
        var third = await TreeOf("three", ("openshell-sandbox", "apphost"), ("app.dll", "app 3"), ("runtime.dll", "runtime"));
        var r1 = await SwapAsync(first, store: []);
        var r2 = await SwapAsync(second, store: r1.Store);
        Assert.Equal(1, r2.Uploaded);

        var r3 = await SwapAsync(third, store: r2.Store);

        Assert.Equal(1, r3.Uploaded);
        Assert.Equal(third.Sha256, r3.Sha256);
        Assert.Equal(new[] { second.Sha256, third.Sha256 }.Order(), r3.Trees.Order());
        // The first tree's app.dll is linked by no kept tree: gone from the store.
        Assert.Equal(second.Files.Concat(third.Files).Select(f => f.Sha256).Distinct().Order(), r3.Store.Order());
        Assert.Equal("app 3", await File.ReadAllTextAsync(Path.Combine(Node, $".{Name}.d/{third.Sha256}/app.dll")));
    }

    [Fact]
    public async Task Swapping_back_to_a_tree_on_the_node_sends_nothing_and_only_relinks()
    {
        var first = await TreeOf("one", ("openshell-sandbox", "apphost"), ("app.dll", "app 1"));
        var second = await TreeOf("two", ("openshell-sandbox", "apphost"), ("app.dll", "app 2"));
        await SwapAsync(first, store: []);
        var r2 = await SwapAsync(second, store: []);
        var before = File.ReadAllText(Path.Combine(Node, $".{Name}.d/{first.Sha256}/app.dll"));

        var back = await SwapAsync(first, store: r2.Store, trees: r2.Trees);

        Assert.Equal(0, back.Uploaded);
        Assert.False(back.Archived);
        Assert.Equal(first.Sha256, back.Sha256);
        Assert.Equal("app 1", before);
        Assert.Equal(new[] { first.Sha256, second.Sha256 }.Order(), back.Trees.Order());
    }

    [Fact]
    public async Task A_tree_the_index_names_but_the_node_lacks_fails_with_exit_3_and_swaps_nothing()
    {
        var first = await TreeOf("one", ("openshell-sandbox", "apphost"), ("app.dll", "app 1"));
        var second = await TreeOf("two", ("openshell-sandbox", "apphost"), ("app.dll", "app 2"));
        await SwapAsync(first, store: []);

        var (exit, _, stderr) = await ShAsync(Layout.TreeSwapScript(second.Sha256, Guid.NewGuid(), null));

        Assert.Equal(3, exit);
        Assert.Contains("neither on the node nor staged", stderr, StringComparison.Ordinal);
        Assert.Equal(first.Sha256, await ReadShaAsync());
    }

    [Fact]
    public async Task A_tree_changed_on_the_node_is_never_linked_and_a_full_resend_replaces_it()
    {
        var first = await TreeOf("one", ("openshell-sandbox", "apphost"), ("app.dll", "app 1"));
        var second = await TreeOf("two", ("openshell-sandbox", "apphost"), ("app.dll", "app 2"));
        await SwapAsync(first, store: []);
        var r2 = await SwapAsync(second, store: []);
        // A file of the first tree replaced on the node (its store entry keeps the old content).
        var damaged = Path.Combine(Node, $".{Name}.d/{first.Sha256}/app.dll");
        File.Delete(damaged);
        await File.WriteAllTextAsync(damaged, "changed on the node");

        // What the index says the node holds: the first tree is relinked without sending anything.
        var (exit, stderr, _) = await TrySwapAsync(first, store: r2.Store, trees: r2.Trees);

        Assert.Equal(4, exit);
        Assert.Contains($"tree {first.Sha256} on the node holds content of sha256", stderr, StringComparison.Ordinal);
        Assert.Equal(second.Sha256, await ReadShaAsync());
        Assert.False(Directory.Exists(Path.Combine(Node, $".{Name}.d", first.Sha256)));

        // The deployer's answer to exit 4: everything sent again.
        var resent = await SwapAsync(first, store: []);

        Assert.Equal(first.Sha256, resent.Sha256);
        Assert.Equal(first.Sha256, await ReadShaAsync());
        Assert.Equal("app 1", await File.ReadAllTextAsync(Path.Combine(Node, $".{Name}.d/{first.Sha256}/app.dll")));
    }

    [Fact]
    public async Task A_store_file_changed_on_the_node_fails_the_new_tree_before_its_link_and_a_full_resend_mends_the_store()
    {
        var first = await TreeOf("one", ("openshell-sandbox", "apphost"), ("runtime.dll", "runtime"), ("app.dll", "app 1"));
        var second = await TreeOf("two", ("openshell-sandbox", "apphost"), ("runtime.dll", "runtime"), ("app.dll", "app 2"));
        var r1 = await SwapAsync(first, store: []);
        var runtime = first.Files.Single(f => f.Path == "runtime.dll").Sha256;
        // Written in place: every tree linking this store file now holds other content.
        await File.WriteAllTextAsync(Path.Combine(Node, $".{Name}.files", runtime), "runtime changed on the node");

        var (exit, stderr, _) = await TrySwapAsync(second, store: r1.Store);

        Assert.Equal(4, exit);
        Assert.Contains($"tree {second.Sha256} on the node holds content of sha256", stderr, StringComparison.Ordinal);
        Assert.Equal($".{Name}.d/{first.Sha256}/{Name}", new FileInfo(Path.Combine(Node, Name)).LinkTarget);

        var resent = await SwapAsync(second, store: []);

        Assert.Equal(second.Sha256, resent.Sha256);
        Assert.Equal(second.Sha256, await ReadShaAsync());
        Assert.Equal("runtime", await File.ReadAllTextAsync(Path.Combine(Node, $".{Name}.files", runtime)));
    }

    [Fact]
    public async Task A_swap_removes_what_a_killed_swap_left_and_nothing_else()
    {
        Directory.CreateDirectory(Node);
        var id = Guid.NewGuid();
        string[] left = [Layout.Temporary("", id), Layout.Temporary("link", id), Layout.Temporary("fingerprint", id)];
        foreach (var name in left)
        {
            await File.WriteAllTextAsync(Path.Combine(Node, name), "left");
        }

        Directory.CreateDirectory(Path.Combine(Node, Layout.Temporary("upload", id)));
        Directory.CreateDirectory(Path.Combine(Node, Layout.Temporary("tree", id), "sub"));
        await File.WriteAllTextAsync(Path.Combine(Node, ".openshell-sandbox-tool.keep.tmp"), "other");
        var tree = await TreeOf("one", ("openshell-sandbox", "apphost"));

        await SwapAsync(tree, store: []);

        var names = Directory.EnumerateFileSystemEntries(Node).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(names, n => n!.EndsWith(".tmp", StringComparison.Ordinal) && n != ".openshell-sandbox-tool.keep.tmp");
        Assert.Contains(".openshell-sandbox-tool.keep.tmp", names);
    }

    [Fact]
    public async Task A_single_file_after_trees_keeps_the_previous_tree_then_the_next_file_drops_it_and_its_store()
    {
        var tree = await TreeOf("one", ("openshell-sandbox", "apphost"), ("app.dll", "app 1"));
        await SwapAsync(tree, store: []);

        await FileSwapAsync("release 1");
        Assert.True(Directory.Exists(Path.Combine(Node, $".{Name}.d", tree.Sha256)));
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(Node, $".{Name}.files")).Count());
        var second = await FileSwapAsync("release 2");

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Node, $".{Name}.d")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Node, $".{Name}.files")));
        Assert.Equal(second, await ReadShaAsync());
        Assert.Equal("release 2", await File.ReadAllTextAsync(Path.Combine(Node, Name)));
    }

    private async Task<string> FileSwapAsync(string content)
    {
        var id = Guid.NewGuid();
        Directory.CreateDirectory(Node);
        var staged = Path.Combine(Node, Layout.Temporary("", id));
        await File.WriteAllTextAsync(staged, content);
        var sha = await NodeTree.HashFileAsync(staged, CancellationToken.None);
        var (exit, stdout, stderr) = await ShAsync(Layout.FileSwapScript(sha, id, uploaded: true, null));
        Assert.True(exit == 0, stderr);
        Assert.Equal(sha, stdout.Trim());
        return sha;
    }

    private async Task<string> ReadShaAsync()
    {
        var (exit, stdout, stderr) = await ShAsync(Layout.ReadSha256Script());
        Assert.True(exit == 0, stderr);
        return stdout.Trim();
    }

    private async Task<SwapReport> SwapAsync(NodeTree tree, IReadOnlyCollection<string> store, IReadOnlyCollection<string>? trees = null, string? fingerprint = null)
    {
        var (exit, stderr, report) = await TrySwapAsync(tree, store, trees, fingerprint);
        Assert.True(exit == 0, stderr);
        return report!;
    }

    // The swap as TreeDeployer sends it: the archive (unless the index names the tree), then the script.
    private async Task<(int Exit, string Stderr, SwapReport? Report)> TrySwapAsync(
        NodeTree tree, IReadOnlyCollection<string> store, IReadOnlyCollection<string>? trees = null, string? fingerprint = null)
    {
        var id = Guid.NewGuid();
        var uploaded = 0;
        var archived = trees?.Contains(tree.Sha256) != true;
        if (archived)
        {
            Directory.CreateDirectory(Node);
            using var archive = await TreeDeployer.ArchiveAsync(Layout, tree, store.ToHashSet(), id, CancellationToken.None);
            using (var reader = new TarReader(archive, leaveOpen: true))
            {
                while (await reader.GetNextEntryAsync() is { } entry)
                {
                    uploaded += entry.EntryType == TarEntryType.RegularFile ? 1 : 0;
                }
            }

            archive.Position = 0;
            await TarFile.ExtractToDirectoryAsync(archive, Node, overwriteFiles: false);
        }

        var (exit, stdout, stderr) = await ShAsync(Layout.TreeSwapScript(tree.Sha256, id, fingerprint is null ? null : NodeFingerprint.Format(fingerprint, tree.Sha256)));
        if (exit != 0)
        {
            return (exit, stderr, null);
        }

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (exit, stderr, new SwapReport(
            lines[0],
            [.. lines.Where(l => l.StartsWith("store ", StringComparison.Ordinal)).Select(l => l[6..])],
            [.. lines.Where(l => l.StartsWith("tree ", StringComparison.Ordinal)).Select(l => l[5..])],
            uploaded,
            archived));
    }

    private async Task<NodeTree> TreeOf(string name, params (string Path, string Content)[] files) => await NodeTree.ReadAsync(Build(name, files));

    private string Build(string name, params (string Path, string Content)[] files)
    {
        var folder = _temp.Combine("published", name);
        foreach (var (path, content) in files)
        {
            var file = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }

        return folder;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> ShAsync(string script)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private sealed record SwapReport(string Sha256, string[] Store, string[] Trees, int Uploaded, bool Archived);
}
