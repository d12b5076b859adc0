using OpenShell.DevLoop.Builders;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Builders;

/// <summary>A <c>dotnet publish</c> that ran out of space: a clear error, and nothing half-written left for the next publish.</summary>
public sealed class DotnetPublishDiskFullTests
{
    [Fact]
    public void The_error_names_the_output_folder_and_the_remedy_and_what_the_publish_wrote_is_removed()
    {
        using var repo = new TempDirectory("publish-full");
        var output = repo.Combine(".cache", "deploy", "supervisor-dev", "amd64");
        var artifacts = repo.Combine(".cache", "deploy", "supervisor-dev", "artifacts");
        foreach (var folder in new[] { output, Path.Combine(artifacts, "obj") })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "cut-short.o"), new byte[10]);
        }

        string[] arguments = ["src/S/S.csproj", "-c", "Release", "-o", output, "--artifacts-path", Path.Combine(output, "..", "artifacts")];

        // The copy into the output folder failed: the intermediate files stay, so the next publish is incremental.
        var error = DotnetPublish.DiskFullFailure("publish", repo.Path, arguments, $"error MSB3021: Unable to copy file. No space left on device : '{output}/s.dll'");
        Assert.False(Directory.Exists(output), "the output folder with a file cut short is still there");
        Assert.True(Directory.Exists(artifacts), "the artifacts folder went though no write failed there");

        // A write into the artifacts failed: they go too.
        DotnetPublish.DiskFullFailure("publish", repo.Path, arguments, $"error CS0016: Could not write to output file '{artifacts}/obj/s.dll' -- 'No space left on device'");
        Assert.False(Directory.Exists(artifacts), "the artifacts folder with a file cut short is still there");
        Assert.StartsWith($"no space left on device while dotnet publish src/S/S.csproj wrote its output: the file system that holds '{output}' is full", error.Message, StringComparison.Ordinal);
        Assert.Contains("MSB3021", error.Message, StringComparison.Ordinal);
        Assert.Contains($"was removed ({output})", error.Message, StringComparison.Ordinal);
        Assert.Contains("Free space", error.Remedy, StringComparison.Ordinal);
        Assert.Equal("dotnet publish", error.StepName);
    }

    [Fact]
    public void A_restore_that_names_no_output_folder_names_the_checkout()
    {
        using var repo = new TempDirectory("restore-full");

        var error = DotnetPublish.DiskFullFailure("restore", repo.Path, ["src/S/S.csproj"], "No space left on device");

        Assert.Contains($"holds '{repo.Path}' is full", error.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(repo.Path));
    }

    [Fact]
    public async Task Any_failed_publish_removes_its_output_folder_so_nothing_it_cut_short_is_taken_as_up_to_date()
    {
        using var repo = new TempDirectory("publish-failed");
        var output = repo.Combine(".cache", "deploy", "supervisor-dev", "amd64");
        Directory.CreateDirectory(output);
        File.WriteAllBytes(Path.Combine(output, "openshell-sandbox"), new byte[10]);

        // A project that does not exist: dotnet publish fails at once, with no word of the disk.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            DotnetPublish.RunAsync(repo.Path, ["src/Missing/Missing.csproj", "-o", output, "--nologo"], Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

        Assert.Contains("failed (exit", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "the failed publish's output folder is still there");
    }

    [Theory]
    [InlineData("/sdk/Microsoft.NET.Publish.targets(1228,5): error MSB4018:    at Microsoft.NET.HostModel.Bundle.Bundler.GenerateBundle(IReadOnlyList`1 fileSpecs) [/r/S.csproj]", true)]
    [InlineData("   at Microsoft.Build.BackEnd.TaskExecutionHost.Execute()", true)]
    [InlineData("/sdk/Microsoft.NET.Publish.targets(1228,5): error MSB4018: The \"GenerateBundle\" task failed unexpectedly. [/r/S.csproj]", false)]
    [InlineData("/r/Program.cs(3,1): error CS1002: ; expected [/r/S.csproj]", false)]
    [InlineData("  Restored /r/S.csproj (in 1 s). Look at the log.", false)]
    public void A_tasks_stack_frames_are_left_out_of_the_error_and_its_messages_kept(string line, bool frame) =>
        Assert.Equal(frame, DotnetPublish.IsStackFrame(line));
}
