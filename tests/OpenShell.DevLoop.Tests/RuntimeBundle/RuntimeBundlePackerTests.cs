using System.Security.Cryptography;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

public sealed class RuntimeBundlePackerTests
{
    [Fact]
    public async Task Packed_bundle_has_the_producer_schema_and_verifies_and_stages()
    {
        using var temp = new TempDirectory("bundle-pack");
        var root = InstallRoot.Create(temp.Combine("root"), "aarch64-linux-gnu");
        var options = new BundlePackOptions
        {
            Name = "toolkit",
            Version = "1.2.3",
            Toolkit = new BundleComponent("1.17.8-openshell.1", "0123456789abcdef0123456789abcdef01234567"),
            Library = new BundleComponent("1.17.8-openshell.2", "89abcdef0123456789abcdef0123456789abcdef"),
            CreatedAt = new DateTimeOffset(2026, 3, 18, 12, 34, 56, TimeSpan.Zero),
        };

        var packed = await RuntimeBundlePacker.PackAsync(root, "aarch64", temp.Combine("out", "bundle.tar.gz"), options);
        var verified = await RuntimeBundleVerifier.VerifyAsync(packed.TarballPath, "arm64");
        var staged = await RuntimeBundleStager.StageAsync(packed.TarballPath, "arm64", temp.Combine("staged"));

        Assert.Equal("toolkit_1.2.3_arm64", packed.BundleDirectoryName);
        Assert.Equal("arm64", verified.Manifest.Architecture);
        Assert.Equal("2026-03-18T12:34:56Z", verified.Manifest.CreatedAt);
        Assert.Equal(options.Toolkit, verified.Manifest.Toolkit);
        Assert.Equal(options.Library, verified.Manifest.Library);
        Assert.Equal(packed.TarballSha256, verified.TarballSha256);
        Assert.Equal(8, verified.FileCount);
        Assert.Contains(verified.Manifest.Files, f => f.Path == "usr/lib/aarch64-linux-gnu/libnvidia-container.so.1" && f.IsSymlink);
        Assert.Contains(verified.Manifest.Files, f => f.Path == "usr/bin/nvidia-ctk" && !f.IsSymlink && f.Size == 1500);
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(root, "usr/bin/nvidia-ctk")),
            await File.ReadAllBytesAsync(Path.Combine(staged.BundleDirectory, "usr/bin/nvidia-ctk")));
        Assert.Equal(TestBundle.Mode755, File.GetUnixFileMode(Path.Combine(staged.BundleDirectory, "usr/bin/nvidia-ctk")));
    }

    [Fact]
    public async Task The_manifest_is_written_in_the_producer_schema()
    {
        using var temp = new TempDirectory("bundle-pack-json");
        var root = InstallRoot.Create(temp.Combine("root"));
        var packed = await RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), new BundlePackOptions());

        var manifest = System.Text.Json.Nodes.JsonNode.Parse(await ReadEntryAsync(packed.TarballPath, $"{packed.BundleDirectoryName}/manifest.json"))!.AsObject();

        Assert.Equal("openshell-gpu-runtime-bundle_0.0.0-local_amd64", packed.BundleDirectoryName);
        Assert.Equal(
            ["schema_version", "bundle_name", "bundle_version", "architecture", "created_at", "components", "files"],
            manifest.Select(p => p.Key).ToArray());
        Assert.Equal(1, manifest["schema_version"]!.GetValue<int>());
        Assert.Equal("2000-01-01T00:00:00Z", manifest["created_at"]!.GetValue<string>());
        Assert.Equal("unknown", manifest["components"]!["libnvidia_container"]!["commit"]!.GetValue<string>());
        var ctk = manifest["files"]!.AsArray().Single(f => f!["path"]!.GetValue<string>() == "usr/bin/nvidia-ctk")!;
        Assert.Equal("file", ctk["entry_type"]!.GetValue<string>());
        Assert.Equal(1500, ctk["size"]!.GetValue<long>());
        Assert.Equal(64, ctk["sha256"]!.GetValue<string>().Length);
        var link = manifest["files"]!.AsArray().Single(f => f!["path"]!.GetValue<string>() == "usr/lib/x86_64-linux-gnu/libnvidia-container.so.1")!;
        Assert.Equal("symlink", link["entry_type"]!.GetValue<string>());
        Assert.Null(link["sha256"]);
    }

    [Fact]
    public async Task A_symlinked_binary_is_refused_because_the_consumer_refuses_it()
    {
        using var temp = new TempDirectory("bundle-pack-binlink");
        var root = InstallRoot.Create(temp.Combine("root"));
        File.Delete(Path.Combine(root, "usr/bin/nvidia-cdi-hook"));
        File.CreateSymbolicLink(Path.Combine(root, "usr/bin/nvidia-cdi-hook"), "nvidia-ctk");

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), new BundlePackOptions()));

        Assert.Equal(BundleRule.InvalidInstallRoot, error.Rule);
        Assert.Contains("usr/bin/nvidia-cdi-hook", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("a.tar.gz")));
    }

    [Fact]
    public async Task A_library_for_another_architecture_is_refused()
    {
        using var temp = new TempDirectory("bundle-pack-triple");
        var root = InstallRoot.Create(temp.Combine("root"));

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundlePacker.PackAsync(root, "arm64", temp.Combine("a.tar.gz"), new BundlePackOptions()));

        Assert.Equal(BundleRule.InvalidInstallRoot, error.Rule);
        Assert.Contains("usr/lib/aarch64-linux-gnu/libnvidia-container*.so*", error.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> ReadEntryAsync(string tarball, string name)
    {
        await using var file = File.OpenRead(tarball);
        await using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
        await using var reader = new System.Formats.Tar.TarReader(gzip);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name == name)
            {
                using var content = new MemoryStream();
                await entry.DataStream!.CopyToAsync(content);
                return content.ToArray();
            }
        }

        throw new InvalidOperationException($"{name} is not in {tarball}");
    }

    [Fact]
    public async Task Packing_is_reproducible_whatever_the_timestamps()
    {
        using var temp = new TempDirectory("bundle-pack-repro");
        var root = InstallRoot.Create(temp.Combine("root"));

        var first = await RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), "toolkit", "1.0.0");
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
            File.SetLastAccessTimeUtc(file, DateTime.UtcNow.AddDays(-1));
        }

        var second = await RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("b.tar.gz"), "toolkit", "1.0.0");

        Assert.Equal(await File.ReadAllBytesAsync(first.TarballPath), await File.ReadAllBytesAsync(second.TarballPath));
        Assert.Equal(first.TarballSha256, second.TarballSha256);
    }

    [Fact]
    public async Task Different_content_gives_different_bytes()
    {
        using var temp = new TempDirectory("bundle-pack-diff");
        var root = InstallRoot.Create(temp.Combine("root"));
        var first = await RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), "toolkit", "1.0.0");
        InstallRoot.Write(root, "usr/bin/nvidia-ctk", [1, 2, 3], TestBundle.Mode755);

        var second = await RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("b.tar.gz"), "toolkit", "1.0.0");

        Assert.NotEqual(first.TarballSha256, second.TarballSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(second.TarballPath))), second.TarballSha256);
    }

    [Fact]
    public async Task Entries_are_sorted_with_the_manifest_first_and_fixed_owner_and_time()
    {
        using var temp = new TempDirectory("bundle-pack-order");
        var root = InstallRoot.Create(temp.Combine("root"));
        var packed = await RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), "toolkit", "1.0.0");

        var entries = new List<System.Formats.Tar.TarEntry>();
        await using (var file = File.OpenRead(packed.TarballPath))
        await using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress))
        await using (var reader = new System.Formats.Tar.TarReader(gzip))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                entries.Add(entry);
            }
        }

        Assert.Equal("toolkit_1.0.0_amd64/", entries[0].Name);
        Assert.Equal("toolkit_1.0.0_amd64/manifest.json", entries[1].Name);
        var payload = entries.Skip(2).Select(e => e.Name.TrimEnd('/')).ToList();
        Assert.Equal(payload.Order(StringComparer.Ordinal), payload);
        Assert.All(entries, e =>
        {
            Assert.Equal(RuntimeBundlePacker.EntryTime, e.ModificationTime);
            Assert.Equal(0, e.Uid);
            Assert.Equal(0, e.Gid);
            Assert.Equal("root", ((System.Formats.Tar.PosixTarEntry)e).UserName);
        });
    }

    [Fact]
    public async Task Install_root_without_a_required_path_is_refused()
    {
        using var temp = new TempDirectory("bundle-pack-required");
        var root = InstallRoot.Create(temp.Combine("root"));
        File.Delete(Path.Combine(root, "usr/bin/nvidia-cdi-hook"));

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), "toolkit", "1.0.0"));

        Assert.Equal(BundleRule.InvalidInstallRoot, error.Rule);
        Assert.Contains("usr/bin/nvidia-cdi-hook", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("a.tar.gz")));
    }

    [Fact]
    public async Task Symlink_leaving_the_install_root_is_refused()
    {
        using var temp = new TempDirectory("bundle-pack-link");
        var root = InstallRoot.Create(temp.Combine("root"));
        File.CreateSymbolicLink(Path.Combine(root, "usr/bin/escape"), "../../../etc/passwd");

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), "toolkit", "1.0.0"));

        Assert.Equal(BundleRule.LinkEscapes, error.Rule);
        Assert.Contains("usr/bin/escape", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("")]
    [InlineData("a/b")]
    public async Task Bad_names_are_refused(string name)
    {
        using var temp = new TempDirectory("bundle-pack-name");
        var root = InstallRoot.Create(temp.Combine("root"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RuntimeBundlePacker.PackAsync(root, "amd64", temp.Combine("a.tar.gz"), name, "1.0.0"));

        Assert.True(error is RuntimeBundleException or ArgumentException);
        Assert.False(File.Exists(temp.Combine("a.tar.gz")));
    }
}
