using System.Diagnostics;
using OpenShell.Testing;

namespace OpenShell.Sandbox.Tests;

/// <summary>The supervisor's digest of a tree is the one the node recomputes with <c>sha256sum</c> of the sorted files.</summary>
public sealed class SelfDigestTests
{
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
