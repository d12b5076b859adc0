using OpenShell.DevLoop.Cli.Commands;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Cli.Tests;

public sealed class ImagePullPrinterTests
{
    [Fact]
    public void Prints_one_line_per_tenth_of_each_image()
    {
        using var stderr = new StringWriter();
        var printer = new ImagePullPrinter(stderr);

        printer.Report(new ImagePullProgress("a:1", "Pulling from a", 0, 0, 0, 0));
        for (var done = 0; done <= 100; done += 5)
        {
            printer.Report(new ImagePullProgress("a:1", "x: Downloading", done == 100 ? 2 : 0, 2, done << 20, 100 << 20));
        }

        printer.Report(new ImagePullProgress("b:2", "y: Already exists", 1, 1, 0, 0));

        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);
        Assert.Equal("pulling a:1: 0% (0 of 100 MiB, 0/2 layers)", lines[0]);
        Assert.Equal("pulling a:1: 100% (100 of 100 MiB, 2/2 layers)", lines[10]);
        Assert.Equal("pulling b:2: 100% (0 of 0 MiB, 1/1 layers)", lines[11]);
    }
}
