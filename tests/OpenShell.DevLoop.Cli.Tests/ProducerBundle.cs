using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>
/// A runtime bundle laid out on disk and packed the way OpenShell's producer and its contract tests pack one: a
/// directory <c>openshell-gpu-runtime-bundle_0.1.0_&lt;arch&gt;</c> with the install root and manifest.json, then
/// plain <c>tar -czf</c>. The tree and the manifest can be bent before packing.
/// </summary>
internal sealed class ProducerBundle
{
    private readonly string _parent;

    public ProducerBundle(string parent, string architecture = "amd64", string? manifestArchitecture = null)
    {
        _parent = parent;
        Architecture = architecture;
        Name = $"openshell-gpu-runtime-bundle_0.1.0_{architecture}";
        var triple = architecture == "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        Write("usr/bin/nvidia-cdi-hook", "cdi-hook\n");
        Write("usr/bin/nvidia-container-runtime", "runtime\n");
        Write("usr/bin/nvidia-container-runtime-hook", "runtime-hook\n");
        Write("usr/bin/nvidia-container-cli", "container-cli\n");
        Write("usr/bin/nvidia-ctk", "ctk\n");
        Write("etc/nvidia-container-runtime/config.toml", "config = true\n");
        Write($"usr/lib/{triple}/libnvidia-container.so.1", "libnvidia-container\n");
        Manifest = new JsonObject
        {
            ["schema_version"] = 1,
            ["bundle_name"] = "openshell-gpu-runtime-bundle",
            ["bundle_version"] = "0.1.0",
            ["architecture"] = manifestArchitecture ?? architecture,
            ["created_at"] = "2026-03-18T12:34:56Z",
            ["components"] = new JsonObject
            {
                ["nvidia_container_toolkit"] = new JsonObject { ["version"] = "1.17.8-openshell.1", ["commit"] = "0123456789abcdef0123456789abcdef01234567" },
                ["libnvidia_container"] = new JsonObject { ["version"] = "1.17.8-openshell.1", ["commit"] = "89abcdef0123456789abcdef0123456789abcdef" },
            },
            ["files"] = new JsonArray(),
        };
        foreach (var path in new[]
        {
            "usr/bin/nvidia-cdi-hook", "usr/bin/nvidia-container-runtime", "usr/bin/nvidia-container-runtime-hook", "usr/bin/nvidia-container-cli",
            "usr/bin/nvidia-ctk", "etc/nvidia-container-runtime/config.toml", $"usr/lib/{triple}/libnvidia-container.so.1",
        })
        {
            ListFile(path);
        }
    }

    public string Architecture { get; }

    public string Name { get; }

    public string Root => Path.Combine(_parent, Name);

    public JsonObject Manifest { get; }

    /// <summary>Replaces the manifest's bytes (e.g. invalid JSON); null writes <see cref="Manifest"/>.</summary>
    public string? ManifestText { get; set; }

    public bool OmitManifest { get; set; }

    public JsonArray Files => Manifest["files"]!.AsArray();

    public JsonObject Entry(string path) => Files.Single(f => f!["path"]!.GetValue<string>() == path)!.AsObject();

    public void Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>Lists a file of the tree with its real digest and size, as the producer does.</summary>
    public void ListFile(string relative)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Root, relative));
        Files.Add(new JsonObject
        {
            ["path"] = relative,
            ["entry_type"] = "file",
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ["size"] = bytes.Length,
        });
    }

    /// <summary>Turns a listed file into a symlink to a listed copy next to it (OpenShell's symlinked-binary fixture).</summary>
    public void SymlinkToCopy(string relative)
    {
        var full = Path.Combine(Root, relative);
        File.Move(full, full + ".real");
        File.CreateSymbolicLink(full, Path.GetFileName(full) + ".real");
        Files.Remove(Entry(relative));
        Files.Add(new JsonObject { ["path"] = relative, ["entry_type"] = "symlink", ["target"] = Path.GetFileName(full) + ".real" });
        ListFile(relative + ".real");
    }

    /// <summary>Writes manifest.json and packs with <c>tar -czf OUT -C &lt;parent&gt; &lt;bundle-dir&gt;</c>, or with <paramref name="tarArguments"/>.</summary>
    public string Pack(string output, params string[] tarArguments)
    {
        if (!OmitManifest)
        {
            File.WriteAllText(Path.Combine(Root, "manifest.json"), ManifestText ?? Manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n", new UTF8Encoding(false));
        }

        var start = new ProcessStartInfo("tar") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-czf", output, .. tarArguments.Length > 0 ? tarArguments : ["-C", _parent, Name]])
        {
            start.ArgumentList.Add(argument);
        }

        using var tar = Process.Start(start)!;
        var error = tar.StandardError.ReadToEnd();
        tar.WaitForExit();
        return tar.ExitCode == 0 ? output : throw new InvalidOperationException($"tar failed: {error}");
    }
}
