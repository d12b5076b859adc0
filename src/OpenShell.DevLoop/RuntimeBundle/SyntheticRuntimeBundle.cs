using System.Text;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// A stand-in GPU runtime bundle for offline machines: every required path exists (the executables are scripts that
/// say they are stand-ins), packed with the real packer so it passes the real verification. It proves the build and
/// deploy paths, not GPU support.
/// </summary>
public static class SyntheticRuntimeBundle
{
    /// <summary>The bundle's manifest name.</summary>
    public const string Name = "openshell-gpu-runtime-synthetic";

    /// <summary>The bundle's manifest version.</summary>
    public const string Version = "0.0.0-offline";

    private static readonly string[] s_tools =
    [
        "nvidia-cdi-hook", "nvidia-container-runtime", "nvidia-container-runtime-hook", "nvidia-container-cli", "nvidia-ctk",
    ];

    /// <summary>
    /// Returns the tarball under <paramref name="cacheDirectory"/>, packing it first when it is missing.
    /// Packing is deterministic, so the same tarball (and checksum) comes back every time.
    /// </summary>
    public static async Task<string> EnsureAsync(string cacheDirectory, string architecture, CancellationToken ct = default)
    {
        var arch = BundleArchitecture.Normalize(architecture);
        Directory.CreateDirectory(cacheDirectory);
        // Named like the bundle directory, so a tarball packed by an older schema is never picked up.
        var tarball = Path.Combine(cacheDirectory, $"{Name}_{Version}_{arch}.tar.gz");
        if (File.Exists(tarball))
        {
            return tarball;
        }

        var root = Path.Combine(cacheDirectory, $".synthetic-{arch}-{Guid.NewGuid():N}");
        try
        {
            WriteInstallRoot(root, arch);
            await RuntimeBundlePacker.PackAsync(root, arch, tarball, Name, Version, ct).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        return tarball;
    }

    private static void WriteInstallRoot(string root, string arch)
    {
        var bin = Directory.CreateDirectory(Path.Combine(root, "usr", "bin")).FullName;
        foreach (var tool in s_tools)
        {
            var path = Path.Combine(bin, tool);
            File.WriteAllText(path, $"#!/bin/sh\necho '{tool}: offline stand-in from the synthetic runtime bundle' >&2\nexit 0\n", Encoding.ASCII);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        var config = Directory.CreateDirectory(Path.Combine(root, "etc", "nvidia-container-runtime")).FullName;
        File.WriteAllText(Path.Combine(config, "config.toml"), "# synthetic runtime bundle: no GPU support\n", Encoding.ASCII);

        var triplet = arch == "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        var lib = Directory.CreateDirectory(Path.Combine(root, "usr", "lib", triplet)).FullName;
        File.WriteAllText(Path.Combine(lib, "libnvidia-container.so.1.0.0"), "synthetic\n", Encoding.ASCII);
        File.CreateSymbolicLink(Path.Combine(lib, "libnvidia-container.so.1"), "libnvidia-container.so.1.0.0");
    }
}
