namespace OpenShell.Bench.RuntimeBundle;

/// <summary>
/// Writes an install root shaped like a GPU runtime bundle: the required binaries and config, a versioned shared
/// library with its symlink, a thousand small files and large files up to the requested size. Content compresses
/// roughly 2:1, like native binaries.
/// </summary>
internal static class InstallRootGenerator
{
    private const int ChunkSize = 64 * 1024;

    public static void Generate(string root, long totalBytes)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var random = new Random(42);
        var chunk = new byte[ChunkSize];
        long written = 0;
        void Write(string relative, long size)
        {
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, ChunkSize);
            for (long done = 0; done < size; done += ChunkSize)
            {
                // Half random, half a repeating pattern: about 2:1 under gzip.
                random.NextBytes(chunk.AsSpan(0, ChunkSize / 2));
                for (var i = ChunkSize / 2; i < ChunkSize; i++)
                {
                    chunk[i] = (byte)("ELF.text.data.rodata.symtab"[i % 27] ^ (i / 4096));
                }

                stream.Write(chunk, 0, (int)Math.Min(ChunkSize, size - done));
            }

            written += size;
        }

        foreach (var binary in new[] { "nvidia-cdi-hook", "nvidia-container-runtime", "nvidia-container-runtime-hook", "nvidia-container-cli", "nvidia-ctk" })
        {
            Write($"usr/bin/{binary}", 4L * 1024 * 1024);
            File.SetUnixFileMode(Path.Combine(root, "usr/bin", binary), (UnixFileMode)0x1ED);
        }

        Write("etc/nvidia-container-runtime/config.toml", 2048);
        Write("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8", 8L * 1024 * 1024);
        File.CreateSymbolicLink(Path.Combine(root, "usr/lib/x86_64-linux-gnu/libnvidia-container.so.1"), "libnvidia-container.so.1.17.8");
        for (var i = 0; i < 1000; i++)
        {
            Write($"usr/share/nvidia-container-toolkit/data/{i / 100:D2}/file-{i:D4}.dat", 4096 + (i % 7) * 1024);
        }

        for (var i = 0; written < totalBytes; i++)
        {
            Write($"usr/lib/x86_64-linux-gnu/nvidia/libpayload-{i:D3}.so", Math.Min(48L * 1024 * 1024, totalBytes - written));
        }
    }
}
