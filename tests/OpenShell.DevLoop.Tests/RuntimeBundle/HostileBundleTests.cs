using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

/// <summary>
/// Every rule of the bundle contract, each broken by a tarball crafted here: verify and stage must both fail with
/// that rule, name the entry, and leave nothing staged.
/// </summary>
public sealed class HostileBundleTests
{
    private const string Top = TestBundle.DefaultTop;

    private static readonly Dictionary<string, HostileCase> Cases = new(StringComparer.Ordinal)
    {
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
        ["empty tar"] = new(b => b.EditBytes = _ => new byte[1024], BundleRule.TopLevelLayout, null),
        ["file at top level"] = new(b => b.Extra.Add(TestBundle.Regular("README", [1])), BundleRule.TopLevelLayout, "README"),
        ["symlink at top level"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, "latest", Top)), BundleRule.TopLevelLayout, "latest"),
        ["two top-level directories"] = new(b => b.Extra.Add(new PaxTarEntry(TarEntryType.Directory, "second/")), BundleRule.TopLevelLayout, "second"),
        ["file in a second top-level directory"] = new(b => b.Extra.Add(TestBundle.Regular("other/usr/bin/x", [1])), BundleRule.TopLevelLayout, "other/usr/bin/x"),
        ["manifest missing"] = new(b => b.OmitManifest = true, BundleRule.ManifestMissing, $"{Top}/manifest.json"),
        ["manifest not json"] = new(b => b.ManifestBytes = Encoding.UTF8.GetBytes("{ not json"), BundleRule.ManifestInvalid, "manifest.json"),
        ["manifest lacks name"] = new(b => b.EditManifest = m => m.Remove("name"), BundleRule.ManifestInvalid, "name"),
        ["manifest lacks schemaVersion"] = new(b => b.EditManifest = m => m.Remove("schemaVersion"), BundleRule.ManifestInvalid, "schemaVersion"),
        ["manifest lacks files"] = new(b => b.EditManifest = m => m.Remove("files"), BundleRule.ManifestInvalid, "files"),
        ["manifest file lacks sha256"] = new(b => b.EditManifest = m => ((JsonObject)m["files"]![0]!).Remove("sha256"), BundleRule.ManifestInvalid, "files[0].sha256"),
        ["manifest file lacks size"] = new(b => b.EditManifest = m => ((JsonObject)m["files"]![1]!).Remove("size"), BundleRule.ManifestInvalid, "size"),
        ["manifest unknown architecture"] = new(b => b.EditManifest = m => m["architecture"] = "riscv64", BundleRule.ManifestInvalid, "riscv64"),
        ["manifest path with dot-dot"] = new(b => b.EditManifest = m => m["files"]![0]!["path"] = "../escape", BundleRule.ManifestInvalid, "../escape"),
        ["manifest is a symlink"] = new(
            b =>
            {
                b.OmitManifest = true;
                b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/manifest.json", "usr/bin/nvidia-ctk"));
            },
            BundleRule.ManifestInvalid,
            "manifest.json"),
        ["architecture mismatch"] = new(b => b.Architecture = "arm64", BundleRule.ArchitectureMismatch, "manifest.json"),
        ["declared file missing"] = new(
            b => b.EditManifest = m => ((JsonArray)m["files"]!).Add(new JsonObject { ["path"] = "usr/share/doc/missing", ["size"] = 1, ["sha256"] = new string('a', 64) }),
            BundleRule.DeclaredFileMissing,
            $"{Top}/usr/share/doc/missing"),
        ["size mismatch"] = new(b => b.EditManifest = m => m["files"]![5]!["size"] = 9001, BundleRule.SizeMismatch, $"{Top}/usr/bin/nvidia-ctk"),
        ["sha256 mismatch"] = new(b => b.EditManifest = m => m["files"]![1]!["sha256"] = new string('0', 64), BundleRule.ChecksumMismatch, $"{Top}/usr/bin/nvidia-cdi-hook"),
        ["mode mismatch"] = new(b => b.EditManifest = m => m["files"]![5]!["mode"] = "0700", BundleRule.EntryMismatch, $"{Top}/usr/bin/nvidia-ctk"),
        ["symlink target differs from manifest"] = new(
            b => b.EditManifest = m => m["files"]![7]!["target"] = "libnvidia-container.so.9",
            BundleRule.EntryMismatch,
            "libnvidia-container.so.1"),
        ["undeclared payload file"] = new(b => b.Extra.Add(TestBundle.Regular($"{Top}/usr/bin/sneaky", [1, 2, 3])), BundleRule.UndeclaredFile, $"{Top}/usr/bin/sneaky"),
        ["undeclared symlink"] = new(b => b.Extra.Add(TestBundle.Link(TarEntryType.SymbolicLink, $"{Top}/usr/bin/ctk", "nvidia-ctk")), BundleRule.UndeclaredFile, $"{Top}/usr/bin/ctk"),
        ["required binary missing"] = new(b => b.RemoveFile("usr/bin/nvidia-ctk"), BundleRule.RequiredPathMissing, $"{Top}/usr/bin/nvidia-ctk"),
        ["required config directory missing"] = new(b => b.RemoveFile("etc/nvidia-container-runtime/config.toml"), BundleRule.RequiredPathMissing, "etc/nvidia-container-runtime"),
        ["required library missing"] = new(
            b =>
            {
                b.RemoveFile("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1");
                b.RemoveFile("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8");
            },
            BundleRule.RequiredPathMissing,
            "libnvidia-container*.so*"),
        ["library symlink pointing nowhere"] = new(
            b => b.RemoveFile("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8"),
            BundleRule.RequiredPathMissing,
            "libnvidia-container*.so*"),
        ["absolute path"] = new(b => b.Extra.Add(TestBundle.Regular("/etc/cron.d/evil", [1])), BundleRule.UnsafePath, "/etc/cron.d/evil"),
        ["dot-dot at the start"] = new(b => b.Extra.Add(TestBundle.Regular("../evil", [1])), BundleRule.UnsafePath, "../evil"),
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
        ["manifest over its size limit"] = new(_ => { }, BundleRule.ManifestInvalid, "manifest.json", new BundleLimits { MaxManifestBytes = 100 }),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Verify_rejects_with_the_rule_and_the_entry(string name)
    {
        var hostile = Cases[name];
        using var temp = new TempDirectory("bundle-hostile");
        var tarball = Build(hostile, temp);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleVerifier.VerifyAsync(tarball, "amd64", hostile.Limits));

        Assert.Equal(hostile.Rule, error.Rule);
        Assert.Contains($"[rule: {RuntimeBundleException.RuleName(hostile.Rule)}]", error.Message, StringComparison.Ordinal);
        if (hostile.EntryFragment is not null)
        {
            Assert.Contains(hostile.EntryFragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Stage_rejects_and_leaves_nothing_staged(string name)
    {
        var hostile = Cases[name];
        using var temp = new TempDirectory("bundle-hostile");
        var tarball = Build(hostile, temp);
        var destination = temp.Combine("staged");

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleStager.StageAsync(tarball, "amd64", destination, hostile.Limits));

        Assert.Equal(hostile.Rule, error.Rule);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(destination, "amd64")));
        Assert.False(File.Exists(temp.Combine("escape")));
        Assert.False(File.Exists(temp.Combine("evil")));
    }

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

    private sealed record HostileCase(Action<TestBundle> Arrange, BundleRule Rule, string? EntryFragment, BundleLimits? Limits = null);
}
