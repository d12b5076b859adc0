using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Tests.FileSystem;

public sealed class DiskFullTests
{
    public static TheoryData<string, Exception, bool> Errors => new()
    {
        { "ENOSPC as .NET raises it on Unix", new IOException("No space left on device : '/x/.f.tmp'", 28), true },
        { "EDQUOT", new IOException("Disk quota exceeded : '/x'", 122), true },
        { "Windows ERROR_DISK_FULL", new IOException("There is not enough space on the disk.", unchecked((int)0x80070070)), true },
        { "the words without the code", new IOException("write failed: No space left on device"), true },
        { "a preallocation that does not fit", new IOException("Failed to create '/x/lib.so' with allocation size '4194304' because the disk was full."), true },
        { "inside another error", new InvalidOperationException("staging failed", new IOException("x", 28)), true },
        { "permission denied", new IOException("Permission denied : '/x'", 13), false },
        { "not an I/O error", new InvalidOperationException("No space left on device"), false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Recognises_a_full_file_system_by_its_code_or_words(string why, Exception error, bool full)
    {
        Assert.True(DiskFull.Is(error) == full, why);
    }

    [Theory]
    [InlineData("error MSB3021: Unable to copy file \"a\" to \"b\". No space left on device : 'b'", true)]
    [InlineData("ILC: error: Disk quota exceeded", true)]
    [InlineData("error CS1002: ; expected", false)]
    public void Recognises_a_full_file_system_in_a_tools_output(string output, bool full)
    {
        Assert.Equal(full, DiskFull.IsIn(output));
    }

    [Fact]
    public void The_message_names_the_folder_and_the_remedy_names_a_way_elsewhere()
    {
        Assert.Equal("no space left on device while writing x: the file system that holds '/data/.cache' is full", DiskFull.Message("writing x", "/data/.cache"));
        var remedy = DiskFull.Remedy("/data/.cache", "set X to another disk");
        Assert.Contains("Free space", remedy, StringComparison.Ordinal);
        Assert.Contains("df -h '/data/.cache'", remedy, StringComparison.Ordinal);
        Assert.Contains("or set X to another disk", remedy, StringComparison.Ordinal);
    }
}
