using System.Text;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

/// <summary>Writes a small install root (<c>usr/…</c>, <c>etc/…</c>) with every path the cluster image needs.</summary>
internal static class InstallRoot
{
    public static string Create(string root, string triple = "x86_64-linux-gnu")
    {
        foreach (var binary in new[] { "nvidia-cdi-hook", "nvidia-container-runtime", "nvidia-container-runtime-hook", "nvidia-container-cli", "nvidia-ctk" })
        {
            Write(root, $"usr/bin/{binary}", TestBundle.Binary(binary, 1500), TestBundle.Mode755);
        }

        Write(root, "etc/nvidia-container-runtime/config.toml", Encoding.UTF8.GetBytes("[nvidia-container-runtime]\n"), TestBundle.Mode644);
        Write(root, $"usr/lib/{triple}/libnvidia-container.so.1.17.8", TestBundle.Binary("lib", 30000), TestBundle.Mode644);
        File.CreateSymbolicLink(Path.Combine(root, $"usr/lib/{triple}/libnvidia-container.so.1"), "libnvidia-container.so.1.17.8");
        return root;
    }

    public static void Write(string root, string relative, byte[] content, UnixFileMode mode)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, mode);
    }
}
