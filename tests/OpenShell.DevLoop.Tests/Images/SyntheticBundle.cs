using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>A small runtime bundle with every required payload path, packed with the bundle code.</summary>
internal static class SyntheticBundle
{
    public static readonly string[] Binaries = ["nvidia-cdi-hook", "nvidia-container-runtime", "nvidia-container-runtime-hook", "nvidia-container-cli", "nvidia-ctk"];

    public static async Task<string> PackAsync(TempDirectory temp, string architecture, string name = "bundle")
    {
        var root = temp.Combine($"{name}-root-{architecture}");
        var libArch = architecture == "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        Directory.CreateDirectory(Path.Combine(root, "usr", "bin"));
        Directory.CreateDirectory(Path.Combine(root, "etc", "nvidia-container-runtime"));
        Directory.CreateDirectory(Path.Combine(root, "usr", "lib", libArch));
        foreach (var binary in Binaries)
        {
            var path = Path.Combine(root, "usr", "bin", binary);
            await File.WriteAllTextAsync(path, $"#!/bin/sh\necho {binary}\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        await File.WriteAllTextAsync(Path.Combine(root, "etc", "nvidia-container-runtime", "config.toml"), "[nvidia-container-cli]\n");
        await File.WriteAllTextAsync(Path.Combine(root, "usr", "lib", libArch, "libnvidia-container.so.1.17.8"), "not really a library");
        File.CreateSymbolicLink(Path.Combine(root, "usr", "lib", libArch, "libnvidia-container.so.1"), "libnvidia-container.so.1.17.8");

        var output = temp.Combine($"{name}-{architecture}.tar.gz");
        await RuntimeBundlePacker.PackAsync(root, architecture, output, "nvidia-container-toolkit", "1.17.8-test", default);
        return output;
    }
}
