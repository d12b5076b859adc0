using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Tests.FileSystem;

public sealed class FileStatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("filestat-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_file_reads_as_FileInfo_reads_it()
    {
        var path = Path.Combine(_folder, "Program.cs");
        File.WriteAllText(path, "class Program { }\n");
        File.SetLastWriteTimeUtc(path, new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567));

        Assert.True(FileStat.TryRead(path, out var stat));

        var info = new FileInfo(path);
        Assert.Equal((FileStatKind.File, info.Length, info.LastWriteTimeUtc), (stat.Kind, stat.Size, stat.LastWriteUtc));
        Assert.Equal(new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds(), stat.MtimeSeconds);
    }

    [Theory]
    [InlineData("missing", "Missing")]
    [InlineData("file/under-a-file", "Missing")]
    [InlineData("folder", "Other")]
    [InlineData("link", "Symlink")]
    [InlineData("dangling", "Symlink")]
    [InlineData("folder/ünïcode ∂ file", "File")]
    public void Each_kind_of_path_is_told_apart_without_following_a_link(string relative, string expected)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "folder"));
        File.WriteAllText(Path.Combine(_folder, "file"), "x");
        File.WriteAllText(Path.Combine(_folder, "folder", "ünïcode ∂ file"), "y");
        File.CreateSymbolicLink(Path.Combine(_folder, "link"), Path.Combine(_folder, "file"));
        File.CreateSymbolicLink(Path.Combine(_folder, "dangling"), Path.Combine(_folder, "nowhere"));

        Assert.True(FileStat.TryRead(Path.Combine(_folder, relative), out var stat));
        Assert.Equal(expected, stat.Kind.ToString());
    }
}
