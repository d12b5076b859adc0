using System.Formats.Tar;
using System.Text;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

public sealed class RuntimeBundleStagerTests
{
    private static readonly Dictionary<string, (Action<TestBundle> Arrange, string Architecture)> ValidCases = new(StringComparer.Ordinal)
    {
        ["gzip, manifest first"] = (_ => { }, "amd64"),
        ["plain tar"] = (b => b.Gzip = false, "amd64"),
        ["manifest last"] = (b => b.ManifestLast = true, "amd64"),
        ["arm64 bundle, asked as aarch64"] = (
            b =>
            {
                b.Architecture = "arm64";
                b.Top = "openshell-gpu-runtime-bundle_0.1.0_arm64";
                b.RemoveFile("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1");
                b.RemoveFile("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8");
                b.Files.Add(("usr/lib/aarch64-linux-gnu/libnvidia-container.so.1", TestBundle.Binary("lib", 200), TestBundle.Mode644));
            },
            "aarch64"),
        ["amd64 bundle, asked as x86_64"] = (_ => { }, "x86_64"),
        ["architecture with surrounding blanks"] = (b => b.EditManifest = m => m["architecture"] = " amd64\n", "amd64"),
        ["fields the schema does not name are ignored"] = (
            b => b.EditManifest = m =>
            {
                m["signature"] = "ignored";
                m["components"]!["extra_tool"] = new System.Text.Json.Nodes.JsonObject { ["version"] = "1" };
                m["files"]![1]!["mode"] = "0700";
                m["files"]![7]!["target"] = "not-checked";
            },
            "amd64"),
        ["listed paths with surrounding blanks"] = (b => b.EditManifest = m => m["files"]![2]!["path"] = " usr/bin/nvidia-container-cli ", "amd64"),
        ["symlink chain for the shared library"] = (
            b =>
            {
                b.Symlinks.Add(("usr/lib/x86_64-linux-gnu/libnvidia-container.so", "libnvidia-container.so.1"));
                b.Symlinks.Add(("usr/lib/x86_64-linux-gnu/libnvidia-container-go.so.1", "../x86_64-linux-gnu/libnvidia-container.so.1.17.8"));
            },
            "amd64"),
        ["hardlinked binary"] = (
            b =>
            {
                var ctk = b.Files.Single(f => f.Path == "usr/bin/nvidia-ctk");
                b.RemoveFile("usr/bin/nvidia-cdi-hook");
                b.Extra.Add(TestBundle.Link(TarEntryType.HardLink, $"{b.Top}/usr/bin/nvidia-cdi-hook", $"{b.Top}/usr/bin/nvidia-ctk"));
                b.EditManifest = m => m["files"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject
                {
                    ["path"] = "usr/bin/nvidia-cdi-hook",
                    ["entry_type"] = "file",
                    ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ctk.Content)),
                    ["size"] = ctk.Content.Length,
                });
            },
            "amd64"),
        ["entries with a ./ prefix and explicit directories"] = (
            b =>
            {
                b.Top = "./toolkit";
                b.Extra.Add(new PaxTarEntry(TarEntryType.Directory, "./toolkit/usr/share/"));
            },
            "amd64"),
    };

    public static TheoryData<string> ValidCaseNames => new(ValidCases.Keys);

    [Theory]
    [MemberData(nameof(ValidCaseNames))]
    public async Task Valid_bundles_verify_and_stage(string name)
    {
        var (arrange, architecture) = ValidCases[name];
        using var temp = new TempDirectory("bundle-valid");
        var bundle = new TestBundle();
        arrange(bundle);
        var tarball = bundle.Write(temp.Combine("bundle.tgz"));

        var verified = await RuntimeBundleVerifier.VerifyAsync(tarball, architecture);
        var staged = await RuntimeBundleStager.StageAsync(tarball, architecture, temp.Combine("staged"));

        var arch = BundleArchitecture.Normalize(architecture);
        Assert.Equal(arch, verified.Manifest.Architecture);
        Assert.Equal(Path.Combine(temp.Path, "staged", arch, bundle.Top.TrimStart('.', '/')), staged.BundleDirectory);
        Assert.Equal("1.17.8-openshell.1", verified.Manifest.Toolkit.Version);
        Assert.Equal("89abcdef0123456789abcdef0123456789abcdef", verified.Manifest.Library.Commit);
        Assert.Equal(verified.TarballSha256, staged.TarballSha256);
        foreach (var (path, content, _) in bundle.Files)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(staged.BundleDirectory, path)));
        }

        Assert.True(File.Exists(Path.Combine(staged.BundleDirectory, "usr/bin/nvidia-cdi-hook")));

        foreach (var (path, target) in bundle.Symlinks)
        {
            Assert.Equal(target, new FileInfo(Path.Combine(staged.BundleDirectory, path)).LinkTarget);
        }

        Assert.True(File.Exists(Path.Combine(staged.BundleDirectory, "manifest.json")));
        Assert.Single(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Path, "staged", arch)));
    }

    [Fact]
    public async Task Verify_writes_nothing_and_reports_the_tarball_hash()
    {
        using var temp = new TempDirectory("bundle-verify");
        var tarball = new TestBundle().Write(temp.Combine("bundle.tar.gz"));

        var verified = await RuntimeBundleVerifier.VerifyAsync(tarball);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(tarball))), verified.TarballSha256);
        Assert.Equal(8, verified.FileCount);
        Assert.Equal([tarball], Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task Staging_keeps_modes_and_strips_setuid_and_setgid()
    {
        using var temp = new TempDirectory("bundle-modes");
        var bundle = new TestBundle();
        var index = bundle.Files.FindIndex(f => f.Path == "usr/bin/nvidia-container-cli");
        bundle.Files[index] = bundle.Files[index] with { Mode = TestBundle.Mode755 | UnixFileMode.SetUser | UnixFileMode.SetGroup };
        var tarball = bundle.Write(temp.Combine("bundle.tgz"));

        var staged = await RuntimeBundleStager.StageAsync(tarball, "amd64", temp.Combine("staged"));

        Assert.Equal(TestBundle.Mode755, File.GetUnixFileMode(Path.Combine(staged.BundleDirectory, "usr/bin/nvidia-container-cli")));
        Assert.Equal(TestBundle.Mode755, File.GetUnixFileMode(Path.Combine(staged.BundleDirectory, "usr/bin/nvidia-ctk")));
        Assert.Equal(TestBundle.Mode644, File.GetUnixFileMode(Path.Combine(staged.BundleDirectory, "etc/nvidia-container-runtime/config.toml")));
    }

    [Fact]
    public async Task Hardlinks_inside_the_bundle_are_staged_as_copies()
    {
        using var temp = new TempDirectory("bundle-hardlink");
        var bundle = new TestBundle();
        bundle.Extra.Add(TestBundle.Link(TarEntryType.HardLink, $"{bundle.Top}/usr/bin/nvidia-ctk-copy", $"{bundle.Top}/usr/bin/nvidia-ctk"));
        var ctk = bundle.Files.Single(f => f.Path == "usr/bin/nvidia-ctk");
        bundle.EditManifest = m => ((System.Text.Json.Nodes.JsonArray)m["files"]!).Add(new System.Text.Json.Nodes.JsonObject
        {
            ["path"] = "usr/bin/nvidia-ctk-copy",
            ["entry_type"] = "file",
            ["size"] = ctk.Content.Length,
            ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ctk.Content)),
        });
        var tarball = bundle.Write(temp.Combine("bundle.tgz"));

        var staged = await RuntimeBundleStager.StageAsync(tarball, "amd64", temp.Combine("staged"));

        Assert.Equal(ctk.Content, await File.ReadAllBytesAsync(Path.Combine(staged.BundleDirectory, "usr/bin/nvidia-ctk-copy")));
    }

    [Fact]
    public async Task A_failed_check_removes_the_architecture_folder_and_keeps_the_others()
    {
        using var temp = new TempDirectory("bundle-previous");
        var destination = temp.Combine("staged");
        await RuntimeBundleStager.StageAsync(new TestBundle().Write(temp.Combine("good.tgz")), "amd64", destination);
        Directory.CreateDirectory(Path.Combine(destination, "arm64", "kept"));
        var bad = new TestBundle();
        bad.EditManifest = m => m["files"]![2]!["sha256"] = new string('f', 64);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleStager.StageAsync(bad.Write(temp.Combine("bad.tgz")), "amd64", destination));

        Assert.Equal("runtime bundle validation failed: checksum mismatch: usr/bin/nvidia-container-cli", error.Message);
        Assert.False(Directory.Exists(Path.Combine(destination, "amd64")));
        Assert.True(Directory.Exists(Path.Combine(destination, "arm64", "kept")));
    }

    [Fact]
    public async Task A_tarball_that_does_not_exist_leaves_the_stage_as_it_was()
    {
        using var temp = new TempDirectory("bundle-not-found");
        var destination = temp.Combine("staged");
        var previous = await RuntimeBundleStager.StageAsync(new TestBundle().Write(temp.Combine("good.tgz")), "amd64", destination);
        var before = Snapshot(previous.BundleDirectory);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleStager.StageAsync("missing/bundle.tgz", "amd64", destination));

        Assert.Equal("runtime bundle validation failed: tarball not found: missing/bundle.tgz", error.Message);
        Assert.Equal(before, Snapshot(previous.BundleDirectory));
    }

    [Fact]
    public async Task A_failure_injected_mid_extraction_removes_the_architecture_folder()
    {
        using var temp = new TempDirectory("bundle-inject");
        var destination = temp.Combine("staged");
        await RuntimeBundleStager.StageAsync(new TestBundle().Write(temp.Combine("good.tgz")), "amd64", destination);
        var next = new TestBundle();
        next.Files[0] = next.Files[0] with { Content = Encoding.UTF8.GetBytes("changed") };
        var failing = new FailingProgress(failAfterEntries: 4);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleStager.StageAsync(next.Write(temp.Combine("next.tgz")), "amd64", destination, progress: failing));

        Assert.Equal(BundleRule.StagingFailed, error.Rule);
        Assert.True(failing.Entries >= 4);
        Assert.False(Directory.Exists(Path.Combine(destination, "amd64")));

        // A full disk is named as such, with the folder and what to do, not as a write or archive failure.
        Assert.StartsWith($"runtime bundle: no space left on device while staging the runtime bundle: the file system that holds '{Path.Combine(destination, "amd64")}' is full",
            error.Message, StringComparison.Ordinal);
        Assert.Contains("Free space", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("--dest", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_mid_extraction_removes_the_architecture_folder()
    {
        using var temp = new TempDirectory("bundle-cancel");
        var destination = temp.Combine("staged");
        await RuntimeBundleStager.StageAsync(new TestBundle().Write(temp.Combine("good.tgz")), "amd64", destination);
        using var cts = new CancellationTokenSource();
        var cancelling = new CallbackProgress(p =>
        {
            if (p.Entry?.EndsWith("usr/bin/", StringComparison.Ordinal) == true || p.Entry?.Contains("nvidia-ctk", StringComparison.Ordinal) == true)
            {
                cts.Cancel();
            }
        });
        var next = new TestBundle();
        next.Extra.Add(new PaxTarEntry(TarEntryType.Directory, $"{next.Top}/usr/share/"));
        next.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{next.Top}/usr/bin/nvidia-ctk-link", "nvidia-ctk"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RuntimeBundleStager.StageAsync(next.Write(temp.Combine("next.tgz")), "amd64", destination, progress: cancelling, ct: cts.Token));

        Assert.False(Directory.Exists(Path.Combine(destination, "amd64")));
    }

    [Fact]
    public async Task Restaging_replaces_the_bundle_and_drops_other_versions()
    {
        using var temp = new TempDirectory("bundle-restage");
        var destination = temp.Combine("staged");
        var first = await RuntimeBundleStager.StageAsync(new TestBundle().Write(temp.Combine("v1.tgz")), "amd64", destination);
        var same = new TestBundle();
        same.Files[0] = same.Files[0] with { Content = Encoding.UTF8.GetBytes("second") };
        var second = await RuntimeBundleStager.StageAsync(same.Write(temp.Combine("v1b.tgz")), "amd64", destination);
        var restaged = await File.ReadAllTextAsync(Path.Combine(second.BundleDirectory, same.Files[0].Path));
        var newer = new TestBundle { Top = "openshell-gpu-runtime-bundle_0.2.0_amd64" };
        var third = await RuntimeBundleStager.StageAsync(newer.Write(temp.Combine("v2.tgz")), "amd64", destination);

        Assert.Equal(first.BundleDirectory, second.BundleDirectory);
        Assert.Equal("second", restaged);
        Assert.Equal([third.BundleDirectory], Directory.EnumerateFileSystemEntries(Path.Combine(destination, "amd64")));
    }

    [Fact]
    public async Task Unknown_architecture_is_refused_before_reading()
    {
        using var temp = new TempDirectory("bundle-arch");
        var tarball = new TestBundle().Write(temp.Combine("bundle.tgz"));

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleStager.StageAsync(tarball, "mips", temp.Combine("staged")));

        Assert.Equal(BundleRule.UnknownArchitecture, error.Rule);
        Assert.Contains("amd64 or arm64", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("staged")));
    }

    [Fact]
    public async Task Missing_tarball_names_the_path()
    {
        using var temp = new TempDirectory("bundle-missing");

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleVerifier.VerifyAsync(temp.Combine("nope.tgz")));

        Assert.Equal($"runtime bundle validation failed: tarball not found: {temp.Combine("nope.tgz")}", error.Message);
    }

    private static Dictionary<string, string> Snapshot(string root)
        => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToDictionary(
                p => Path.GetRelativePath(root, p),
                p => File.Exists(p) && new FileInfo(p).LinkTarget is null ? Convert.ToHexString(File.ReadAllBytes(p)) : new FileInfo(p).LinkTarget ?? "dir");

    /// <summary>Reports synchronously (unlike Progress&lt;T&gt;) and fails like a full disk after a few entries.</summary>
    private sealed class FailingProgress(int failAfterEntries) : IProgress<BundleProgress>
    {
        public int Entries { get; private set; }

        public void Report(BundleProgress value)
        {
            if (value.Entry is not null && ++Entries >= failAfterEntries)
            {
                throw new IOException("No space left on device");
            }
        }
    }

    private sealed class CallbackProgress(Action<BundleProgress> callback) : IProgress<BundleProgress>
    {
        public void Report(BundleProgress value) => callback(value);
    }
}
