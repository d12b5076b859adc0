using OpenShell.DevLoop.Tests.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>
/// A runtime bundle whose <c>nvidia-container-cli</c> is a real glibc executable linked against a stub
/// <c>libnvidia-container.so.1</c> from the same bundle (both compiled here with the C compiler), so running it inside
/// an image proves both glibc and the bundle's library path work there. The rest comes from <see cref="TestBundle"/>.
/// </summary>
internal static class GlibcStubBundle
{
    /// <summary>What the stub prints when the library was found and called.</summary>
    public const string Greeting = "nvidia-container-cli stub: libnvidia-container 1.17.8-stub";

    private const string Library = """
        const char *nvc_version_string(void) { return "1.17.8-stub"; }
        """;

    private const string Program = """
        #include <stdio.h>
        extern const char *nvc_version_string(void);
        int main(void) { printf("nvidia-container-cli stub: libnvidia-container %s\n", nvc_version_string()); return 0; }
        """;

    public static async Task<string> WriteAsync(TempDirectory temp, string architecture)
    {
        var work = temp.Combine("glibc-stub");
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, "lib.c"), Library);
        await File.WriteAllTextAsync(Path.Combine(work, "main.c"), Program);
        var cc = Compiler();
        var library = Path.Combine(work, "libnvidia-container.so.1.17.8");
        var binary = Path.Combine(work, "nvidia-container-cli");
        (await TestProcess.RunAsync(cc, ["-shared", "-fPIC", "-Wl,-soname,libnvidia-container.so.1", "-o", library, Path.Combine(work, "lib.c")], work)).EnsureSuccess($"{cc} (library)");
        // Linked by the library's soname and without an rpath: the image's loader must find it on its own.
        (await TestProcess.RunAsync(cc, ["-o", binary, Path.Combine(work, "main.c"), library], work)).EnsureSuccess($"{cc} (program)");

        var libArch = architecture == "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        var bundle = new TestBundle { Architecture = architecture, Top = $"nvidia-container-toolkit-1.17.8-{architecture}" };
        for (var i = 0; i < bundle.Files.Count; i++)
        {
            var (path, content, mode) = bundle.Files[i];
            path = path.Replace("x86_64-linux-gnu", libArch, StringComparison.Ordinal);
            content = path.EndsWith("/nvidia-container-cli", StringComparison.Ordinal) ? await File.ReadAllBytesAsync(binary)
                : path.EndsWith("/libnvidia-container.so.1.17.8", StringComparison.Ordinal) ? await File.ReadAllBytesAsync(library)
                : content;
            bundle.Files[i] = (path, content, mode);
        }

        for (var i = 0; i < bundle.Symlinks.Count; i++)
        {
            bundle.Symlinks[i] = (bundle.Symlinks[i].Path.Replace("x86_64-linux-gnu", libArch, StringComparison.Ordinal), bundle.Symlinks[i].Target);
        }

        return bundle.Write(temp.Combine($"glibc-stub-bundle-{architecture}.tar.gz"));
    }

    private static string Compiler()
    {
        foreach (var candidate in new[] { "cc", "clang", "gcc" })
        {
            foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                if (File.Exists(Path.Combine(folder, candidate)))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("No C compiler (cc, clang or gcc) is installed; the image test compiles a stub libnvidia-container with one (apt-get install gcc libc6-dev).");
    }
}
