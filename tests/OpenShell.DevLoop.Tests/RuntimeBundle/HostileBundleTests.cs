using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

/// <summary>
/// Every rule of the bundle contract, each broken by a tarball crafted here: verify and stage must both fail with
/// that rule and its exact message (OpenShell's words for its rules, ours naming the entry for the stricter ones),
/// and staging must remove the architecture's folder.
/// </summary>
public sealed class HostileBundleTests
{
    private const string Top = TestBundle.DefaultTop;

    private const string Lib = "usr/lib/x86_64-linux-gnu";

    private static readonly Dictionary<string, HostileCase> Cases = new(StringComparer.Ordinal)
    {
        // Archive-level refusals: OpenShell's "tar extraction reported warnings or errors", then our detail.
        ["random bytes"] = new(b => b.EditBytes = _ => TestBundle.Binary("noise", 4096), BundleRule.NotATarball, null),
        ["zip archive"] = new(b => b.EditBytes = _ => ZipBytes(), BundleRule.NotATarball, "Zip"),
        ["empty file"] = new(b => b.EditBytes = _ => [], BundleRule.NotATarball, null),
        ["truncated gzip"] = new(b => b.EditBytes = bytes => bytes[..(bytes.Length * 6 / 10)], BundleRule.CorruptArchive, null),
        ["corrupt gzip"] = new(b => b.EditBytes = Corrupt, BundleRule.CorruptArchive, null),
        ["truncated plain tar"] = new(
            b =>
            {
                b.Gzip = false;
                b.EditBytes = bytes => bytes[..(bytes.Length - 20_000)];
            },
            BundleRule.CorruptArchive,
            null),
        ["absolute path"] = new(b => b.Extra.Add(TestBundle.Regular("/etc/cron.d/evil", [1])), BundleRule.UnsafePath, "'/etc/cron.d/evil'"),
        ["dot-dot at the start"] = new(b => b.Extra.Add(TestBundle.Regular("../../outside.txt", [1])), BundleRule.UnsafePath, "'../../outside.txt'"),
        ["dot-dot inside the bundle"] = new(b => b.Extra.Add(TestBundle.Regular($"{Top}/usr/../../evil", [1])), BundleRule.UnsafePath, $"{Top}/usr/../../evil"),
        ["backslash path"] = new(b => b.Extra.Add(TestBundle.Regular($"{Top}/usr\\..\\..\\evil", [1])), BundleRule.UnsafePath, "evil"),
        ["file through a symlinked directory"] = new(
            b =>
            {
                b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/usr/share", "../etc"));
                b.Extra.Add(TestBundle.Regular($"{Top}/usr/share/evil", [1]));
            },
            BundleRule.UnsafePath,
            $"{Top}/usr/share/evil"),

        // OpenShell's layout and manifest rules: its messages, word for word.
        ["empty tar"] = new(b => b.EditBytes = _ => new byte[1024], BundleRule.TopLevelLayout, Exact("expected a single top-level bundle directory")),
        ["file at top level"] = new(b => b.Extra.Add(TestBundle.Regular("README", [1])), BundleRule.TopLevelLayout, Exact("expected a single top-level bundle directory")),
        ["hidden file at top level"] = new(b => b.Extra.Add(TestBundle.Regular(".hidden-top-level", [1])), BundleRule.TopLevelLayout, Exact("expected a single top-level bundle directory")),
        ["symlink at top level"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, "latest", Top)), BundleRule.TopLevelLayout, Exact("expected a single top-level bundle directory")),
        ["two top-level directories"] = new(b => b.Extra.Add(new PaxTarEntry(TarEntryType.Directory, "second/")), BundleRule.TopLevelLayout, Exact("expected a single top-level bundle directory")),
        ["file in a second top-level directory"] = new(b => b.Extra.Add(TestBundle.Regular("other/usr/bin/x", [1])), BundleRule.TopLevelLayout, Exact("expected a single top-level bundle directory")),
        ["manifest missing"] = new(b => b.OmitManifest = true, BundleRule.ManifestMissing, Exact("missing bundle manifest.json")),
        ["manifest not json"] = new(b => b.ManifestBytes = Encoding.UTF8.GetBytes("{ invalid json\n"), BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["manifest is a JSON array"] = new(b => b.ManifestBytes = Encoding.UTF8.GetBytes("[]"), BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["manifest with a duplicate key"] = new(
            b => b.ManifestBytes = Encoding.UTF8.GetBytes(Json(b).Replace("\"schema_version\":1", "\"schema_version\":1,\"schema_version\":1", StringComparison.Ordinal)),
            BundleRule.ManifestInvalid,
            Exact("malformed manifest.json")),
        ["lacks schema_version"] = new(b => b.EditManifest = m => m.Remove("schema_version"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: schema_version")),
        ["lacks bundle_name"] = new(b => b.EditManifest = m => m.Remove("bundle_name"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: bundle_name")),
        ["lacks created_at"] = new(b => b.EditManifest = m => m.Remove("created_at"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: created_at")),
        ["lacks files"] = new(b => b.EditManifest = m => m.Remove("files"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: files")),
        ["first missing field wins"] = new(b => b.EditManifest = m => { m.Remove("files"); m.Remove("components"); }, BundleRule.ManifestFieldMissing, Exact("missing required manifest field: components")),
        ["schema_version 2"] = new(b => b.EditManifest = m => m["schema_version"] = 2, BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["schema_version as text"] = new(b => b.EditManifest = m => m["schema_version"] = "1", BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["schema_version 1.0"] = new(
            b => b.ManifestBytes = Encoding.UTF8.GetBytes(Json(b).Replace("\"schema_version\":1", "\"schema_version\":1.0", StringComparison.Ordinal)),
            BundleRule.ManifestInvalid,
            Exact("malformed manifest.json")),
        ["blank bundle_version"] = new(b => b.EditManifest = m => m["bundle_version"] = "  ", BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["created_at not a string"] = new(b => b.EditManifest = m => m["created_at"] = 1773837296, BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["components not an object"] = new(b => b.EditManifest = m => m["components"] = new JsonArray(), BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["component missing"] = new(b => b.EditManifest = m => m["components"]!.AsObject().Remove("libnvidia_container"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: components.libnvidia_container")),
        ["component not an object"] = new(b => b.EditManifest = m => m["components"]!["nvidia_container_toolkit"] = "1.17.8", BundleRule.ManifestFieldMissing, Exact("missing required manifest field: components.nvidia_container_toolkit")),
        ["component version missing"] = new(b => b.EditManifest = m => m["components"]!["nvidia_container_toolkit"]!.AsObject().Remove("version"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: components.nvidia_container_toolkit.version")),
        ["component commit blank"] = new(b => b.EditManifest = m => m["components"]!["libnvidia_container"]!["commit"] = " ", BundleRule.ManifestFieldMissing, Exact("missing required manifest field: components.libnvidia_container.commit")),
        ["architecture mismatch"] = new(b => b.Architecture = "arm64", BundleRule.ArchitectureMismatch, Exact("bundle architecture mismatch: expected amd64, got arm64")),
        ["architecture alias is not accepted"] = new(b => b.Architecture = "x86_64", BundleRule.ArchitectureMismatch, Exact("bundle architecture mismatch: expected amd64, got x86_64")),
        ["architecture compared case-sensitively"] = new(b => b.Architecture = " AMD64 ", BundleRule.ArchitectureMismatch, Exact("bundle architecture mismatch: expected amd64, got AMD64")),
        ["unknown architecture"] = new(b => b.Architecture = "riscv64", BundleRule.ArchitectureMismatch, Exact("bundle architecture mismatch: expected amd64, got riscv64")),
        ["files not an array"] = new(b => b.EditManifest = m => m["files"] = new JsonObject(), BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["files entry not an object"] = new(b => b.EditManifest = m => m["files"]!.AsArray().Insert(0, "usr/bin/nvidia-ctk"), BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["files entry without a path"] = new(b => b.EditManifest = m => m["files"]![2]!.AsObject().Remove("path"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: files[].path")),
        ["path with dot-dot"] = new(b => b.EditManifest = m => m["files"]![0]!["path"] = "../escape", BundleRule.InvalidListedPath, Exact("invalid manifest-listed payload path: ../escape")),
        ["absolute listed path"] = new(b => b.EditManifest = m => m["files"]![0]!["path"] = "/etc/passwd", BundleRule.InvalidListedPath, Exact("invalid manifest-listed payload path: /etc/passwd")),
        ["manifest lists itself"] = new(b => b.EditManifest = m => m["files"]![0]!["path"] = "manifest.json", BundleRule.InvalidListedPath, Exact("invalid manifest-listed payload path: manifest.json")),
        ["file lacks sha256"] = new(b => b.EditManifest = m => m["files"]![0]!.AsObject().Remove("sha256"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: files[].sha256:etc/nvidia-container-runtime/config.toml")),
        ["file lacks size"] = new(b => b.EditManifest = m => m["files"]![1]!.AsObject().Remove("size"), BundleRule.ManifestFieldMissing, Exact("missing required manifest field: files[].size:usr/bin/nvidia-cdi-hook")),
        ["negative size"] = new(b => b.EditManifest = m => m["files"]![1]!["size"] = -1, BundleRule.ManifestFieldMissing, Exact("missing required manifest field: files[].size:usr/bin/nvidia-cdi-hook")),
        ["size as text"] = new(b => b.EditManifest = m => m["files"]![1]!["size"] = "3000", BundleRule.ManifestFieldMissing, Exact("missing required manifest field: files[].size:usr/bin/nvidia-cdi-hook")),
        ["unknown entry_type"] = new(b => b.EditManifest = m => m["files"]![1]!["entry_type"] = "hardlink", BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["missing entry_type"] = new(b => b.EditManifest = m => m["files"]![1]!.AsObject().Remove("entry_type"), BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["listed file missing"] = new(
            b => b.EditManifest = m => m["files"]!.AsArray().Add(new JsonObject { ["path"] = "usr/share/doc/missing", ["entry_type"] = "file", ["size"] = 1, ["sha256"] = new string('a', 64) }),
            BundleRule.DeclaredFileMissing,
            Exact("missing manifest-listed payload path: usr/share/doc/missing")),
        ["symlink listed as a file"] = new(
            b => b.EditManifest = m =>
            {
                m["files"]![7]!["entry_type"] = "file";
                m["files"]![7]!.AsObject().Add("sha256", new string('a', 64));
                m["files"]![7]!.AsObject().Add("size", 1);
            },
            BundleRule.DeclaredFileMissing,
            Exact($"missing manifest-listed payload path: {Lib}/libnvidia-container.so.1")),
        ["file listed as a symlink"] = new(b => b.EditManifest = m => m["files"]![5]!["entry_type"] = "symlink", BundleRule.DeclaredFileMissing, Exact("missing manifest-listed payload path: usr/bin/nvidia-ctk")),
        ["checksum mismatch"] = new(b => b.EditManifest = m => m["files"]![1]!["sha256"] = new string('0', 64), BundleRule.ChecksumMismatch, Exact("checksum mismatch: usr/bin/nvidia-cdi-hook")),
        ["checksum in upper case"] = new(b => b.EditManifest = m => m["files"]![1]!["sha256"] = m["files"]![1]!["sha256"]!.GetValue<string>().ToUpperInvariant(), BundleRule.ChecksumMismatch, Exact("checksum mismatch: usr/bin/nvidia-cdi-hook")),
        ["size mismatch"] = new(b => b.EditManifest = m => m["files"]![5]!["size"] = 9001, BundleRule.SizeMismatch, Exact("size mismatch: usr/bin/nvidia-ctk")),
        ["no file entries"] = new(b => b.EditManifest = m => m["files"] = new JsonArray(), BundleRule.ManifestInvalid, Exact("malformed manifest.json")),
        ["required binary not listed"] = new(b => b.EditManifest = m => m["files"]!.AsArray().RemoveAt(2), BundleRule.RequiredAssetUnlisted, Exact("required runtime asset missing from manifest.json: usr/bin/nvidia-container-cli")),
        ["required binary missing"] = new(b => b.RemoveFile("usr/bin/nvidia-ctk"), BundleRule.RequiredAssetUnlisted, Exact("required runtime asset missing from manifest.json: usr/bin/nvidia-ctk")),
        ["config.toml missing"] = new(b => b.RemoveFile("etc/nvidia-container-runtime/config.toml"), BundleRule.RequiredAssetUnlisted, Exact("required runtime asset missing from manifest.json: etc/nvidia-container-runtime/config.toml")),
        ["unlisted payload file"] = new(b => b.Extra.Add(TestBundle.Regular($"{Top}/usr/bin/nvidia-container-extra", [1, 2, 3])), BundleRule.UndeclaredFile, Exact("unlisted payload path present on disk: usr/bin/nvidia-container-extra")),
        ["unlisted symlink"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/usr/bin/ctk", "nvidia-ctk")), BundleRule.UndeclaredFile, Exact("unlisted payload path present on disk: usr/bin/ctk")),
        ["symlinked required binary"] = new(
            b =>
            {
                b.RemoveFile("usr/bin/nvidia-container-cli");
                b.Files.Add(("usr/bin/nvidia-container-cli.real", TestBundle.Binary("cli", 5000), TestBundle.Mode755));
                b.Symlinks.Add(("usr/bin/nvidia-container-cli", "nvidia-container-cli.real"));
            },
            BundleRule.RequiredBinaryType,
            Exact("invalid required binary entry type: usr/bin/nvidia-container-cli")),
        ["dangling symlinked binary"] = new(
            b =>
            {
                b.RemoveFile("usr/bin/nvidia-ctk");
                b.Symlinks.Add(("usr/bin/nvidia-ctk", "nvidia-ctk.real"));
            },
            BundleRule.RequiredPathMissing,
            Exact("missing required path: usr/bin/nvidia-ctk")),
        ["library missing"] = new(
            b =>
            {
                b.RemoveFile($"{Lib}/libnvidia-container.so.1");
                b.RemoveFile($"{Lib}/libnvidia-container.so.1.17.8");
            },
            BundleRule.RequiredLibraryMissing,
            Exact($"missing required library subtree: {Lib}/libnvidia-container*.so*")),
        ["library only for the other architecture"] = new(
            b =>
            {
                b.RemoveFile($"{Lib}/libnvidia-container.so.1");
                b.RemoveFile($"{Lib}/libnvidia-container.so.1.17.8");
                b.Files.Add(("usr/lib/aarch64-linux-gnu/libnvidia-container.so.1", [1, 2], TestBundle.Mode644));
            },
            BundleRule.RequiredLibraryMissing,
            Exact($"missing required library subtree: {Lib}/libnvidia-container*.so*")),
        ["library symlink pointing nowhere"] = new(
            b => b.RemoveFile($"{Lib}/libnvidia-container.so.1.17.8"),
            BundleRule.RequiredLibraryMissing,
            Exact($"missing required library subtree: {Lib}/libnvidia-container*.so*")),

        // Our stricter rules: the same prefix, our words naming the entry, and the rule.
        ["path listed twice"] = new(b => b.EditManifest = m => m["files"]!.AsArray().Add(m["files"]![1]!.DeepClone()), BundleRule.DuplicateEntry, "usr/bin/nvidia-cdi-hook"),
        ["manifest is a symlink"] = new(
            b =>
            {
                b.OmitManifest = true;
                b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/manifest.json", "usr/bin/nvidia-ctk"));
            },
            BundleRule.UnsupportedEntryType,
            "manifest.json"),
        ["symlink escaping with dot-dot"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/usr/lib/evil", "../../../../etc/shadow")), BundleRule.LinkEscapes, $"{Top}/usr/lib/evil"),
        ["symlink climbing through another symlink"] = new(
            b =>
            {
                b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/usr/lib/root", "../.."));
                b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/usr/lib/evil", "root/../escape"));
            },
            BundleRule.LinkEscapes,
            $"{Top}/usr/lib/evil"),
        ["symlink to an absolute path"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/usr/lib/evil", "/etc/shadow")), BundleRule.LinkEscapes, "/etc/shadow"),
        ["hardlink to an absolute path"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.HardLink, $"{Top}/usr/bin/evil", "/etc/shadow")), BundleRule.LinkEscapes, $"{Top}/usr/bin/evil"),
        ["hardlink escaping with dot-dot"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.HardLink, $"{Top}/usr/bin/evil", $"{Top}/../../etc/shadow")), BundleRule.LinkEscapes, $"{Top}/usr/bin/evil"),
        ["hardlink outside the bundle directory"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.HardLink, $"{Top}/usr/bin/evil", "other/file")), BundleRule.LinkEscapes, "other/file"),
        ["hardlink to a missing file"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.HardLink, $"{Top}/usr/bin/evil", $"{Top}/usr/bin/none")), BundleRule.LinkEscapes, $"{Top}/usr/bin/evil"),
        ["character device"] = new(b => b.Extra.Add(new PaxTarEntry(TarEntryType.CharacterDevice, $"{Top}/dev/null") { DeviceMajor = 1, DeviceMinor = 3 }), BundleRule.UnsupportedEntryType, $"{Top}/dev/null"),
        ["block device"] = new(b => b.Extra.Add(new PaxTarEntry(TarEntryType.BlockDevice, $"{Top}/dev/sda") { DeviceMajor = 8, DeviceMinor = 0 }), BundleRule.UnsupportedEntryType, $"{Top}/dev/sda"),
        ["fifo"] = new(b => b.Extra.Add(new PaxTarEntry(TarEntryType.Fifo, $"{Top}/run/pipe")), BundleRule.UnsupportedEntryType, $"{Top}/run/pipe"),
        ["duplicate file"] = new(b => b.Extra.Add(TestBundle.Regular($"{Top}/usr/bin/nvidia-ctk", [1])), BundleRule.DuplicateEntry, $"{Top}/usr/bin/nvidia-ctk"),
        ["duplicate spelled with a dot prefix"] = new(b => b.Extra.Add(TestBundle.Regular($"./{Top}/usr/bin/nvidia-ctk", [1])), BundleRule.DuplicateEntry, "nvidia-ctk"),
        ["duplicate manifest"] = new(b => b.Extra.Add(TestBundle.Regular($"{Top}/manifest.json", Encoding.UTF8.GetBytes("{}"))), BundleRule.DuplicateEntry, "manifest.json"),
        ["file replacing a directory"] = new(b => b.Extra.Add(TestBundle.Regular($"{Top}/usr/bin", [1])), BundleRule.DuplicateEntry, $"{Top}/usr/bin"),
        ["payload over the size limit"] = new(_ => { }, BundleRule.SizeLimitExceeded, null, new BundleLimits { MaxPayloadBytes = 20_000 }),
        ["too many entries"] = new(_ => { }, BundleRule.EntryCountExceeded, null, new BundleLimits { MaxEntries = 5 }),
        ["manifest over its size limit"] = new(_ => { }, BundleRule.SizeLimitExceeded, "manifest.json", new BundleLimits { MaxManifestBytes = 100 }),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Verify_rejects_with_the_rule_and_the_message(string name)
    {
        var hostile = Cases[name];
        using var temp = new TempDirectory("bundle-hostile");
        var tarball = Build(hostile, temp);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleVerifier.VerifyAsync(tarball, "amd64", hostile.Limits));

        AssertMessage(hostile, error);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Stage_rejects_and_removes_the_architecture_folder(string name)
    {
        var hostile = Cases[name];
        using var temp = new TempDirectory("bundle-hostile");
        var tarball = Build(hostile, temp);
        var destination = temp.Combine("staged");
        var stale = Path.Combine(destination, "amd64", "openshell-gpu-runtime-bundle_0.0.9_amd64", "manifest.json");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        await File.WriteAllTextAsync(stale, "stale");

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleStager.StageAsync(tarball, "amd64", destination, hostile.Limits));

        AssertMessage(hostile, error);
        Assert.False(Directory.Exists(Path.Combine(destination, "amd64")));
        Assert.True(Directory.Exists(destination));
        Assert.False(File.Exists(temp.Combine("escape")));
        Assert.False(File.Exists(temp.Combine("evil")));
        Assert.False(File.Exists(temp.Combine("outside.txt")));
    }

    /// <summary>OpenShell's rules print its exact text; the others its prefix, our words naming the entry, and the rule.</summary>
    private static void AssertMessage(HostileCase hostile, RuntimeBundleException error)
    {
        Assert.Equal(hostile.Rule, error.Rule);
        if (hostile.Expected is { } expected && expected.StartsWith(ExactMarker, StringComparison.Ordinal))
        {
            Assert.Equal(RuntimeBundleException.ValidationPrefix + expected[ExactMarker.Length..], error.Message);
            return;
        }

        Assert.StartsWith(RuntimeBundleException.ValidationPrefix, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"[rule: {RuntimeBundleException.RuleName(hostile.Rule)}]", error.Message, StringComparison.Ordinal);
        if (hostile.Rule is BundleRule.NotATarball or BundleRule.CorruptArchive or BundleRule.UnsafePath)
        {
            Assert.StartsWith(RuntimeBundleException.ValidationPrefix + "tar extraction reported warnings or errors: ", error.Message, StringComparison.Ordinal);
        }

        if (hostile.Expected is not null)
        {
            Assert.Contains(hostile.Expected, error.Message, StringComparison.Ordinal);
        }
    }

    private const string ExactMarker = "=";

    private static string Exact(string text) => ExactMarker + text;

    private static string Json(TestBundle bundle) => bundle.BuildManifest().ToJsonString();

    private static string Build(HostileCase hostile, TempDirectory temp)
    {
        var bundle = new TestBundle();
        hostile.Arrange(bundle);
        return bundle.Write(temp.Combine("bundle.tar.gz"));
    }

    private static byte[] ZipBytes()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry($"{Top}/manifest.json").Open());
            writer.Write("{}");
        }

        return stream.ToArray();
    }

    private static byte[] Corrupt(byte[] bytes)
    {
        var copy = bytes.ToArray();
        for (var i = copy.Length / 3; i < copy.Length / 3 + 64; i++)
        {
            copy[i] ^= 0x5A;
        }

        return copy;
    }

    /// <param name="Expected">The exact message after the prefix (<see cref="Exact"/>), or a fragment naming the entry.</param>
    private sealed record HostileCase(Action<TestBundle> Arrange, BundleRule Rule, string? Expected, BundleLimits? Limits = null);
}
