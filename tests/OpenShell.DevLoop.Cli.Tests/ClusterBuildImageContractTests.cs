using System.Formats.Tar;
using System.Text.Json.Nodes;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>
/// OpenShell's runtime bundle contract, end to end through <c>openshell-dev cluster build-image</c> with
/// <c>OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY=1</c>: tarballs packed with <c>tar -czf</c> the way OpenShell's producer
/// and its contract tests pack them, one case per message, each checking the exact line, the exit code and what
/// the stage folder holds afterwards.
/// </summary>
public sealed class ClusterBuildImageContractTests
{
    private const string Prefix = "runtime bundle validation failed: ";
    private const string StageRoot = "deploy/docker/.build/runtime-bundle";
    private const string Lib = "usr/lib/x86_64-linux-gnu";

    private static readonly Dictionary<string, ContractCase> Cases = new(StringComparer.Ordinal)
    {
        ["bundle directory packed from a parent with '.'"] = new(
            (t, _) => new ProducerBundle(t.Combine("src")).Pack(t.Combine("b.tgz"), "-C", t.Combine("src"), "."),
            null,
            Stage.Staged),
        ["bundle contents packed without the directory"] = new(
            (t, _) =>
            {
                var bundle = new ProducerBundle(t.Combine("src"));
                return bundle.Pack(t.Combine("b.tgz"), "-C", bundle.Root, ".");
            },
            Prefix + "expected a single top-level bundle directory",
            Stage.Removed),
        ["hidden top-level entry"] = new(
            (t, _) =>
            {
                var bundle = new ProducerBundle(t.Combine("src"));
                File.WriteAllText(t.Combine("src", ".hidden-top-level"), "hidden\n");
                return bundle.Pack(t.Combine("b.tgz"), "-C", t.Combine("src"), ".hidden-top-level", bundle.Name);
            },
            Prefix + "expected a single top-level bundle directory",
            Stage.Removed),
        ["missing manifest"] = new(Packed(b => b.OmitManifest = true), Prefix + "missing bundle manifest.json", Stage.Removed),
        ["invalid JSON"] = new(Packed(b => b.ManifestText = "{ invalid json\n"), Prefix + "malformed manifest.json", Stage.Removed),
        ["schema_version not 1"] = new(Packed(b => b.Manifest["schema_version"] = 2), Prefix + "malformed manifest.json", Stage.Removed),
        ["missing created_at"] = new(Packed(b => b.Manifest.Remove("created_at")), Prefix + "missing required manifest field: created_at", Stage.Removed),
        ["missing component commit"] = new(
            Packed(b => b.Manifest["components"]!["libnvidia_container"]!.AsObject().Remove("commit")),
            Prefix + "missing required manifest field: components.libnvidia_container.commit",
            Stage.Removed),
        ["entry without sha256"] = new(
            Packed(b => b.Entry("usr/bin/nvidia-ctk").Remove("sha256")),
            Prefix + "missing required manifest field: files[].sha256:usr/bin/nvidia-ctk",
            Stage.Removed),
        ["architecture mismatch"] = new(
            (t, _) => new ProducerBundle(t.Combine("src"), "arm64").Pack(t.Combine("b.tgz")),
            Prefix + "bundle architecture mismatch: expected amd64, got arm64",
            Stage.Removed),
        ["checksum mismatch"] = new(
            Packed(b => b.Entry("usr/bin/nvidia-container-cli")["sha256"] = new string('0', 64)),
            Prefix + "checksum mismatch: usr/bin/nvidia-container-cli",
            Stage.Removed),
        ["size mismatch"] = new(
            Packed(b => b.Entry("usr/bin/nvidia-container-cli")["size"] = 15),
            Prefix + "size mismatch: usr/bin/nvidia-container-cli",
            Stage.Removed),
        ["listed file missing"] = new(
            Packed(b => b.Files.Add(new JsonObject { ["path"] = "usr/share/doc/NOTICE", ["entry_type"] = "file", ["sha256"] = new string('a', 64), ["size"] = 1 })),
            Prefix + "missing manifest-listed payload path: usr/share/doc/NOTICE",
            Stage.Removed),
        ["listed path outside the bundle"] = new(
            Packed(b => b.Files.Insert(0, new JsonObject { ["path"] = "../outside.txt", ["entry_type"] = "file", ["sha256"] = new string('a', 64), ["size"] = 1 })),
            Prefix + "invalid manifest-listed payload path: ../outside.txt",
            Stage.Removed),
        ["unknown entry_type"] = new(Packed(b => b.Entry("usr/bin/nvidia-ctk")["entry_type"] = "directory"), Prefix + "malformed manifest.json", Stage.Removed),
        ["unlisted file"] = new(
            Packed(b => b.Write("usr/bin/nvidia-container-extra", "extra\n")),
            Prefix + "unlisted payload path present on disk: usr/bin/nvidia-container-extra",
            Stage.Removed),
        ["required asset not listed"] = new(
            Packed(b => b.Files.Remove(b.Entry("usr/bin/nvidia-container-cli"))),
            Prefix + "required runtime asset missing from manifest.json: usr/bin/nvidia-container-cli",
            Stage.Removed),
        ["symlinked required binary"] = new(
            Packed(b => b.SymlinkToCopy("usr/bin/nvidia-container-cli")),
            Prefix + "invalid required binary entry type: usr/bin/nvidia-container-cli",
            Stage.Removed),
        ["dangling required binary"] = new(
            Packed(b =>
            {
                b.SymlinkToCopy("usr/bin/nvidia-ctk");
                b.Files.Remove(b.Entry("usr/bin/nvidia-ctk.real"));
                File.Delete(Path.Combine(b.Root, "usr/bin/nvidia-ctk.real"));
            }),
            Prefix + "missing required path: usr/bin/nvidia-ctk",
            Stage.Removed),
        ["library only for another architecture"] = new(
            Packed(b =>
            {
                b.Files.Remove(b.Entry($"{Lib}/libnvidia-container.so.1"));
                Directory.Delete(Path.Combine(b.Root, Lib), recursive: true);
                b.Write("usr/lib/aarch64-linux-gnu/libnvidia-container.so.1", "lib\n");
                b.ListFile("usr/lib/aarch64-linux-gnu/libnvidia-container.so.1");
            }),
            Prefix + $"missing required library subtree: {Lib}/libnvidia-container*.so*",
            Stage.Removed),
        ["unsafe member"] = new((t, _) => UnsafeTarball(t.Combine("b.tgz")), Prefix + "tar extraction reported warnings or errors: ", Stage.Removed, WholeLine: false),
        ["truncated archive"] = new(
            (t, _) =>
            {
                var tarball = new ProducerBundle(t.Combine("src")).Pack(t.Combine("b.tgz"));
                var bytes = File.ReadAllBytes(tarball);
                File.WriteAllBytes(tarball, bytes[..(bytes.Length / 2)]);
                return tarball;
            },
            Prefix + "tar extraction reported warnings or errors: ",
            Stage.Removed,
            WholeLine: false),
        ["tarball not found"] = new((_, _) => "missing/runtime-bundle.tar.gz", Prefix + "tarball not found: missing/runtime-bundle.tar.gz", Stage.Untouched),
        ["no tarball configured"] = new((_, _) => null, "missing required variable: OPENSHELL_RUNTIME_BUNDLE_TARBALL (", Stage.Untouched, WholeLine: false),
        ["unsupported platform"] = new(
            (t, env) =>
            {
                env["DOCKER_PLATFORM"] = "linux/riscv64";
                return new ProducerBundle(t.Combine("src")).Pack(t.Combine("b.tgz"));
            },
            Prefix + "unsupported docker platform: linux/riscv64",
            Stage.Untouched),
        ["multi-platform"] = new(
            (t, env) =>
            {
                env["DOCKER_PLATFORM"] = "linux/amd64,linux/arm64";
                return new ProducerBundle(t.Combine("src")).Pack(t.Combine("b.tgz"));
            },
            Prefix + "multi-platform builds are not supported yet: linux/amd64,linux/arm64",
            Stage.Untouched),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Verify_only_build_gives_the_message_exit_code_and_stage(string name)
    {
        var contract = Cases[name];
        using var temp = new TempDirectory("cli-contract");
        var repo = Directory.CreateDirectory(temp.Combine("repo")).FullName;
        var stale = Path.Combine(repo, StageRoot, "amd64", "stale.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        await File.WriteAllTextAsync(stale, "stale\n");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY"] = "1",
            ["DOCKER_PLATFORM"] = "linux/amd64",
        };
        if (contract.Arrange(temp, environment) is { } tarball)
        {
            environment["OPENSHELL_RUNTIME_BUNDLE_TARBALL"] = tarball;
        }

        var (exit, stdout, stderr) = await CliRunner.RunWithEnvironmentAsync(environment, "cluster", "build-image", "--offline", "--repo", repo);

        if (contract.Expected is null)
        {
            Assert.Equal(0, exit);
            Assert.Equal($"Runtime bundle staged at {StageRoot}/amd64/openshell-gpu-runtime-bundle_0.1.0_amd64", stdout.Trim());
        }
        else
        {
            Assert.Equal(1, exit);
            var last = stderr.TrimEnd().Split('\n')[^1];
            if (!contract.WholeLine)
            {
                Assert.StartsWith(contract.Expected, last, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(contract.Expected, last);
            }
        }

        var archFolder = Path.Combine(repo, StageRoot, "amd64");
        switch (contract.Stage)
        {
            case Stage.Staged:
                var bundle = Assert.Single(Directory.EnumerateFileSystemEntries(archFolder));
                Assert.Equal("openshell-gpu-runtime-bundle_0.1.0_amd64", Path.GetFileName(bundle));
                Assert.True(File.Exists(Path.Combine(bundle, "manifest.json")));
                Assert.True(File.Exists(Path.Combine(bundle, "usr/bin/nvidia-container-cli")));
                Assert.True(Directory.Exists(Path.Combine(bundle, "etc/nvidia-container-runtime")));
                break;
            case Stage.Removed:
                Assert.False(Directory.Exists(archFolder));
                Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(repo, StageRoot)));
                break;
            default:
                Assert.True(File.Exists(stale));
                break;
        }

        Assert.False(Directory.Exists(Path.Combine(repo, "deploy", "docker", ".build", "charts")));
        Assert.False(File.Exists(temp.Combine("outside.txt")));
    }

    [Fact]
    public async Task A_producer_tarball_is_staged_and_printed_and_a_packed_one_passes_the_same_rules()
    {
        using var temp = new TempDirectory("cli-contract-pack");
        var repo = Directory.CreateDirectory(temp.Combine("repo")).FullName;
        var producer = new ProducerBundle(temp.Combine("src"));
        var producerTarball = producer.Pack(temp.Combine("producer.tar.gz"));
        var packedTarball = temp.Combine("packed.tar.gz");
        File.Delete(Path.Combine(producer.Root, "manifest.json"));
        var pack = await CliRunner.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = "1773837296" },
            "bundle", "pack", producer.Root, "--arch", "amd64", "--name", "openshell-gpu-runtime-bundle", "--version", "0.2.0",
            "--toolkit-version", "1.17.8-openshell.1", "--toolkit-commit", "0123456789abcdef0123456789abcdef01234567",
            "-o", packedTarball);
        Assert.Equal(0, pack.ExitCode);

        var first = await VerifyOnlyAsync(repo, producerTarball);
        var second = await VerifyOnlyAsync(repo, packedTarball);
        var verify = await CliRunner.RunAsync("bundle", "verify", packedTarball, "--arch", "amd64");

        Assert.Equal((0, $"Runtime bundle staged at {StageRoot}/amd64/openshell-gpu-runtime-bundle_0.1.0_amd64"), (first.ExitCode, first.Stdout.Trim()));
        Assert.Equal((0, $"Runtime bundle staged at {StageRoot}/amd64/openshell-gpu-runtime-bundle_0.2.0_amd64"), (second.ExitCode, second.Stdout.Trim()));
        Assert.Equal(["openshell-gpu-runtime-bundle_0.2.0_amd64"], Directory.EnumerateFileSystemEntries(Path.Combine(repo, StageRoot, "amd64")).Select(Path.GetFileName));
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("created at: 2026-03-18T12:34:56Z", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("nvidia_container_toolkit: 1.17.8-openshell.1 (commit 0123456789abcdef0123456789abcdef01234567)", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("libnvidia_container: 0.2.0 (commit unknown)", verify.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux/arm64", "amd64")]
    [InlineData("linux/amd64", "arm64")]
    public async Task A_platform_that_contradicts_the_arch_switch_names_both(string platform, string arch)
    {
        using var temp = new TempDirectory("cli-contract-conflict");
        var tarball = new ProducerBundle(temp.Combine("src"), arch).Pack(temp.Combine("b.tgz"));
        var environment = new Dictionary<string, string> { ["OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY"] = "1", ["DOCKER_PLATFORM"] = platform, ["OPENSHELL_RUNTIME_BUNDLE_TARBALL"] = tarball };

        var (exit, _, stderr) = await CliRunner.RunWithEnvironmentAsync(environment, "cluster", "build-image", "--offline", "--arch", arch, "--repo", temp.Path);

        Assert.Equal(1, exit);
        Assert.StartsWith(Prefix + $"DOCKER_PLATFORM={platform} targets", stderr.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
        Assert.Contains($"--arch asks for {arch}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, StageRoot)));
    }

    [Fact]
    public async Task Another_architecture_is_staged_with_verify_only_and_the_switch_selects_it()
    {
        using var temp = new TempDirectory("cli-contract-arm64");
        var tarball = new ProducerBundle(temp.Combine("src"), "arm64").Pack(temp.Combine("b.tgz"));
        var environment = new Dictionary<string, string> { ["OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY"] = "1", ["OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64"] = tarball };

        var (exit, stdout, _) = await CliRunner.RunWithEnvironmentAsync(environment, "cluster", "build-image", "--offline", "--arch", "arm64", "--repo", temp.Path);

        Assert.Equal(0, exit);
        Assert.Equal($"Runtime bundle staged at {StageRoot}/arm64/openshell-gpu-runtime-bundle_0.1.0_arm64", stdout.Trim());
        Assert.True(File.Exists(Path.Combine(temp.Path, StageRoot, "arm64", "openshell-gpu-runtime-bundle_0.1.0_arm64", "usr/lib/aarch64-linux-gnu/libnvidia-container.so.1")));
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> VerifyOnlyAsync(string repo, string tarball)
        => CliRunner.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY"] = "1", ["DOCKER_PLATFORM"] = "linux/amd64", ["OPENSHELL_RUNTIME_BUNDLE_TARBALL"] = tarball },
            "cluster", "build-image", "--offline", "--repo", repo);

    private static Func<TempDirectory, Dictionary<string, string>, string?> Packed(Action<ProducerBundle> bend) => (temp, _) =>
    {
        var bundle = new ProducerBundle(temp.Combine("src"));
        bend(bundle);
        return bundle.Pack(temp.Combine("b.tgz"));
    };

    /// <summary>OpenShell's unsafe-member fixture: a bundle directory, a manifest and a member <c>../../outside.txt</c>.</summary>
    private static string UnsafeTarball(string path)
    {
        using (var file = File.Create(path))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Gnu))
        {
            writer.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "openshell-gpu-runtime-bundle_0.1.0_amd64/"));
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "openshell-gpu-runtime-bundle_0.1.0_amd64/manifest.json") { DataStream = new MemoryStream("{\"architecture\":\"amd64\"}"u8.ToArray()) });
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "../../outside.txt") { DataStream = new MemoryStream("escape\n"u8.ToArray()) });
        }

        return path;
    }

    private enum Stage
    {
        Staged,
        Removed,
        Untouched,
    }

    /// <param name="Arrange">Builds the tarball (null: none configured) and may set variables.</param>
    /// <param name="Expected">The last stderr line, or null for success.</param>
    /// <param name="Stage">What the stage folder must hold afterwards.</param>
    /// <param name="WholeLine">False when <paramref name="Expected"/> is only how the line starts (our detail follows).</param>
    private sealed record ContractCase(Func<TempDirectory, Dictionary<string, string>, string?> Arrange, string? Expected, Stage Stage, bool WholeLine = true);
}
