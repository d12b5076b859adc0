using OpenShell.DevLoop.FileSystem;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.FileSystem;

/// <summary>The cursor reads each path as <see cref="FileStat.TryRead"/> reads its full path, whatever order the folders come in.</summary>
public sealed class FolderStatCursorTests
{
    [Fact]
    public void Reads_every_kind_of_path_as_a_full_path_read_does()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var root = new TempDirectory("osfolders");
        Directory.CreateDirectory(root.Combine("src/a"));
        Directory.CreateDirectory(root.Combine("src/b"));
        File.WriteAllText(root.Combine("top.txt"), "top");
        File.WriteAllText(root.Combine("src/a/one.cs"), "one");
        File.WriteAllText(root.Combine("src/a/two.cs"), "two, longer");
        File.WriteAllText(root.Combine("src/b/three.cs"), "3");
        File.WriteAllText(root.Combine("src/file"), "a file where a folder was");
        File.CreateSymbolicLink(root.Combine("src/b/link.cs"), "three.cs");
        File.SetLastWriteTimeUtc(root.Combine("src/a/two.cs"), new DateTime(2020, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc));

        string[] paths =
        [
            "top.txt", "src/a/one.cs", "src/a/two.cs", "src/a/gone.cs", "src/b/three.cs", "src/b/link.cs", "src/a/one.cs",
            "missing/folder/x.cs", "src/file/inside.cs", "src/b/three.cs", "top.txt",
        ];

        using var cursor = new FolderStatCursor(root.Path);
        foreach (var path in paths)
        {
            Assert.True(FileStat.TryRead(Path.Combine(root.Path, path), out var expected), path);
            Assert.True(cursor.TryRead(path, out var actual), path);
            Assert.Equal(expected, actual);
        }

        Assert.True(cursor.TryRead("src/b/link.cs", out var link));
        Assert.Equal(FileStatKind.Symlink, link.Kind);
        Assert.True(cursor.TryRead("src/file/inside.cs", out var underFile));
        Assert.Equal(FileStatKind.Missing, underFile.Kind);
        Assert.True(cursor.TryRead("src/a/two.cs", out var two));
        Assert.Equal((FileStatKind.File, 11L, new DateTime(2020, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc)), (two.Kind, two.Size, two.LastWriteUtc));
    }
}
