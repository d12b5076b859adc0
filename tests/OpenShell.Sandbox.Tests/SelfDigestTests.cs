using System.Diagnostics;
using OpenShell.Testing;

namespace OpenShell.Sandbox.Tests;

/// <summary>
/// The supervisor's digest of a tree is the one the node recomputes with <c>sha256sum</c> of the sorted files; a tree the
/// deploy placed on the node under its digest is known by its name, anything else by its content.
/// </summary>
public sealed class SelfDigestTests
{
    private const string TreeName = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    public static TheoryData<string, string> Layouts => new()
    {
        // The node's layout: the tree's name, its files are not read.
        { $".openshell-sandbox.d/{TreeName}/openshell-sandbox", "name" },
        // A tree folder whose name is not a digest, in upper case or of another length: its content.
        { ".openshell-sandbox.d/current/openshell-sandbox", "tree" },
        { $".openshell-sandbox.d/{TreeName.ToUpperInvariant()}/openshell-sandbox", "tree" },
        { $".openshell-sandbox.d/{TreeName[..63]}/openshell-sandbox", "tree" },
        // Not under the executable's own trees folder: the executable alone.
        { $".other.d/{TreeName}/openshell-sandbox", "file" },
        { $"bin/{TreeName}/openshell-sandbox", "file" },
        { "openshell-sandbox", "file" },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task The_digest_of_a_build_follows_where_it_runs_from(string executable, string expected)
    {
        using var temp = new TempDirectory("self-digest");
        var path = temp.Combine(executable.Split('/'));
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(path, "apphost");
        await File.WriteAllTextAsync(Path.Combine(folder, "lib.dll"), "lib");

        var digest = await SelfDigest.OfAsync(path, CancellationToken.None);

        Assert.Equal(expected switch
        {
            "name" => TreeName,
            "tree" => await SelfDigest.TreeAsync(folder, CancellationToken.None),
            _ => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("apphost"u8)),
        }, digest);
    }

    [Fact]
    public async Task A_trees_digest_is_the_sha256_of_the_sorted_sha256sum_lines()
    {
        using var temp = new TempDirectory("self-digest");
        foreach (var (path, content) in new[] { ("openshell-sandbox", "apphost"), ("b.dll", "B"), ("a.dll", "A"), ("sub/c.so", "C"), ("A.txt", "upper") })
        {
            var file = temp.Combine(path.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, content);
        }

        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, WorkingDirectory = temp.Path };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("sha256sum $(find . -type f | sed 's|^\\./||' | LC_ALL=C sort) | sha256sum | cut -d' ' -f1");
        using var process = Process.Start(start)!;
        var expected = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();

        Assert.Equal(64, expected.Length);
        Assert.Equal(expected, await SelfDigest.TreeAsync(temp.Path, CancellationToken.None));
    }
}
